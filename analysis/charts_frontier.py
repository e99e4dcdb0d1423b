"""Policy frontier: household loan rate against fiscal cost, coloured by fund-exhaustion risk.

Reads ``frontier/candidates.parquet`` (every lever setting evaluated, ``non_dominated``
marking the frontier) and ``frontier/frontier.json`` (whether the configured policy is
dominated), written by ``python -m sim.experiments frontier``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis import style, ticks
from analysis.labels import Lang, label


def plot_frontier(
    candidates: pd.DataFrame, result: dict[str, Any] | None = None, lang: Lang = "zh"
) -> Figure:
    """Every setting (grey), the non-dominated ones (coloured by P(exhausted)), the configured."""
    fig, ax = style.axes(height=4.2)
    rate = "mean_final_household_loan_rate"
    cost = "mean_cum_fiscal_cost"
    risk = "mean_fund_exhausted"
    others = candidates[candidates["candidate"] != "configured"]
    ax.scatter(
        others[rate],
        others[cost],
        s=10,
        color=style.COLORS["grid"],
        label=label("candidates_evaluated", lang),
        gid="candidates",
    )
    front = others[others["non_dominated"]]
    points = ax.scatter(
        front[rate],
        front[cost],
        c=front[risk],
        cmap="RdYlGn_r",
        vmin=0,
        vmax=max(0.2, float(candidates[risk].max())),
        s=34,
        edgecolors=style.COLORS["zero"],
        linewidths=0.5,
        label=label("frontier_points", lang),
        gid="frontier",
    )
    cbar = fig.colorbar(points, ax=ax, pad=0.01)
    cbar.set_label(label("mean_fund_exhausted", lang))
    ticks.share_axis(cbar.ax, decimals=0)
    conf = candidates[candidates["candidate"] == "configured"]
    if len(conf):
        dominated = bool((result or {}).get("configured", {}).get("dominated", False))
        key = "configured_dominated" if dominated else "configured_frontier"
        ax.scatter(
            conf[rate],
            conf[cost],
            marker="*",
            s=180,
            color=style.COLORS["township"] if dominated else style.COLORS["answer"],
            edgecolors="white",
            linewidths=0.6,
            zorder=5,
            label=label(key, lang),
            gid="configured",
        )
    ticks.share_axis(ax, axis="x", decimals=0)
    unit = ticks.money_axis(ax, candidates[cost], lang)
    ax.set_xlabel(label("final_household_loan_rate", lang))
    ax.set_ylabel(ticks.with_unit("cum_fiscal_cost", unit, lang))
    ax.set_title(label("title_frontier", lang))
    ticks.legend_below(ax)
    return fig
