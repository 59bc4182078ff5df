"""spaCy: the ``unspin`` pipeline component.

>>> import spacy                                                    # doctest: +SKIP
>>> nlp = spacy.blank("en")                                         # doctest: +SKIP
>>> nlp.add_pipe("unspin", config={"min_score": 0.3})               # doctest: +SKIP
>>> doc = nlp("Only traitors would say that.")                      # doctest: +SKIP
>>> group = doc.spans["unspin"]                                     # doctest: +SKIP
>>> [(s.text, s.label_, score) for s, score in zip(group, group.attrs["scores"])]  # doctest: +SKIP
[('traitors', 'Name_Calling,Labeling', 0.4624)]

spaCy finds the factory through the ``spacy_factories`` entry point, so ``add_pipe("unspin")``
needs no import of unspin; it works in any pipeline (``spacy.blank("en")``, en_core_web_sm ...)
and with ``nlp.pipe``. Each doc's text is analysed as it is (an empty doc gets empty groups).

Span groups set on every doc:

====================  ===========================================================================
``unspin``            technique spans; label = technique id (``Name_Calling,Labeling``: the
                      batch tables' ``technique``; ``unspin.techniques.BY_ID[id].name`` is its
                      name). ``attrs``: ``scores`` (model confidence 0-1, one per span, in
                      order), ``offsets`` (the model's ``[start, end]`` characters, one per span)
                      and ``model`` (name, version, fingerprint).
``unspin_quotes``     direct quotes (without their quotation marks); label ``QUOTE``.
                      ``attrs``: ``speakers`` (fullest name, or None), ``cues``, ``confidences``.
``unspin_targets``    the mention each technique span is aimed at; label = the entity's kind
                      (``person``, ``group``, ``country``, ``org``), ``kb_id`` = its fullest
                      name. ``attrs``: ``techniques``, ``spans`` (the index of the technique
                      span in ``doc.spans["unspin"]``), ``how``.
``unspin_claims``     check-worthy claims, best first; label ``CLAIM``. ``attrs``: ``scores``,
                      ``reasons``.
====================  ===========================================================================

The three enrich groups are set only with ``enrich = true`` (the default). spaCy spans are whole
tokens: a span whose characters start or end inside a token is widened to the whole token
(``alignment_mode="expand"``); ``offsets`` keeps the model's own characters. A span that covers
no token (whitespace only) is left out, and the attrs lists follow the spans that are kept.
``attrs`` lists line up with the group as set: filter the spans and the lists together.

Config (``[components.unspin]``): ``model`` (a registered name or a folder; null = unspin's
default model), ``min_score`` (drop spans below it, 0-1; null = the model's display threshold,
every span for a model without one) and ``enrich`` (quotes, targets,
claims). The model is loaded when the component is made, so a bad name fails at ``add_pipe``.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from ..document import Document
from ..options import Options
from ..pipeline import analyze_document, load_detector

__all__ = ["UnspinComponent", "make_unspin", "GROUP", "ENRICH_GROUPS"]

#: The span group of technique spans.
GROUP = "unspin"
#: The span groups of what the enrich stage finds.
ENRICH_GROUPS = ("unspin_quotes", "unspin_targets", "unspin_claims")


class UnspinComponent:
    """Finds technique spans (and quotes, targets, claims) in each doc; see the module."""

    def __init__(self, name: str = GROUP, *, model: str | None = None,
                 min_score: float | None = None, enrich: bool = True) -> None:
        self.name = name
        self.options = Options.resolve(model=model, min_score=min_score, enrich=enrich)
        self.detector = load_detector(self.options)

    def __call__(self, doc: Doc) -> Doc:
        if not doc.text.strip():
            self._set(doc, None)
            return doc
        analysis = analyze_document(Document(doc.text, kind="text"), self.options,
                                    detector=self.detector)
        self._set(doc, analysis)
        return doc

    def _set(self, doc: Doc, analysis) -> None:
        spans = analysis.spans if analysis else ()
        found = analysis.enrichment if analysis else None
        techniques = [(_tokens(doc, s.start, s.end, label=s.technique), s) for s in spans]
        # where each technique span landed in the group (targets point at them)
        position = {i: n for n, i in enumerate(
            i for i, (span, _) in enumerate(techniques) if span is not None)}
        info = self.detector.info
        _put(doc, GROUP, techniques, scores=attrgetter("score"),
             offsets=lambda s: [s.start, s.end])
        doc.spans[GROUP].attrs["model"] = {"name": info.name, "version": info.version,
                                           "fingerprint": info.fingerprint}
        if not self.options.enrich:
            return
        _put(doc, "unspin_quotes",
             [(_tokens(doc, q.start, q.end, label="QUOTE"), q) for q in found.quotes]
             if found else [],
             speakers=attrgetter("speaker"), cues=attrgetter("cue"),
             confidences=attrgetter("confidence"))
        _put(doc, "unspin_targets",
             [(_tokens(doc, t.start, t.end, label=t.kind, kb_id=t.entity), t)
              for t in found.targets if t.span in position] if found else [],
             techniques=attrgetter("technique"), spans=lambda t: position[t.span],
             how=attrgetter("how"))
        _put(doc, "unspin_claims",
             [(_tokens(doc, c.start, c.end, label="CLAIM"), c) for c in found.claims]
             if found else [],
             scores=attrgetter("score"), reasons=lambda c: list(c.reasons))


def _put(doc: Doc, name: str, pairs: list[tuple[Span | None, Any]],
         **columns: Callable[[Any], Any]) -> None:
    """Set the span group ``name``: the spans of ``pairs`` that cover tokens, and one attrs
    list per column, made from each kept span's record."""
    kept = [(span, record) for span, record in pairs if span is not None]
    doc.spans[name] = SpanGroup(
        doc, name=name, spans=[span for span, _ in kept],
        attrs={key: [get(record) for _, record in kept] for key, get in columns.items()})


def _tokens(doc: Doc, start: int, end: int, **labels) -> Span | None:
    """The whole tokens that characters ``start:end`` touch, or None when they touch none."""
    span = doc.char_span(start, end, alignment_mode="expand", **labels)
    return span if span is not None and len(span) else None


@Language.factory(
    "unspin",
    default_config={"model": None, "min_score": None, "enrich": True},
    assigns=["doc.spans"],
)
def make_unspin(nlp: Language, name: str, model: str | None, min_score: float | None,
                enrich: bool) -> UnspinComponent:
    """The ``unspin`` component: ``nlp.add_pipe("unspin", config={...})``."""
    return UnspinComponent(name, model=model, min_score=min_score, enrich=enrich)
