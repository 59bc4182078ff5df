import pytest

from unspin.errors import ConfigError
from unspin.options import Options


def test_precedence_argument_file_env_default(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    monkeypatch.setenv("UNSPIN_CONFIG", str(cfg))
    assert Options.resolve().max_redirects == Options.max_redirects
    monkeypatch.setenv("UNSPIN_MAX_REDIRECTS", "7")
    assert Options.resolve().max_redirects == 7
    cfg.write_text("max_redirects = 3\n")
    assert Options.resolve().max_redirects == 3
    assert Options.resolve(max_redirects=1).max_redirects == 1


def test_bad_values_are_config_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "none.toml"))
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
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "none.toml"))
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
    assert set(RANGES) == numeric
    for name, allowed in RANGES.items():
        assert getattr(Options(), name) in allowed, name
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
