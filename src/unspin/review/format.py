"""The corrections format: what a reviewer said about unspin's spans in one article, as JSON Lines.

One line per review of one article, in the shape of training data (``{"id", "text", "spans"}``,
what ``unspin train`` reads) with the review beside it::

    {"schema": "unspin.corrections/1", "id": "article111111111", "text": "...",
     "text_sha256": "9f2c...", "model": {"name": "minilm-spans.v5", "version": "5",
     "fingerprint": "3a7b..."}, "reviewer": "ana@example.org",
     "reviewed_at": "2025-03-01T12:00:00Z", "source": "label studio task 7, annotation 3",
     "spans": [{"start": 0, "end": 8, "technique": "Loaded_Language", "action": "accept"},
               {"start": 20, "end": 31, "technique": "Doubt", "action": "relabel",
                "original": "Loaded_Language"},
               {"start": 40, "end": 52, "technique": "Slogans", "action": "add"},
               {"start": 70, "end": 84, "technique": "Doubt", "action": "move",
                "old_start": 66, "old_end": 84}],
     "rejected": [{"start": 60, "end": 66, "technique": "Flag-Waving", "action": "reject"}]}

``spans`` are the spans the reviewer keeps (``accept``, ``relabel`` with the model's
``original`` technique, ``add``, and ``move``: the model's span at ``old_start``-``old_end``
given other boundaries, with ``original`` too when its technique changed as well); ``rejected``
are the model's spans the reviewer struck out.
They are kept apart so that a corrections line is itself a valid training line: read as
training data it says exactly what the reviewer marked, never a rejected span. ``model`` is the
model whose output was reviewed (null only when every span was added by hand). Offsets index
``text`` (``str`` indices, end exclusive), ``reviewed_at`` is ISO 8601 in UTC.

A line speaks the taxonomy of the analysis it reviews: ``"taxonomy": "2023"`` after
``text_sha256`` for a model of the 2023 twenty-three; absent (every line written before there was
a choice, and every 2020 line since) means 2020. Its techniques are that taxonomy's ids (any
spelling the taxonomy's ``normalize`` knows is accepted on reading); a technique of the other
taxonomy only is refused, so one line never mixes the two. A file may hold lines of both;
``one_taxonomy`` says which one a set of reviews speaks, or refuses them.

An article may be reviewed more than once; every review is kept, and ``latest`` picks the one
that counts: the latest ``reviewed_at``, and of equal times the one read last.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..analysis import ModelRef
from ..errors import InputError, shorten
from ..techniques import DEFAULT_TAXONOMY, TAXONOMIES, Taxonomy

__all__ = ["ACTIONS", "SCHEMA", "Correction", "Review", "read_reviews", "parse_review",
           "dump_reviews", "latest", "training_lines", "text_sha256", "utc_time", "article_id",
           "one_taxonomy"]

SCHEMA = "unspin.corrections/1"
#: What a reviewer can do to a span: keep it, strike it out, give it another technique, mark
#: one the model missed, or move its boundaries.
ACTIONS = ("accept", "reject", "relabel", "add", "move")
#: Actions that say something about a span the model found.
_ON_MODEL_SPANS = ("accept", "reject", "relabel", "move")


def text_sha256(text: str) -> str:
    """The sha256 of ``text`` as UTF-8, which ties a review to the exact text it read.

    >>> text_sha256("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(doc_id: str | None, text: str) -> str:
    """The id a review knows an article by: its own, else one made from its text.

    >>> article_id(None, "")
    'sha256-e3b0c44298fc1c14'
    """
    return doc_id or f"sha256-{text_sha256(text)[:16]}"


def utc_time(value: str | datetime) -> str:
    """``value`` (ISO 8601 with a zone, or an aware datetime) as ISO 8601 UTC with a ``Z``. A
    time without a zone is refused: whose noon would it be?

    >>> utc_time("2025-03-01T13:00:00+01:00")
    '2025-03-01T12:00:00Z'
    >>> utc_time("2025-03-01T12:00:00.250000Z")
    '2025-03-01T12:00:00.250000Z'
    """
    if isinstance(value, datetime):
        moment = value
    elif not isinstance(value, str):
        raise ValueError(f"time must be ISO 8601 text (e.g. 2025-03-01T12:00:00Z), not "
                         f"{shorten(value, 40)}")
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"time {shorten(value, 40)!r} is not ISO 8601 "
                             "(e.g. 2025-03-01T12:00:00Z)") from None
    if moment.tzinfo is None:
        raise ValueError(f"time {shorten(value, 40)!r} has no time zone; give it in UTC "
                         "(e.g. 2025-03-01T12:00:00Z)")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Correction:
    """What the reviewer did to one span: ``text[start:end]`` is a ``technique`` (for
    ``relabel``, instead of the model's ``original``; for ``reject``, the model said it was
    ``technique`` and it is not; for ``move``, the model found it at ``old_start``-``old_end``,
    as ``original`` when that was another technique)."""

    action: str
    start: int
    end: int
    technique: str
    original: str | None = None
    old_start: int | None = None
    old_end: int | None = None

    @property
    def was(self) -> tuple[int, int]:
        """Where the model had this span: the old boundaries of a moved span, else its own."""
        if self.action == "move":
            return self.old_start, self.old_end
        return self.start, self.end

    def to_dict(self) -> dict:
        d = {"start": self.start, "end": self.end, "technique": self.technique,
             "action": self.action}
        if self.original is not None:
            d["original"] = self.original
        if self.action == "move":
            d["old_start"], d["old_end"] = self.old_start, self.old_end
        return d


