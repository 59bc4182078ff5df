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


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing; install it with: "
                    "apt-get install -y chromium chromium-driver")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed; pip install playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("UNSPIN_TEST_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
