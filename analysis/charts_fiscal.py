"""Fiscal cost by budget line: stacked bars by year."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import style, ticks
from analysis.labels import Lang, label, label_or

HATCHED = {"fund_topups"}  # money put into the fund, not paid out of it: drawn apart


def budget_label(line: str, lang: Lang) -> str:
    """Legend text of a budget line (a generic label for lines added to the model later)."""
    return label_or(f"budget_{line}", lang, "budget_other", name=line)


def plot_fiscal_cost(table: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Stacked yearly bars of each budget line (from :func:`analysis.fiscal.fiscal_by_year`)."""
    fig, ax = style.axes(ax)
    years = table.index.astype(int).to_numpy()
    pos = np.zeros(len(table))
    neg = np.zeros(len(table))
    shown = table.loc[:, (table.fillna(0.0) != 0).any()]  # a line never used has no bar
    for i, (line, values) in enumerate(shown.items()):
        v = values.fillna(0.0).to_numpy()
        base = np.where(v >= 0, pos, neg)
        ax.bar(
            years,
            v,
            bottom=base,
            width=0.7,
            color=style.BUDGET[i % len(style.BUDGET)],
            label=budget_label(str(line), lang),
            gid=str(line),
            hatch="//" if line in HATCHED else None,
            edgecolor="white",
            lw=0.5,
        )
        pos, neg = pos + np.clip(v, 0, None), neg + np.clip(v, None, 0)
    unit = ticks.money_axis(ax, np.concatenate([pos, neg]), lang)
    ax.set_xticks(years, [str(y) for y in years])
    ax.axhline(0, color=style.COLORS["zero"], lw=0.8)
    ax.set_ylabel(ticks.with_unit("amount", unit, lang))
    ax.set_title(label("title_fiscal", lang))
    ticks.legend_below(ax)
    return fig
