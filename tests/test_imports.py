"""No import circle among unspin's modules: the graph of who imports whom, read from the source
with ``ast`` (nothing is imported), has no cycle.

Module-level imports must form no circle at all. Imports inside functions (deferred, to keep
``import unspin`` cheap) are counted too: a circle through one of them means two modules each
need the other, which a deferred import hides but does not untangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

#: circles through deferred imports that are known and waiting to be untangled; none may be
#: added (empty: every circle found so far has been untangled).
KNOWN_DEFERRED: set[tuple[str, ...]] = set()


def find_modules(src: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package) for every module under ``src``/unspin."""
    out = {}
    for path in sorted((src / "unspin").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


MODULES = find_modules(SRC)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return getattr(test, "id", None) == "TYPE_CHECKING" or \
        getattr(test, "attr", None) == "TYPE_CHECKING"


def imports_of(name: str, deferred: bool, modules=MODULES) -> set[str]:
    """The unspin modules ``name`` imports: at module level, and with ``deferred`` also inside
    functions. ``from . import x`` counts as importing the submodule ``x`` when it is one;
    imports under ``if TYPE_CHECKING:`` never run and are left out."""
    path, package = modules[name]
    here = name if package else name.rpartition(".")[0]
    found: set[str] = set()

    def targets(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        if node.level:
            base = here.split(".")[:len(here.split(".")) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        return [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module
                for a in node.names]

    def visit(nodes, top: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _type_checking(node):
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)) and (top or deferred):
                found.update(targets(node))
            inner = top and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child], inner)
                elif isinstance(child, ast.ExceptHandler):
                    visit(child.body, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")).body, True)
    return {m for m in found if m in modules and m != name}


def cycles(deferred: bool, modules=MODULES) -> list[list[str]]:
    """Every circle of the import graph, as the sorted names of its modules (Tarjan's strongly
    connected components, iteratively)."""
    graph = {m: sorted(imports_of(m, deferred, modules)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(graph[node]):
                work.append((node, i + 1))
                nxt = graph[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
    return out


def _say(found: list[list[str]]) -> str:
    return "; ".join(" <-> ".join(c) for c in found)


def test_the_graph_is_read():
    assert "unspin.training.tagger" in imports_of("unspin.training.train", deferred=False)
    assert "unspin.options" in imports_of("unspin.cli", deferred=True)
    assert "unspin.options" not in imports_of("unspin.cli", deferred=False)  # TYPE_CHECKING


def test_no_cycle_among_module_level_imports():
    found = cycles(deferred=False)
    assert not found, f"import cycle among module-level imports: {_say(found)}"


def test_no_new_cycle_through_deferred_imports():
    found = [c for c in cycles(deferred=True) if tuple(c) not in KNOWN_DEFERRED]
    assert not found, f"import cycle through imports inside functions: {_say(found)}"


@pytest.mark.parametrize("top, deferred", [
    ("a = 1\n", []),
    ("from . import b\n", [["unspin.a", "unspin.b"]]),
    ("from .b import f\n", [["unspin.a", "unspin.b"]]),
    ("if TYPE_CHECKING:\n    from .b import f\n", []),
])
def test_a_circle_is_found(tmp_path, top, deferred):
    """a imports b at module level (or not), b imports a inside a function."""
    pkg = tmp_path / "unspin"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(top)
    (pkg / "b.py").write_text("def f():\n    from .a import x\n")
    modules = find_modules(tmp_path)
    assert cycles(False, modules) == []
    assert cycles(True, modules) == deferred
