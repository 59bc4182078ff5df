"""The language check: English passes (and is recorded), clearly non-English text is refused
in one line unless any_language, which puts a warning into the Analysis and every report."""

from __future__ import annotations

import json
import re

import pytest

from unspin.analysis import Analysis, ModelRef
from unspin.document import Document
from unspin.errors import InputError
from unspin.ingest.language import check_language, detect
from unspin.options import Options
from unspin.pipeline import analyze_document
from unspin.report import render

pytest.importorskip("py3langid")

RUSSIAN = ("Вчера вечером в столице прошёл митинг против повышения цен на продукты. Тысячи "
           "людей вышли на улицы, чтобы выразить своё недовольство политикой правительства. "
           "Организаторы заявили, что протесты продолжатся, пока власти не выполнят их "
           "требования. Полиция сообщила, что акция прошла без серьёзных нарушений порядка. ")
GERMAN = ("Die Regierung hat am Dienstag ein neues Gesetz beschlossen, das die Mieten in den "
          "großen Städten begrenzen soll. Kritiker sagen, dass die Maßnahme zu spät komme und "
          "nicht weit genug gehe. Die Opposition kündigte an, vor dem Verfassungsgericht zu "
          "klagen, sobald das Gesetz in Kraft tritt. ")
ENGLISH = ("The council approved the harbour plan on Tuesday night by seven votes to six. "
           "Critics said that the vote was rushed and that the people of the city were not "
           "heard. The mayor told reporters that the harbour will pay for itself within a "
           "decade, and that it is the best plan the city has had in a generation. ")


class _NoSpans:
    """A detector stand-in: the language check runs before detection, whatever the model."""

    info = ModelRef("stub-spans.v1", "1", "0" * 64)

    def find_spans(self, text):
        return []


def test_english_is_recorded_without_the_model(monkeypatch):
    import unspin.ingest.language as language

    monkeypatch.setattr(language, "detect", lambda text: pytest.fail("model loaded"))
    doc, warnings = check_language(Document(ENGLISH * 2))
    assert (doc.language, warnings) == ("en", ())


@pytest.mark.parametrize("text, code, name", [(RUSSIAN, "ru", "Russian"),
                                              (GERMAN, "de", "German")])
def test_clearly_foreign_text_is_refused_in_one_line(text, code, name):
    with pytest.raises(InputError) as err:
        check_language(Document(text, source="news.txt"))
    message = str(err.value)
    assert "\n" not in message and message.startswith("news.txt: the text looks like")
    assert f"{name} ({code}" in message and "English only" in message
    assert "--any-language" in message and "options.any_language" in err.value.public


def test_any_language_analyses_with_a_warning():
    doc, warnings = check_language(Document(RUSSIAN), any_language=True)
    assert doc.language == "ru"
    assert len(warnings) == 1 and "Russian" in warnings[0] and "English only" in warnings[0]


def test_short_or_declared_text_is_kept_as_it_is():
    short = Document("Привет, мир! Как дела?")
    assert check_language(short) == (short, ())
    declared = Document(ENGLISH, language="en-GB")
    assert check_language(declared)[0].language == "en-GB"
    # the declared language is kept, but the text decides the refusal
    with pytest.raises(InputError, match="Russian"):
        check_language(Document(RUSSIAN, language="en"))


def test_non_language_is_not_recorded_nor_refused():
    numbers = Document(" ".join(f"{n} {n * 7} {n * 13};" for n in range(200)) + " abc " * 60)
    doc, warnings = check_language(numbers)
    assert warnings == () and doc.language in (None, "en")


def test_detect_names_the_language():
    guess = detect(GERMAN)
    assert guess.code == "de" and guess.confidence > 0.95


def test_pipeline_refuses_then_warns_in_every_report():
    doc = Document(RUSSIAN, id="ru-1")
    with pytest.raises(InputError, match="English only"):
        analyze_document(doc, Options(), detector=_NoSpans())
    analysis = analyze_document(doc, Options(any_language=True, enrich=False),
                                detector=_NoSpans())
    assert analysis.warnings and analysis.document.language == "ru"
    out = json.loads(render(analysis, "json"))
    assert out["schema"] == "unspin.analysis/4" and out["warnings"] == list(analysis.warnings)
    for fmt in ("text", "terminal"):
        first = render(analysis, fmt, color=False, width=100) if fmt == "terminal" else \
            render(analysis, fmt)
        assert re.search(r"Warning: +the text looks like Russian", first), fmt
    assert 'class="us-warning"' in render(analysis, "html")
    assert Analysis.from_dict(out).warnings == analysis.warnings


def test_english_analysis_has_no_warning_and_records_english():
    analysis = analyze_document(Document(ENGLISH), Options(enrich=False), detector=_NoSpans())
    assert analysis.warnings == () and analysis.document.language == "en"
    assert "Warning" not in render(analysis, "text")
    assert analysis.to_dict()["warnings"] == []


def test_older_json_without_warnings_still_loads():
    analysis = analyze_document(Document(ENGLISH), Options(enrich=False), detector=_NoSpans())
    old = analysis.to_dict()
    old["schema"] = "unspin.analysis/2"
    del old["warnings"]
    back = Analysis.from_dict(old)
    assert back.warnings == () and back.schema == "unspin.analysis/4"


def test_any_language_option_from_the_environment(monkeypatch):
    monkeypatch.setenv("UNSPIN_ANY_LANGUAGE", "true")
    assert Options.resolve().any_language is True


def test_cli_refuses_russian_and_analyses_it_with_the_flag(tmp_path, capsys):
    from unspin.cli import main

    path = tmp_path / "ru.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    assert main(["analyze", str(path), "--no-enrich", "-f", "json"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Russian" in err and "--any-language" in err
    assert main(["analyze", str(path), "--no-enrich", "-f", "text", "--any-language"]) == 0
    assert re.search(r"Warning: +the text looks like Russian", capsys.readouterr().out)


@pytest.mark.model
def test_http_api_refuses_with_400_and_takes_any_language():
    pytest.importorskip("fastapi", reason="needs unspin[serve]")
    import asyncio

    import httpx

    from unspin.server import create_app

    app = create_app(Options())

    async def post(body):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.post("/v1/analyze", json=body)

    r = asyncio.run(post({"text": RUSSIAN}))
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_input"
    message = r.json()["error"]["message"]
    assert "Russian" in message and "options.any_language" in message
    assert "--any-language" not in message
    r = asyncio.run(post({"text": RUSSIAN, "options": {"any_language": True, "enrich": False}}))
    assert r.status_code == 200 and "Russian" in r.json()["warnings"][0]
