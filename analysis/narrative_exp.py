"""Sentences for an experiment briefing: source, scenarios, differences, fund size, cliff."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import fmt, kinds
from analysis.charts_cliff import scenario_label
from analysis.charts_compare import chosen_outcomes
from analysis.labels import Lang, label
from analysis.localise import outcome_label
from analysis.narrative import seed_text
from analysis.source import Experiment

SCENARIO_KEYS = ("final_household_loan_rate", "peak_npl_ratio", "fund_exhausted", "cum_fiscal_cost")


def replicate_summary(exp: Experiment) -> pd.DataFrame:
    """One row per (scenario, replicate): ``summary.parquet``, or rebuilt from the runs."""
    if exp.summary is not None:
        return exp.summary
    rows = [
        {"scenario": s, "replicate": i, "seed": seed_text(r.seed), **r.summary}
        for s in exp.scenarios
        for i, r in enumerate(exp.runs(s))
    ]
    return pd.DataFrame(rows)


def source(exp: Experiment, lang: Lang) -> str:
    """Which experiment: name, scenarios, replicates, root seed, horizon, baseline."""
    ts = exp.representative().timeseries
    n_reps = exp.meta.get("n_replicates") or len(exp.replicate_dirs(exp.baseline))
    return label("s_source_exp", lang).format(
        name=exp.name,
        n_scenarios=len(exp.scenarios),
        n_reps=n_reps,
        root_seed=seed_text(exp.meta.get("root_seed", label("unknown", lang))),
        start=ts["month"].iloc[0],
        end=ts["month"].iloc[-1],
        baseline=scenario_label(exp.baseline, lang),
    )


def scenario_lines(summary: pd.DataFrame, lang: Lang) -> list[str]:
    """Median (5-95 %) household loan rate, peak NPL, P(exhausted) and fiscal cost per scenario."""
    if not set(SCENARIO_KEYS) <= set(summary.columns):
        return []
    out = []
    for name, g in summary.groupby("scenario", sort=False):
        rate = g["final_household_loan_rate"]
        out.append(
            label("s_scenario", lang).format(
                scenario=scenario_label(str(name), lang),
                loan_rate=fmt.pct(rate.median()),
                lo=fmt.pct(rate.quantile(0.05)),
                hi=fmt.pct(rate.quantile(0.95)),
                npl=fmt.pct(g["peak_npl_ratio"].median()),
                p_ex=fmt.pct(g["fund_exhausted"].astype(float).mean(), 0),
                fiscal=fmt.money(g["cum_fiscal_cost"].median(), lang),
            )
        )
    return out


def _diff_part(row, lang: Lang) -> str:
    k = kinds.kind(row.outcome)
    return label("s_diff_part", lang).format(
        outcome=outcome_label(row.outcome, lang),
        diff=fmt.signed(row.diff_mean, k, lang),
        lo=fmt.signed(row.diff_ci_low, k, lang, unit=False),
        hi=fmt.signed(row.diff_ci_high, k, lang, unit=False),
    )


def differences(comparison: pd.DataFrame, baseline: str, lang: Lang) -> list[str]:
    """Differences from baseline whose interval excludes zero; a note for scenarios with none."""
    rows = comparison[comparison["outcome"].isin(chosen_outcomes(comparison))]
    out = []
    for name, g in rows[rows["scenario"] != baseline].groupby("scenario", sort=False):
        clear = g[(g["diff_ci_low"] > 0) | (g["diff_ci_high"] < 0)]
        parts = [_diff_part(r, lang) for r in clear.itertuples()]
        key = "s_diff" if parts else "s_no_diff"
        out.append(
            label(key, lang).format(
                scenario=scenario_label(str(name), lang), parts=label("list_sep", lang).join(parts)
            )
        )
    return out


def sizing(answer: dict[str, Any] | None, curve: pd.DataFrame | None, lang: Lang) -> list[str]:
    """The smallest fund that keeps the exhaustion probability at or below the target."""
    if not answer or "alpha" not in answer:
        return []
    alpha = fmt.pct(answer["alpha"], 0)
    needed = ("fund_initial", "leverage", "p_exhausted", "household_loan_rate")
    if answer.get("feasible") and all(answer.get(k) is not None for k in needed):
        lo, hi = (answer.get("ci") or [None, None])[:2]
        return [
            label("s_sizing_ok", lang).format(
                alpha=alpha,
                fund=fmt.money(answer["fund_initial"], lang),
                leverage=f"{answer['leverage']:,.1f}",
                p=fmt.pct(answer["p_exhausted"]),
                lo=fmt.pct(lo) if lo is not None else "–",
                hi=fmt.pct(hi) if hi is not None else "–",
                rate=fmt.pct(answer["household_loan_rate"]),
            )
        ]
    if curve is None or curve.empty:
        return [label("s_sizing_none_plain", lang).format(alpha=alpha)]
    top = curve.sort_values("fund_initial").iloc[-1]
    return [
        label("s_sizing_none", lang).format(
            alpha=alpha,
            max_fund=fmt.money(top["fund_initial"], lang),
            p=fmt.pct(top["p_exhausted"]),
        )
    ]


def discovery(found: dict[str, Any] | None, lang: Lang) -> list[str]:
    """The first PRIM box: under which conditions the outcome happens, how reliably."""
    if not found or not found.get("result"):
        return []
    from analysis.charts_discovery import outcome_title, parameter_label

    result = found["result"]
    boxes = result.get("boxes") or []
    head = {
        "outcome": outcome_title(result, lang),
        "k": result["n_happened"],
        "n": result["n_cases"],
    }
    if not boxes or not boxes[0].get("limits"):
        return [label("s_discovery_none", lang).format(**head)]
    sep = label("list_sep", lang)
    conditions = sep.join(
        f"{parameter_label(key, lang)} {lo:.3g}–{hi:.3g}"
        for key, (lo, hi) in boxes[0]["limits"].items()
    )
    return [
        label("s_discovery", lang).format(
            **head,
            conditions=conditions,
            coverage=fmt.pct(boxes[0]["coverage"], 0),
            density=fmt.pct(boxes[0]["density"], 0),
        )
    ]


def frontier(found: dict[str, Any] | None, lang: Lang) -> list[str]:
    """How many settings are non-dominated and whether the configured policy is one."""
    if not found or not found.get("result"):
        return []
    result = found["result"]
    key = "s_frontier_dominated" if result["configured"]["dominated"] else "s_frontier_ok"
    return [
        label(key, lang).format(
            k=result["n_frontier"],
            n=result["n_candidates"],
            m=len(result["configured"]["dominated_by"]),
            reps=result["replicates_per_setting"],
        )
    ]
