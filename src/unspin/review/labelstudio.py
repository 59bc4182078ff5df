"""Label Studio: unspin's spans out as pre-annotated tasks, the reviewers' annotations back in as
corrections.

The labelling config (``labelling_config``) has one ``Labels`` control named ``technique`` over a
``Text`` named ``text``, one label per technique of a taxonomy (the 14 of 2020, or the 23 of 2023
for a 2023 model's output), its value the technique's name as unspin shows it ("Loaded
language"), its hint the definition and its colour the taxonomy's. A task (``task``) carries the
article and the model it was analysed with in ``data`` (``text``, ``article_id``,
``text_sha256``, ``model_name``, ``model_version``, ``model_fingerprint``, ``taxonomy`` when it
is not 2020, and the spans themselves as ``unspin_spans``) and unspin's spans as one
prediction whose ``model_version`` is the model's name and the start of its fingerprint
(``minilm-spans.v5@3a7b0c1d2e4f``). The spans ride in ``data`` too because a project's JSON
export names a task's predictions by number only; ``data`` comes back whole.

Reading a project's JSON export (``reviews_from_export``), each submitted annotation becomes one
``Review``: compared with unspin's spans at the same offsets, a span kept with its label is
accepted, kept with another label relabelled, left out rejected, and a span unspin did not
have is added (tasks made elsewhere are compared with the prediction the annotation started
from, when the export holds it). A model's span left out where an added span overlaps it is a
span whose boundaries the reviewer moved (``move``, with its technique changed when the label
is another). Skipped (cancelled) annotations say nothing and are left out.

Label Studio counts offsets in UTF-16 code units (JavaScript strings), unspin in code points: a
character outside the Basic Multilingual Plane (an emoji) is two units there, one here. Offsets
are converted both ways.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

from ..analysis import Analysis, ModelRef
from ..errors import ConfigError, InputError, shorten
from ..techniques import DEFAULT_TAXONOMY, Taxonomy, taxonomy
from .format import Correction, Review, article_id, text_sha256, utc_time

__all__ = ["labelling_config", "model_version", "task", "tasks", "reviews_from_export",
           "FROM_NAME", "TO_NAME"]

FROM_NAME = "technique"
TO_NAME = "text"


def labelling_config(taxonomy_name: str | None = None) -> str:
    """The Label Studio labelling config (XML) for reviewing the spans of a model of the
    taxonomy ``taxonomy_name`` (default 2020).

    >>> cfg = labelling_config()
    >>> cfg.count("<Label "), '<Labels name="technique" toName="text"' in cfg
    (14, True)
    >>> labelling_config("2023").count("<Label ")
    23
    """
    labels = "\n".join(
        f"    <Label value={quoteattr(t.name)} background={quoteattr(t.colour)} "
        f"hint={quoteattr(t.definition)}/>" for t in taxonomy(taxonomy_name).techniques)
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}" showInline="true">\n'
        f"{labels}\n"
        "  </Labels>\n"
        f'  <Text name="{TO_NAME}" value="$text"/>\n'
        "</View>\n")


def model_version(model: ModelRef) -> str:
    """How a prediction names the model: its name and the first 12 characters of its
    fingerprint.

    >>> model_version(ModelRef("minilm-spans.v5", "5", "3a7b0c1d2e4f5a6b"))
    'minilm-spans.v5@3a7b0c1d2e4f'
    """
    return f"{model.name}@{model.fingerprint[:12]}" if model.fingerprint else model.name


class _Offsets:
    """Code point <-> UTF-16 offsets in one text (the identity when every character is in the
    Basic Multilingual Plane)."""

    def __init__(self, text: str):
        self.wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        # the UTF-16 offset at which each wide character starts
        self.wide16 = [i + n for n, i in enumerate(self.wide)]

    def to_utf16(self, i: int) -> int:
        return i + bisect_left(self.wide, i)

    def from_utf16(self, j: int) -> int:
        before = bisect_left(self.wide16, j)  # wide characters starting before unit j
        if before and self.wide16[before - 1] + 1 == j:
            raise ValueError(f"offset {j} falls inside a character (a surrogate pair)")
        return j - before


def task(analysis: Analysis) -> dict:
    """One Label Studio task: the article and the model in ``data``, its spans as the
    prediction, named in the model's taxonomy."""
    text = analysis.document.text
    model = analysis.model
    names = {t.id: t.name for t in taxonomy(analysis.taxonomy).techniques}
    offsets = _Offsets(text)
    result = []
    for n, s in enumerate(analysis.spans):
        result.append({
            "id": f"unspin-{n}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
            "score": round(float(s.score), 4),
            "value": {"start": offsets.to_utf16(s.start), "end": offsets.to_utf16(s.end),
                      "text": s.text, "labels": [names[s.technique]]}})
    data = {"text": text, "article_id": article_id(analysis.document.id, text),
            "text_sha256": text_sha256(text),
            "title": analysis.document.title, "url": analysis.document.url,
            "model_name": model.name, "model_version": model.version,
            "model_fingerprint": model.fingerprint,
            **({"taxonomy": analysis.taxonomy}
               if (analysis.taxonomy or DEFAULT_TAXONOMY) != DEFAULT_TAXONOMY else {}),
            "unspin_spans": [{"start": s.start, "end": s.end, "technique": s.technique,
                              "score": s.score} for s in analysis.spans]}
    scores = [s.score for s in analysis.spans]
    return {"data": data, "predictions": [{
        "model_version": model_version(model), "result": result,
        "score": round(sum(scores) / len(scores), 4) if scores else 0.0}]}


