"""Charts of corpus statistics, drawn with matplotlib's Agg backend (no display needed).

``--by outlet|author``: spans per 1000 words per group beside a heatmap of the share of each
group's articles that use each technique. ``--by week|month|quarter|year``: a timeline, periods
along the x axis: spans per 1000 words per outlet (lines), articles per period (bars) and the
share of articles using each technique (heatmap). ``--by technique``: the share of articles
using each technique, sorted, in the technique's own colour, with its span count. ``--by
target``: the entities most aimed at, ranked, one bar each stacked by technique (in the
techniques' colours) with its span and article counts. Groups and periods with fewer articles
than the minimum are greyed out, not drawn as 0% or 100% (a timeline's lines break there);
entities aimed at by fewer articles are drawn pale, below a line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import ConfigError, plural, require
from ..files import atomic_path
from ..techniques import BY_ID as BY_ID_2020
from ..techniques import TAXONOMY_2023
from .stats import Stats

#: the techniques of either taxonomy by id (an id the two share is one technique)
BY_ID = {**TAXONOMY_2023.by_id, **BY_ID_2020}

__all__ = ["plot", "plot_format", "PLOT_FORMATS"]

#: the file formats a chart is written in, named by the file's suffix
PLOT_FORMATS = ("png", "svg", "pdf")

_INK, _GRID, _FEW = "#222222", "#dddddd", "#eeeeee"
_OUTLETS = 6  # lines in a timeline, the outlets with the most articles
_STACKED = 7  # techniques drawn in their own colour in a target chart; the rest are "other"


def plot_format(path) -> str:
    """The format a chart at ``path`` is written in, from its suffix; any other suffix is a
    ``ConfigError`` (a .jpg holding PNG bytes would mislead every program that opens it). A
    device or pipe with no suffix (``/dev/null``, ``/dev/stdout``) gets PNG.

    >>> plot_format("a.PNG"), plot_format("b.svg"), plot_format("/dev/null")
    ('png', 'svg', 'png')
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix and _is_device(path):
        return "png"
    if suffix not in PLOT_FORMATS:
        given = f"a .{suffix} file" if suffix else "a file without a suffix"
        raise ConfigError(f"--plot {path}: cannot write {given}; name a "
                          f"{', '.join('.' + f for f in PLOT_FORMATS[:-1])} or "
                          f".{PLOT_FORMATS[-1]} file")
    return suffix


