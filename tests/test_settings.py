import pytest

from unspin import settings
from unspin.errors import ConfigError


def test_precedence_argument_file_env_default(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    monkeypatch.setenv("UNSPIN_CONFIG", str(cfg))
    assert settings.get("max_redirects") == settings.DEFAULTS["max_redirects"]
    monkeypatch.setenv("UNSPIN_MAX_REDIRECTS", "7")
    assert settings.get("max_redirects") == 7
    cfg.write_text("max_redirects = 3\n")
    assert settings.get("max_redirects") == 3
    assert settings.get("max_redirects", 1) == 1


def test_bad_values_are_config_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("UNSPIN_MAX_BYTES", "lots")
    with pytest.raises(ConfigError, match="max_bytes"):
        settings.get("max_bytes")
    with pytest.raises(ConfigError):
        settings.get("no_such_key")
    (tmp_path / "bad.toml").write_text("= nope")
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "bad.toml"))
    with pytest.raises(ConfigError, match="bad config"):
        settings.get("timeout")


def test_env_bool(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("UNSPIN_ALLOW_PRIVATE", "yes")
    assert settings.get("allow_private") is True
