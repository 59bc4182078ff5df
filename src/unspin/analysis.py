"""The one result type: Analysis (document + spans + summary + model), and its JSON contract.

``Analysis.to_dict()`` is what the CLI, the HTTP API and batch runs emit; ``SCHEMA`` names its
version. ``unspin/schema/analysis.schema.json`` is generated from these types (``python -m
unspin.schema``) and a test keeps the two in step. Offsets index ``document.text`` and
``span.text == document.text[span.start:span.end]`` always holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .document import Document, Original
from .enrich.types import Enrichment
from .errors import InputError
from .techniques import DEFAULT_TAXONOMY
from .techniques import taxonomy as taxonomy_of

__all__ = ["Span", "Summary", "ModelRef", "Analysis", "SCHEMA", "summarize"]

SCHEMA = "unspin.analysis/4"
#: Older schemas ``Analysis.from_dict`` still reads (/2 had no ``warnings``, /3 no
#: ``taxonomy``: their models all spoke the 2020 one).
READABLE_SCHEMAS = ("unspin.analysis/1", "unspin.analysis/2", "unspin.analysis/3", SCHEMA)

#: How ``Analysis._repr_html_`` renders (``adapters.notebook.notebook_html``, set by
#: ``unspin/__init__.py``): the report stage imports this module, so it cannot import that one.
HTML_DISPLAY: Callable[[Analysis], str] | None = None
#: ``repr(analysis)`` cuts the title to this many characters.
_REPR_TITLE = 40

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n\s*\n|\n")


@dataclass(frozen=True)
class Span:
    """One use of a technique: ``text`` is ``document.text[start:end]``."""

    start: int
    end: int
    technique: str
    name: str
    score: float
    text: str


@dataclass(frozen=True)
class Summary:
    """Counts over the article. ``intensity`` is the share of sentences, in percent (0-100),
    that contain at least one technique span."""

    words: int
    sentences: int
    counts: dict[str, int]
    per_1000_words: float
    sentences_with_technique: int
    intensity: int
    top: list[str]


# ``detect.ModelInfo`` is a ModelRef that also says where the model is installed.
@dataclass(frozen=True)
class ModelRef:
    """The model that made an Analysis. ``fingerprint`` is a sha256 over every file of the
    model's folder (weights, decoding settings, card): any change gives another fingerprint."""

    name: str
    version: str
    fingerprint: str

    def ref(self) -> ModelRef:
        """Only who the model is, as an Analysis records it (a ModelInfo's installation
        details left out).

        >>> ModelRef("m.v1", "1", "ab").ref() == ModelRef("m.v1", "1", "ab")
        True
        """
        return ModelRef(self.name, self.version, self.fingerprint)