def _is_device(path) -> bool:
    """An existing path that is neither a regular file nor a folder: a device, a pipe."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def plot(stats: Stats, path, *, top: int = 25) -> Path:
    """Draw ``stats`` into ``path`` (written atomically) as PNG, SVG or PDF, by its suffix."""
    fmt = plot_format(path)
    require("matplotlib", "corpus")
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    path = Path(path)
    with plt.rc_context({"font.size": 10, "axes.edgecolor": "#888888", "axes.labelcolor": _INK,
                         "xtick.color": _INK, "ytick.color": _INK, "axes.titleweight": "bold",
                         "figure.dpi": 110}):
        if stats.by == "technique":
            fig = _by_technique(plt, stats)
        elif stats.by == "target":
            fig = _by_target(plt, stats, top)
        elif stats.timeline:
            fig = _timeline(plt, stats, top)
        else:
            fig = _by_group(plt, stats, top)
        try:
            with atomic_path(path) as tmp:
                fig.savefig(tmp, bbox_inches="tight", facecolor="white", format=fmt)
        finally:
            plt.close(fig)
    return path


def _subtitle(stats: Stats) -> str:
    return (f"{stats.articles:,} articles · {stats.words:,} words · {stats.spans:,} spans · "
            f"model {stats.model_label}")


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


def _by_target(plt, stats: Stats, top: int):
    """Entities ranked (most spans first), each bar stacked by technique; those aimed at by
    fewer articles than the minimum pale and below a dashed line."""
    rows = stats.targets[:top]
    used: dict[str, int] = {}
    for r in rows:
        for t, n in r.techniques.items():
            used[t] = used.get(t, 0) + n
    order = sorted(used, key=lambda t: (-used[t], t))
    shown, rest = order[:_STACKED], set(order[_STACKED:])
    if len(rest) == 1:  # one more colour reads better than an "other" of one
        shown, rest = order, set()
    n = max(1, len(rows))
    stacks = [(_name(t), BY_ID[t].colour if t in BY_ID else "#bbbbbb", {t}) for t in shown]
    if rest:
        stacks.append((f"{len(rest)} other techniques", "#cccccc", rest))
    columns = min(4, max(1, len(stacks)))
    legend_rows = -(-len(stacks) // columns)
    below = 0.75 + 0.24 * legend_rows  # inches under the axis: its label, then the legend
    fig, ax = plt.subplots(figsize=(10.5, 1.3 + 0.4 * n + below))
    ys = range(len(rows))
    left = [0] * len(rows)
    for label, colour, techniques in stacks:
        widths = [sum(r.techniques.get(t, 0) for t in techniques) for r in rows]
        ax.barh(ys, widths, left=left, height=0.68, color=colour, label=label,
                edgecolor="white", linewidth=0.6)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for patch_set in ax.containers:  # pale bars for entities too few articles aim at
        for patch, r in zip(patch_set, rows, strict=True):
            if stats.few(r):
                patch.set_alpha(0.35)
    ax.set_yticks(ys, [f"{_short(r.entity, 28)}  ({r.kind})" if r.kind else _short(r.entity, 34)
                       for r in rows])
    for label, r in zip(ax.get_yticklabels(), rows, strict=True):
        if stats.few(r):
            label.set_color("#888888")
    ax.invert_yaxis()
    peak = max((r.spans for r in rows), default=0) or 1
    for y, r in zip(ys, rows, strict=True):
        ax.text(r.spans + peak * 0.01, y, f"{r.spans:,} in {plural(r.articles, 'article')}",
                va="center", fontsize=8.5, color="#888888" if stats.few(r) else _INK)
    ax.set_xlim(0, peak * 1.32)
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))  # spans are counted
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    first_few = next((i for i, r in enumerate(rows) if stats.few(r)), None)
    if first_few:  # some above, some below: a line between
        ax.axhline(first_few - 0.5, color="#999999", linewidth=0.8, linestyle="--")
    _bar_axis(ax, "spans aimed at the entity, by technique")
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, (below - 0.55) / height, 1, 1 - 0.75 / height))
    if stacks:  # under the axis, read row by row in stacking order (left to right)
        handles, labels = ax.get_legend_handles_labels()
        order = [i for c in range(columns) for i in range(c, len(handles), columns)]
        fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower center",
                   bbox_to_anchor=(0.5, 0.01), ncol=columns, frameon=False, fontsize=8.5,
                   handlelength=1.2, columnspacing=1.6)
    who = f"Who does {stats.outlet} aim its" if stats.outlet is not None else \
        "Who do the articles aim their"
    shown = f" (top {len(rows)} of {len(stats.targets):,})" if len(stats.targets) > len(rows) \
        else ""
    notes = [f"{stats.targeted:,} of {stats.spans:,} spans aimed at someone"]
    if first_few is not None:
        notes.append(f"pale: aimed at by fewer than {stats.min_articles} articles")
    _titles(fig, f"{who} persuasion techniques at?{shown}",
            _subtitle(stats) + " · " + " · ".join(notes))
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
    # by density, the groups too small to compare at the bottom
    groups = sorted(stats.groups[:top], key=lambda g: (stats.few(g), -g.per_1000_words))
    order = [t for t in stats.technique_order()
             if any(g.share(t) for g in groups if not stats.few(g))] or \
        stats.technique_order()[:5]
    n = max(1, len(groups))
    fig, (bars_ax, heat_ax) = plt.subplots(
        1, 2, figsize=(5.5 + 0.62 * len(order), 2.6 + 0.42 * n), sharey=True,
        gridspec_kw={"width_ratios": [1.1, max(2.0, 0.28 * len(order))], "wspace": 0.04})
    labels = [_short(f"{g.key}  (n={g.articles:,})") for g in groups]
    ys = range(len(groups))
    values = [g.per_1000_words for g in groups]
    bars = bars_ax.barh(ys, values, height=0.68,
                        color=["#bbbbbb" if stats.few(g) else "#4477AA" for g in groups])
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

    grid = np.array([[np.nan if stats.few(g) else 100 * g.share(t) for t in order]
                     for g in groups]) if groups else np.zeros((1, len(order)))
    vmax = max(1.0, float(np.nan_to_num(grid).max()))
    image = heat_ax.imshow(grid, aspect="auto", cmap=_heat_cmap(), vmin=0, vmax=vmax)
    heat_ax.set_xticks(range(len(order)), [_name(t) for t in order], rotation=40,
                       ha="right", rotation_mode="anchor")
    heat_ax.tick_params(axis="y", left=False)
    _heat_cells(heat_ax, grid, vmax, max_labels=900, fontsize=8, line=1.2)
    bar = fig.colorbar(image, ax=heat_ax, fraction=0.035, pad=0.015)
    bar.set_label("% of articles using the technique")
    bar.outline.set_visible(False)
    shown = ""
    if len(stats.groups) > len(groups):
        shown = f" (largest {len(groups)} of {len(stats.groups)})"
    fig.subplots_adjust(top=1 - 0.75 / fig.get_figheight())
    few = f" · grey: fewer than {stats.min_articles} articles" \
        if any(stats.few(g) for g in groups) else ""
    _titles(fig, f"Persuasion techniques by {stats.by}{shown}",
            _subtitle(stats) + " · left: spans per 1000 words · right: % of articles using each"
            + few)
    return fig


def _heat_cells(ax, grid, vmax: float, *, max_labels: int, fontsize: float, line: float) -> None:
    """A heatmap's percentages written in its cells (when there are at most ``max_labels``)
    and white lines between them, without a frame."""
    import numpy as np

    if grid.size <= max_labels:
        for (i, j), v in np.ndenumerate(grid):
            if v >= 0.5:  # NaN (too few articles) compares False: no number
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=fontsize,
                        color="white" if v > 0.6 * vmax else _INK)
    rows, cols = grid.shape
    ax.set_xticks(np.arange(-0.5, cols), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color="white", linewidth=line)
    ax.tick_params(which="minor", length=0)
    for side in ax.spines.values():
        side.set_visible(False)


def _heat_cmap():
    """The heatmap's colours, with cells of too-small groups (NaN) in light grey."""
    import matplotlib

    return matplotlib.colormaps["YlOrRd"].with_extremes(bad=_FEW)


