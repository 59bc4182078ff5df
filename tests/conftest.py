import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
PTC = SHARED / "data" / "ptc"
SEED = SHARED / "data" / "seed" / "000_296b8961a6a89711.txt"


def need(path: Path) -> Path:
    """Skip when shared data is absent locally; in CI (CI=true) its absence is a failure."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI needs ../shared beside the checkout")
        pytest.skip(f"{path} not found (../shared beside the checkout)")
    return path


@pytest.fixture(scope="session")
def ptc_dir() -> Path:
    return need(PTC)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return need(SEED)
