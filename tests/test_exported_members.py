import unspin


def test_public_api_is_pinned():
    assert unspin.__all__ == [
        "__version__", "analyze", "analyze_text", "analyze_frame", "Options", "Analysis", "Span",
        "Summary", "ModelRef", "SCHEMA",
        "Document", "Original", "Piece", "Technique", "TECHNIQUES", "UnspinError",
        "InputError", "EncodingError", "TooLargeError", "FetchError", "URLNotAllowed", "ModelError",
        "ConfigError", "DependencyError",
    ]
    for name in unspin.__all__:
        assert hasattr(unspin, name), name


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, unspin; heavy = [m for m in ('torch', 'onnxruntime', 'fastapi', "
            "'ray', 'transformers', 'tokenizers', 'trafilatura', 'pandas', 'spacy') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_does_not_load_the_enrich_rules():
    import subprocess
    import sys

    code = ("import sys, unspin; print(sorted(m for m in sys.modules "
            "if m.startswith('unspin.enrich.') and m != 'unspin.enrich.types'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