def _timeline(plt, stats: Stats, top: int):
    """Periods along x: spans per 1000 words (all outlets and the largest few), articles per
    period, and the share of articles using each technique. A point or column with fewer
    articles than the minimum is left out (lines break there) or greyed."""
    import numpy as np

    periods = [g for g in stats.groups if g.key != "(undated)"][-top:]
    keys = [g.key for g in periods]
    n = max(1, len(periods))
    xs = np.arange(len(periods))
    order = [t for t in stats.technique_order()
             if any(g.share(t) for g in periods if not stats.few(g))] or \
        stats.technique_order()[:5]
    width = min(22.0, max(9.0, 3.5 + 0.3 * n))
    fig, (line_ax, n_ax, heat_ax) = plt.subplots(
        3, 1, figsize=(width, 5.6 + 0.3 * len(order)), sharex=True,
        gridspec_kw={"height_ratios": [3.2, 1.0, max(1.6, 0.3 * len(order))], "hspace": 0.12})

    def draw(groups, colour, width, label):
        """Solid between neighbouring periods with enough articles; a period with fewer is
        left out, so the line breaks there (no faint line bridges the gap: an outlet with few
        articles a month would be drawn mostly as guesses); a lone period is its marker."""
        ys = np.array([np.nan if stats.few(g) else g.per_1000_words for g in groups])
        line_ax.plot(xs, ys, marker="o", markersize=1.5 + width * 1.2, linewidth=width,
                     color=colour, label=label)

    outlets = sorted((o for o, series in stats.series.items()  # those with a point to draw
                      if any(not stats.few(g) for g in series[-len(periods):])),
                     key=lambda o: -sum(g.articles for g in stats.series[o]))
    colours = plt.get_cmap("tab10").colors
    for i, outlet in enumerate(outlets[:_OUTLETS]):
        series = stats.series[outlet][-len(periods):] if periods else []
        draw(series, colours[i % len(colours)], 1.4, _short(outlet, 24))
    draw(periods, _INK, 2.6, "all outlets")
    line_ax.set_ylabel("spans per 1000 words")
    line_ax.set_ylim(bottom=0)
    line_ax.grid(axis="y", color=_GRID, linewidth=0.6)
    line_ax.set_axisbelow(True)
    line_ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), frameon=False, fontsize=8.5)
    for side in ("top", "right"):
        line_ax.spines[side].set_visible(False)

    counts = [g.articles for g in periods]
    n_ax.bar(xs, counts, width=0.7,
             color=["#bbbbbb" if stats.few(g) else "#4477AA" for g in periods])
    n_ax.axhline(stats.min_articles, color="#999999", linewidth=0.8, linestyle="--")
    n_ax.text(1.005, stats.min_articles, f"min {stats.min_articles}", va="center", fontsize=8,
              color="#777777", transform=n_ax.get_yaxis_transform())
    n_ax.set_ylabel("articles")
    n_ax.set_ylim(0, max(counts + [stats.min_articles]) * 1.15)
    for side in ("top", "right"):
        n_ax.spines[side].set_visible(False)

    grid = np.array([[np.nan if stats.few(g) else 100 * g.share(t) for g in periods]
                     for t in order]) if periods else np.full((len(order), 1), np.nan)
    vmax = max(1.0, float(np.nan_to_num(grid).max()))
    image = heat_ax.imshow(grid, aspect="auto", cmap=_heat_cmap(), vmin=0, vmax=vmax,
                           interpolation="nearest")
    heat_ax.set_yticks(range(len(order)), [_name(t) for t in order])
    _heat_cells(heat_ax, grid, vmax, max_labels=600, fontsize=7.5, line=1.0)
    step = max(1, int(np.ceil(n / 40)))  # at most about 40 labels
    heat_ax.set_xticks(xs[::step], keys[::step], rotation=90 if n > 12 else 0,
                       ha="center", fontsize=8.5)

    undated = next((g.articles for g in stats.groups if g.key == "(undated)"), 0)
    notes = [f"grey: fewer than {stats.min_articles} articles (no point, lines break, no "
             "shares)"]
    if undated:
        notes.append(f"{plural(undated, 'undated article')} not shown")
    if len(stats.groups) - (1 if undated else 0) > len(periods):
        notes.append(f"last {len(periods)} {stats.by}s (--top shows more)")
    fig.subplots_adjust(top=1 - 0.8 / fig.get_figheight())
    box = heat_ax.get_position()  # the colour bar beside, not inside: columns stay aligned
    bar = fig.colorbar(image, cax=fig.add_axes((box.x1 + 0.01, box.y0, 0.012, box.height)))
    bar.set_label("% of articles", fontsize=8.5)
    bar.outline.set_visible(False)
    _titles(fig, f"Persuasion techniques over time, by {stats.by}",
            _subtitle(stats) + " · " + " · ".join(notes))
    return fig
