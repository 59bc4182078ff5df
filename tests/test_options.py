import os

import pytest

from unspin.errors import ConfigError
from unspin.options import Options


def test_precedence_argument_file_env_default(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    monkeypatch.setenv("UNSPIN_CONFIG", str(cfg))
    assert Options.resolve().max_redirects == Options.max_redirects
    monkeypatch.setenv("UNSPIN_MAX_REDIRECTS", "7")
    assert Options.resolve().max_redirects == 7
    cfg.write_text("max_redirects = 3\n")
    assert Options.resolve().max_redirects == 3
    assert Options.resolve(max_redirects=1).max_redirects == 1


def test_bad_values_are_config_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # no config file
    monkeypatch.setenv("UNSPIN_MAX_BYTES", "lots")
    with pytest.raises(ConfigError, match="max-bytes"):
        Options.resolve()
    monkeypatch.delenv("UNSPIN_MAX_BYTES")
    with pytest.raises(ConfigError):
        Options.resolve(no_such_key=1)
    (tmp_path / "bad.toml").write_text("= nope")
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "bad.toml"))
    with pytest.raises(ConfigError, match="bad config"):
        Options.resolve()
    (tmp_path / "unknown.toml").write_text("colour = 'red'\n")
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "unknown.toml"))
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        Options.resolve()


def test_env_bool_and_lists(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # no config file
    monkeypatch.setenv("UNSPIN_ALLOW_PRIVATE", "yes")
    monkeypatch.setenv("UNSPIN_API_KEYS", "k1, k2,,")
    monkeypatch.setenv("UNSPIN_TECHNIQUES", "loaded language,DOU")
    o = Options.resolve()
    assert o.allow_private is True
    assert o.api_keys == ("k1", "k2")
    assert o.techniques == ("Loaded_Language", "Doubt")


@pytest.mark.parametrize("field, value, words", [
    ("min_score", 5, "min-score must be between 0 and 1"),
    ("min_score", -0.1, "min-score must be between 0 and 1"),
    ("threads", -1, "threads must be between 0 and 256"),
    ("timeout", 0, "timeout must be more than 0 and at most 3600"),
    ("max_bytes", 0, "max-bytes must be at least 1"),
    ("concurrency", 0, "concurrency must be between 1 and 256"),
    ("encoding", "klingon", "unknown encoding 'klingon'"),
    ("techniques", "nonsense", "nonsense"),
])
def test_every_value_is_checked_once_in_the_options(field, value, words):
    with pytest.raises(ConfigError, match=words):
        Options(**{field: value})


def test_the_config_file_is_read_once(tmp_path, monkeypatch):
    from unspin import options as mod

    cfg = tmp_path / "config.toml"
    cfg.write_text("min_score = 0.25\n")
    monkeypatch.setenv("UNSPIN_CONFIG", str(cfg))
    mod._read_config.cache_clear()
    for _ in range(5):
        assert Options.resolve().min_score == 0.25
    assert mod._read_config.cache_info().misses == 1


def test_cli_refuses_a_bad_option_with_one_line(capsys, tmp_path):
    from unspin.cli import main

    src = tmp_path / "a.txt"
    src.write_text("Title\n\nSome words here.\n")
    assert main(["analyze", str(src), "--min-score", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "min-score must be between 0 and 1" in err


def test_every_number_has_its_range_written_once():
    """Each numeric setting has one entry in RANGES, which both its default and the check obey."""
    from dataclasses import fields

    from unspin.options import RANGES

    numeric = {f.name for f in fields(Options)
               if type(f.default) in (int, float) and not isinstance(f.default, bool)}
    optional = {"min_score"}  # None by default: the model's display threshold
    assert set(RANGES) == numeric | optional
    for name, allowed in RANGES.items():
        assert name in optional or getattr(Options(), name) in allowed, name
        if allowed.high is not None:
            with pytest.raises(ConfigError, match=f"must be {allowed}"):
                Options(**{name: allowed.high + 1})


@pytest.mark.parametrize("allowed, inside, outside, words", [
    ((0, 1), [0, 0.5, 1], [-0.01, 1.01, float("nan")], "between 0 and 1"),
    ((1, None), [1, 10**9], [0], "at least 1"),
    ((None, 5), [-3, 5], [5.5], "at most 5"),
])
def test_a_range_says_what_it_accepts(allowed, inside, outside, words):
    from unspin.options import Range

    r = Range(*allowed)
    assert all(v in r for v in inside) and not any(v in r for v in outside)
    assert str(r) == words
    above = Range(0, 3600, above=True, unit="seconds")
    assert 0 not in above and 3600 in above and str(above) == "more than 0 and at most 3600 seconds"
    assert above.bounds() == {"gt": 0, "le": 3600} and Range(1).bounds() == {"ge": 1}


def test_a_config_file_named_but_missing_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "confg.toml"))
    with pytest.raises(ConfigError, match=r"UNSPIN_CONFIG names .*confg.toml, which cannot be "
                       r"read \(No such file or directory\).*UNSPIN_CONFIG=/dev/null"):
        Options.resolve()
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path))
    with pytest.raises(ConfigError, match="which is not a file"):
        Options.resolve()
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # the way to say: no config file
    assert Options.resolve() == Options()
    monkeypatch.setenv("HOME", str(tmp_path))  # the default file may be absent
    monkeypatch.delenv("UNSPIN_CONFIG")
    assert Options.resolve() == Options()


