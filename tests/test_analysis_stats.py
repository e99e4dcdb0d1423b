"""The statistics a briefing quotes, recomputed independently and checked in its words.

Differences are the mean of the paired (same-seed) differences with a 95 % t interval;
bands are spreads of outcomes; the fund-sizing probability comes with a 95 % Wilson interval.
Numbers are compared with values worked out here (analytic or by SciPy), to the tolerance
stated in each assertion.
"""

from __future__ import annotations

import math

import analysis_fixtures as fx
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import (
    charts_cliff,
    charts_compare,
    charts_fund,
    charts_lending,
    charts_sizing,
    fmt,
    narrative_exp,
    style,
)
from sim.experiments.compare import comparison_table
from sim.experiments.stats import MIN_N

RATE = "final_household_loan_rate"


def summary(base: list[float], other: list[float], outcome: str = RATE) -> pd.DataFrame:
    """Replicate rows of a baseline and one scenario on common seeds (replicate i = seed i)."""
    rows = [
        {"scenario": name, "replicate": i, "seed": f"[7, {i}]", outcome: v}
        for name, values in (("baseline", base), ("alt", other))
        for i, v in enumerate(values)
    ]
    return pd.DataFrame(rows)


def scenario_summary(n: int, exhausted: int = 0) -> pd.DataFrame:
    """``n`` replicates of one scenario with every key the scenario sentence quotes."""
    return pd.DataFrame(
        {
            "scenario": "baseline",
            "replicate": range(n),
            "seed": [f"[7, {i}]" for i in range(n)],
            RATE: np.linspace(0.30, 0.40, n),
            "peak_npl_ratio": 0.05,
            "fund_exhausted": [i < exhausted for i in range(n)],
            "cum_fiscal_cost": 5e6,
        }
    )


def test_difference_sentence_quotes_the_paired_95_interval_and_says_so():
    base = [0.20, 0.50, 0.30, 0.60]  # noisy arms ...
    d = [0.01, 0.02, 0.03, 0.04]  # ... with a steady paired difference
    table = comparison_table(summary(base, list(np.add(base, d))), ["baseline", "alt"])
    row = table.set_index(["scenario", "outcome"]).loc[("alt", RATE)]
    half = 3.182446305284263 * np.std(d, ddof=1) / 2  # t(0.975, 3) sd / sqrt(4), by hand
    assert math.isclose(row["diff_mean"], 0.025, rel_tol=1e-12), "mean paired difference"
    assert math.isclose(row["diff_ci_low"], 0.025 - half, rel_tol=1e-9), "t interval, paired"
    assert math.isclose(row["diff_ci_high"], 0.025 + half, rel_tol=1e-9), "t interval, paired"
    welch = stats.ttest_ind(np.add(base, d), base, equal_var=False).confidence_interval()
    assert welch.low < 0 < welch.high, "unpaired arms would show no difference at all"
    (text,) = narrative_exp.differences(table, "baseline", "en")
    assert "+2.50 percentage points on average" in text, text
    assert "(95 % confidence interval +0.45 to +4.55)" in text, (
        f"2.5 ± 2.054 pp, rounded to 0.01 pp, and named as a 95 % CI of the mean: {text}"
    )
    (zh,) = narrative_exp.differences(table, "baseline", "zh")
    assert "95% 置信区间 +0.45 至 +4.55" in zh, zh


@pytest.mark.parametrize("n", [1, 2])
def test_too_few_pairs_give_no_interval_in_words(n):
    base = [0.30, 0.31][:n]
    table = comparison_table(summary(base, [b + 0.01 for b in base]), ["baseline", "alt"])
    row = table.set_index(["scenario", "outcome"]).loc[("alt", RATE)]
    assert row["n"] == n
    if n == 2:  # two equal paired differences: an interval of width zero
        assert row["diff_ci_low"] == pytest.approx(row["diff_ci_high"], abs=1e-12)
    (text,) = narrative_exp.differences(table, "baseline", "en")
    assert f"only {n} replicate pair" in text, text
    assert "includes zero" not in text and "+1.00" not in text, (
        f"with {n} pair(s) (fewer than {MIN_N}) no interval, and no verdict, is quoted: {text}"
    )


@pytest.mark.parametrize("n", [1, 2])
def test_scenario_line_from_too_few_runs_quotes_no_band(n):
    (text,) = narrative_exp.scenario_lines(scenario_summary(n), "en")
    assert "90 % of runs" not in text and f"{n} run(s) only" in text, text
    (text,) = narrative_exp.scenario_lines(scenario_summary(3), "en")
    lo, hi = np.percentile(np.linspace(0.30, 0.40, 3), [5, 95])  # linear, as the tables
    assert f"between {fmt.pct(lo)} and {fmt.pct(hi)}" in text, text
    assert (fmt.pct(lo), fmt.pct(hi)) == ("30.5%", "39.5%"), "0.30 + 0.05 x 0.10, 0.40 - 0.005"


def test_exhaustion_probability_in_words_equals_the_share_of_replicates():
    frame = scenario_summary(200, exhausted=1)
    (text,) = narrative_exp.scenario_lines(frame, "en")
    p = frame["fund_exhausted"].mean()
    assert p == 0.005, "1 of 200 replicates"
    assert "probability the fund runs out 0.50%" in text, (
        f"1 in 200 is 0.50 %, not rounded to 0 % (the fund never running out): {text}"
    )


def answer(alpha: float = 0.05, **extra) -> dict:
    base = {
        "alpha": alpha,
        "fund_initial": 8e6,
        "leverage": 10.0,
        "p_exhausted": 0.04,
        "ci": [0.0159, 0.0967],
        "household_loan_rate": 0.33,
        "feasible": True,
        "status": "found",
    }
    return base | extra


