"""Circuit-breaker charts by township: an NPL heatmap and a timeline of suspensions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis import places, series, style, ticks
from analysis.labels import Lang, label


def township_names(index: pd.Index, lang: Lang) -> list[str]:
    """Display names of township indices (as in the data, else numbered from 1 as officials count)."""
    return [places.name("township", int(i), lang) for i in index]


def _month_ticks(ax: Axes, months: list[str], axis: str = "x") -> None:
    """Label January of each year (or every sixth month on short horizons)."""
    step_months = {"01"} if len(months) > 36 else {"01", "07"}
    pos = [i for i, m in enumerate(months) if m[5:] in step_months]
    text = [months[i][:4] if len(months) > 36 else months[i] for i in pos]
    (ax.set_xticks if axis == "x" else ax.set_yticks)(pos, text)


def plot_npl_heatmap(
    ratios: pd.DataFrame,
    suspension: pd.DataFrame | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
    threshold: float = 0.05,
    extend: str | None = None,
) -> Figure:
    """Township x month NPL ratio (from :func:`analysis.series.npl_matrix`).

    The colour scale runs to twice the township ``threshold`` (marked on the colour bar),
    so months near the breaker stand out and one extreme month does not wash out the rest.
    Months in which a township was suspended are marked x; months in which only some of
    its villages were suspended are marked with a dot (``suspension`` from
    :func:`analysis.series.suspension_matrix`). ``extend`` sets the colour bar's arrow for
    values above the scale (default: an arrow only when some value is above it).
    """
    fig, ax = style.axes(ax, height=max(2.4, 0.28 * len(ratios) + 1.2))
    values = ratios.to_numpy(dtype=float)
    mesh = ax.pcolormesh(values, cmap="YlOrRd", vmin=0, vmax=2 * threshold)
    if extend is None:
        over = values.size and float(np.nanmax(values)) > 2 * threshold
        extend = "max" if over else "neither"
    cbar = fig.colorbar(mesh, ax=ax, fraction=0.04, pad=0.01, extend=extend)
    cbar.ax.axhline(threshold, color="black", lw=1)
    ticks.share_axis(cbar.ax, decimals=0)
    cbar.set_label(label("npl_ratio", lang))
    if suspension is not None:
        _mark_suspensions(ax, suspension.reindex(index=ratios.index, columns=ratios.columns), lang)
    ax.set_yticks(np.arange(len(ratios)) + 0.5, township_names(ratios.index, lang))
    _month_ticks(ax, [str(m) for m in ratios.columns])
    ax.invert_yaxis()
    ax.grid(False)
    ax.set_title(label("title_npl_heatmap", lang))
    return fig


def _mark_suspensions(ax: Axes, level: pd.DataFrame, lang: Lang) -> None:
    lv = level.fillna(0).to_numpy()
    for code, marker, key in ((2, "x", "suspended_township"), (1, ".", "suspended_village")):
        rows, cols = np.nonzero(lv == code)
        ax.scatter(
            cols + 0.5,
            rows + 0.5,
            marker=marker,
            s=14,
            color="black",
            lw=0.8,
            label=label(key, lang),
        )
    ticks.legend_below(ax, ncol=2)


def plot_suspension_timeline(
    level: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None
) -> Figure:
    """One row per township: bars over the months it (or some village in it) was suspended.

    ``level`` is township x month with 2 = township suspended, 1 = some village suspended,
    0 = none (:func:`analysis.series.suspension_matrix` or ``suspension_matrix_from_events``).
    """
    fig, ax = style.axes(ax, height=max(2.4, 0.28 * len(level) + 1.2))
    colors = {1: style.COLORS["village"], 2: style.COLORS["township"]}
    for row, (_, values) in enumerate(level.iterrows()):
        for code, color in colors.items():
            spans = series.runs_of(values.to_numpy() == code)
            ax.broken_barh(spans, (row + 0.15, 0.7), facecolors=color, gid=f"level{code}")
    ax.set_yticks(np.arange(len(level)) + 0.5, township_names(level.index, lang))
    ax.set_ylim(len(level), 0)
    ax.set_xlim(0, level.shape[1])
    _month_ticks(ax, [str(m) for m in level.columns])
    ax.grid(True, axis="x")
    handles = [
        Patch(color=colors[c], label=label(k, lang))
        for c, k in ((2, "suspended_township"), (1, "suspended_village"))
    ]
    ticks.legend_below(ax, ncol=2, handles=handles)
    if not (level.to_numpy() > 0).any():  # say so rather than leave an empty frame
        ax.text(
            0.5,
            0.5,
            label("no_suspensions", lang),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=style.COLORS["zero"],
        )
    ax.set_title(label("title_suspensions", lang))
    return fig
