"""Speed and memory of the shipped detector on 2 CPU cores.

Prints:
- articles/s and tokens/s analysing 100 PTC articles (model loaded once),
- cold `unspin analyze one.txt` wall time and peak RSS (median of 3 fresh processes),
- the speed ratio against a bert-base-sized encoder (12 layers, 768 wide: the size Prta runs)
  doing a forward pass over the same windows, in the same run: PyTorch fp32 and onnxruntime int8.
  Needs the train extra (torch, transformers, onnx) for the comparison; skipped without it.

- detect() time per article of v1 and v2 in the same process (alternating rounds) and the ratio.

Run: python benchmarks/speed.py [--ptc ../shared/data/ptc] [--articles 100] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unspin.detect.registry import installed

ROOT = Path(__file__).resolve().parents[1]


def analyse_corpus(paths, threads):
    import unspin
    from unspin.detect import load

    detector = load(threads=threads)
    unspin.analyze(str(paths[0]), kind="text", detector=detector)  # warm-up
    tokens = 0
    for p in paths:
        tokens += len(detector.predictor.tokenizer.encode(p.read_text(),
                                                          add_special_tokens=False).ids)
    t0 = time.perf_counter()
    for p in paths:
        unspin.analyze(str(p), kind="text", detector=detector)
    dt = time.perf_counter() - t0
    return len(paths) / dt, tokens / dt, tokens, dt


def cold_runs(path: Path, n: int = 3):
    """Wall time and peak RSS of ``n`` fresh ``unspin analyze`` processes, each measured on its
    own (``wait4`` gives that child's rusage, not the maximum over every child so far)."""
    walls, rss = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "unspin.cli", "analyze", str(path),
                                 "--format", "json", "-o", os.devnull])
        _pid, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"unspin analyze {path} failed")
        rss.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(rss)


def window_batches(paths, detector):
    from unspin.detect.windows import tokenize, windows

    cfg = detector.predictor.config
    tok = detector.predictor.tokenizer
    out = []
    for p in paths:
        t = tokenize(tok, p.read_text())
        _s, ids, mask = windows(t.ids, cfg.window, cfg.stride, tok.token_to_id("[CLS]"),
                                tok.token_to_id("[SEP]"))
        for b in range(0, len(ids), cfg.batch):
            out.append((ids[b:b + cfg.batch], mask[b:b + cfg.batch]))
    return out


def time_batches(fn, batches):
    fn(*batches[0])
    t0 = time.perf_counter()
    for ids, mask in batches:
        fn(ids, mask)
    return time.perf_counter() - t0


def compare_bert_base(paths, detector, threads):
    try:
        import onnxruntime as ort
        import torch
        from transformers import BertConfig, BertModel

        from unspin.training.export import fuse, quantize, set_attention
    except ImportError:
        print("bert-base comparison: skipped (install unspin[train])")
        return
    torch.set_num_threads(threads)
    batches = window_batches(paths, detector)
    ours = time_batches(detector._encode, batches)
    torch.manual_seed(0)
    bert = BertModel(BertConfig()).eval()  # bert-base size; random weights time the same

    def torch_fwd(ids, mask):
        with torch.no_grad():
            bert(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))

    t_torch = time_batches(torch_fwd, batches)
    with tempfile.TemporaryDirectory() as tmp:
        fp32, fused, int8 = Path(tmp) / "b.onnx", Path(tmp) / "bf.onnx", Path(tmp) / "b8.onnx"
        ids = torch.ones((2, 16), dtype=torch.long)
        axes = {0: "b", 1: "t"}
        class Forward(torch.nn.Module):  # positional inputs only, as the exporter passes them
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask):
                return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        # the same export unspin's own encoder gets: eager attention, fused, per-channel int8
        set_attention(bert, "eager")
        torch.onnx.export(Forward(bert), (ids, ids), str(fp32), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"], output_names=["h"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes})
        fuse(fp32, fused, 768, 12)
        quantize(fused, int8)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.log_severity_level = 3
        sess = ort.InferenceSession(str(int8), so, providers=["CPUExecutionProvider"])
        t_ort = time_batches(lambda i, m: sess.run(None, {"input_ids": i, "attention_mask": m}),
                             batches)
    print(f"encoder forward over the same {len(batches)} batches:")
    print(f"  unspin MiniLM-L6 int8 (onnxruntime): {ours:7.2f} s")
    print(f"  bert-base fp32 (PyTorch)           : {t_torch:7.2f} s  -> unspin is "
          f"{t_torch / ours:5.1f}x faster")
    print(f"  bert-base int8 fused (onnxruntime) : {t_ort:7.2f} s  -> unspin is "
          f"{t_ort / ours:5.1f}x faster")


def compare_models(paths, names, threads, rounds=3):
    """Detection time per article of registered models, in the same process, in alternating
    rounds so that load from other processes hits them alike; prints the ratio to the first."""
    from unspin.detect import load, phrases

    dets = {n: load(n, threads=threads) for n in names}
    texts = [p.read_text() for p in paths]
    for d in dets.values():
        d.find_spans(texts[0])  # warm-up
    times = {n: [] for n in names}
    for _ in range(rounds):
        for n, d in dets.items():
            # every round reads the texts as new: the phrase rules keep the last texts' parses
            phrases.parse.cache_clear()
            phrases.quotations.cache_clear()
            t0 = time.perf_counter()
            for t in texts:
                d.find_spans(t)
            times[n].append(time.perf_counter() - t0)
    base = statistics.median(times[names[0]])
    for n in names:
        med = statistics.median(times[n])
        print(f"  {n}: {len(texts) / med:5.1f} articles/s (median of {rounds} rounds), "
              f"time {med / base:.3f}x {names[0]}'s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ptc", default=str(ROOT.parent / "shared" / "data" / "ptc"))
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-compare", action="store_true")
    ap.add_argument("--models", nargs="*", default=sorted(installed()),
                    help="models to time against each other (first is the base; default: "
                    "every installed model)")
    args = ap.parse_args()
    paths = sorted((Path(args.ptc) / "train-articles").glob("article*.txt"))[:args.articles]
    if not paths:
        sys.exit(f"no PTC articles under {args.ptc}")
    # first, while this process is small: a forked child's peak RSS counts the parent's pages
    # it held before exec, so measured after the models load it reads the parent's size
    wall, rss = cold_runs(paths[0])
    aps, tps, tokens, dt = analyse_corpus(paths, args.threads)
    print(f"analyse {len(paths)} PTC articles ({tokens} word pieces, "
          f"{tokens / len(paths):.0f} per article) on {args.threads} threads: "
          f"{dt:.2f} s, {aps:.1f} articles/s, {tps:.0f} tokens/s")
    if len(args.models) > 1:
        print(f"detect() on the same {len(paths)} articles, {args.threads} threads:")
        compare_models(paths, args.models, args.threads)
    print(f"cold 'unspin analyze one.txt': {wall:.2f} s wall (median of 3), "
          f"peak RSS {rss:.0f} MB")
    if not args.skip_compare:
        from unspin.detect import load

        compare_bert_base(paths, load(threads=args.threads), args.threads)


if __name__ == "__main__":
    main()
