"""Three timeouts, three names (issue 19): --fetch-timeout (a URL), --request-timeout (serve),
--article-timeout (batch, analyze of several sources); the old --timeout, the config key
`timeout` and UNSPIN_TIMEOUT keep working with a one-line deprecation warning."""

import logging
import os

import pytest

from unspin.cli import build_parser
from unspin.corpus.cli import renamed_timeout
from unspin.options import Options


@pytest.mark.parametrize("argv,field", [
    (["analyze", "a.txt", "--timeout", "7"], "fetch_timeout"),
    (["serve", "--timeout", "7"], "request_timeout"),
    (["batch", "in.jsonl", "--out", "o", "--timeout", "7"], "article_timeout"),
])
def test_the_old_flag_keeps_its_meaning_with_one_warning(argv, field, capsys):
    args = build_parser().parse_args(argv)
    renamed_timeout(args, field)
    assert getattr(args, field) == 7
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"unspin: warning: --timeout is deprecated; use --{field.replace('_', '-')}"]


@pytest.mark.parametrize("argv,field", [
    (["analyze", "a.txt", "--fetch-timeout", "3", "--article-timeout", "4"], "fetch_timeout"),
    (["serve", "--request-timeout", "3"], "request_timeout"),
    (["batch", "in.jsonl", "--out", "o", "--article-timeout", "3"], "article_timeout"),
])
def test_the_new_flags(argv, field, capsys):
    args = build_parser().parse_args(argv)
    renamed_timeout(args, field)
    assert getattr(args, field) == 3 and capsys.readouterr().err == ""


def test_the_old_setting_and_variable_are_the_fetch_timeout(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # no config file
    monkeypatch.setenv("UNSPIN_TIMEOUT", "7")
    with caplog.at_level(logging.WARNING, logger="unspin.options"):
        options = Options.resolve()
    assert options.fetch_timeout == 7 and options.timeout is None
    assert [r.getMessage().count("\n") for r in caplog.records] == [0]
    assert "fetch_timeout" in caplog.records[0].getMessage()
    assert Options.resolve(fetch_timeout=3).fetch_timeout == 3  # the new name wins
    monkeypatch.delenv("UNSPIN_TIMEOUT")
    (tmp_path / "c.toml").write_text("timeout = 9\n")
    monkeypatch.setenv("UNSPIN_CONFIG", str(tmp_path / "c.toml"))
    assert Options.resolve().fetch_timeout == 9
    assert Options(article_timeout=0).article_timeout == 0  # 0: no limit
