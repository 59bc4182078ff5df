"""A long fuzz of ingestion: the properties of tests/reliability/test_ingest_properties.py
(pieces always slice the text, any bytes decode or give one line) with many more examples,
plus hostile shapes the default run keeps small (deep nesting, long lines, huge entities).

Any failure prints hypothesis's shrunk example and exits 1. A run also reports examples per
second per property, so a slowdown in a stage shows here first.

Run: python benchmarks/fuzz_ingest.py [--examples 5000] [--seed 0]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]


def properties():
    """The property tests of the default run, imported from their file."""
    path = ROOT / "tests" / "reliability" / "test_ingest_properties.py"
    spec = importlib.util.spec_from_file_location("ingest_properties", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def hostile(module):
    """Bigger, nastier sources than the default run draws."""
    nested = st.integers(1, 3000).map(lambda n: "<div>" * n + "Deep text here." + "</div>" * n)
    long_line = st.integers(100, 200_000).map(lambda n: "a" * n)
    entities = st.integers(1, 5000).map(lambda n: "<p>" + "&amp;&#8217;&nbsp;" * n + "</p>")
    mixed = st.lists(st.one_of(module.FRAGMENTS, nested, st.text(max_size=40)),
                     max_size=200).map("".join)
    return st.one_of(nested, long_line, entities, mixed)


def run(name, test, examples: int, rng_seed: int) -> bool:
    started = time.monotonic()
    configured = seed(rng_seed)(settings(max_examples=examples, deadline=None, database=None,
                                         suppress_health_check=list(HealthCheck))(test))
    try:
        configured()
    except Exception as exc:  # noqa: BLE001 - report any falsified property and go on
        print(f"FAIL {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    took = time.monotonic() - started
    print(f"ok   {name}: {examples} examples in {took:.1f} s ({examples / took:.0f}/s)")
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=5000, help="examples per property")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    module = properties()
    inner = module.test_from_string_pieces_slice_the_text.hypothesis.inner_test

    def of_kind(kind):
        def test(source):
            inner(kind=kind, source=source)
        return test

    ok = True
    for kind in module.KINDS:
        ok &= run(f"from_string kind={kind}", given(source=module.SOURCES)(of_kind(kind)),
                  args.examples, args.seed)
        ok &= run(f"hostile kind={kind}", given(source=hostile(module))(of_kind(kind)),
                  max(1, args.examples // 10), args.seed)
    for name, cases in (("test_a_byte_order_mark_always_decodes_to_the_same_text",
                         module.BOM_CASES),
                        ("test_any_bytes_decode_or_give_one_line", module.BYTE_CASES)):
        test = getattr(module, name).hypothesis.inner_test
        ok &= run(name, given(**cases)(test), args.examples, args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