def tasks(analyses: Iterable[Analysis]) -> list[dict]:
    """Label Studio tasks (a JSON list to import into a project) for ``analyses``, all of one
    taxonomy: a project has one labelling config (InputError otherwise)."""
    analyses = list(analyses)
    found = sorted({a.taxonomy or DEFAULT_TAXONOMY for a in analyses})
    if len(found) > 1:
        raise InputError(f"the analyses are in the {' and '.join(found)} taxonomies, and a Label "
                         "Studio project has one labelling config; export each model's "
                         "analyses apart")
    return [task(a) for a in analyses]


# ---------------------------------------------------------------------------------------------
# reading an export


def _labelled(result, text: str, offsets: _Offsets, where: str,
              tax: Taxonomy) -> set[tuple[int, int, str]]:
    """(start, end, technique) of every ``labels`` region of a result, a technique of the
    task's taxonomy ``tax``. Regions of other kinds (a comment box) are passed over; a label
    that is no technique of ``tax`` is refused, never dropped, since a dropped region would
    read as a rejected span."""
    out = set()
    for item in result or ():
        if not isinstance(item, dict) or item.get("type") != "labels":
            continue
        value = item.get("value") or {}
        try:
            start, end = offsets.from_utf16(value["start"]), offsets.from_utf16(value["end"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: a region without usable offsets ({exc})") from None
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"{where}: region {start}-{end} is outside the text")
        if "text" in value and value["text"] != text[start:end]:
            raise ValueError(f"{where}: region {start}-{end} reads "
                             f"{shorten(value['text'], 40)!r}, the text there is "
                             f"{shorten(text[start:end], 40)!r}")
        for label in value.get("labels") or ():
            tid = tax.normalize(label) if isinstance(label, str) else None
            if tid is None:
                flag = "" if tax.name == DEFAULT_TAXONOMY else f" --taxonomy {tax.name}"
                raise ValueError(f"{where}: unknown technique label {shorten(label, 40)!r} "
                                 f"(the task is in the {tax.name} taxonomy); the project must "
                                 f"use 'unspin review config{flag}'")
            out.add((start, end, tid))
    return out


def compare(predicted: set[tuple[int, int, str]], annotated: set[tuple[int, int, str]]
            ) -> tuple[Correction, ...]:
    """The corrections that turn the predicted spans into the annotated ones: at the same
    offsets, a technique in both is accepted, and the others are paired in technique order
    as relabels; of what is left, a predicted span and an annotated one that overlap are a
    move (the most overlapping pairs first, the same technique before another), and the rest
    of the prediction is rejected, of the annotation added.

    >>> [(c.action, c.technique, c.original) for c in compare(
    ...     {(0, 4, "Doubt"), (5, 9, "Slogans")}, {(0, 4, "Loaded_Language"), (9, 12, "Doubt")})]
    [('relabel', 'Loaded_Language', 'Doubt'), ('reject', 'Slogans', None), ('add', 'Doubt', None)]
    >>> [(c.action, c.start, c.end, c.was) for c in compare({(5, 9, "Slogans")},
    ...                                                    {(3, 9, "Slogans")})]
    [('move', 3, 9, (5, 9))]
    """
    out = []
    rejected, adds = [], []
    for start, end in sorted({(s, e) for s, e, _ in predicted | annotated}):
        p = sorted(t for s, e, t in predicted if (s, e) == (start, end))
        a = sorted(t for s, e, t in annotated if (s, e) == (start, end))
        out += [Correction("accept", start, end, t) for t in p if t in a]
        p_left, a_left = [t for t in p if t not in a], [t for t in a if t not in p]
        out += [Correction("relabel", start, end, new, old) for old, new in zip(p_left, a_left)]
        rejected += [(start, end, t) for t in p_left[len(a_left):]]
        adds += [(start, end, t) for t in a_left[len(p_left):]]
    pairs = sorted(((min(e, e2) - max(s, s2), t == t2, (s, e, t), (s2, e2, t2))
                    for s, e, t in rejected for s2, e2, t2 in adds if s < e2 and s2 < e),
                   key=lambda x: (-x[0], not x[1], x[2], x[3]))
    for _overlap, _same, old, new in pairs:
        if old in rejected and new in adds:
            rejected.remove(old)
            adds.remove(new)
            out.append(Correction("move", new[0], new[1], new[2],
                                  None if new[2] == old[2] else old[2], old[0], old[1]))
    out += [Correction("reject", *r) for r in rejected]
    out += [Correction("add", *a) for a in adds]
    return tuple(sorted(out, key=lambda c: (c.start, c.end, c.technique, c.action)))


def _reviewer(annotation: dict, given: str | None) -> str:
    if given:
        return given
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or who.get("username") or f"label studio user {who.get('id')}")
    if who is not None:
        return f"label studio user {who}"
    return "label studio"


