"""A real Label Studio round trip: unspin's tasks into a project made with unspin's labelling
config, a reviewer's annotation through the REST API, the project's JSON export back into
``unspin review import``.

Label Studio runs from its own virtualenv (``bash tests/review/ls_env.sh`` makes it; CI does) on
127.0.0.1 with a temporary data folder, its calls home (version check, error reports,
analytics) switched off. Skipped, saying why, when that virtualenv is missing or Label Studio
does not start in time.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from unspin.cli import main
from unspin.review.format import read_reviews

from .conftest import TEXT

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("UNSPIN_TEST_LS_VENV") or ROOT / ".venv-ls")
START_TIMEOUT = float(os.environ.get("UNSPIN_TEST_LS_START_TIMEOUT", "300"))
TOKEN = "unspin-review-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabelStudio:
    def __init__(self, url: str):
        self.url = url

    def call(self, method: str, path: str, body=None, raw: bool = False):
        req = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                data = resp.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:500]!r}"
                                 ) from None
        return data if raw else json.loads(data or b"null")


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory):
    exe = VENV / "bin" / "label-studio"
    if not (VENV / ".unspin-requirements").is_file() or not exe.is_file():
        pytest.skip(f"Label Studio is not installed in {VENV}; make it with: "
                    "bash tests/review/ls_env.sh")
    data = tmp_path_factory.mktemp("label-studio")
    port = _free_port()
    env = {**os.environ, "HOME": str(data), "LABEL_STUDIO_BASE_DATA_DIR": str(data),
           "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "", "COLLECT_ANALYTICS": "false",
           "LATEST_VERSION_CHECK": "false", "DJANGO_DB": "sqlite"}
    log = (data / "label-studio.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data), "--username", "reviewer@example.org",
         "--password", "unspin-test-password", "--user-token", TOKEN,
         "--enable-legacy-api-token", "--log-level", "WARNING"],
        cwd=data, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                tail = (data / "label-studio.log").read_text(errors="replace")[-600:]
                pytest.skip(f"Label Studio exited ({proc.returncode}) before it served: {tail}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.skip(f"Label Studio did not start within {START_TIMEOUT:.0f} s "
                            "(UNSPIN_TEST_LS_START_TIMEOUT)")
            time.sleep(1)
        yield LabelStudio(url)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _cli(capsys, *argv) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_round_trip_through_label_studio(label_studio, capsys, tmp_path, analysis_file):
    ls = label_studio
    # unspin's side: the labelling config and the tasks
    config = _cli(capsys, "review", "config")
    tasks_file = tmp_path / "tasks.json"
    _cli(capsys, "review", "export", str(analysis_file), "--to", "labelstudio",
         "-o", str(tasks_file))
    project = ls.call("POST", "/api/projects", {"title": "unspin review", "label_config": config})
    imported = ls.call("POST", f"/api/projects/{project['id']}/import",
                       json.loads(tasks_file.read_text(encoding="utf-8")))
    assert (imported["task_count"], imported["prediction_count"]) == (1, 1)

    # the reviewer's side: open the task with its pre-annotations, correct, submit
    (listed,) = ls.call("GET", f"/api/tasks?project={project['id']}")["tasks"]
    task = ls.call("GET", f"/api/tasks/{listed['id']}")
    (prediction,) = task["predictions"]
    regions = {r["value"]["text"]: r for r in prediction["result"]}
    accept = regions["reckless scheme"]
    relabel = {**regions["traitors"],
               "value": {**regions["traitors"]["value"], "labels": ["Loaded language"]}}
    # "Can we really trust a minister" (Doubt) and the slogan are left out: rejected
    start = len(TEXT[:TEXT.index("every one of them")].encode("utf-16-le")) // 2
    add = {"id": "added-1", "from_name": "technique", "to_name": "text", "type": "labels",
           "value": {"start": start, "end": start + len("every one of them"),
                     "text": "every one of them", "labels": ["Exaggeration / minimisation"]}}
    result = [{k: v for k, v in r.items() if k != "score"} for r in (accept, relabel, add)]
    ls.call("POST", f"/api/tasks/{task['id']}/annotations", {"result": result, "lead_time": 9.5})

    # back: the project's JSON export, imported and applied by unspin
    export = tmp_path / "export.json"
    export.write_bytes(ls.call("GET", f"/api/projects/{project['id']}/export?exportType=JSON",
                               raw=True))
    corrections = tmp_path / "corrections.jsonl"
    _cli(capsys, "review", "import", str(export), "-o", str(corrections))
    (review,) = read_reviews(corrections)
    assert review.id == "storm1" and review.model.fingerprint == "ab" * 32
    assert review.reviewer == "label studio user 1" and review.reviewed_at.endswith("Z")
    assert sorted((c.action, TEXT[c.start:c.end], c.technique, c.original)
                  for c in review.corrections) == [
        ("accept", "reckless scheme", "Loaded_Language", None),
        ("add", "every one of them", "Exaggeration,Minimisation", None),
        ("reject", "Can we really trust a minister", "Doubt", None),
        ("reject", "Jobs, not excuses!", "Slogans", None),
        ("relabel", "traitors", "Loaded_Language", "Name_Calling,Labeling")]
    labelled = json.loads(_cli(capsys, "review", "apply", str(corrections)))
    assert sorted(TEXT[s["start"]:s["end"]] for s in labelled["spans"]) == [
        "every one of them", "reckless scheme", "traitors"]
