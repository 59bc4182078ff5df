"""Bad input through the Python API: an UnspinError subclass with a one-line message, every
time; a private address never shows in the message meant for remote clients."""

from __future__ import annotations

import os

import pytest

import unspin
from unspin.errors import ConfigError, InputError, UnspinError, URLNotAllowed

from .conftest import BAD_URLS, PRIVATE_URLS, REDIRECT_TARGETS, one_line


@pytest.fixture(autouse=True)
def no_config(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # no config file


def test_each_bad_file(bad_files):
    for bad in bad_files:
        with pytest.raises(UnspinError) as err:
            unspin.analyze(bad.path)
        assert bad.says in one_line(str(err.value)), bad.name


@pytest.mark.parametrize("text", ["", " \n\t ", "x" * 2_000_000, "%$#@! 123 -- ++ ** " * 400,
                                  "QUJD" * 100_000])
def test_strings_that_are_not_articles(text):
    with pytest.raises(InputError) as err:
        unspin.analyze_text(text)
    one_line(str(err.value))


@pytest.mark.parametrize("value", [None, b"bytes", 42])
def test_analyze_text_needs_a_string(value):
    with pytest.raises(InputError, match="needs a str"):
        unspin.analyze_text(value)


@pytest.mark.parametrize("option", [{"min_score": 5}, {"max_bytes": 0}, {"timeout": -1},
                                    {"techniques": "bogus"}, {"encoding": "klingon"},
                                    {"threads": -1}, {"max_redirects": 100}])
def test_bad_options_are_config_errors_before_any_work(option, bad_files):
    with pytest.raises(ConfigError) as err:
        unspin.analyze(bad_files[0].path, **option)
    one_line(str(err.value))
    with pytest.raises(ConfigError):
        unspin.analyze_text("Some text.", **option)


@pytest.mark.parametrize("address, says", BAD_URLS)
def test_bad_urls(address, says):
    with pytest.raises(UnspinError) as err:
        unspin.analyze(address)
    line = one_line(str(err.value))
    assert says in line and len(line) < 400


@pytest.mark.parametrize("address", PRIVATE_URLS)
def test_private_addresses_refused_and_not_shown_to_remote_clients(address):
    with pytest.raises(URLNotAllowed) as err:
        unspin.analyze(address, timeout=2)
    one_line(str(err.value))
    public = one_line(err.value.public)
    assert "not allowed" in public and "--allow-private" not in public
    for word in ("loopback", "private address (", "(127.", "(::", "(10.", "(169.254"):
        assert word not in public, public


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_redirects_to_private_addresses(target, redirect_server, first_hop_allowed):
    given = f"{redirect_server}/to?{target}"
    with pytest.raises(URLNotAllowed) as err:
        unspin.analyze(given, timeout=3)
    one_line(str(err.value))
    if "URLs are not fetched" not in str(err.value):  # an address refusal: kept from clients
        assert err.value.public.startswith(f"{given}: redirects to an address that is not allowed")
        assert target.split("/")[2] not in err.value.public[len(given):]


def test_the_redirect_server_itself_serves_an_article(redirect_server, first_hop_allowed):
    # the check above is meaningful only if the first hop is really let through
    doc = unspin.ingest.load(f"{redirect_server}/ok", timeout=3)
    assert "old bridge" in doc.text


def test_an_unreadable_file_even_as_root(tmp_path, monkeypatch):
    # chmod 000 does not stop root; a PermissionError from open() stands in for it
    path = tmp_path / "secret.txt"
    path.write_text("Title\n\nText.\n")
    real_open = type(path).open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "open", refuse)
    with pytest.raises(InputError) as err:
        unspin.analyze(path)
    assert one_line(str(err.value)) == f"{path}: permission denied"
