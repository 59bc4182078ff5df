"""The ``unspin`` command: parse arguments, call the library, print. Errors are translated to
one line and an exit code here and nowhere else (0 ok, 1 failure, 2 usage)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from . import __version__
from .errors import ConfigError, InputError, UnspinError

log = logging.getLogger("unspin")

from .report import FORMATS  # noqa: E402  (cheap: report modules load lazily)


# ---------------------------------------------------------------------------------------------
# helpers

def write_output(text: str, out: str | None) -> None:
    """Write to ``out`` atomically (temp file + rename), or to stdout."""
    if not out or out == "-":
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    path = Path(out)
    if path.parent and not path.parent.exists():
        raise InputError(f"{out}: its folder does not exist")
    if path.exists() and not path.is_file():  # /dev/null, a FIFO: write in place, never replace
        try:
            with path.open("w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(f"{out}: cannot write ({exc.strerror or exc})") from None
        return
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{out}: cannot write ({exc.strerror or exc})") from None


def folder_sources(folder: Path) -> list[Path]:
    """The articles in a folder: article<ID>.txt files if any (SemEval layout), else every
    .txt/.md/.html file."""
    from .ingest.labeled import read_article_folder

    ptc = read_article_folder(folder)
    if ptc:
        return list(ptc.values())
    files = sorted(p for p in folder.iterdir() if p.is_file()
                   and p.suffix.lower() in (".txt", ".md", ".markdown", ".html", ".htm"))
    if not files:
        raise InputError(f"{folder}: no articles (.txt, .md or .html files) in this folder")
    return files


def techniques_arg(value: str | None):
    if not value:
        return None
    from .techniques import get

    return [get(v.strip()).id for v in value.split(",") if v.strip()]


# ---------------------------------------------------------------------------------------------
# commands

def cmd_analyze(args) -> int:
    from .pipeline import analyze
    from .report import render, render_many

    fmt = args.format or ("terminal" if sys.stdout.isatty() and not args.output else "json")
    options = dict(model=args.model, min_score=args.min_score,
                   techniques=techniques_arg(args.techniques), encoding=args.encoding,
                   max_bytes=args.max_bytes, allow_private=args.allow_private or None,
                   timeout=args.timeout)
    sources: list[tuple[str, str | None]] = []
    for src in args.sources:
        path = Path(src)
        if src != "-" and not src.startswith(("http://", "https://")) and path.is_dir():
            files = folder_sources(path)
            ptc_layout = files[0].name.startswith("article")
            sources += [(str(f), args.kind or ("text" if ptc_layout else None)) for f in files]
        else:
            sources.append((src, args.kind))
    if len(sources) == 1:
        analysis = analyze(sources[0][0], kind=sources[0][1], **options)
        write_output(render(analysis, fmt), args.output)
        return 0
    if fmt not in ("json", "semeval", "text"):
        raise ConfigError(f"--format {fmt} shows one article; use json, semeval or text "
                          "for several")
    results, failed = [], []
    for src, kind in sources:
        try:
            results.append(analyze(src, kind=kind, **options))
        except UnspinError as exc:
            failed.append(str(exc))
            print(f"unspin: skipped: {exc}", file=sys.stderr)
    if results:
        write_output(render_many(results, fmt), args.output)
    if failed:
        print(f"unspin: {len(results)} articles analysed, {len(failed)} failed", file=sys.stderr)
        return 1
    return 0


def read_template(path: Path) -> list[tuple[str, str, int, int]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 4 or not parts[-2].strip().isdigit() or not parts[-1].strip().isdigit():
            raise InputError(f"{path}:{lineno}: expected ID<TAB>anything<TAB>start<TAB>end")
        rows.append((parts[0].strip(), parts[1], int(parts[-2]), int(parts[-1])))
    return rows


def cmd_label_spans(args) -> int:
    from .detect import label_spans
    from .ingest.labeled import read_article_folder, read_text_file
    from .techniques import TECHNIQUE_IDS

    articles = read_article_folder(Path(args.articles))
    if not articles:
        raise InputError(f"{args.articles}: no article<ID>.txt files in this folder")
    rows = read_template(Path(args.template))
    by_article: dict[str, list[int]] = {}
    for i, (aid, _x, s, e) in enumerate(rows):
        by_article.setdefault(aid, []).append(i)
    labels: list[str | None] = [None] * len(rows)
    failed = 0
    for aid, idx in by_article.items():
        if aid not in articles:
            print(f"unspin: skipped article {aid}: no article{aid}.txt in {args.articles}",
                  file=sys.stderr)
            failed += 1
            continue
        text = read_text_file(articles[aid])
        bad = [rows[i] for i in idx if not 0 <= rows[i][2] < rows[i][3] <= len(text)]
        if bad:
            _a, _x, s, e = bad[0]
            print(f"unspin: skipped article {aid}: span {s}-{e} is outside its text of "
                  f"{len(text)} characters", file=sys.stderr)
            failed += 1
            continue
        probs = label_spans(text, [(rows[i][2], rows[i][3]) for i in idx], args.model)
        for i, p in zip(idx, probs):
            labels[i] = TECHNIQUE_IDS[int(p.argmax())]
    out = [f"{aid}\t{lab}\t{s}\t{e}\n" for (aid, _x, s, e), lab in zip(rows, labels) if lab]
    write_output("".join(out), args.output)
    if failed:
        print(f"unspin: {failed} articles could not be labelled", file=sys.stderr)
        return 1
    return 0


def read_spans_tsv(path: Path) -> list[tuple[str, str, int, int]]:
    """Span lines ``ID<TAB>technique<TAB>start<TAB>end``, techniques in their task spelling."""
    from .techniques import normalize

    spans = []
    for aid, tech, s, e in read_template(path):
        spans.append((aid, normalize(tech) or tech, s, e))
    return spans


def cmd_evaluate(args) -> int:
    from .evaluate import full_scores, si_scores, tc_scores
    from .ingest.labeled import is_validation, read_labeled
    from .techniques import TECHNIQUE_IDS

    gold_path = Path(args.gold)
    if gold_path.is_dir():
        arts = read_labeled(gold_path)
        articles = [a.id for a in arts]
        gold = [(a.id, s.technique, s.start, s.end) for a in arts for s in a.spans]
    else:
        gold = read_spans_tsv(gold_path)
        articles = sorted({g[0] for g in gold})
    if args.split != "all":
        keep = {a for a in articles if is_validation(a) == (args.split == "validation")}
        articles = [a for a in articles if a in keep]
        gold = [g for g in gold if g[0] in keep]
    pred = [p for p in read_spans_tsv(Path(args.pred)) if p[0] in set(articles)]
    result = {"articles": len(articles),
              "si": si_scores(gold, pred, articles).to_dict(),
              "full": full_scores(gold, pred, articles, TECHNIQUE_IDS).to_dict()}
    gold_keys = {(g[0], g[2], g[3]) for g in gold}
    if pred and all((p[0], p[2], p[3]) in gold_keys for p in pred):
        result["tc"] = tc_scores(gold, pred).to_dict()
    if args.json:
        write_output(json.dumps(result, indent=2), None)
        return 0
    lines = [f"articles: {result['articles']}",
             f"{'measure':<34}{'P':>8}{'R':>8}{'F1':>8}{'pred':>7}{'gold':>7}"]

    def row(name, s):
        return (f"{name:<34}{s['precision']:>8.4f}{s['recall']:>8.4f}{s['f1']:>8.4f}"
                f"{s['n_pred']:>7}{s['n_gold']:>7}")

    lines.append(row("SI (span identification)", result["si"]))
    if "tc" in result:
        lines.append(row("TC (technique classification)", result["tc"]))
    lines.append(row("full task (span + technique)", result["full"]))
    for tid, s in result["full"]["per_technique"].items():
        lines.append(row("  " + tid, s))
    write_output("\n".join(lines) + "\n", None)
    return 0


def cmd_train(args) -> int:
    from dataclasses import fields

    from .detect.train import TrainConfig, train

    cfg = TrainConfig()
    for f in fields(TrainConfig):
        value = getattr(args, f.name, None)
        if value is not None:
            setattr(cfg, f.name, value)
    metrics = train(args.data, args.out, cfg, progress=not args.quiet)
    print(f"model written to {args.out}: SI F1 {metrics['si']['f1']:.4f}, "
          f"TC F1 {metrics['tc']['f1']:.4f}, full-task F1 {metrics['full']['f1']:.4f}")
    return 0


def cmd_tune(args) -> int:
    from .detect.export import retune

    m = retune(args.model_dir, args.data)
    print(f"re-tuned {args.model_dir}: SI F1 {m['si']['f1']:.4f}, TC F1 {m['tc']['f1']:.4f}, "
          f"full-task F1 {m['full']['f1']:.4f}")
    return 0


def cmd_serve(args) -> int:
    from .server import ServerConfig, serve

    base = ServerConfig.from_env()
    config = ServerConfig(
        model=args.model or base.model,
        max_text_bytes=args.max_text_bytes or base.max_text_bytes,
        timeout=args.timeout or base.timeout,
        concurrency=args.concurrency or base.concurrency,
        max_queue=args.max_queue if args.max_queue is not None else base.max_queue,
        allow_private=args.allow_private or base.allow_private,
        api_keys=base.api_keys,
        cors_origins=tuple(args.cors_origin or base.cors_origins))
    logging.getLogger("unspin.access").setLevel(logging.INFO)
    print(f"unspin: serving on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    serve(config, host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_techniques(args) -> int:
    from .techniques import TECHNIQUES

    if args.json:
        from dataclasses import asdict

        write_output(json.dumps([asdict(t) for t in TECHNIQUES], indent=2), None)
        return 0
    for t in TECHNIQUES:
        print(f"{t.code}  {t.id:<38} {t.definition}")
    return 0


# ---------------------------------------------------------------------------------------------
# parser

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="unspin", description="Show how a news article persuades: "
                                "find propaganda techniques and mark their spans.")
    p.add_argument("--version", action="version", version=f"unspin {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    a = sub.add_parser("analyze", help="find techniques in articles (file, folder, URL or -)")
    a.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="text/Markdown/HTML file, folder of articles, http(s) URL, or - for stdin")
    a.add_argument("-f", "--format", choices=FORMATS,
                   help="output format (default: terminal on a TTY, else json)")
    a.add_argument("-o", "--output", help="write to this file instead of stdout")
    a.add_argument("--model", help="model name or trained model folder")
    a.add_argument("--min-score", type=float, help="drop spans scoring below this (0-1)")
    a.add_argument("--techniques", help="comma-separated techniques to keep (ids, names or codes)")
    a.add_argument("--kind", choices=("text", "markdown", "html", "url"),
                   help="force the input kind instead of guessing it")
    a.add_argument("--encoding", help="text encoding of files (default utf-8)")
    a.add_argument("--max-bytes", type=int, help="refuse inputs larger than this")
    a.add_argument("--allow-private", action="store_true",
                   help="allow URLs on private, loopback or link-local addresses")
    a.add_argument("--timeout", type=float, help="seconds to wait for a URL")
    a.set_defaults(func=cmd_analyze)

    ls = sub.add_parser("label-spans", help="name the technique of given spans (SemEval TC)")
    ls.add_argument("articles", help="folder of article<ID>.txt files")
    ls.add_argument("template", help="lines ID<TAB>anything<TAB>start<TAB>end")
    ls.add_argument("-o", "--output", help="write to this file instead of stdout")
    ls.add_argument("--model", help="model name or trained model folder")
    ls.set_defaults(func=cmd_label_spans)

    ev = sub.add_parser("evaluate", help="score predictions with the SemEval-2020 measures")
    ev.add_argument("gold", help="PTC-layout folder or TSV of gold spans")
    ev.add_argument("pred", help="TSV of predicted spans: ID<TAB>technique<TAB>start<TAB>end")
    ev.add_argument("--split", choices=("all", "validation", "train"), default="all",
                    help="score only the fixed validation (or training) articles")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=cmd_evaluate)

    tr = sub.add_parser("train", help="train a detector (needs unspin[train])")
    tr.add_argument("data", help="PTC-layout folder or JSONL of labelled articles")
    tr.add_argument("--out", required=True, help="folder for checkpoints and the exported model")
    tr.add_argument("--epochs", type=int)
    tr.add_argument("--batch-size", dest="batch_size", type=int)
    tr.add_argument("--lr", dest="lr_encoder", type=float, help="encoder learning rate")
    tr.add_argument("--seed", type=int)
    tr.add_argument("--max-steps", dest="max_steps", type=int, help="stop after N steps (smoke)")
    tr.add_argument("--limit-articles", dest="limit_articles", type=int,
                    help="train on the first N articles only (smoke)")
    tr.add_argument("--span-jitter", dest="span_jitter", type=int,
                    help="also train the span classifier on gold spans moved by <= N tokens")
    tr.add_argument("--none-class", dest="none_class", action="store_true", default=None,
                    help="give the span classifier a 'no technique' output trained on negatives")
    tr.add_argument("--hard-negatives", dest="hard_negatives", metavar="MODEL",
                    help="mine 'no technique' spans from this model's false alarms")
    tr.add_argument("--random-negatives", dest="random_negatives", type=float, metavar="R",
                    help="random word runs touching no gold span, per gold span, as negatives")
    tr.add_argument("--decode-rules", dest="decode_rules", type=json.loads, metavar="JSON",
                    help='decoding rules for the export, e.g. \'{"cut_breaks": true}\'')
    tr.add_argument("--init-from", dest="init_from", metavar="MODEL",
                    help="keep this model's encoder frozen; train only a new span classifier")
    tr.add_argument("--span-signals", dest="span_signals", action="store_true", default=None,
                    help="the span classifier also reads the token heads' probabilities")
    tr.add_argument("--calibrate", action="store_true", default=None,
                    help="calibrate span scores on validation (isotonic)")
    tr.add_argument("--head-dropout", dest="head_dropout", type=float,
                    help="span classifier dropout (with --init-from)")
    tr.add_argument("--keep-source-head", dest="keep_source_head", action="store_true",
                    default=None, help="average technique probabilities with the --init-from "
                    "model's span classifier")
    tr.add_argument("--extra-labels", dest="extra_labels", metavar="DIR",
                    help="a second annotation of the training articles (SemEval-2023 layout)")
    tr.add_argument("--lr-heads", dest="lr_heads", type=float, help="head learning rate")
    tr.add_argument("--version", dest="version", help="model version (name minilm-spans.vN)")
    tr.add_argument("--threads", type=int, help="torch threads (default all cores)")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    tr.set_defaults(func=cmd_train)

    tu = sub.add_parser("tune", help="re-tune a trained model's decoding thresholds on the "
                        "validation split (rewrites its config.json and model card)")
    tu.add_argument("model_dir", help="trained model folder")
    tu.add_argument("data", help="the PTC-layout folder or JSONL it was trained on")
    tu.set_defaults(func=cmd_tune)

    sv = sub.add_parser("serve", help="HTTP API and web page (needs unspin[serve])")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--workers", type=int, default=1, help="server processes")
    sv.add_argument("--model", help="model name or trained model folder")
    sv.add_argument("--allow-private", action="store_true",
                    help="allow URLs on private, loopback or link-local addresses")
    sv.add_argument("--max-text-bytes", type=int, help="request text cap (default 2 MB)")
    sv.add_argument("--timeout", type=float, help="seconds per request (default 60)")
    sv.add_argument("--concurrency", type=int, help="analyses at once per process (default 1)")
    sv.add_argument("--max-queue", type=int, help="requests waiting before 503 (default 8)")
    sv.add_argument("--cors-origin", action="append", help="allow this origin (repeatable)")
    sv.set_defaults(func=cmd_serve)

    te = sub.add_parser("techniques", help="list the techniques unspin finds")
    te.add_argument("--json", action="store_true")
    te.set_defaults(func=cmd_techniques)
    from .corpus.cli import add_commands; add_commands(sub)  # noqa: E702  batch, store, stats
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose < 2:  # the HTML extractor reports routine page clean-up as warnings
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        return args.func(args)
    except UnspinError as exc:
        print(f"unspin: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