def _predicted(t: dict, annotation: dict, model: ModelRef | None, text: str,
               offsets: _Offsets, where: str, tax: Taxonomy
               ) -> set[tuple[int, int, str]] | None:
    """The spans the reviewer was shown: unspin's own (in ``data``), else the prediction the
    annotation started from or the task's (when the export holds them whole); None when the
    export holds no prediction."""
    spans = t["data"].get("unspin_spans")
    if isinstance(spans, list):
        out = set()
        for s in spans:
            try:
                start, end, tid = s["start"], s["end"], tax.normalize(s["technique"])
            except (KeyError, TypeError, AttributeError):
                raise ValueError(f"{where}: unspin_spans in its data are damaged") from None
            if tid is None or type(start) is not int or type(end) is not int or \
                    not 0 <= start < end <= len(text):
                raise ValueError(f"{where}: unspin_spans in its data are damaged")
            out.add((start, end, tid))
        return out
    shown = annotation.get("prediction")
    preds = ([shown] if isinstance(shown, dict) and "result" in shown else []) + [
        p for p in t.get("predictions") or () if isinstance(p, dict) and "result" in p]
    if model is not None:
        preds = [p for p in preds if p.get("model_version") == model_version(model)] or preds
    if not preds:
        return None
    return _labelled(preds[0]["result"], text, offsets, f"{where}, prediction", tax)


def reviews_from_export(export, *, reviewer: str | None = None) -> tuple[list[Review], int]:
    """The reviews in a Label Studio JSON export (a list of tasks), one per submitted
    annotation, and the number of tasks nobody annotated. ``reviewer`` names the reviewer
    of every annotation (else the annotator's address, or Label Studio's user number).

    Raises InputError naming the task for a task unspin cannot read."""
    if not isinstance(export, list) or not all(isinstance(t, dict) for t in export):
        raise InputError("not a Label Studio JSON export (a list of tasks); export the project "
                         "as JSON")
    reviews, unannotated = [], 0
    for n, t in enumerate(export, 1):
        where = f"task {t.get('id', f'#{n}')}"
        data = t.get("data") if isinstance(t.get("data"), dict) else {}
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise InputError(f"{where}: no text in its data; was it exported by "
                             "'unspin review export --to labelstudio'?")
        if data.get("text_sha256") not in (None, text_sha256(text)):
            raise InputError(f"{where}: its text is not the text unspin exported "
                             "(text_sha256 differs)")
        model = None
        if data.get("model_name"):
            model = ModelRef(str(data["model_name"]), str(data.get("model_version") or ""),
                             str(data.get("model_fingerprint") or ""))
        try:  # the taxonomy of the model whose spans the task shows (absent: 2020)
            tax = taxonomy(data.get("taxonomy"))
        except ConfigError as exc:
            raise InputError(f"{where}: {exc}") from None
        annotations = [a for a in t.get("annotations") or ()
                       if isinstance(a, dict) and not a.get("was_cancelled")]
        if not annotations:
            unannotated += 1
            continue
        offsets = _Offsets(text)
        aid = str(data.get("article_id") or f"labelstudio-task-{t.get('id', n)}")
        try:
            for a in annotations:
                here = f"{where}, annotation {a.get('id', '?')}"
                predicted = _predicted({**t, "data": data}, a, model, text, offsets, where, tax)
                if predicted is None:
                    predicted = set()
                    if model is not None:
                        raise ValueError(f"{where}: the export holds no prediction of "
                                         f"{model.name} to compare the annotation with")
                elif model is None:  # a task made elsewhere: the prediction names the model
                    shown = a.get("prediction") if isinstance(a.get("prediction"), dict) else {}
                    model = ModelRef(str(shown.get("model_version") or "unknown"), "", "")
                annotated = _labelled(a.get("result"), text, offsets, here, tax)
                try:
                    when = utc_time(a.get("updated_at") or a.get("created_at"))
                except ValueError as exc:
                    raise ValueError(f"{here}: {exc}") from None
                reviews.append(Review(
                    aid, text, compare(predicted, annotated), model, _reviewer(a, reviewer),
                    when, f"label studio task {t.get('id', n)}, annotation {a.get('id', '?')}",
                    tax.name).check())
        except ValueError as exc:
            raise InputError(str(exc) if str(exc).startswith(where) else f"{where}: {exc}"
                             ) from None
    return reviews, unannotated
