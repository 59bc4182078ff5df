"""`unspin serve`: without the serve extra, only the install hint; with it, the address the user
asked for. Runs the real CLI in a subprocess with fastapi (or uvicorn) made unimportable."""

import subprocess
import sys

import pytest

# A child interpreter where importing `blocked` fails, as on a machine without the extra;
# `unspin.server.serve` is replaced so that no server starts when the extra is there.
CHILD = """
import sys
blocked = sys.argv[1]
if blocked != "-":
    sys.modules[blocked] = None  # import raises ImportError
import unspin.server
unspin.server.serve = lambda options, host, port, workers: print("would serve", host, port)
from unspin.cli import main
sys.exit(main(sys.argv[2:]))
"""


def run_serve(blocked: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, blocked, "serve", *args],
                          check=False, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("blocked", ["fastapi", "uvicorn"])
def test_without_the_extra_only_the_install_hint(blocked):
    r = run_serve(blocked, "--port", "8765")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    hint = f"{blocked} is not installed; install it with: pip install 'unspin[serve]'"
    assert lines == [f"unspin: error: {hint}"], r.stderr
    assert "serving on" not in r.stderr and r.stdout == ""


def test_with_the_extra_the_address_asked_for():
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    r = run_serve("-", "--host", "127.0.0.1", "--port", "8765")
    assert r.returncode == 0, r.stderr
    assert "serving on http://127.0.0.1:8765" in r.stderr
    assert r.stdout.strip() == "would serve 127.0.0.1 8765"
