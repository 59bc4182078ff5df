"""Charts of corpus statistics, drawn with matplotlib's Agg backend (no display needed).

``--by outlet|author|month``: spans per 1000 words per group beside a heatmap of the share of
each group's articles that use each technique. ``--by technique``: the share of articles using
each technique, sorted, in the technique's own colour, with its span count.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError, require
from ..files import atomic_path
from ..techniques import BY_ID
from .stats import Stats

__all__ = ["plot"]

_INK, _GRID = "#222222", "#dddddd"


def plot(stats: Stats, path, *, top: int = 25) -> Path:
    """Draw ``stats`` into the PNG file ``path`` (written atomically)."""
    require("matplotlib", "corpus")
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    path = Path(path)
    with plt.rc_context({"font.size": 10, "axes.edgecolor": "#888888", "axes.labelcolor": _INK,
                         "xtick.color": _INK, "ytick.color": _INK, "axes.titleweight": "bold",
                         "figure.dpi": 110}):
        fig = _by_technique(plt, stats) if stats.by == "technique" else _by_group(plt, stats, top)
        try:
            with atomic_path(path) as tmp:
                fig.savefig(tmp, bbox_inches="tight", facecolor="white", format="png")
        finally:
            plt.close(fig)
    return path


def _subtitle(stats: Stats) -> str:
    return (f"{stats.articles:,} articles · {stats.words:,} words · {stats.spans:,} spans · "
            f"model {'@'.join(stats.model)}")


def _name(technique: str) -> str:
    return BY_ID[technique].name if technique in BY_ID else technique


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _by_technique(plt, stats: Stats):
    rows = [r for r in stats.techniques][::-1]  # largest at the top
    n = max(1, len(rows))
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.42 * n))
    shares = [100 * r.share for r in rows]
    colours = [BY_ID[r.technique].colour if r.technique in BY_ID else "#bbbbbb" for r in rows]
    bars = ax.barh(range(len(rows)), shares, color=colours, edgecolor="#555555", linewidth=0.6)
    ax.set_yticks(range(len(rows)), [f"{_name(r.technique)}  [{BY_ID[r.technique].code}]"
                                     if r.technique in BY_ID else r.technique for r in rows])
    top = max(shares, default=0) or 1
    for bar, r in zip(bars, rows, strict=True):
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2,
                f"{100 * r.share:.0f}%  ({r.spans:,} spans)", va="center", fontsize=9,
                color=_INK)
    ax.set_xlim(0, top * 1.28)
    _bar_axis(ax, "share of articles using the technique (%)")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.75 / fig.get_figheight()))
    _titles(fig, "Which persuasion techniques do the articles use?", _subtitle(stats))
    return fig


def _bar_axis(ax, label: str) -> None:
    """A horizontal bar chart's value axis: label, light vertical grid behind, no box."""
    ax.set_xlabel(label)
    ax.grid(axis="x", color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _titles(fig, title: str, subtitle: str) -> None:
    """A bold title and a grey subtitle above the plot, flush left."""
    top = 1 - 0.12 / fig.get_figheight()
    fig.text(0.01, top, title, ha="left", va="top", fontsize=13, fontweight="bold", color=_INK)
    fig.text(0.01, top - 0.3 / fig.get_figheight(), subtitle, ha="left", va="top", fontsize=9.5,
             color="#555555")


def _by_group(plt, stats: Stats, top: int):
    groups = stats.groups[-top:] if stats.by == "month" else stats.groups[:top]
    if stats.by != "month":  # chronological stays chronological; others sorted by density
        groups = sorted(groups, key=lambda g: g.per_1000_words, reverse=True)
    order = [t for t in stats.technique_order() if any(g.share(t) for g in groups)] or \
        stats.technique_order()[:5]
    n = max(1, len(groups))
    fig, (bars_ax, heat_ax) = plt.subplots(
        1, 2, figsize=(5.5 + 0.62 * len(order), 2.6 + 0.42 * n), sharey=True,
        gridspec_kw={"width_ratios": [1.1, max(2.0, 0.28 * len(order))], "wspace": 0.04})
    labels = [_short(f"{g.key}  (n={g.articles:,})") for g in groups]
    ys = range(len(groups))
    values = [g.per_1000_words for g in groups]
    bars = bars_ax.barh(ys, values, color="#4477AA", height=0.68)
    bars_ax.set_yticks(ys, labels)
    bars_ax.invert_yaxis()
    peak = max(values, default=0) or 1
    for bar, v in zip(bars, values, strict=True):
        inside = v > peak * 0.35
        bars_ax.text(v - peak * 0.02 if inside else v + peak * 0.02,
                     bar.get_y() + bar.get_height() / 2, f"{v:.1f}", va="center",
                     ha="right" if inside else "left", fontsize=8.5,
                     color="white" if inside else _INK)
    bars_ax.set_xlim(0, peak * 1.15)
    _bar_axis(bars_ax, "spans per 1000 words")

    import numpy as np

    grid = np.array([[100 * g.share(t) for t in order] for g in groups]) if groups else \
        np.zeros((1, len(order)))
    image = heat_ax.imshow(grid, aspect="auto", cmap="YlOrRd", vmin=0,
                           vmax=max(1.0, float(grid.max())))
    heat_ax.set_xticks(range(len(order)), [_name(t) for t in order], rotation=40,
                       ha="right", rotation_mode="anchor")
    heat_ax.tick_params(axis="y", left=False)
    vmax = max(1.0, float(grid.max()))
    if grid.size <= 900:
        for (i, j), v in np.ndenumerate(grid):
            if v >= 0.5:
                heat_ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8,
                             color="white" if v > 0.6 * vmax else _INK)
    heat_ax.set_xticks(np.arange(-0.5, len(order)), minor=True)
    heat_ax.set_yticks(np.arange(-0.5, len(groups)), minor=True)
    heat_ax.grid(which="minor", color="white", linewidth=1.2)
    heat_ax.tick_params(which="minor", length=0)
    for side in heat_ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(image, ax=heat_ax, fraction=0.035, pad=0.015)
    bar.set_label("% of articles using the technique")
    bar.outline.set_visible(False)
    shown = ""
    if len(stats.groups) > len(groups):
        which = "last" if stats.by == "month" else "largest"
        shown = f" ({which} {len(groups)} of {len(stats.groups)})"
    fig.subplots_adjust(top=1 - 0.75 / fig.get_figheight())
    _titles(fig, f"Persuasion techniques by {stats.by}{shown}",
            _subtitle(stats) + " · left: spans per 1000 words · right: % of articles using each")
    return fig
