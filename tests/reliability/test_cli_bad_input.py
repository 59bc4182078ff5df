"""Bad input through the command line: one line on stderr, the right exit code, no traceback,
nothing on stdout; good articles beside bad ones are still written."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from unspin.cli import main

from .conftest import (
    BAD_URLS,
    CAP,
    GOOD_ARTICLE,
    PRIVATE_URLS,
    REDIRECT_TARGETS,
    make_bad_files,
    one_line,
)


@pytest.fixture(autouse=True)
def no_config(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # no config file


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["analyze", *argv, "--format", "json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_each_bad_file_is_one_line(bad_files, capsys):
    for bad in bad_files:
        code, out, err = cli(capsys, str(bad.path))
        line = one_line(err)
        assert (code, out) == (1, ""), (bad.name, err)
        assert line.startswith("unspin: error: ") and bad.says in line, (bad.name, line)
        assert bad.path.name in line, (bad.name, line)


def test_the_50_mb_file_is_refused_by_its_size_not_read(bad_files, capsys, monkeypatch):
    huge = next(b for b in bad_files if b.name == "huge.txt")
    opened = []
    real_open = type(huge.path).open
    monkeypatch.setattr(type(huge.path), "open",
                        lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    code, _out, err = cli(capsys, str(huge.path))
    assert code == 1 and "over the 5000000-byte limit" in one_line(err)
    assert huge.path not in opened


class _EndlessStdin(io.RawIOBase):
    """An endless standard input that counts what is read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"word " * (len(buffer) // 5) + b" " * (len(buffer) % 5)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_endless_stdin_is_refused_after_the_cap(capsys, monkeypatch):
    raw = _EndlessStdin()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))
    code, out, err = cli(capsys, "-")
    assert (code, out) == (1, "") and "stdin: more than" in one_line(err)
    assert raw.read_bytes <= CAP + 2 * io.DEFAULT_BUFFER_SIZE


@pytest.mark.parametrize("address, says", BAD_URLS)
def test_bad_urls(address, says, capsys):
    code, out, err = cli(capsys, address)
    line = one_line(err)
    assert (code, out) == (1, "") and says in line and len(line) < 400


@pytest.mark.parametrize("address", PRIVATE_URLS)
def test_private_addresses_are_refused_in_every_spelling(address, capsys):
    code, out, err = cli(capsys, address, "--fetch-timeout", "2")
    line = one_line(err)
    assert (code, out) == (1, "")
    assert "address" in line and "--allow-private" in line, line


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_redirects_to_private_addresses_are_refused(target, redirect_server, first_hop_allowed,
                                                    capsys):
    code, out, err = cli(capsys, f"{redirect_server}/to?{target}", "--fetch-timeout", "3")
    line = one_line(err)
    assert (code, out) == (1, ""), line
    assert "address" in line or "URLs are not fetched" in line, line


def test_closed_stdout_and_stdin_are_one_line(bad_files):
    empty = next(b for b in bad_files if b.name == "empty.txt")
    cmd = f"{sys.executable} -m unspin.cli analyze"
    for shell, says in ((f"{cmd} {empty.path} >&-", "no text"),
                        (f"{cmd} - <&-", "standard input is closed")):
        p = subprocess.run(shell, shell=True, capture_output=True, text=True, timeout=60)
        assert p.returncode == 1 and says in one_line(p.stderr), (shell, p.stderr)


@pytest.mark.model
def test_good_articles_beside_bad_ones_are_kept(tmp_path, capsys):
    folder = tmp_path / "articles"
    bad = [b for b in make_bad_files(folder) if b.path.exists() and b.name != "huge.txt"]
    for path in set(folder.iterdir()) - {b.path for b in bad}:  # huge; unreadable read by root
        path.unlink()
    (folder / "good.txt").write_text(GOOD_ARTICLE)
    out = tmp_path / "out.json"
    code = main(["analyze", str(folder), "--format", "json", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    docs = [json.loads(line) for line in out.read_text().splitlines()]  # JSON lines
    assert [d["document"]["id"] for d in docs] == ["good"]
    for b in bad:
        assert sum(b.path.name in line for line in err.splitlines()) == 1, (b.name, err)
