import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
PTC = SHARED / "data" / "ptc"
SEED = SHARED / "data" / "seed" / "000_296b8961a6a89711.txt"
SEMEVAL23 = SHARED / "data" / "semeval2023-en"


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


def fake_2023_model(folder: Path) -> Path:
    """A model folder that speaks the 2023 taxonomy, made from the default model's files: its
    14 outputs renamed to their 2023 counterparts (for a merged class, the first 2023
    technique that maps onto it), so it finds 14 of the 23 and the other nine are 'not
    detected by this model'. Quick to load; its spans mean nothing new."""
    import json
    import shutil

    from unspin.detect.registry import DEFAULT_MODEL, model_paths, resolve
    from unspin.techniques import TAXONOMY_2023

    folder.mkdir(parents=True)
    for name, path in model_paths(resolve(DEFAULT_MODEL).folder).items():
        shutil.copyfile(path, folder / name)
    cfg = json.loads((folder / "config.json").read_text())
    to_2023 = {}
    for tid in TAXONOMY_2023.ids:
        to_2023.setdefault(TAXONOMY_2023.to_2020(tid), tid)
    decode = cfg["decode"]
    decode["multiword"] = [to_2023[t] for t in decode.get("multiword", [])]
    decode["per_technique"] = {to_2023[t]: v for t, v in decode.get("per_technique", {}).items()}
    cfg.update(name="fake-2023.v1", version="1", taxonomy="2023",
               techniques=[to_2023[t] for t in cfg["techniques"]])
    (folder / "config.json").write_text(json.dumps(cfg, indent=1))
    return folder


@pytest.fixture(scope="session")
def model_2023(tmp_path_factory) -> Path:
    """``fake_2023_model`` in a session folder."""
    return fake_2023_model(tmp_path_factory.mktemp("models") / "fake-2023")


@pytest.fixture(scope="session")
def semeval23_dir() -> Path:
    """The SemEval-2023 labels of the PTC articles (train-labels/, dev-labels/)."""
    return need(SEMEVAL23)


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


def asgi_request(app, method: str, path: str, **kw):
    """One request to an ASGI ``app`` in process (no socket), from sync test code: an
    ``httpx.Response``. Runs the client in a thread of its own, so it also works where an event
    loop is already running."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.request(method, path, **kw)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def start_serve():
    """``start_serve(*args, wait_s=60)`` runs a real ``unspin serve ARGS`` on a free port and
    returns its address once ``/healthz`` answers; every server started is stopped after the
    module. Fails with the server's last words if it exits or does not answer in time."""
    httpx = pytest.importorskip("httpx")
    procs = []

    def start(*args: str, wait_s: float = 60) -> str:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "unspin.cli", "serve", "--port",
                                 str(port), *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                if proc.poll() is not None:
                    pytest.fail("server exited: " + proc.stderr.read().decode()[-500:])
                if time.monotonic() > deadline:
                    pytest.fail(f"no server answered on {base} within {wait_s:g} s")
                time.sleep(0.1)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)
