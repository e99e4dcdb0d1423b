"""Credit-risk charts: NPL ratio against the circuit-breaker thresholds (§6 风险熔断)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import series, style, ticks
from analysis.labels import Lang, label

THRESHOLD_LABELS = {
    "township_npl": "threshold_township_npl",
    "village_npl": "threshold_village_npl",
}


def thresholds(config: dict[str, Any]) -> dict[str, float]:
    """The township and village NPL thresholds recorded in a saved configuration."""
    breaker = config.get("breaker", {})
    out = {k: float(breaker[k]) for k in ("township_npl", "village_npl") if k in breaker}
    if not out:
        raise KeyError("config has no breaker.township_npl / breaker.village_npl thresholds")
    return out


def plot_npl_ratio(
    data: pd.DataFrame, config: dict[str, Any], lang: Lang = "zh", ax: Axes | None = None
) -> Figure:
    """County NPL ratio by month with the township (5 %) and village (7 %) thresholds."""
    fig, ax = style.axes(ax)
    ticks.line_or_band(ax, data, "npl_ratio", lang)
    limits = thresholds(config)
    for key, value in limits.items():
        ax.axhline(
            value,
            color=style.COLORS[key.split("_")[0]],
            ls="--",
            lw=1.1,
            label=label(THRESHOLD_LABELS[key], lang).format(value=value * 100),
        )
    top = max(max(limits.values()), float(data["npl_ratio"].max()))
    ax.set_ylim(0, top * 1.15)
    ticks.share_axis(ax)
    ax.set_ylabel(label("npl_ratio", lang))
    ax.set_title(label("title_npl", lang))
    ticks.time_axis(ax, series.month_x(data["month"]))
    ticks.legend_below(ax)
    return fig
