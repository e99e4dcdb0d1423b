"""Sentences for an experiment briefing: source, scenarios, differences, fund size, cliff."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis import fmt, kinds
from analysis.charts_cliff import scenario_label
from analysis.charts_compare import chosen_outcomes
from analysis.charts_sizing import sizing_axis
from analysis.labels import Lang, label
from analysis.localise import outcome_label
from analysis.narrative import seed_text
from analysis.source import Experiment
from sim.experiments.stats import MIN_N

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
    """Median (5-95 %) household loan rate, peak NPL, P(exhausted) and fiscal cost per scenario.

    The band is a spread of outcomes over replicates (linear interpolation, as in the tables);
    a scenario with fewer than ``MIN_N`` replicates gets its count instead of a band. The
    probability is the share of replicates whose fund ran out, as the comparison table's
    ``mean`` of ``fund_exhausted``, printed with the decimals a small share needs.
    """
    if not set(SCENARIO_KEYS) <= set(summary.columns):
        return []
    out = []
    for name, g in summary.groupby("scenario", sort=False):
        rate = g["final_household_loan_rate"].astype(float).dropna()
        numbers = {
            "scenario": scenario_label(str(name), lang),
            "loan_rate": fmt.pct(rate.median()),
            "npl": fmt.pct(g["peak_npl_ratio"].median()),
            "p_ex": fmt.pct(g["fund_exhausted"].astype(float).mean()),
            "fiscal": fmt.money(g["cum_fiscal_cost"].median(), lang),
        }
        if len(rate) < MIN_N:
            out.append(label("s_scenario_few", lang).format(n=len(rate), **numbers))
            continue
        out.append(
            label("s_scenario", lang).format(
                lo=fmt.pct(rate.quantile(0.05)), hi=fmt.pct(rate.quantile(0.95)), **numbers
            )
        )
    return out


def _diff_part(row, lang: Lang) -> str:
    k, unit = kinds.kind(row.outcome), fmt.count_unit(row.outcome, lang)
    return label("s_diff_part", lang).format(
        outcome=outcome_label(row.outcome, lang),
        diff=" ".join(filter(None, [fmt.signed(row.diff_mean, k, lang), unit])),
        lo=fmt.signed(row.diff_ci_low, k, lang, unit=False),
        hi=fmt.signed(row.diff_ci_high, k, lang, unit=False),
    )


def differences(comparison: pd.DataFrame, baseline: str, lang: Lang) -> list[str]:
    """Differences from baseline whose 95 % interval excludes zero; a note for scenarios with none.

    The interval is that of the mean paired difference (``comparison.parquet``). A scenario
    with fewer than ``MIN_N`` replicate pairs gets a sentence saying so instead of intervals.
    """
    rows = comparison[comparison["outcome"].isin(chosen_outcomes(comparison))]
    out = []
    for name, g in rows[rows["scenario"] != baseline].groupby("scenario", sort=False):
        pairs = g["n"] if "n" in g.columns else pd.Series(MIN_N, index=g.index)
        scenario = scenario_label(str(name), lang)
        if pairs.max() < MIN_N:
            n = int(pairs.max()) if len(pairs) else 0
            out.append(label("s_diff_few", lang).format(scenario=scenario, n=n))
            continue
        enough = pairs >= MIN_N
        clear = g[enough & ((g["diff_ci_low"] > 0) | (g["diff_ci_high"] < 0))]
        parts = [_diff_part(r, lang) for r in clear.itertuples()]
        key = "s_diff" if parts else "s_no_diff"
        out.append(
            label(key, lang).format(scenario=scenario, parts=label("list_sep", lang).join(parts))
        )
    return out


def sizing(
    answer: dict[str, Any] | None,
    curve: pd.DataFrame | None,
    lang: Lang,
    n: int | None = None,
) -> list[str]:
    """The fund-sizing answer, its fresh-seed check and a caution when n is too small.

    The probability and its 95 % (Wilson) interval are those of ``answer.json`` on the sizing
    seeds; the check, when there is one, is the same fund re-simulated on fresh seeds (the
    sizing seeds chose the answer, so their estimate errs low). ``n`` is the number of
    replicates per candidate: with ``n * alpha < 10`` the answer rests on a handful of runs
    in which the fund ran out, which is said, as ``size-fund`` says it.
    """
    if not answer or "alpha" not in answer:
        return []
    alpha = fmt.pct_exact(answer["alpha"])
    out = _sizing_answer(answer, curve, lang, alpha)
    check = answer.get("check")
    if check and check.get("n") and answer.get("fund_initial") is not None:
        lo, hi = (check.get("ci") or [None, None])[:2]
        out.append(
            label("s_sizing_check", lang).format(
                n=fmt.count(check["n"]),
                p=fmt.pct(check["p_exhausted"]),
                lo=fmt.pct(lo) if lo is not None else "–",
                hi=fmt.pct(hi) if hi is not None else "–",
            )
        )
    if n and n * answer["alpha"] < 10:
        few = "s_sizing_few" if n * answer["alpha"] >= 1 else "s_sizing_few_one"  # not "about 0"
        out.append(
            label(few, lang).format(
                n=fmt.count(n),
                alpha=alpha,
                k=f"{n * answer['alpha']:.0f}",
                need=fmt.count(math.ceil(10 / answer["alpha"] - 1e-9)),
            )
        )
    return out


def _sizing_answer(
    answer: dict[str, Any], curve: pd.DataFrame | None, lang: Lang, alpha: str
) -> list[str]:
    """The answer itself: a fund, a multiple (sized, or where no fund met alpha) or none."""
    needed = ("fund_initial", "leverage", "p_exhausted", "household_loan_rate")
    found = all(answer.get(k) is not None for k in needed)
    lo, hi = (answer.get("ci") or [None, None])[:2]
    numbers = {
        "alpha": alpha,
        "fund": fmt.money(answer["fund_initial"], lang) if found else "–",
        "leverage": f"{answer['leverage']:,.1f}" if found else "–",
        "p": fmt.pct(answer["p_exhausted"]) if found else "–",
        "lo": fmt.pct(lo) if lo is not None else "–",
        "hi": fmt.pct(hi) if hi is not None else "–",
        "rate": fmt.pct(answer["household_loan_rate"]) if found else "–",
    }
    has_curve = curve is not None and not curve.empty
    by_leverage = has_curve and curve["fund_initial"].nunique() <= 1
    edge = answer.get("status") == "at_grid_edge"
    if answer.get("feasible") and found:
        if by_leverage:
            return [label("s_sizing_lev_edge" if edge else "s_sizing_lev", lang).format(**numbers)]
        return [label("s_sizing_edge" if edge else "s_sizing_ok", lang).format(**numbers)]
    if not has_curve:
        return [label("s_sizing_none_plain", lang).format(alpha=alpha)]
    _, rows = sizing_axis(curve)  # the candidates at the leverage the fund was sized for
    top = rows.sort_values("fund_initial").iloc[-1]
    out = [
        label("s_sizing_none", lang).format(
            alpha=alpha,
            max_fund=fmt.money(top["fund_initial"], lang),
            p=fmt.pct(top["p_exhausted"]),
        )
    ]
    if found:  # no fund met alpha; the largest multiple that does at the configured fund
        out.append(label("s_sizing_lev", lang).format(**numbers))
    return out


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
