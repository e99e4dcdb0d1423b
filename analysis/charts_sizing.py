"""Fund sizing: exhaustion probability and household loan rate against fund size.

Reads ``fund_sizing/curve.parquet`` (one row per candidate ``fund_initial`` and
``leverage``) and ``fund_sizing/answer.json`` (the smallest fund, or the largest leverage,
whose exhaustion probability stays at or below ``alpha``). The x axis is the fund size,
or the leverage multiple when the sizing varied the multiple at a fixed fund.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from analysis import style, ticks
from analysis.labels import Lang, label


def sizing_axis(
    curve: pd.DataFrame, answer: dict[str, Any] | None = None
) -> tuple[str, pd.DataFrame]:
    """The varied column (``fund_initial`` or ``leverage``) and the curve rows along it.

    When both vary, the rows at the answer's leverage (else the most common one) are kept.
    """
    if curve["fund_initial"].nunique() <= 1:
        return "leverage", curve.sort_values("leverage")
    lev = (answer or {}).get("leverage")
    if lev is None or not (curve["leverage"] == lev).any():
        lev = curve["leverage"].mode().iloc[0]
    return "fund_initial", curve[curve["leverage"] == lev].sort_values("fund_initial")


def plot_fund_sizing(
    curve: pd.DataFrame,
    answer: dict[str, Any] | None = None,
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Figure:
    """P(exhausted) with its interval (left axis) and 户贷率 (right axis) by fund size."""
    fig, ax = style.axes(ax)
    xcol, rows = sizing_axis(curve, answer)
    x = rows[xcol].to_numpy(float)
    if {"p_exhausted_ci_low", "p_exhausted_ci_high"} <= set(rows.columns):
        ax.fill_between(
            x,
            rows["p_exhausted_ci_low"],
            rows["p_exhausted_ci_high"],
            color=style.COLORS["band"],
            alpha=0.6,
            lw=0,
            label=label("ci_95", lang),
        )
    ax.plot(
        x,
        rows["p_exhausted"].to_numpy(float),
        marker="o",
        ms=4,
        color=style.COLORS["main"],
        label=label("p_exhausted", lang),
        gid="p_exhausted",
    )
    ticks.share_axis(ax, decimals=0)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel(label("p_exhausted", lang))
    if xcol == "fund_initial":
        _fund_scale(ax, x)
        unit = ticks.money_axis(ax, x, lang, axis="x")
        ax.set_xlabel(ticks.with_unit("fund_initial", unit, lang))
    else:
        ax.set_xlabel(ticks.with_unit("fund_leverage", label("unit_times", lang), lang))
    handles = _household_axis(ax, rows, xcol, lang)
    if answer:
        _mark_answer(ax, answer, xcol, lang)
    h, _ = ax.get_legend_handles_labels()
    ticks.legend_below(ax, handles=h + handles)
    ax.set_title(label("title_fund_sizing", lang))
    return fig


def _fund_scale(ax: Axes, x: np.ndarray) -> None:
    """A logarithmic axis with a tick at each candidate when the funds span a factor of 8 or more.

    The default grid doubles the fund from 1/16 to 2 times the configured one: on a linear
    axis its four smallest candidates crowd into the first tenth of the axis.
    """
    x = x[np.isfinite(x)]
    if len(x) < 3 or x.min() <= 0 or x.max() / x.min() < 8:
        return
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(np.unique(x)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(x.min() / 1.25, x.max() * 1.25)


def _household_axis(ax: Axes, rows: pd.DataFrame, xcol: str, lang: Lang) -> list:
    if "mean_household_loan_rate" not in rows.columns:
        return []
    right = ax.twinx()
    (line,) = right.plot(
        rows[xcol].to_numpy(float),
        rows["mean_household_loan_rate"].to_numpy(float),
        marker="s",
        ms=3.5,
        color=style.COLORS["third"],
        label=label("household_loan_rate", lang),
        gid="household_loan_rate",
    )
    right.set_ylim(0, max(0.1, float(rows["mean_household_loan_rate"].max()) * 1.15))
    ticks.share_axis(right, decimals=0)
    right.set_ylabel(label("household_loan_rate", lang))
    right.grid(False)
    right.spines["right"].set_visible(True)
    return [line]


def _mark_answer(ax: Axes, answer: dict[str, Any], xcol: str, lang: Lang) -> None:
    alpha = answer.get("alpha")
    if alpha is not None:
        ax.axhline(
            alpha,
            color=style.COLORS["township"],
            ls="--",
            lw=1.1,
            label=label("target_alpha", lang).format(value=alpha * 100),
            gid="alpha",
        )
    if answer.get("feasible") and answer.get(xcol) is not None:
        ax.axvline(
            answer[xcol],
            color=style.COLORS["answer"],
            ls=":",
            lw=1.4,
            label=label("answer_fund", lang),
            gid="answer",
        )
