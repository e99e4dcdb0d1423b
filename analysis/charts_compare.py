"""Scenario comparison: each scenario's mean paired difference from baseline with its 95 % CI.

Reads an experiment's ``comparison.parquet`` (one row per scenario and outcome with
``diff_mean, diff_ci_low, diff_ci_high``). Shares are shown in percentage points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import fmt, kinds, style, ticks
from analysis.charts_cliff import scenario_label
from analysis.labels import Lang, label
from sim.experiments.stats import MIN_N

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
    """Dot (mean paired difference from baseline) and whisker (its 95 % interval) per scenario.

    A scenario with fewer than ``MIN_N`` replicate pairs is drawn as a hollow dot without a
    whisker: its interval is missing (one pair) or says nothing (two).
    """
    fig, ax = style.axes(ax)
    rows = comparison[(comparison["outcome"] == outcome) & (comparison["scenario"] != baseline)]
    y = np.arange(len(rows))
    mean = rows["diff_mean"].to_numpy(dtype=float)
    pairs = rows["n"].to_numpy(float) if "n" in rows.columns else np.full(len(rows), MIN_N)
    ok = pairs >= MIN_N
    err = np.vstack(
        [mean - rows["diff_ci_low"].to_numpy(float), rows["diff_ci_high"].to_numpy(float) - mean]
    )
    color = style.COLORS["main"]
    ax.errorbar(mean[ok], y[ok], xerr=err[:, ok], fmt="o", color=color, ms=5, capsize=3, lw=1.2)
    if (~ok).any():
        ax.plot(mean[~ok], y[~ok], "o", mfc="none", mec=color, ms=5, gid="too_few_pairs")
    ax.axvline(0, color=style.COLORS["zero"], lw=0.8)
    ax.set_yticks(y, [scenario_label(s, lang) for s in rows["scenario"]])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    values = np.concatenate([rows[["diff_ci_low", "diff_ci_high"]].to_numpy(float).ravel(), mean])
    unit = ticks.value_axis(ax, values, kinds.kind(outcome), lang, axis="x")
    unit = unit or fmt.count_unit(outcome, lang)  # months, events: a count says what it counts
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