@dataclass(frozen=True)
class Review:
    """One review of one article: the reviewer's corrections of one model's spans, in that
    model's ``taxonomy`` ("2020" or "2023").

    >>> r = Review("a1", "They are traitors.", (Correction("add", 9, 17, "Name_Calling,Labeling"),),
    ...            None, "ana", "2025-03-01T12:00:00Z")
    >>> [(s.start, s.end, s.technique) for s in r.kept]
    [(9, 17, 'Name_Calling,Labeling')]
    """

    id: str
    text: str
    corrections: tuple[Correction, ...]
    model: ModelRef | None
    reviewer: str
    reviewed_at: str
    source: str | None = None
    taxonomy: str = DEFAULT_TAXONOMY

    def __post_init__(self):  # one order and one clock, so that equal reviews compare equal
        object.__setattr__(self, "corrections", tuple(sorted(
            self.corrections, key=lambda c: (c.start, c.end, c.technique, c.action))))
        try:
            object.__setattr__(self, "reviewed_at", utc_time(self.reviewed_at))
        except (ValueError, TypeError):
            pass  # check() says what is wrong with it

    @property
    def text_sha256(self) -> str:
        return text_sha256(self.text)

    @property
    def kept(self) -> tuple[Correction, ...]:
        """The spans the article has after the review (accepted, relabelled, added)."""
        return tuple(c for c in self.corrections if c.action != "reject")

    def counts(self) -> dict[str, int]:
        """How many corrections of each action."""
        return {a: sum(c.action == a for c in self.corrections) for a in ACTIONS}

    def to_dict(self) -> dict:
        d = {"schema": SCHEMA, "id": self.id, "text": self.text, "text_sha256": self.text_sha256}
        if self.taxonomy != DEFAULT_TAXONOMY:  # a 2020 line reads as it did before the choice
            d["taxonomy"] = self.taxonomy
        return d | {
            "model": ({"name": self.model.name, "version": self.model.version,
                       "fingerprint": self.model.fingerprint} if self.model else None),
            "reviewer": self.reviewer, "reviewed_at": self.reviewed_at, "source": self.source,
            "spans": [c.to_dict() for c in self.kept],
            "rejected": [c.to_dict() for c in self.corrections if c.action == "reject"],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def check(self) -> Review:
        """This review, or ValueError saying what is wrong with it."""
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValueError("id must be a non-empty string")
        if not isinstance(self.text, str) or not self.text:
            raise ValueError("text must be a non-empty string")
        if not isinstance(self.reviewer, str) or not self.reviewer.strip():
            raise ValueError("reviewer must be a non-empty string (a name or an address)")
        ids = _taxonomy(self.taxonomy).by_id
        if self.model is None and any(c.action in _ON_MODEL_SPANS for c in self.corrections):
            raise ValueError("accept, reject and relabel need the model whose spans were "
                             "reviewed ('model' is null)")
        seen = set()
        for c in self.corrections:
            where = f"span {c.start}-{c.end}"
            if c.action not in ACTIONS:
                raise ValueError(f"{where}: action {shorten(c.action, 30)!r} is not one of "
                                 f"{', '.join(ACTIONS)}")
            if not (type(c.start) is int and type(c.end) is int
                    and 0 <= c.start < c.end <= len(self.text)):
                raise ValueError(f"{where}: offsets must be whole numbers with 0 <= start < "
                                 f"end <= {len(self.text)} (the text's length)")
            if c.technique not in ids:
                raise ValueError(f"{where}: {shorten(c.technique, 40)!r} is no technique of "
                                 f"the {self.taxonomy} taxonomy")
            if c.action == "relabel":
                if c.original not in ids or c.original == c.technique:
                    raise ValueError(f"{where}: relabel needs the model's 'original' technique, "
                                     f"other than {c.technique}")
            elif c.action == "move":
                if c.original is not None and (c.original not in ids
                                               or c.original == c.technique):
                    raise ValueError(f"{where}: a moved span's 'original' technique, when "
                                     f"given, is the model's, other than {c.technique}")
                _check_move(c, len(self.text), where)
            elif c.original is not None:
                raise ValueError(f"{where}: only relabel and move have an 'original' technique")
            if c.action != "move" and (c.old_start is not None or c.old_end is not None):
                raise ValueError(f"{where}: only move has old_start and old_end")
            key = (c.start, c.end, c.technique, c.action == "reject")
            if key in seen:
                raise ValueError(f"{where} {c.technique} is given twice")
            seen.add(key)
        utc_time(self.reviewed_at)
        return self


def _check_move(c: Correction, length: int, where: str) -> None:
    if not (type(c.old_start) is int and type(c.old_end) is int
            and 0 <= c.old_start < c.old_end <= length):
        raise ValueError(f"{where}: move needs the model's boundaries as whole numbers "
                         f"old_start and old_end, 0 <= old_start < old_end <= {length}")
    if (c.old_start, c.old_end) == (c.start, c.end):
        raise ValueError(f"{where}: a moved span needs new boundaries (old_start and old_end "
                         "are start and end)")
    if not (c.old_start < c.end and c.start < c.old_end):
        raise ValueError(f"{where}: a moved span must overlap where the model had it "
                         f"({c.old_start}-{c.old_end}); reject that one and add this one")


def _taxonomy(name) -> Taxonomy:
    if not isinstance(name, str) or name not in TAXONOMIES:
        raise ValueError(f"taxonomy {shorten(name, 20)!r} is not one of "
                         f"{', '.join(TAXONOMIES)} (absent: {DEFAULT_TAXONOMY})")
    return TAXONOMIES[name]


def _technique(raw, tax: Taxonomy) -> str:
    """The id of ``raw`` in the line's taxonomy ``tax``; ValueError for a technique of the
    other taxonomy only (a line speaks one) or of none."""
    tid = tax.normalize(raw) if isinstance(raw, str) else None
    if tid is not None:
        return tid
    other = next((t for t in TAXONOMIES.values()
                  if t is not tax and isinstance(raw, str) and t.normalize(raw)), None)
    if other is not None:
        said = "its 'taxonomy'" if tax.name != DEFAULT_TAXONOMY else "it gives no 'taxonomy'"
        raise ValueError(f"{shorten(raw, 40)!r} is a technique of the {other.name} taxonomy, "
                         f"and this line is in the {tax.name} one ({said}); a line speaks one "
                         "taxonomy")
    raise ValueError(f"unknown technique {shorten(raw, 40)!r} (see 'unspin techniques "
                     f"--taxonomy {tax.name}')")


def _correction(d, kept: bool, tax: Taxonomy) -> Correction:
    if not isinstance(d, dict):
        raise ValueError("each span must be an object with start, end, technique and action")
    action = d.get("action")
    if kept and action == "reject":
        raise ValueError("a rejected span belongs in 'rejected', not in 'spans'")
    if not kept and action != "reject":
        raise ValueError(f"'rejected' holds only action 'reject' (got {shorten(action, 30)!r})")
    if action not in ACTIONS:
        raise ValueError(f"action {shorten(action, 30)!r} is not one of {', '.join(ACTIONS)}")
    original = d.get("original")
    return Correction(action, d["start"], d["end"], _technique(d["technique"], tax),
                      _technique(original, tax) if original is not None else None,
                      d.get("old_start"), d.get("old_end"))


def parse_review(obj) -> Review:
    """A Review from one decoded corrections line, checked; ValueError (or KeyError,
    TypeError) says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("a line must be a JSON object")
    if obj.get("schema") != SCHEMA:
        raise ValueError(f"not a corrections line (schema {shorten(obj.get('schema'), 40)!r}, "
                         f"not {SCHEMA!r}); give what 'unspin review import' wrote")
    m = obj["model"]
    if m is not None and not (isinstance(m, dict) and all(isinstance(m.get(k), str) for k in
                                                          ("name", "version", "fingerprint"))):
        raise ValueError("model must be null or an object with name, version and fingerprint")
    tax = _taxonomy(DEFAULT_TAXONOMY if obj.get("taxonomy") is None else obj["taxonomy"])
    spans, rejected = obj.get("spans", []), obj.get("rejected", [])
    if not isinstance(spans, list) or not isinstance(rejected, list):
        raise ValueError("spans and rejected must be lists")
    corrections = tuple(_correction(d, True, tax) for d in spans) + tuple(
        _correction(d, False, tax) for d in rejected)
    source = obj.get("source")
    review = Review(obj["id"], obj["text"], corrections,
                    ModelRef(m["name"], m["version"], m["fingerprint"]) if m else None,
                    obj["reviewer"], utc_time(obj["reviewed_at"]),
                    source if isinstance(source, str) else None, tax.name).check()
    given = obj.get("text_sha256")
    if given is not None and given != review.text_sha256:
        raise ValueError("text_sha256 does not match the text (was the text changed after "
                         "the review?)")
    return review


def read_reviews(path: str | Path) -> Iterator[Review]:
    """The reviews of a corrections JSONL file, in file order. A bad line stops the reading
    with an InputError naming the file and the line.

    >>> list(read_reviews("corrections.jsonl"))  # doctest: +SKIP
    """
    path = Path(path)
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with fh:
        lineno = 0
        try:
            for lineno, line in enumerate(fh, 1):  # noqa: B007 (named in the error below)
                if not line.strip():
                    continue
                yield parse_review(json.loads(line))
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text (near line {lineno + 1})") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: not JSON ({exc.msg})") from None
        except KeyError as exc:
            raise InputError(f"{path}:{lineno}: missing field {exc.args[0]!r}") from None
        except (ValueError, TypeError) as exc:
            raise InputError(f"{path}:{lineno}: {exc}") from None


def dump_reviews(reviews: Iterable[Review]) -> str:
    """Reviews as corrections JSON Lines."""
    return "".join(r.to_json() + "\n" for r in reviews)


def latest(reviews: Iterable[Review]) -> list[Review]:
    """The review that counts for each article: the latest ``reviewed_at``, and of equal
    times the later one given. Articles keep the order in which they were first seen.

    >>> a = Review("a", "x", (), None, "ana", "2025-01-02T00:00:00Z")
    >>> b = Review("a", "x", (), None, "ben", "2025-01-01T00:00:00Z")
    >>> [r.reviewer for r in latest([a, b])]
    ['ana']
    """
    best: dict[str, tuple[datetime, Review]] = {}
    for r in reviews:
        when = datetime.fromisoformat(r.reviewed_at.replace("Z", "+00:00"))
        if r.id not in best or when >= best[r.id][0]:
            best[r.id] = (when, r)
    return [r for _, r in best.values()]


def training_lines(reviews: Iterable[Review]) -> str:
    """Training data (``{"id", "text", "spans"}`` JSON Lines, what ``unspin train`` reads)
    from the latest review of each article. An article reviewed with no span left is kept: it
    says the article has none."""
    out = []
    for r in latest(reviews):
        spans = sorted({(c.start, c.end, c.technique) for c in r.kept})
        out.append(json.dumps({"id": r.id, "text": r.text, "spans": [
            {"start": s, "end": e, "technique": t} for s, e, t in spans]},
            ensure_ascii=False) + "\n")
    return "".join(out)


def one_taxonomy(reviews: Iterable[Review], where: str, then: str) -> str:
    """The one taxonomy ``reviews`` speak (the default when there are none). Reviews of two
    cannot be counted or trained on together: InputError naming ``where``, how many reviews
    each taxonomy has, and what to do (``then``).

    >>> one_taxonomy([Review("a", "x", (), None, "ana", "2025-01-01T00:00:00Z",
    ...                      taxonomy="2023")], "f.jsonl", "")
    '2023'
    """
    counts: dict[str, int] = {}
    for r in reviews:
        counts[r.taxonomy] = counts.get(r.taxonomy, 0) + 1
    if len(counts) > 1:
        each = " and ".join(f"{n} in the {t}" for t, n in sorted(counts.items()))
        raise InputError(f"{where}: reviews in two taxonomies ({each}), whose techniques do "
                         f"not mix; {then}")
    return next(iter(counts), DEFAULT_TAXONOMY)
