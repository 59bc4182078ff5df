"""Faults during ``unspin batch``: a second run on the same --out, a lock left by a killed run,
a full disk while writing a part or merging, and metadata no table can hold (lone surrogates).
Each ends in one clear line or in a complete output, never a traceback, and nothing is lost.
(SIGKILL during a run, then a rerun: ``tests/corpus/test_batch.py``.)"""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")
import pyarrow.parquet as pq  # noqa: E402

ARTICLES = [{"id": f"a{i}", "outlet": "Gazette", "published": f"2020-0{i + 1}-01",
             "text": f"Article {i}. The corrupt elite will destroy this great nation. "
                     "Every true patriot must stand up now."} for i in range(6)]


def run_cli(*args, timeout=300):
    p = subprocess.run([sys.executable, "-m", "unspin.cli", *map(str, args)],
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def one_line_error(err: str) -> bool:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in err and lines[0].startswith("unspin: error:")


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def ids(out: Path) -> list[str]:
    return [r["id"] for r in pq.read_table(out / "articles.parquet").to_pylist()]


def test_second_run_on_the_same_out_is_refused_naming_the_holder(tmp_path):
    from unspin.corpus.outdir import OutDir

    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    out = tmp_path / "out"
    with OutDir(out, "parquet"):  # a run in progress
        code, _o, err = run_cli("batch", src, "--out", out)
    assert code == 1 and one_line_error(err), err
    assert "is in use by another unspin batch run" in err
    assert f"pid {os.getpid()} on {socket.gethostname()}, started 20" in err
    assert not (out / "run.json").exists()  # the refused run touched nothing


def test_lock_is_exclusive_within_one_process_too(tmp_path):
    from unspin.corpus.outdir import OutDir
    from unspin.errors import InputError

    with OutDir(tmp_path, "parquet"), pytest.raises(InputError, match="in use"):
        OutDir(tmp_path, "parquet").__enter__()
    with OutDir(tmp_path, "parquet"):  # released on exit
        pass
    assert not (tmp_path / ".lock").exists()


@pytest.mark.model
def test_lock_left_by_a_dead_run_is_taken_over(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES[:2])
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock").write_text(json.dumps({"pid": 2**22 + 7, "host": socket.gethostname(),
                                           "started": "2020-01-01T00:00:00+00:00"}))
    code, _o, err = run_cli("batch", src, "--out", out, "--workers", "1")
    assert code == 0, err
    assert ids(out) == ["a0", "a1"] and not (out / ".lock").exists()


@pytest.mark.model
def test_lone_surrogates_never_stop_a_run(tmp_path):
    """``"\\ud83d"`` (half an emoji) in an id, a title or the text: cleaned in that row, the
    other rows kept, and a rerun finds the run finished."""
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(ARTICLES[0]) + "\n"
                   + '{"id": "e\\ud83d", "title": "Cut \\ud83d", "text": "Wake up \\ud83d now, '
                     'every true patriot!"}\n'
                   + json.dumps(ARTICLES[1]) + "\n", encoding="utf-8")
    args = ["batch", src, "--out", tmp_path / "out", "--workers", "1", "--chunk-size", "2"]
    code, _o, err = run_cli(*args)
    assert code == 0 and "Traceback" not in err, err
    rows = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    assert [r["id"] for r in rows] == ["a0", "e\ufffd", "a1"]
    assert rows[1]["title"] == "Cut \ufffd" and rows[1]["status"] == "ok"
    code, _o, err = run_cli(*args)
    assert code == 0 and "already holds the finished run" in err


