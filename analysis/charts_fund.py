"""Risk-compensation fund (风险补偿金, §10): balance fan, leverage and exhaustion probability.

Inputs are long tables (replicates stacked with a ``replicate`` column); a single run is
drawn as one line.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import series, style, ticks
from analysis.labels import Lang, label
from sim.experiments.stats import MIN_N

FAN_BANDS = ((0.05, 0.95, 0.35, "band_5_95"), (0.25, 0.75, 0.6, "band_25_75"))  # low, high, alpha


def plot_fund_fan(data: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Fund balance: median with 25-75 % and 5-95 % bands across replicates."""
    fig, ax = style.axes(ax)
    if series.n_replicates(data) < MIN_N:  # a run, or too few runs for a range
        ticks.line_or_band(ax, data, "fund_balance", lang)
        if series.n_replicates(data) > 1:
            ticks.legend_below(ax)
    else:
        q = series.quantiles(data, "fund_balance", series.FAN)
        for lo, hi, alpha, key in FAN_BANDS:
            ax.fill_between(
                q.index,
                q[lo],
                q[hi],
                color=style.COLORS["band_inner"],
                alpha=alpha,
                lw=0,
                label=label(key, lang),
            )
        ax.plot(
            q.index,
            q[0.5].to_numpy(),
            color=style.COLORS["main"],
            lw=1.6,
            label=label("median", lang),
        )
        ticks.legend_below(ax)
    unit = ticks.money_axis(ax, data["fund_balance"], lang)
    ax.axhline(0, color=style.COLORS["zero"], lw=0.8)
    ax.set_ylabel(ticks.with_unit("amount", unit, lang))
    ax.set_title(label("fund_balance", lang))
    ticks.time_axis(ax, series.month_x(data["month"]))
    return fig


def plot_leverage(
    data: pd.DataFrame, cap: float | None = None, lang: Lang = "zh", ax: Axes | None = None
) -> Figure:
    """Leverage multiple (放大倍数) = loan balance / fund balance, with the configured cap."""
    fig, ax = style.axes(ax)
    data = series.with_leverage(data)
    ticks.line_or_band(ax, data, "leverage", lang, color=style.COLORS["second"])
    if cap is not None:
        ax.axhline(
            cap,
            color=style.COLORS["township"],
            ls="--",
            lw=1.1,
            label=label("leverage_cap", lang).format(value=cap),
        )
        ticks.legend_below(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(label("unit_times", lang))
    ax.set_title(label("leverage", lang))
    ticks.time_axis(ax, series.month_x(data["month"]))
    return fig


def plot_exhaustion(data: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Share of replicates whose fund has been exhausted by each month."""
    fig, ax = style.axes(ax)
    prob = series.exhaustion_probability(data)
    ax.step(
        prob.index,
        prob.to_numpy(),
        where="post",
        color=style.COLORS["township"],
        lw=1.6,
        label=label("p_exhausted", lang),
    )
    ax.set_ylim(-0.02, 1.02)
    if series.n_replicates(data) == 1:  # one run: exhausted yet or not
        ax.set_yticks([0, 1], [label("no", lang), label("yes", lang)])
        ax.set_title(label("fund_exhausted", lang))
    else:
        ticks.share_axis(ax, decimals=0)
        ax.set_ylabel(label("share_of_replicates", lang).format(n=series.n_replicates(data)))
        ax.set_title(label("p_exhausted", lang))
    ticks.time_axis(ax, prob.index)
    return fig


def fund_overview(data: pd.DataFrame, cap: float | None = None, lang: Lang = "zh") -> Figure:
    """Fan, leverage and exhaustion probability stacked on one page."""
    fig, axes = style.panels(3)
    plot_fund_fan(data, lang, axes[0])
    plot_leverage(data, cap, lang, axes[1])
    plot_exhaustion(data, lang, axes[2])
    return fig
