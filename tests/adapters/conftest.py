"""Small analyses and article excerpts shared by the adapter tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from unspin.analysis import Analysis, ModelRef, make_span, summarize
from unspin.document import Document

#: Short texts the shipped model finds techniques in (kept short: tests run in seconds).
TRAITORS = "They are traitors, every one of them, and they will destroy us all!"


def _synthetic(text: str = "Storm warning\n\nThey are traitors. Sad!", title="Storm warning",
              spans=((24, 32, "Name_Calling,Labeling", 0.91),), doc_id="s1") -> Analysis:
    made = tuple(make_span(text, a, b, t, s) for a, b, t, s in spans)
    return Analysis(Document(text, id=doc_id, title=title), made, summarize(text, made),
                    ModelRef("test-spans.v1", "1", "ab" * 32))


@pytest.fixture
def synthetic():
    """Makes an Analysis from text, title and ``(start, end, technique, score)`` spans."""
    return _synthetic


@pytest.fixture
def sample() -> Analysis:
    return _synthetic()


@pytest.fixture(scope="session")
def excerpts(ptc_dir) -> dict[str, str]:
    """The first ~700 characters (whole lines) of three PTC training articles, by file stem."""
    out = {}
    for path in sorted((ptc_dir / "train-articles").glob("article*.txt"))[:3]:
        text = path.read_text(encoding="utf-8")
        out[path.stem] = text[:text.rfind("\n", 0, 700)].rstrip()
    return out


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    technique: str
    score: float


@dataclass(frozen=True)
class Info:
    name: str = "fixed-spans.v1"
    version: str = "1"
    fingerprint: str = "00" * 32


class FixedDetector:
    """A detector that reports the spans it was given, whatever the text (``detect.Detector``
    in its smallest form)."""

    info = Info()

    def __init__(self, spans) -> None:
        self.spans = [Found(*s) for s in spans]

    def find_spans(self, text: str):
        return [s for s in self.spans if s.end <= len(text)]


@pytest.fixture
def fixed_detector():
    return FixedDetector