CURVE = pd.DataFrame(
    {
        "fund_initial": [4e6, 8e6],
        "leverage": 10.0,
        "p_exhausted": [0.2, 0.04],
        "p_exhausted_ci_low": [0.15, 0.0159],
        "p_exhausted_ci_high": [0.26, 0.0967],
        "mean_household_loan_rate": [0.31, 0.33],
    }
)


def test_alpha_is_quoted_with_every_digit():
    (text,) = narrative_exp.sizing(answer(alpha=0.025), CURVE, "en")
    assert "at or below 2.5%" in text, f"alpha = 0.025 must not print as 2 %: {text}"
    ax = charts_sizing.plot_fund_sizing(CURVE, answer(alpha=0.025), "en").axes[0]
    legend = [t for t in ax.get_legend_handles_labels()[1] if "Target" in t]
    assert legend == ["Target exhaustion probability 2.5 %"], legend


def test_sizing_from_few_replicates_is_flagged_and_the_check_quoted():
    check = {"n": 40, "p_exhausted": 0.075, "ci": [0.0258, 0.1986], "root_seed": 2}
    text = narrative_exp.sizing(answer(check=check), CURVE, "en", n=40)
    assert "fund needs at least 8.00 million yuan" in text[0], text
    assert "(95 % confidence interval 1.6%–9.7%)" in text[0], text
    assert "40 fresh replicate seeds" in text[1] and "7.5%" in text[1], text
    assert "only about 2 in which the fund runs out" in text[2], "40 x 0.05 = 2"
    assert "at least 200 replicates" in text[2], "10 / 0.05 = 200"
    plenty = narrative_exp.sizing(answer(), CURVE, "en", n=200)
    assert len(plenty) == 1, f"200 x 0.05 = 10 exhaustions: no caution: {plenty}"
    (*_, few) = narrative_exp.sizing(answer(), CURVE, "zh", n=8)
    assert "预计补偿金耗尽不到 1 次" in few and "约 0 次" not in few, f"8 x 0.05 = 0.4: {few}"


def test_an_answer_at_the_edge_of_the_grid_is_not_called_a_minimum():
    (text,) = narrative_exp.sizing(answer(status="at_grid_edge", fund_initial=4e6), CURVE, "en")
    assert "needs at least" not in text and "smallest fund tried" in text, text
    lev_curve = CURVE.assign(fund_initial=8e6, leverage=[10.0, 12.0])
    (text,) = narrative_exp.sizing(answer(leverage=12.0), lev_curve, "en")
    assert "leverage multiple may be at most 12.0×" in text, f"a sized multiple: {text}"


def test_comparison_chart_draws_no_whisker_from_two_pairs():
    table = comparison_table(summary([0.30, 0.31], [0.32, 0.33]), ["baseline", "alt"])
    ax = charts_compare.plot_difference(table, RATE, "baseline", "en").axes[0]
    assert [line.get_gid() for line in ax.get_lines() if line.get_gid()] == ["too_few_pairs"]
    assert not ax.collections or all(len(c.get_segments()) == 0 for c in ax.collections), (
        "no interval drawn"
    )


def monthly(values: list[list[float]]) -> pd.DataFrame:
    """A long monthly table: replicate i has the series ``values[i]`` over three months."""
    return pd.DataFrame(
        [
            {"replicate": i, "month": f"2019-0{t + 1}", "loan_balance": v, "fund_balance": v}
            for i, series_ in enumerate(values)
            for t, v in enumerate(series_)
        ]
    )


@pytest.mark.parametrize("n", [2, MIN_N])
def test_series_range_needs_enough_runs(n):
    runs = [[1e6 * (i + 1), 2e6 * (i + 1), 3e6 * (i + 1)] for i in range(n)]
    data = monthly(runs)
    for fig in (
        charts_lending.plot_loan_balance(data, "en"),
        charts_fund.plot_fund_fan(data, "en"),
    ):
        ax = fig.axes[0]
        median = [ln for ln in ax.get_lines() if ln.get_label() == "Median"]
        assert len(median) == 1
        np.testing.assert_allclose(median[0].get_ydata(), np.median(runs, axis=0), rtol=1e-12)
        ranges = [c for c in ax.collections if len(c.get_paths())]
        runs_drawn = [ln for ln in ax.get_lines() if ln.get_color() == style.COLORS["band"]]
        if n < MIN_N:  # no 5-95 % range from two values: each run is drawn instead
            assert ranges == [], "a range drawn from two runs"
            assert len(runs_drawn) == n
            legend = [t.get_text() for t in ax.get_legend().get_texts()]
            assert "Each run (too few for a range)" in legend, legend
        else:
            top = max(c.get_paths()[0].vertices[:, 1].max() for c in ranges)
            assert top == pytest.approx(np.percentile(np.array(runs)[:, 2], 95), rel=1e-12)
            assert runs_drawn == []


@pytest.mark.parametrize("n", [2, MIN_N])
def test_cliff_range_needs_enough_runs(n):
    cliff = pd.concat(
        [fx.cliff_table(0, i).assign(scenario="cliff_abrupt", replicate=i) for i in range(n)]
    )
    ax = charts_cliff.plot_cliff_income(cliff, "en").axes[0]
    ranges = [c for c in ax.collections if len(c.get_paths())]
    assert (len(ranges) > 0) == (n >= MIN_N), f"{n} runs: range drawn {len(ranges) > 0}"
