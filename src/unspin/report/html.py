"""HTML: one self-contained page with the article, interactive highlights and a summary.

The page needs nothing from the network: CSS and JS are inline (``assets/report.css`` and
``assets/report.js`` plus per-technique colour rules made here), and a Content-Security-Policy
allows only those two blocks (by hash), so even a mistake in escaping could not run a script
that came with an article. Every piece of article text and metadata goes through ``escape``;
span data travels as JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` etc.

Overlapping spans: the text is cut at every span boundary and each segment is wrapped in one
element per covering span, outermost first. Inner spans show their own colour, outer ones show
as a band below it (``d1``..``d3`` padding), and each span starts with a small focusable label
carrying its technique code, so colour is never the only cue and every span is one Tab stop.

What the enrich stage found shows beside the spans: a "Who is targeted" panel (select an
entity and the spans aimed at it light up while the others dim), a "Who is quoted" panel and the
ranked claims to check, each of which scrolls to its words in the article. In the text, quotes
and claims are wrapped per segment like spans (``us-qt``, ``us-cl``), outside the technique
elements, so they never change which words a span covers. Without an enrichment (the stage was
skipped) the page is exactly what it was before.

``html_parts`` returns the pieces separately so the web app can serve the same look.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import re
from datetime import date
from html import escape
from importlib import resources
from urllib.parse import urlsplit

from ..analysis import Analysis, Span, sentence_bounds
from ..review.format import article_id, text_sha256
from ..techniques import DEFAULT_TAXONOMY, Technique, taxonomy
from ._enriched import UNATTRIBUTED, cue_phrase, ranked_claims, span_positions, tally_detail
from ._layout import (
    Layout,
    layout,
    model_label,
    ordered_spans,
    segments,
    shade,
    technique_counts,
    technique_of,
    tint,
)

__all__ = ["render_html", "html_parts", "technique_key", "json_for_html"]

#: Depth classes stop here: deeper nesting reuses the deepest band (and is rare in practice).
_MAX_DEPTH = 3
#: Spans scored under this are drawn as tentative (dotted, unfilled, "tentative" in their
#: labels). A calibrated score is the estimated chance that annotators marked the passage with
#: that technique, and it holds on unseen text: on the 124 held-out articles, 13% of v5's spans
#: scored 0.1-0.2 and 23% of those scored 0.2-0.3 overlap a gold span of their technique,
#: against 30-35% at 0.3-0.5 and 53% above (1,672 of 3,344 spans are under 0.3). A model's
#: display threshold (``decode.display_threshold``, below this) leaves out the spans under it
#: unless ``--min-score`` asks for them; those it shows between it and this are tentative, and
#: so is every span under it that ``--min-score 0`` brings back.
TENTATIVE_BELOW = 0.3
_TINT = 0.28
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_TITLE_FALLBACK = "Untitled article"
#: The detail panel quotes a span in its sentence, cut to about this many characters a side.
_CONTEXT = 160
_SPACES = re.compile(r"\s+")
#: The target and claim lists show this many rows until the reader asks for all of them.
_TOP_TARGETS = 8
_TOP_CLAIMS = 10
#: A quote's excerpt in the "Who is quoted" panel is cut to about this many characters.
_EXCERPT = 140
# The report's words are English; strftime("%B") would follow the process locale instead.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

_LOGO = (
    '<svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">'
    '<rect x="1" y="1" width="18" height="18" rx="5" fill="#1c1d1f"/>'
    '<rect x="5" y="6" width="10" height="2.2" rx="1.1" fill="#F4A6A6"/>'
    '<rect x="5" y="10" width="6.5" height="2.2" rx="1.1" fill="#77AADD"/>'
    '<rect x="5" y="14" width="8.5" height="1.6" rx=".8" fill="#EEDD88"/></svg>'
)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def technique_key(technique_id: str, extra: dict[str, int] | None = None,
                  taxonomy_name: str | None = None) -> str:
    """CSS-safe key for a technique: ``t0``..``t13`` in the order of the taxonomy
    ``taxonomy_name`` (default 2020; ``t22`` the last of 2023's); ids it does not know get the
    next keys, in order of first appearance (tracked in ``extra``)."""
    ids = taxonomy(taxonomy_name).ids
    if technique_id in ids:
        return f"t{ids.index(technique_id)}"
    if extra is None:
        return "tx"
    if technique_id not in extra:
        extra[technique_id] = len(ids) + len(extra)
    return f"t{extra[technique_id]}"


def json_for_html(value: object) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    at all (so no ``</script>`` or ``<!--``), and no U+2028/2029 line separators.

    >>> json_for_html({"t": "</script><!--"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    for raw, safe in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                      ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, safe)
    return text


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _nice_date(value: str) -> str:
    """``<time>`` for an ISO date (shown as "12 March 2024"), else the escaped text."""
    m = _ISO_DATE.match(value.strip())
    if m:
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return _e(value)
        return (f'<time datetime="{_e(value.strip())}">'
                f"{day.day} {_MONTHS[day.month - 1]} {day.year}</time>")
    return _e(value)


def _link(url: str) -> str:
    """A link for http(s) URLs only (never ``javascript:`` and friends); other values as text."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return _e(url)
    shown = (parts.netloc + parts.path).rstrip("/")
    if len(shown) > 60:
        shown = shown[:57] + "…"
    return (f'<a href="{_e(url.strip())}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{_e(shown)}</a>')


class _Page:
    """Builds the body of one report; holds the ordered spans and technique keys."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.doc = analysis.document
        self.spans: list[Span] = ordered_spans(analysis.spans)
        self.extra: dict[str, int] = {}
        self.tax = taxonomy(analysis.taxonomy)
        self.keys = [technique_key(s.technique, self.extra, self.tax.name) for s in self.spans]
        self.techs = [technique_of(s) for s in self.spans]
        self.shape: Layout = layout(self.doc)
        self.found = analysis.enrichment
        self.positions = span_positions(analysis.spans)
        quotes = self.found.quotes if self.found else ()
        self.claims = ranked_claims(self.found) if self.found else []
        # (start, end, index) of what is marked in the text besides spans; empty ones skipped.
        self.quote_marks = [(q.start, q.end, k) for k, q in enumerate(quotes) if q.end > q.start]
        self.claim_marks = [(c.start, c.end, k) for k, c in enumerate(self.claims)
                            if c.end > c.start]
        self.cuts = {x for a, b, _ in self.quote_marks + self.claim_marks for x in (a, b)}

    # -- article ---------------------------------------------------------------------------
    def _tentative(self, i: int) -> bool:
        return self.spans[i].score < TENTATIVE_BELOW

    def _tag(self, i: int) -> str:
        span, tech = self.spans[i], self.techs[i]
        tentative = ", tentative" if self._tentative(i) else ""
        label = (f"{tech.name} ({tech.code}), confidence {round(span.score * 100)}%{tentative}: "
                 "show details")
        # An inline element rather than a <button> (an atomic box), so the line never breaks
        # between the code and the phrase it labels; Enter and Space are handled in the JS.
        return (f'<span class="us-tag {self.keys[i]}" role="button" tabindex="0" '
                f'data-i="{i}" data-t="{self.keys[i]}" data-code="{_e(tech.code)}" '
                f'aria-label="{_e(label)}"></span>')

    def highlighted(self, start: int, end: int) -> str:
        """``text[start:end]`` as HTML, cut at span boundaries and wrapped per covering span."""
        text = self.doc.text
        out = []
        for seg in segments(self.spans, start, end, self.cuts):
            html = _e(text[seg.start:seg.end])
            for depth, i in enumerate(reversed(seg.cover)):
                tag = self._tag(i) if self.spans[i].start == seg.start else ""
                level = f" d{min(depth, _MAX_DEPTH)}" if depth else ""
                level += " tent" if self._tentative(i) else ""
                html = (f'<span class="h {self.keys[i]}{level}" data-i="{i}" '
                        f'data-t="{self.keys[i]}">{tag}{html}</span>')
            for a, b, k in self.quote_marks:
                if a < seg.end and b > seg.start:
                    chip = self._quote_chip(k) if a == seg.start else ""
                    html = f'<span class="us-qt" data-q="{k}">{chip}{html}</span>'
            for a, b, k in self.claim_marks:
                if a < seg.end and b > seg.start:
                    chip = (f'<span class="us-cchip" data-rank="{self.claims[k].rank}" '
                            'aria-hidden="true"></span>') if a == seg.start else ""
                    html = f'<span class="us-cl" data-c="{k}">{chip}{html}</span>'
            out.append(html)
        return "".join(out)

    def _quote_chip(self, k: int) -> str:
        """The small label at a quote's start: the speaker's last name, or "Quote"."""
        speaker = self.found.quotes[k].speaker if self.found else None
        short = speaker.split()[-1] if speaker and speaker.split() else "Quote"
        return f'<span class="us-qchip" data-who="{_e(short)}" aria-hidden="true"></span>'

    def title_html(self) -> str:
        if self.shape.heading is not None:
            return self.highlighted(*self.shape.heading)
        return _e(self.shape.title or _TITLE_FALLBACK)

    def article(self) -> str:
        lang = f' lang="{_e(self.doc.language)}"' if self.doc.language else ""
        blocks = [(q.start, q.end) for q in (self.found.quotes if self.found else ())
                  if q.kind == "block"]
        paras = []
        for a, b in self.shape.paragraphs:
            # A paragraph holding a block quote is set off like a blockquote.
            cls = ' class="us-bq"' if any(qa < b and qb > a for qa, qb in blocks) else ""
            paras.append(f"<p{cls}>{self.highlighted(a, b)}</p>")
        if not paras:
            paras = ['<p class="us-empty">The article has no text besides its title.</p>']
        return f'<article class="us-card us-article"{lang}>{"".join(paras)}</article>'

    # -- header ----------------------------------------------------------------------------
    def header(self) -> str:
        doc, model = self.doc, self.analysis.model
        byline = []
        if doc.authors:
            names = [f"<b>{_e(a)}</b>" for a in doc.authors]
            joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            byline.append(f"By {joined}")
        if doc.outlet:
            byline.append(_e(doc.outlet))
        if doc.published:
            byline.append(_nice_date(doc.published))
        sep = '<span class="us-sep" aria-hidden="true">·</span>'
        meta = []
        if doc.original and (doc.original.outlet or doc.original.published):
            bits = []
            if doc.original.outlet:
                bits.append(_e(doc.original.outlet))
            if doc.original.published:
                bits.append(_nice_date(doc.original.published))
            meta.append(("Originally published", ", ".join(bits)))
        if doc.id:
            meta.append(("Article ID", _e(doc.id)))
        if doc.tags:
            meta.append(("Tags", '<ul class="us-tags">'
                         + "".join(f"<li>{_e(t)}</li>" for t in doc.tags) + "</ul>"))
        if doc.url:
            meta.append(("Source", _link(doc.url)))
        digest = (f' · <code title="fingerprint {_e(model.fingerprint)}">'
                  f'{_e(model.fingerprint[:10])}</code>' if model.fingerprint else "")
        meta.append(("Model", f"{_e(model_label(model))}{digest}"))
        wide = ("Tags", "Source", "Model")
        items = "".join(
            f'<div class="{"us-wide" if label in wide else "us-item"}"><dt>{label}</dt>'
            f"<dd>{value}</dd></div>" for label, value in meta)
        byline_html = f'<p class="us-byline">{sep.join(byline)}</p>' if byline else ""
        warnings = "".join(f'<p class="us-warning" role="note"><b>Warning:</b> {_e(w)}</p>'
                           for w in self.analysis.warnings)
        return (
            '<header class="us-head">'
            f'<div class="us-brand">{_LOGO}<b>unspin</b><span>Persuasion technique report</span>'
            "</div>"
            f'<h1 class="us-title">{self.title_html()}</h1>'
            f'{byline_html}<dl class="us-meta">{items}</dl>{warnings}</header>'
        )

    # -- sidebar ---------------------------------------------------------------------------
    def summary(self) -> str:
        s = self.analysis.summary
        stats = [
            (str(len(self.spans)), "spans found"),
            (f"{s.per_1000_words:g}", "per 1,000 words"),
            (f"{s.words:,}", "words"),
            (f"{s.sentences:,}", "sentences"),
        ]
        cells = "".join(f'<div class="us-stat"><b>{_e(v)}</b><span>{_e(k)}</span></div>'
                        for v, k in stats)
        pct = max(0, min(100, s.intensity))
        return (
            '<section class="us-card us-summary" aria-label="Summary"><h2>Summary</h2>'
            f'<div class="us-stats">{cells}</div>'
            '<div class="us-intensity"><div class="us-int-head"><span>Intensity</span>'
            f"<b>{pct}%</b></div>"
            '<svg class="us-meter" viewBox="0 0 100 8" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false"><rect class="bg" width="100" height="8" '
            f'rx="4"/><rect class="fg" width="{pct}" height="8" rx="4"/></svg>'
            '<p class="us-note">Share of sentences that contain at least one technique: '
            f"{s.sentences_with_technique} of {s.sentences}.</p></div>{self.tentative_note()}"
            "</section>"
        )

    def tentative_note(self) -> str:
        """How many spans are tentative, and a switch to hide their highlights."""
        n = sum(self._tentative(i) for i in range(len(self.spans)))
        if not n:
            return ""
        return (f'<div class="us-tentative"><p class="us-note">{n} of {len(self.spans)} '
                f"{'span is' if n == 1 else 'spans are'} tentative (confidence under "
                f"{round(TENTATIVE_BELOW * 100)}%), drawn with a dotted line.</p>"
                '<button type="button" class="us-hidetent" aria-pressed="false">'
                "Hide tentative highlights</button></div>")

    def counts(self) -> list[tuple[Technique, int, str]]:
        return [(tech, n, technique_key(tech.id, self.extra, self.tax.name))
                for tech, n in technique_counts(self.spans, self.tax.name)]

    def legend(self) -> str:
        counts = self.counts()
        if not counts:
            return ('<section class="us-card us-legend" aria-label="Techniques"><h2>Techniques'
                    '</h2><p class="us-note">No persuasion techniques were found in this '
                    "article.</p></section>")
        rows = "".join(
            f'<li><button type="button" class="us-filter {key}" data-t="{key}" '
            f'aria-pressed="true" title="Show or hide {_e(tech.name)}">'
            f'<span class="us-code">{_e(tech.code)}</span>'
            f'<span class="us-name">{_e(tech.name)}</span>'
            f'<span class="us-count" aria-label="{n} spans">{n}</span></button></li>'
            for tech, n, key in counts)
        present = {t.id for t, _, _ in counts}
        absent = [t for t in self.tax.techniques
                  if t.id not in present and t.id not in self.tax.unlabelled]
        absent_html = ""
        if absent:
            absent_html = (
                f'<details class="us-absent"><summary>Not found ({len(absent)})</summary><ul>'
                + "".join(f"<li>{_e(t.name)}</li>" for t in absent) + "</ul></details>")
        # techniques of the taxonomy no labelled article carries: no model here finds them
        unseen = [self.tax.by_id[tid] for tid in self.tax.unlabelled]
        if unseen:
            absent_html += (
                f'<details class="us-absent us-undetected"><summary>Not detected by this model '
                f"({len(unseen)})</summary><ul>"
                + "".join(f"<li>{_e(t.name)}</li>" for t in unseen) + "</ul></details>")
        return (
            '<section class="us-card us-legend" aria-label="Techniques"><h2>Techniques</h2>'
            '<p class="us-hint">Select a technique to hide or show its highlights.</p>'
            f"<ul>{rows}</ul>"
            '<button type="button" class="us-showall" hidden>Show all techniques</button>'
            f"{absent_html}</section>"
        )

    def chart(self) -> str:
        counts = self.counts()
        if not counts:
            return ""
        row, bar_x, bar_max = 26, 42, 200
        top = max(n for _, n, _ in counts)
        height = row * len(counts)
        described = ", ".join(f"{t.name} {n}" for t, n, _ in counts)
        bars = []
        for k, (tech, n, key) in enumerate(counts):
            y = k * row
            width = max(3, round(bar_max * n / top))
            bars.append(
                f'<text class="lbl" x="0" y="{y + 17}">{_e(tech.code)}</text>'
                f'<rect class="{key}" x="{bar_x}" y="{y + 5}" width="{width}" height="16" '
                f'rx="3"/><text x="{bar_x + width + 6}" y="{y + 17}">{n}</text>')
        return (
            '<section class="us-card us-chart" aria-label="Spans per technique">'
            "<h2>Spans per technique</h2>"
            f'<svg viewBox="0 0 280 {height}" role="img" aria-label="{_e(described)}">'
            f"<title>{_e(described)}</title>{''.join(bars)}</svg></section>"
        )

    # -- findings, panel, footer -----------------------------------------------------------
    def findings(self) -> str:
        if not self.spans:
            return ""
        items = []
        for i, (span, tech) in enumerate(zip(self.spans, self.techs)):
            tent = " tent" if self._tentative(i) else ""
            items.append(
                f'<li class="us-finding {self.keys[i]}{tent}" data-t="{self.keys[i]}" '
                f'data-i="{i}">'
                f'<button type="button" class="us-jump" data-i="{i}" '
                f'aria-label="Show {_e(tech.name)} in the article">'
                f'<span class="us-code">{_e(tech.code)}</span></button>'
                f'<div class="us-what">{_e(tech.name)} <span>· {round(span.score * 100)}% '
                f"confidence{' · tentative' if tent else ''}</span></div>"
                f"<q>{_e(span.text)}</q></li>")
        return (f'<section class="us-card us-findings" aria-label="All findings">'
                f"<h2>All findings ({len(self.spans)})</h2><ol>{''.join(items)}</ol></section>")

    # -- enrichment: who is targeted, who is quoted, claims ----------------------------------
    def _key_of(self, technique_id: str) -> str:
        """The colour key of a technique among this page's spans (neutral when absent)."""
        if any(t.id == technique_id for t in self.techs):
            return technique_key(technique_id, self.extra, self.tax.name)
        return "tx"

    @staticmethod
    def _more(count: int, shown: int, what: str) -> str:
        if count <= shown:
            return ""
        return (f'<button type="button" class="us-more" aria-expanded="false" '
                f'data-all="Show all {count} {what}" data-fewer="Show the top {shown}">'
                f"Show all {count} {what}</button>")

    def targeted(self) -> str:
        if self.found is None:
            return ""
        rows = self.found.tally
        head = (f'<section class="us-card us-targeted" aria-label="Who is targeted">'
                f"<h2>Who is targeted ({len(rows)})</h2>")
        if not rows:
            return (head + '<p class="us-note">No span is aimed at a person, group, country '
                    "or organisation this report could name.</p></section>")
        top = max(row.count for row in rows)
        items = []
        for k, row in enumerate(rows):
            # A bar as long as the count, in the colours of its techniques (SVG attributes,
            # not style attributes, which the page's Content-Security-Policy refuses).
            mix, x = [], 0.0
            for tid, n in row.techniques:
                width = 100 * n / top
                mix.append(f'<rect class="{self._key_of(tid)}" x="{x:.2f}" width="{width:.2f}" '
                           'height="6"/>')
                x += width
            hidden = " hidden" if k >= _TOP_TARGETS else ""
            extra = ' class="us-extra"' if k >= _TOP_TARGETS else ""
            items.append(
                f"<li{extra}{hidden}>"
                f'<button type="button" class="us-entity" data-e="{k}" aria-pressed="false">'
                f'<span class="us-ename">{_e(row.entity)}</span>'
                f'<span class="us-ekind">{_e(row.kind)}</span>'
                '<svg class="us-emix" viewBox="0 0 100 6" preserveAspectRatio="none" '
                f'aria-hidden="true" focusable="false">{"".join(mix)}</svg>'
                f'<span class="us-ewhat">{_e(tally_detail(row))}</span></button></li>')
        return (head + '<p class="us-hint">Select a name to light up the spans aimed at it.</p>'
                f'<ul class="us-elist">{"".join(items)}</ul>'
                f'{self._more(len(rows), _TOP_TARGETS, "names")}</section>')

    def quoted(self) -> str:
        if self.found is None:
            return ""
        quotes = self.found.quotes
        head = (f'<section class="us-card us-quoted" aria-label="Who is quoted">'
                f"<h2>Who is quoted ({len(quotes)})</h2>")
        if not quotes:
            return head + '<p class="us-note">The article quotes no one directly.</p></section>'
        items = []
        for k, q in enumerate(quotes):
            who = f"<b>{_e(q.speaker)}</b>" if q.speaker else f"<b>{UNATTRIBUTED.capitalize()}</b>"
            cue = cue_phrase(q)
            bits = [who] + ([f"<span>{_e(cue)}</span>"] if cue else [])
            if q.confidence < 0.5:
                bits.append('<span class="us-low">uncertain</span>')
            excerpt = _SPACES.sub(" ", q.text).strip()
            if len(excerpt) > _EXCERPT:
                excerpt = excerpt[:_EXCERPT].rsplit(" ", 1)[0] + "…"
            # No aria-label: the speaker and the excerpt are the button's name.
            items.append(
                f'<li><button type="button" class="us-qjump" data-q="{k}" '
                'title="Show in the article">'
                f'<span class="us-qwho">{" ".join(bits)}</span>'
                f"<q>{_e(excerpt)}</q></button></li>")
        return head + f'<ol class="us-qlist">{"".join(items)}</ol></section>'

    def claim_list(self) -> str:
        if self.found is None:
            return ""
        claims = self.claims
        head = (f'<section class="us-card us-claims" aria-label="Claims to check">'
                f"<h2>Claims to check ({len(claims)})</h2>")
        if not claims:
            return (head + '<p class="us-note">No check-worthy factual sentence was found.</p>'
                    "</section>")
        items = []
        for k, c in enumerate(claims):
            hidden = " hidden" if k >= _TOP_CLAIMS else ""
            extra = ' class="us-extra"' if k >= _TOP_CLAIMS else ""
            why = ", ".join(c.reasons)
            items.append(
                f"<li{extra}{hidden}>"
                f'<button type="button" class="us-cjump" data-c="{k}" '
                'title="Show in the article">'
                f'<span class="us-rank">C{c.rank}</span>'
                f'<span class="us-ctext">{_e(_SPACES.sub(" ", c.text).strip())}</span>'
                + (f'<span class="us-why">{_e(why)}</span>' if why else "")
                + "</button></li>")
        return (head + '<p class="us-hint">Factual sentences worth checking, most '
                "check-worthy first. In the article they are underlined and marked C1, C2, "
                "and so on.</p>"
                f'<ol class="us-clist">{"".join(items)}</ol>'
                f'{self._more(len(claims), _TOP_CLAIMS, "claims")}</section>')

    def focus_bar(self) -> str:
        if self.found is None or not self.found.tally:
            return ""
        return ('<div class="us-focusbar" hidden><span class="us-focusmsg" role="status">'
                '</span><button type="button" class="us-unfocus">Clear</button></div>')

    def data(self) -> str:
        text = self.doc.text
        sentences = sentence_bounds(text)
        spans = []
        for i, span in enumerate(self.spans):
            before, after = _context(text, sentences, span.start, span.end)
            spans.append({"t": self.keys[i], "start": span.start, "end": span.end,
                          "score": span.score, "tentative": self._tentative(i),
                          "text": span.text, "before": before, "after": after})
        techniques = {}
        for i, tech in enumerate(self.techs):
            techniques[self.keys[i]] = {"id": tech.id, "name": tech.name, "code": tech.code,
                                        "definition": tech.definition}
        model = self.analysis.model
        # what a review needs to name what it corrects: the article (its id, text and the
        # text's sha256), the model, and every technique a span can be given; and where each
        # paragraph of the article (and a title taken from the text) starts in the text, so
        # that words a reviewer selects become offsets
        heading = self.shape.heading[0] if self.shape.heading is not None else None
        payload = {"spans": spans, "techniques": techniques,
                   "article": {"id": article_id(self.doc.id, text), "text": text,
                               "sha256": text_sha256(text), "heading": heading,
                               "paragraphs": [a for a, _ in self.shape.paragraphs]},
                   "model": {"name": model.name, "version": model.version,
                             "fingerprint": model.fingerprint},
                   "taxonomy": [{"id": t.id, "name": t.name, "code": t.code}
                                for t in self.tax.techniques]}
        if self.tax.name != DEFAULT_TAXONOMY:  # a review line names it (absent: 2020)
            payload["taxonomy_name"] = self.tax.name
        if self.found is not None:
            # Spans aimed at each entity of the tally, in the report's numbering.
            payload["tally"] = [sorted(self.positions[i] for i in row.spans)
                                for row in self.found.tally]
        return f'<script type="application/json" class="us-data">{json_for_html(payload)}</script>'

    def footer(self) -> str:
        model = self.analysis.model
        return (
            '<footer class="us-foot">Made with unspin and the '
            f"{_e(model.name)} model. Techniques follow the {_e(self.tax.title)} taxonomy. "
            "Highlights are automated suggestions with the model's confidence, not verdicts: "
            "read each one in context before drawing conclusions.</footer>"
        )

    def body(self) -> str:
        return (
            f'<div class="unspin-report">{self.data()}{self.header()}'
            '<div class="us-grid">'
            f'<aside class="us-side">{self.summary()}{self.legend()}{self.targeted()}'
            f"{self.quoted()}{self.chart()}</aside>"
            f'<main class="us-main">{self.article()}{self.claim_list()}{self.findings()}</main>'
            "</div>"
            f"{self.focus_bar()}"
            '<div class="us-panel" role="dialog" aria-label="Technique details" hidden>'
            '<button type="button" class="us-close" aria-label="Close details">×</button>'
            '<div class="us-panel-body" aria-live="polite"></div></div>'
            f"{self.footer()}</div>"
        )

    def technique_css(self) -> str:
        """Colour variables and filter rules for every technique key in use (all of the
        taxonomy's always, so a page that embeds several reports of it can share one
        stylesheet)."""
        entries = [(f"t{i}", t.colour) for i, t in enumerate(self.tax.techniques)]
        for tid, index in self.extra.items():
            entries.append((f"t{index}", next(t.colour for t in self.techs if t.id == tid)))
        rules = []
        for key, colour in entries:
            rules.append(f".unspin-report .{key}{{--c:{tint(colour, _TINT)};--d:{shade(colour)}}}")
            rules.append(
                f".unspin-report.hide-{key} .h.{key}{{background:none;border-bottom-color:"
                f"transparent;cursor:auto;box-shadow:none}}"
                f".unspin-report.hide-{key} .us-tag.{key},"
                f".unspin-report.hide-{key} .us-finding.{key}{{display:none}}")
        return "\n".join(rules) + "\n"


def _context(text: str, sentences: list[tuple[int, int]], start: int,
             end: int) -> tuple[str, str]:
    """The rest of the sentence(s) around ``text[start:end]``, whitespace folded, each side cut
    to about ``_CONTEXT`` characters: what the reader sees around the phrase in the article.

    >>> _context("One. Two bad words here. Three.", [(0, 4), (4, 24), (24, 31)], 9, 18)
    ('Two ', ' here.')
    """
    firsts = [a for a, _ in sentences]
    lo = sentences[max(0, bisect.bisect_right(firsts, start) - 1)][0] if sentences else 0
    last = sentences[max(0, bisect.bisect_right(firsts, max(start, end - 1)) - 1)] \
        if sentences else (0, len(text))
    hi = max(last[1], end)
    before = _SPACES.sub(" ", text[max(lo, start - _CONTEXT):start]).lstrip()
    after = _SPACES.sub(" ", text[end:min(hi, end + _CONTEXT)]).rstrip()
    if start - lo > _CONTEXT:
        before = "…" + before.split(" ", 1)[-1]
    if hi - end > _CONTEXT:
        after = after.rsplit(" ", 1)[0] + "…"
    return before, after


def html_parts(analysis: Analysis) -> dict[str, str]:
    """The report's pieces for pages that embed it: ``title`` (plain text), ``lang``, ``css``
    (without ``<style>``), ``js`` (without ``<script>``) and ``body`` (one
    ``<div class="unspin-report">`` holding its own data). Put ``css`` in the head and ``js``
    after the body; the script sets up every report on the page, and
    ``window.unspinReport.setup(element)`` sets up one added later. A page served with a
    Content-Security-Policy must allow the two blocks, for example by hash as ``render_html``
    does; the report needs nothing else (no fonts, images or requests).
    """
    page = _Page(analysis)
    body = page.body()
    title = " ".join((page.shape.title or analysis.document.id or _TITLE_FALLBACK).split())
    return {"title": title, "lang": "en", "css": _asset("report.css") + page.technique_css(),
            "js": _asset("report.js"), "body": body}


#: Page-level rules for the standalone file only; embedding pages bring their own.
_PAGE_CSS = ("html{background:#f6f5f1}body{margin:0}"
             "@media print{html{background:#fff}}\n")


def csp_hash(source: str) -> str:
    """A Content-Security-Policy source allowing exactly this inline script or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(analysis: Analysis) -> str:
    """The standalone page: works from a file, offline, and prints cleanly.

    >>> from unspin import Analysis, Document, ModelRef
    >>> from unspin.analysis import summarize
    >>> doc = Document("<script>alert(1)</script>")
    >>> page = render_html(Analysis(doc, (), summarize(doc.text, ()), ModelRef("m", "1", "")))
    >>> "<script>alert(1)" in page, "&lt;script&gt;alert(1)" in page
    (False, True)
    """
    parts = html_parts(analysis)
    css = _PAGE_CSS + parts["css"]
    policy = (f"default-src 'none'; style-src {csp_hash(css)}; "
              f"script-src {csp_hash(parts['js'])}; img-src data:; base-uri 'none'; "
              "form-action 'none'")
    return (
        "<!doctype html>\n"
        f'<html lang="{parts["lang"]}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(parts['title'])} · unspin report</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n{parts['body']}\n"
        f"<script>{parts['js']}</script>\n</body>\n</html>\n"
    )
