"""Scenario comparison: each scenario's difference from baseline with its interval.

Reads an experiment's ``comparison.parquet`` (one row per scenario and outcome with
``diff_mean, diff_ci_low, diff_ci_high``). Shares are shown in percentage points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import kinds, style, ticks
from analysis.charts_cliff import scenario_label
from analysis.labels import Lang, label

DEFAULT_OUTCOMES = (
    "final_household_loan_rate",
    "peak_npl_ratio",
    "months_with_suspension",
    "min_fund_balance",
    "cum_fiscal_cost",
)


def chosen_outcomes(comparison: pd.DataFrame, outcomes: tuple[str, ...] | None = None) -> list[str]:
    """The requested outcomes (default: the standard briefing set) that the table holds."""
    present = set(comparison["outcome"])
    return [o for o in (outcomes or DEFAULT_OUTCOMES) if o in present]


def plot_difference(
    comparison: pd.DataFrame,
    outcome: str,
    baseline: str = "baseline",
    lang: Lang = "zh",
    ax: Axes | None = None,
) -> Figure:
    """Dot (mean difference from baseline) and whisker (its interval) per scenario."""
    fig, ax = style.axes(ax)
    rows = comparison[(comparison["outcome"] == outcome) & (comparison["scenario"] != baseline)]
    y = np.arange(len(rows))
    mean = rows["diff_mean"].to_numpy(dtype=float)
    err = np.vstack(
        [mean - rows["diff_ci_low"].to_numpy(float), rows["diff_ci_high"].to_numpy(float) - mean]
    )
    ax.errorbar(mean, y, xerr=err, fmt="o", color=style.COLORS["main"], ms=5, capsize=3, lw=1.2)
    ax.axvline(0, color=style.COLORS["zero"], lw=0.8)
    ax.set_yticks(y, [scenario_label(s, lang) for s in rows["scenario"]])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    values = rows[["diff_ci_low", "diff_ci_high"]].to_numpy(float).ravel()
    unit = ticks.value_axis(ax, values, kinds.kind(outcome), lang, axis="x")
    ax.set_xlabel(
        ticks.with_unit("diff_from_baseline", unit, lang)
        if unit
        else label("diff_from_baseline", lang)
    )
    ax.grid(True, axis="x")
    ax.set_title(label(outcome, lang))
    return fig


def comparison_overview(
    comparison: pd.DataFrame,
    outcomes: tuple[str, ...] | None = None,
    baseline: str = "baseline",
    lang: Lang = "zh",
) -> Figure:
    """One dot-and-whisker panel per outcome."""
    chosen = chosen_outcomes(comparison, outcomes)
    n_scen = comparison.loc[comparison["scenario"] != baseline, "scenario"].nunique()
    fig = Figure(figsize=(style.WIDTH, len(chosen) * (0.35 * n_scen + 1.0)), layout="constrained")
    axes = fig.subplots(len(chosen), 1, squeeze=False)[:, 0]
    for ax, outcome in zip(axes, chosen, strict=True):
        plot_difference(comparison, outcome, baseline, lang, ax)
    fig.suptitle(
        label("title_comparison", lang).format(baseline=scenario_label(baseline, lang)), fontsize=12
    )
    return fig
