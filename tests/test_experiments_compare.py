"""Scenario comparison on common random numbers, and the statistics behind it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiments import compare
from sim.experiments.compare import COLUMNS
from sim.experiments.stats import band, paired_difference, wilson

FAST = ["county=small", "horizon.months=12"]
# 4 M yuan x leverage 10 = 40 M of capacity, below the small county's opening book plus new
# demand (about 55 M): lending is capacity-bound, so the multiple moves new lending.
BOUND = ["county=small", "horizon.months=24", "fund.initial=4000000"]


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(tmp_path):
    table = compare(
        ["baseline", ("again", "baseline", [])], 4, 11, overrides=FAST, out=tmp_path, progress=False
    )
    rows = table[table["scenario"] == "again"]
    again = rows[rows["n"] > 0]  # outcomes that are NaN in a 12-month run have no pairs
    assert len(again) > 10, "one row per summary outcome"
    for col in ("diff_mean", "diff_ci_low", "diff_ci_high"):
        assert (again[col] == 0).all(), f"same config, same seeds: {col} must be exactly 0"
    assert (again["n"] == 4).all(), "n counts the replicate pairs"
    base = table[table["scenario"] == "baseline"].set_index("outcome")
    pd.testing.assert_frame_equal(
        rows.set_index("outcome")[["median", "p05", "p95", "mean"]],
        base[["median", "p05", "p95", "mean"]],
        check_exact=True,
        obj="bands of identical scenarios",
    )


@pytest.fixture(scope="module")
def leverage_table(tmp_path_factory):
    scenarios = [
        "baseline",
        ("lev5", "baseline", ["fund.leverage=5"]),
        ("lev20", "baseline", ["fund.leverage=20"]),
    ]
    out = tmp_path_factory.mktemp("compare")
    return compare(scenarios, 6, 5, jobs=2, overrides=BOUND, out=out, progress=False), out


def test_comparison_table_layout(leverage_table):
    table, out = leverage_table
    assert list(table.columns) == COLUMNS, "comparison columns are read by the briefing code"
    assert table["scenario"].unique().tolist() == ["baseline", "lev5", "lev20"], "baseline first"
    on_disk = pd.read_parquet(out / "comparison.parquet")
    pd.testing.assert_frame_equal(on_disk, table, obj="comparison.parquet")
    assert (out / "comparison.csv").exists(), "and a CSV copy"
    p = table.set_index(["scenario", "outcome"]).loc[("lev5", "fund_exhausted")]
    assert 0 <= p["mean"] <= 1, "a boolean outcome's mean is a probability"


def row(table, scenario, outcome):
    return table.set_index(["scenario", "outcome"]).loc[(scenario, outcome)]


def test_leverage_moves_capacity_bound_lending_the_expected_way(leverage_table):
    table, _ = leverage_table
    low, high = row(table, "lev5", "total_new_lending"), row(table, "lev20", "total_new_lending")
    assert low["diff_ci_high"] < 0, (
        f"half the multiple must lend less on common seeds: {low.to_dict()}"
    )
    assert high["diff_ci_low"] > 0, f"twice the multiple must lend more: {high.to_dict()}"
    assert low["diff_ci_low"] <= low["diff_mean"] <= low["diff_ci_high"], "CI brackets the mean"


def test_paired_interval_is_the_t_interval():
    x, base = np.array([3.0, 5.0, 4.0, 9.0]), np.array([2.0, 3.0, 1.0, 5.0])
    d = x - base  # 1, 2, 3, 4
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    got = paired_difference(x, base)
    assert got["diff_mean"] == 2.5 and got["n"] == 4, "mean of the paired differences"
    assert math.isclose(got["diff_ci_high"] - 2.5, half, rel_tol=1e-12), "t(0.975, n-1) sd/sqrt(n)"
    assert math.isclose(half, 2.05426, rel_tol=1e-5), "t(0.975, 3) = 3.182, sd = 1.291"
    assert paired_difference(x, x) == {
        "diff_mean": 0.0,
        "diff_ci_low": 0.0,
        "diff_ci_high": 0.0,
        "n": 4,
    }, "identical inputs give exactly zero"


def test_band_uses_interpolated_percentiles():
    b = band(np.arange(101.0))
    assert (b["p05"], b["median"], b["p95"], b["mean"]) == (5.0, 50.0, 95.0, 50.0), "0..100"


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 100, 0.0018, 0.0545),
    ],
)
def test_wilson_interval_matches_published_values(k, n, lo, hi):
    got = wilson(k, n)
    assert got == pytest.approx((lo, hi), abs=1e-4), f"Wilson 95 % interval of {k}/{n}"
