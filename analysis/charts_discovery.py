"""Scenario discovery (PRIM): the coverage-density trade-off and the chosen box's conditions.

Reads ``discovery/trajectory.parquet`` (each box's peeling steps), ``discovery/boxes.parquet``
(each box's limits per input against its sampled range) and ``discovery/discovery.json``
(the outcome and the box statistics), written by ``python -m sim.experiments discover``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis import style, ticks
from analysis.labels import Lang, has_label, label


def parameter_label(key: str, lang: Lang) -> str:
    """Display name of a sampled input (its key when the label table lacks it)."""
    return label(f"param_{key}", lang) if has_label(f"param_{key}") else key


def outcome_title(result: dict[str, Any], lang: Lang) -> str:
    """The outcome in words."""
    key = f"outcome_{result.get('outcome')}"
    return label(key, lang) if has_label(key) else str(result.get("outcome"))


def plot_discovery(
    trajectory: pd.DataFrame, boxes: pd.DataFrame, result: dict[str, Any], lang: Lang = "zh"
) -> Figure:
    """Left: coverage against density along PRIM's peeling; right: the first box's limits."""
    fig = Figure(figsize=(style.WIDTH, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
    fig.suptitle(label("title_discovery", lang).format(outcome=outcome_title(result, lang)))
    if trajectory is None or trajectory.empty:
        for ax in (left, right):
            ax.text(0.5, 0.5, label("no_box", lang), ha="center", va="center")
            ax.set_axis_off()
        return fig
    first = trajectory[trajectory["box"] == 0]
    points = left.scatter(
        first["coverage"],
        first["density"],
        c=first["res_dim"],
        cmap="viridis",
        s=14,
        gid="trajectory",
    )
    chosen = first[first["chosen"]]
    left.scatter(
        chosen["coverage"],
        chosen["density"],
        s=90,
        facecolors="none",
        edgecolors=style.COLORS["township"],
        linewidths=1.6,
        label=label("chosen_box", lang),
        gid="chosen",
    )
    cbar = fig.colorbar(points, ax=left, pad=0.01)
    cbar.set_label(label("res_dim", lang))
    cbar.locator = MaxNLocator(integer=True)
    cbar.update_ticks()
    for ax, axis in ((left, "x"), (left, "y")):
        ticks.share_axis(ax, axis=axis, decimals=0)
    left.set_xlim(0, 1.03)
    left.set_ylim(0, 1.03)
    left.set_xlabel(label("coverage", lang))
    left.set_ylabel(label("density", lang))
    left.set_title(label("title_tradeoff", lang), fontsize=9)
    left.legend(loc="lower left", fontsize=7)
    _limits(right, boxes, result, lang)
    return fig


def _limits(ax, boxes: pd.DataFrame, result: dict[str, Any], lang: Lang) -> None:
    rows = boxes[(boxes["box"] == 0) & boxes["restricted"]].reset_index(drop=True)
    stats = (result.get("boxes") or [{}])[0]
    ax.set_title(
        label("title_box_limits", lang).format(n=1)
        + "\n"
        + label("box_stats", lang).format(
            coverage=stats.get("coverage", np.nan), density=stats.get("density", np.nan)
        ),
        fontsize=9,
    )
    span = (rows["sampled_high"] - rows["sampled_low"]).replace(0, 1.0)
    lo = (rows["low"] - rows["sampled_low"]) / span
    hi = (rows["high"] - rows["sampled_low"]) / span
    y = np.arange(len(rows))
    ax.barh(y, np.ones(len(rows)), color=style.COLORS["grid"], height=0.55)
    ax.barh(y, hi - lo, left=lo, color=style.COLORS["main"], height=0.55, gid="box_limits")
    for k, r in rows.iterrows():
        ax.text(
            1.02, y[k], f"{r['low']:.3g} – {r['high']:.3g}", va="center", fontsize=7, clip_on=False
        )
    ax.set_yticks(y, [parameter_label(p, lang) for p in rows["parameter"]], fontsize=8)
    ax.set_ylim(max(len(rows), 4) - 0.5, -0.5)  # top-down; a lone bar keeps its width
    ax.set_xlim(0, 1)
    ticks.share_axis(ax, axis="x", decimals=0)
    ax.set_xlabel(label("position_in_range", lang))
    ax.grid(False, axis="y")
