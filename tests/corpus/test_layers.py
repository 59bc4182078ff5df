"""The corpus modules import one way: the engines and the shared pieces never import ``batch``
(the driver), so no import loop can come back and no engine leans on batch's private helpers."""

from __future__ import annotations

import ast
from pathlib import Path

import unspin.corpus

CORPUS = Path(unspin.corpus.__file__).parent


def imports(module: str) -> set[tuple[str, str]]:
    """``(module, name)`` pairs a corpus module imports from its siblings."""
    tree = ast.parse((CORPUS / f"{module}.py").read_text(encoding="utf-8"))
    return {(n.module, a.name) for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module
            for a in n.names}


BELOW_BATCH = ("ray_engine", "pool", "stream", "outdir", "work", "records", "tables")


def test_nothing_below_batch_imports_it():
    for module in BELOW_BATCH:
        assert "batch" not in {m for m, _n in imports(module)}, module


def test_no_private_names_cross_the_batch_modules():
    for module in ("batch", *BELOW_BATCH):
        private = {(m, n) for m, n in imports(module) if n.startswith("_")}
        assert not private, (module, private)