def test_the_cli_says_a_missing_config_file_in_one_line(tmp_path, monkeypatch, capsys):
    from unspin.cli import main

    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "a.txt").write_text("Title\n\nSome words here.\n")
    assert main(["analyze", str(tmp_path / "a.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unspin: error: UNSPIN_CONFIG names ") and err.count("\n") == 1


@pytest.fixture
def fresh_warnings(monkeypatch):
    from unspin import options as mod

    monkeypatch.setattr(mod, "_warned", set())
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)


def test_an_unknown_variable_is_named_in_a_warning_once(monkeypatch, caplog, fresh_warnings):
    monkeypatch.setenv("UNSPIN_MIN_SOCRE", "0.5")
    monkeypatch.setenv("UNSPIN_TEST_PG_URL", "postgresql://x")  # a test suite's: no warning
    with caplog.at_level("WARNING", logger="unspin.options"):
        assert Options.resolve().min_score is None  # ignored, as before, but not silently
        Options.resolve()
    [record] = caplog.records
    message = record.getMessage()
    assert message.startswith("unknown environment variable UNSPIN_MIN_SOCRE (did you mean "
                              "UNSPIN_MIN_SCORE?), ignored; unspin reads UNSPIN_ALLOW_PRIVATE")
    assert "UNSPIN_CONFIG" in message and "UNSPIN_TEST_*" in message
    assert "UNSPIN_TEST_PG_URL" not in message


def test_known_variables_raise_no_warning(monkeypatch, caplog, fresh_warnings):
    from unspin import options as mod
    from unspin.options import known_variables
    from unspin.server.config import ENV

    assert ENV in known_variables()  # the options serve hands its workers
    assert "UNSPIN_MODEL" in known_variables() and "UNSPIN_CONFIG" in known_variables()
    for name in list(os.environ):
        if name.startswith("UNSPIN_"):
            monkeypatch.delenv(name)
    for name in known_variables():
        monkeypatch.setenv(name, "x")
    with caplog.at_level("WARNING", logger="unspin.options"):
        mod._warn_unknown_variables()
    assert not caplog.records


def test_analyze_text_takes_a_mapping_of_options(fresh_warnings):
    """analyze_text(text, {"min_score": 0.5}) raised a raw AttributeError."""
    from unspin import analyze_text

    text = "They are traitors, every one of them, and they will destroy us all!"
    by_mapping = analyze_text(text, {"min_score": 0.5, "enrich": False})
    by_options = analyze_text(text, Options(min_score=0.5, enrich=False))
    assert by_mapping.to_dict() == by_options.to_dict()
    assert all(s.score >= 0.5 for s in by_mapping.spans)
    # keywords win over the mapping, as over an Options
    assert analyze_text(text, {"enrich": True}, enrich=False).enrichment is None


@pytest.mark.parametrize("options, words", [
    ([("min_score", 0.5)], "options must be an unspin.Options, a mapping such as "
                           "{'min_score': 0.5} or None, not list"),
    ("min_score=0.5", "not str; or pass fields as keywords: min_score=0.5"),
    ({"min_scor": 0.5}, "unknown option 'min_scor'"),
    ({"min_score": 5}, "min-score must be between 0 and 1"),
    ({1: 0.5}, "a mapping's keys are field names, not 1"),
])
def test_other_options_say_what_is_wanted(options, words, fresh_warnings):
    from unspin import analyze_text

    with pytest.raises(ConfigError) as exc:
        analyze_text("Some words.", options)
    assert words in str(exc.value)


class _Scored:
    """A stand-in detector with a display threshold of 0.3 and spans scored 0.1 and 0.5."""

    def __init__(self, display_threshold):
        from unspin.detect import ModelInfo

        self.info = ModelInfo("stand-in", "1", "0" * 64, "test", "", 0,
                              display_threshold=display_threshold)
        self.techniques = ("Loaded_Language",)

    def find_spans(self, text):
        from unspin.detect import Prediction

        return [Prediction(0, 4, "Loaded_Language", 0.1),
                Prediction(5, 10, "Loaded_Language", 0.5)]

    def label_spans(self, text, spans):
        raise NotImplementedError


@pytest.mark.parametrize("min_score, display, kept", [
    (None, 0.3, [0.5]),  # default: the model's display threshold
    (0, 0.3, [0.1, 0.5]),  # an explicit 0 keeps every span
    (0.05, 0.3, [0.1, 0.5]),  # an explicit value wins over the model's
    (None, 0.0, [0.1, 0.5]),  # a model without one shows everything, as before
])
def test_min_score_defaults_to_the_models_display_threshold(min_score, display, kept,
                                                            fresh_warnings):
    from unspin import analyze_text

    options = Options(min_score=min_score, enrich=False)
    assert options.min_score == (None if min_score is None else float(min_score))
    a = analyze_text("Evil liars everywhere today.", options,
                     detector=_Scored(display))
    assert [s.score for s in a.spans] == kept


def test_min_score_is_unset_by_default_and_checked_when_set(fresh_warnings):
    assert Options().min_score is None
    assert Options.resolve(min_score="0").min_score == 0.0
    with pytest.raises(ConfigError, match="min-score"):
        Options(min_score=-0.1)