@dataclass(frozen=True)
class Analysis:
    """One article analysed: its spans, their summary, what the enrich stage found (None when
    it was skipped), the model that made it, and warnings every report shows (one line each:
    why the spans may not be trusted, e.g. text analysed with ``any_language``). ``taxonomy``
    names the techniques the model speaks ("2020" or "2023", ``techniques.taxonomy``): span
    ids, names, counts and every report's legend are that taxonomy's."""

    document: Document
    spans: tuple[Span, ...]
    summary: Summary
    model: ModelRef
    schema: str = SCHEMA
    enrichment: Enrichment | None = None
    warnings: tuple[str, ...] = ()
    taxonomy: str = DEFAULT_TAXONOMY

    def __post_init__(self):
        if type(self.model) is not ModelRef:  # a ModelInfo: its folder is no part of the result
            object.__setattr__(self, "model", self.model.ref())
        object.__setattr__(self, "warnings", tuple(self.warnings))

    def __repr__(self) -> str:
        """One line: which article (title, else id, else its first words), how long, how many
        spans and which model; ``to_dict()`` has the rest.

        >>> text = "Storm warning\\n\\nThey are traitors."
        >>> Analysis(Document(text, title="Storm warning"), (), summarize(text, ()),
        ...          ModelRef("minilm-spans.v5", "5", ""))
        <Analysis 'Storm warning' 33 chars, 0 spans, model minilm-spans.v5>
        """
        doc = self.document
        label = " ".join((doc.title or doc.id or doc.text).split())
        if len(label) > _REPR_TITLE:
            label = label[:_REPR_TITLE - 1].rstrip() + "…"
        n = len(self.spans)
        return (f"<Analysis {label!r} {len(doc.text):,} chars, {n:,} span{'' if n == 1 else 's'}"
                f", model {self.model.name}>")

    def _repr_html_(self) -> str | None:
        """Jupyter shows the HTML report, sandboxed in a frame (``adapters/notebook.py``)."""
        return HTML_DISPLAY(self) if HTML_DISPLAY is not None else None

    def to_pandas(self):
        """The spans as a pandas DataFrame: one row per span, indexed by its position in
        ``spans``, with the columns of a batch run's spans table (``adapters/tables.py``).

        >>> text = "They are traitors."
        >>> spans = (make_span(text, 9, 17, "Name_Calling,Labeling", 0.9),)
        >>> a = Analysis(Document(text), spans, summarize(text, spans), ModelRef("m", "1", ""))
        >>> a.to_pandas()[["start", "end", "technique", "score"]]
           start  end              technique  score
        0      9   17  Name_Calling,Labeling    0.9
        """
        from .adapters.tables import spans_frame

        return spans_frame([(None, self)]).reset_index(drop=True)

    def to_dict(self) -> dict:
        doc = self.document
        return {
            "schema": self.schema,
            "document": {
                "id": doc.id, "text": doc.text, "title": doc.title, "authors": list(doc.authors),
                "published": doc.published, "outlet": doc.outlet,
                "original": asdict(doc.original) if doc.original else None,
                "tags": list(doc.tags), "url": doc.url, "language": doc.language,
            },
            "spans": [asdict(s) for s in self.spans],
            "summary": asdict(self.summary),
            "model": asdict(self.model),
            "enrichment": self.enrichment.to_dict() if self.enrichment is not None else None,
            "warnings": list(self.warnings),
            "taxonomy": self.taxonomy,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict) -> Analysis:
        """The Analysis of a JSON dict of this schema or an older readable one (in
        ``unspin.analysis/1`` the model was identified by ``sha256``, its encoder's hash; before
        ``/3`` there were no ``warnings``, before ``/4`` no ``taxonomy``: those read as "2020")."""
        schema = d.get("schema", SCHEMA)
        if schema not in READABLE_SCHEMAS:
            raise InputError(f"unknown analysis schema {schema!r}; this unspin reads "
                             f"{', '.join(READABLE_SCHEMAS)}: upgrade unspin")
        dd = d["document"]
        doc = Document(
            text=dd["text"], id=dd.get("id"), title=dd.get("title"),
            authors=tuple(dd.get("authors") or ()), published=dd.get("published"),
            outlet=dd.get("outlet"),
            original=Original(**dd["original"]) if dd.get("original") else None,
            tags=tuple(dd.get("tags") or ()), url=dd.get("url"), language=dd.get("language"))
        spans = tuple(Span(**s) for s in d["spans"])
        m = d["model"]
        model = ModelRef(m["name"], m["version"], m.get("fingerprint") or m.get("sha256", ""))
        enrichment = d.get("enrichment")
        return cls(doc, spans, Summary(**d["summary"]), model, SCHEMA,
                   Enrichment.from_dict(enrichment) if enrichment else None,
                   tuple(str(w) for w in d.get("warnings") or ()),
                   str(d.get("taxonomy") or DEFAULT_TAXONOMY))


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Rough sentence boundaries: after . ! ? (and closing quotes) before space, or a newline."""
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if text[start:end].strip():
            bounds.append((start, end))
        start = end
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds


def summarize(text: str, spans: tuple[Span, ...] | list[Span],
              taxonomy: str = DEFAULT_TAXONOMY) -> Summary:
    """Counts (one per technique of ``taxonomy``), density and intensity for ``spans`` over
    ``text``.

    >>> summarize("Fine. Bad!",
    ...           [Span(6, 9, "Loaded_Language", "Loaded language", .9, "Bad")]).intensity
    50
    """
    words = len(_WORD.findall(text))
    sents = sentence_bounds(text)
    counts = {tid: 0 for tid in taxonomy_of(taxonomy).ids}
    for s in spans:
        counts[s.technique] = counts.get(s.technique, 0) + 1
    hit = 0
    starts = sorted((s.start, s.end) for s in spans)
    for a, b in sents:
        if any(s < b and e > a for s, e in starts):
            hit += 1
    top = [t for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n][:3]
    return Summary(
        words=words, sentences=len(sents), counts=counts,
        per_1000_words=round(1000 * len(spans) / words, 2) if words else 0.0,
        sentences_with_technique=hit,
        intensity=round(100 * hit / len(sents)) if sents else 0, top=top)


def make_span(text: str, start: int, end: int, technique: str, score: float,
              taxonomy: str = DEFAULT_TAXONOMY) -> Span:
    """The Span of ``text[start:end]``, named in ``taxonomy``."""
    return Span(start, end, technique, taxonomy_of(taxonomy).by_id[technique].name,
                round(float(score), 4), text[start:end])
