"""Collecting the doctests in ``src/unspin`` (``--doctest-modules``) imports every module.

A module that cannot be imported because one of unspin's optional extras (``serve``, ``train``,
``corpus``, ``ray``, ...) is not installed is not collected, and a doctest that fails only
because it calls into a missing extra is reported as skipped, so the default test run works
with the core dependencies alone. Every other failure is left to pytest (a collection error, a
failed doctest): a broken module must not pass as a missing extra, so the package named by the
``ModuleNotFoundError`` must be one of the extras and must really be absent.

This file sits outside the package on purpose, so it is not installed with it.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent


def _optional_modules() -> frozenset[str]:
    """Top-level import names of the packages in pyproject's optional extras (each of them is
    imported under its distribution's name, ``psycopg[binary]`` as ``psycopg``)."""
    with open(SRC.parent / "pyproject.toml", "rb") as f:
        extras = tomllib.load(f)["project"].get("optional-dependencies", {})
    names = set()
    for requirement in (r for group in extras.values() for r in group):
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group()
        names.add(name.lower().replace("-", "_"))
    return frozenset(names)


OPTIONAL = _optional_modules()
_skipped: list[str] = []  # "module (missing package)", for the summary line


def _missing_extra(exc: BaseException | None) -> str | None:
    """The optional package whose absence caused ``exc`` (through ``raise ... from``), if any."""
    while exc is not None:
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            top = exc.name.split(".")[0]
            return top if top in OPTIONAL and not _installed(top) else None
        exc = exc.__cause__ or exc.__context__
    return None


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    if not config.getoption("doctestmodules", False) or collection_path.suffix != ".py" \
            or collection_path.name in ("conftest.py", "__main__.py"):
        return None  # pytest never imports __main__.py for doctests; neither do we
    parts = collection_path.resolve().relative_to(SRC).with_suffix("").parts
    module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(module)
    # any failure is looked at, but only a missing extra is ignored; pytest reports the rest
    except Exception as exc:  # noqa: BLE001
        missing = _missing_extra(exc)
        if missing:
            _skipped.append(f"{module} ({missing})")
            return True
    return None


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped:
        terminalreporter.write_line("doctests not collected, optional extra not installed: "
                                    + ", ".join(_skipped))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, doctest.UnexpectedException):
        missing = _missing_extra(failure.exc_info[1])
        if missing:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.reportinfo()[1] or 0,
                               f"needs {missing}, from an optional extra that is not installed")
    return report
