"""Lending charts: loan balance, new lending and the household loan rate (户贷率) over time.

Each function takes a timeseries (one run) or a long table of replicates (with a
``replicate`` column; drawn as the median and a 5-95 % band), draws on ``ax`` or a new
figure, and returns the figure.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import series, style, ticks
from analysis.labels import Lang, label


def _money_chart(data: pd.DataFrame, column: str, lang: Lang, ax: Axes | None) -> Figure:
    fig, ax = style.axes(ax)
    ticks.line_or_band(ax, data, column, lang)
    unit = ticks.money_axis(ax, data[column], lang)
    ax.set_ylabel(ticks.with_unit("amount", unit, lang))
    ax.set_title(label(column, lang))
    ax.set_ylim(bottom=0)
    ticks.time_axis(ax, series.month_x(data["month"]))
    _legend_if_band(ax, data)
    return fig


def _legend_if_band(ax: Axes, data: pd.DataFrame) -> None:
    if series.n_replicates(data) > 1:
        ticks.legend_below(ax, ncol=2)


def plot_loan_balance(data: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Outstanding loan balance at each month end."""
    return _money_chart(data, "loan_balance", lang, ax)


def plot_new_lending(data: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Amount disbursed each month (new loans and renewals)."""
    return _money_chart(data, "new_loan_amount", lang, ax)


def plot_household_loan_rate(
    data: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None
) -> Figure:
    """Households that ever borrowed as a share of registered poor households (户贷率)."""
    fig, ax = style.axes(ax)
    ticks.line_or_band(ax, data, "household_loan_rate", lang, color=style.COLORS["third"])
    ticks.share_axis(ax, decimals=0)
    ax.set_ylim(0, max(0.1, float(data["household_loan_rate"].max()) * 1.15))
    ax.set_ylabel(label("share_of_households", lang))
    ax.set_title(label("household_loan_rate", lang))
    ticks.time_axis(ax, series.month_x(data["month"]))
    _legend_if_band(ax, data)
    return fig


def lending_overview(data: pd.DataFrame, lang: Lang = "zh") -> Figure:
    """The three lending charts stacked on one page."""
    fig, axes = style.panels(3)
    plot_loan_balance(data, lang, axes[0])
    plot_new_lending(data, lang, axes[1])
    plot_household_loan_rate(data, lang, axes[2])
    return fig
