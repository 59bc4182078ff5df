"""SemEval-2020 Task 11 lines: ``ID<TAB>technique<TAB>start<TAB>end``, one span per line.

The technique is the id in the model's taxonomy (``Analysis.taxonomy``): a 2023 model writes
the SemEval-2023 Task 3 names (``Name_Calling-Labeling``), as that task's label files do.

This is the format of the task's gold labels and of ``unspin evaluate``'s predictions, so a
report can be scored directly. Spans are listed in reading order. The readers of the format
(prediction files, TC templates) and the TC task itself (``label_template``) live here too.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..analysis import Analysis
from ..errors import InputError
from ._layout import ordered_spans

__all__ = ["render_semeval", "NO_ID", "read_span_lines", "read_template", "read_spans_tsv",
           "label_template"]

#: Written in the ID column when the document has no id (a Document built in code).
NO_ID = "-"

_UNSAFE = re.compile(r"\s+")


def render_semeval(analysis: Analysis) -> str:
    """The span lines of one article; an article without spans gives an empty string.

    Whitespace inside the id would break the columns, so it becomes ``_``.
    """
    doc_id = _UNSAFE.sub("_", analysis.document.id.strip()) if analysis.document.id else ""
    doc_id = doc_id or NO_ID
    return "".join(f"{doc_id}\t{s.technique}\t{s.start}\t{s.end}\n"
                   for s in ordered_spans(analysis.spans))


def read_span_lines(path: Path, skip_bad: bool = False, second: str = "technique"
                    ) -> list[tuple[int, str, str, int, int]]:
    """``(line number, id, technique, start, end)`` of every line
    ``ID<TAB>technique<TAB>start<TAB>end`` of ``path`` (blank lines skipped): the one reader of
    the format, for gold labels, predictions, templates and a second annotation's labels.

    A line needs at least four columns, the last two whole numbers (the id is stripped, the
    technique kept as written); any other line is an ``InputError`` naming it, or is skipped
    with ``skip_bad`` (``second`` names the second column in the message). An unreadable file
    is an ``InputError``.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    rows = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 4 or not parts[-2].strip().isdigit() or not parts[-1].strip().isdigit():
            if skip_bad:
                continue
            raise InputError(f"{path}:{lineno}: expected ID<TAB>{second}<TAB>start<TAB>end")
        rows.append((lineno, parts[0].strip(), parts[1], int(parts[-2]), int(parts[-1])))
    return rows


def read_template(path: Path) -> list[tuple[str, str, int, int]]:
    """Lines ``ID<TAB>anything<TAB>start<TAB>end`` (blank lines skipped), checked."""
    return [row[1:] for row in read_span_lines(path, second="anything")]


def read_spans_tsv(path: Path, taxonomy_name: str | None = None
                   ) -> list[tuple[str, str, int, int]]:
    """Span lines ``ID<TAB>technique<TAB>start<TAB>end``, techniques in their spelling of the
    taxonomy ``taxonomy_name`` (default 2020)."""
    from ..techniques import taxonomy

    normalize = taxonomy(taxonomy_name).normalize
    return [(aid, normalize(tech) or tech, s, e) for aid, tech, s, e in read_template(path)]


def label_template(articles: Path, template: Path, detector
                   ) -> tuple[str, list[str]]:
    """SemEval's technique-classification task: the most likely technique for every span of
    ``template``, read in ``articles`` (a folder of ``article<ID>.txt``). Returns the output
    lines in template order and one message per article that could not be labelled."""
    from ..ingest.folder import list_articles
    from ..ingest.text import read_file

    files = list_articles(articles, suffixes=(".txt",))
    if not files:
        raise InputError(f"{articles}: no article<ID>.txt files in this folder")
    rows = read_template(template)
    by_article: dict[str, list[int]] = {}
    for i, (aid, _x, _s, _e) in enumerate(rows):
        by_article.setdefault(aid, []).append(i)
    labels: list[str | None] = [None] * len(rows)
    problems = []
    for aid, idx in by_article.items():
        if aid not in files:
            problems.append(f"skipped article {aid}: no article{aid}.txt in {articles}")
            continue
        text = read_file(files[aid])
        bad = [rows[i] for i in idx if not 0 <= rows[i][2] < rows[i][3] <= len(text)]
        if bad:
            problems.append(f"skipped article {aid}: {_bad_span(bad[0][2], bad[0][3], text)}")
            continue
        probs = detector.label_spans(text, [(rows[i][2], rows[i][3]) for i in idx])
        for i, p in zip(idx, probs):
            labels[i] = detector.techniques[int(p.argmax())]
    out = "".join(f"{aid}\t{lab}\t{s}\t{e}\n"
                  for (aid, _x, s, e), lab in zip(rows, labels) if lab)
    return out, problems


def _bad_span(start: int, end: int, text: str) -> str:
    """Why ``start``-``end`` is not a span of ``text``.

    >>> _bad_span(290, 274, "x" * 2000)
    'span 290-274 starts after it ends (start 290 > end 274)'
    """
    if start > end:
        return f"span {start}-{end} starts after it ends (start {start} > end {end})"
    if start == end:
        return f"span {start}-{end} is empty (start = end)"
    return f"span {start}-{end} is outside its text of {len(text)} characters"