@pytest.mark.model
def test_folder_file_name_with_bad_bytes_is_analysed(tmp_path):
    arts = tmp_path / "arts"
    arts.mkdir()
    with open(os.fsencode(arts) + b"/bad\xff.txt", "wb") as fh:
        fh.write(ARTICLES[0]["text"].encode())
    (arts / "good.txt").write_text(ARTICLES[1]["text"])
    for fmt in ("parquet", "jsonl"):
        out = tmp_path / f"out-{fmt}"
        code, _o, err = run_cli("batch", arts, "--out", out, "--format", fmt, "--workers", "1")
        assert code == 0 and "Traceback" not in err, err
    assert ids(tmp_path / "out-parquet") == ["bad\ufffd", "good"]
    lines = (tmp_path / "out-jsonl" / "analyses.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["document"]["id"] for line in lines] == ["bad\ufffd", "good"]


# ---------------------------------------------------------------------------------------------
# a full disk

def _fail_fsync_on(monkeypatch, marker: str):
    """``os.fsync`` fails with ENOSPC for files whose path holds ``marker`` (as a full disk
    reports a write it could not place)."""
    real = os.fsync

    def fsync(fd):
        if marker in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.model
@pytest.mark.parametrize("marker,parts", [("articles-000001", 1), ("manifest.jsonl", 1),
                                          (".articles.parquet.", 2)],
                         ids=["writing-a-part", "recording-a-part", "merging"])
def test_full_disk_is_one_line_and_keeps_the_parts(tmp_path, monkeypatch, capsys, marker, parts):
    from unspin.cli import main

    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES[:4])
    out = tmp_path / "out"
    args = ["batch", str(src), "--out", str(out), "--workers", "1", "--chunk-size", "2", "-q"]
    with monkeypatch.context() as m:
        _fail_fsync_on(m, marker)
        assert main(args) == 1
    err = capsys.readouterr().err
    assert one_line_error(err), err
    assert "No space left on device" in err and f"the {parts} parts already written are kept" in err
    manifest = (out / "_parts" / "manifest.jsonl").read_text().splitlines()
    assert len(manifest) == parts
    for n in range(parts):  # the parts written are whole and readable
        assert pq.read_table(out / "_parts" / f"articles-{n:06d}.parquet").num_rows == 2
    assert not list(out.rglob("*.tmp")) and not (out / "articles.parquet").exists()

    assert main(args) == 0  # space again: the same command finishes the run
    err = capsys.readouterr().err
    assert f"{2 * parts} done earlier" in err
    assert ids(out) == ["a0", "a1", "a2", "a3"]


def _tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    path.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    return filler


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "4m"):
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.model
def test_batch_on_a_real_full_disk(tmp_path, small_disk):
    """A tmpfs filled up after the first part: one line, exit 1, that part intact; rerun."""
    from unspin.corpus.batch import run_batch
    from unspin.errors import InputError

    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES[:4])
    out = small_disk / "out"
    filled = []

    def progress(done, failed):
        if done == 3 and not filled:  # part 0 is written: the disk fills up now
            filled.append(_fill(small_disk))

    with pytest.raises(InputError, match="No space left on device") as info:
        run_batch(src, out, workers=1, chunk_size=2, progress=progress)
    assert "the 1 parts already written are kept" in str(info.value)
    assert pq.read_table(out / "_parts" / "articles-000000.parquet").num_rows == 2
    assert not list(out.rglob("*.tmp"))
    filled[0].unlink()
    result = run_batch(src, out, workers=1, chunk_size=2)
    assert (result.resumed, result.articles) == (2, 4) and ids(out) == ["a0", "a1", "a2", "a3"]


def test_output_file_on_a_full_disk_leaves_no_temp_file(tmp_path, small_disk):
    from unspin.cli import write_output
    from unspin.errors import InputError

    _fill(small_disk)
    with pytest.raises(InputError, match="No space left on device"):
        write_output("x" * 200_000, str(small_disk / "report.json"))
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_output_file_write_failure_leaves_no_temp_file(tmp_path, monkeypatch):
    from unspin.cli import write_output
    from unspin.errors import InputError

    _fail_fsync_on(monkeypatch, "report.json")
    with pytest.raises(InputError, match="No space left on device"):
        write_output("{}", str(tmp_path / "report.json"))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# SIGKILL

@pytest.mark.model
@pytest.mark.slow
def test_sigkill_leaves_a_lock_the_rerun_takes_over_and_every_article_once(tmp_path):
    """A run killed mid-way (JSONL output) leaves its lock file and some parts; the same command
    takes the lock over and ends with every article exactly once, failures included."""
    import signal
    import time

    rows = [{"id": f"k{i:02d}", "text": f"Row {i}. {ARTICLES[i % 6]['text']}"} for i in range(40)]
    rows[7] = {"id": "k07"}  # fails: no text
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "unspin.cli", "batch", str(src), "--out", str(out),
            "--format", "jsonl", "--workers", "2", "--threads", "1", "--chunk-size", "3", "-q"]
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    manifest = out / "_parts" / "manifest.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.exists() and manifest.read_text().count("\n") >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    holder = json.loads((out / ".lock").read_text())
    assert holder["pid"] == proc.pid  # left behind by the dead run

    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    assert "done earlier" in p.stderr and "40 articles (39 ok, 1 failed" in p.stderr
    done = [json.loads(line)["document"]["id"]
            for line in (out / "analyses.jsonl").read_text().splitlines()]
    failed = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert done == [r["id"] for r in rows if r["id"] != "k07"]
    assert failed == [{"id": "k07", "row": 8, "source": f"{src}:8", "error": "no text"}]
    assert not (out / ".lock").exists() and not (out / "_parts").exists()
