"""Levers move outcomes the way the mechanism dictates, on common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim import build_model, load_config
from tests.conftest import SMALL, cached_run

SEEDS = tuple(range(8))
# Capacity binds: a small fund relative to the small county's demand.
TIGHT = (*SMALL, "fund.initial=4400000")


def paired(key, base, lever, seeds=SEEDS):
    a = np.array([cached_run("baseline", base, s).summary[key] for s in seeds])
    b = np.array([cached_run("baseline", lever, s).summary[key] for s in seeds])
    return b - a


def test_higher_leverage_lends_more_in_the_first_month_exactly():
    lo = build_model(load_config("baseline", [*TIGHT, "fund.leverage=10"]), seed=3)
    hi = build_model(load_config("baseline", [*TIGHT, "fund.leverage=15"]), seed=3)
    for m in (lo, hi):
        m.step()
    lo_ts, hi_ts = lo.recorder.rows[0], hi.recorder.rows[0]
    assert lo_ts["n_blocked_capacity"] > 0, "capacity must bind at 10x for this test"
    assert hi_ts["new_loan_amount"] > lo_ts["new_loan_amount"], (
        "more capacity, same applicants: more lending"
    )
    assert hi.loans.active[lo.loans.active].all(), (
        "every loan made at 10x is also made at 15x (same queue)"
    )


def test_higher_leverage_lends_more_over_the_horizon():
    diff = paired("total_new_lending", TIGHT, (*TIGHT, "fund.leverage=15"))
    # Path dependence makes the pathwise sign uncertain; a sign test over the paired seeds:
    # under "no effect" P(at least 7 of 8 positive) = 9/256 = 0.035, so require 8 of 8 (p = 0.004).
    p_value = stats.binomtest(int((diff > 0).sum()), len(diff), 0.5, alternative="greater").pvalue
    assert p_value < 0.01, (
        f"leverage 15x vs 10x lending differences {diff} (sign test p={p_value:.3f})"
    )


def test_no_breaker_no_suspensions_and_strict_breaker_more():
    base = cached_run("baseline", SMALL, 2)
    off = cached_run("baseline", (*SMALL, "breaker.enabled=false"), 2)
    assert (
        off.summary["n_suspension_events"] == 0
        and off.timeseries["n_villages_suspended"].max() == 0
    )
    diff = paired(
        "n_suspension_events",
        SMALL,
        (*SMALL, "breaker.township_npl=0.03", "breaker.village_npl=0.05"),
    )
    assert (diff >= 0).mean() >= 0.75 and diff.mean() > 0, (
        f"stricter thresholds suspend more often: {diff}"
    )
    assert base.summary["n_suspension_events"] > 0, (
        "small villages cross 7 % by chance in the baseline"
    )


def test_breaker_that_never_fires_equals_no_breaker_exactly():
    never = cached_run(
        "baseline", (*SMALL, "breaker.township_npl=0.999", "breaker.village_npl=0.999"), 4
    )
    off = cached_run("baseline", (*SMALL, "breaker.enabled=false"), 4)
    pd.testing.assert_frame_equal(never.timeseries, off.timeseries)


def test_shock_outside_the_horizon_changes_nothing():
    base = cached_run("baseline", (*SMALL, "horizon.months=36"), 4)
    shock = cached_run(
        "baseline",
        (
            *SMALL,
            "horizon.months=36",
            "+default.shocks=[{year: 2030, scope: county, name: '', z: -3}]",
        ),
        4,
    )
    pd.testing.assert_frame_equal(base.timeseries, shock.timeseries)


def test_county_shock_raises_losses():
    shock = (*SMALL, "+default.shocks=[{year: 2020, scope: county, name: '', z: -2.5}]")
    diff = paired("cum_losses", SMALL, shock, seeds=SEEDS[:4])
    assert (diff > 0).all(), f"a bad 2020 raises losses on every seed: {diff}"


def test_subsidy_delay_shifts_cash_not_interest():
    base = cached_run("baseline", SMALL, 6)
    late = cached_run("baseline", (*SMALL, "subsidy.settlement_delay_quarters=2"), 6)
    one = cached_run("baseline", (*SMALL, "subsidy.settlement_delay_quarters=1"), 6)
    assert base.summary["peak_interest_arrears"] < 1.0, (
        "quarterly settlement on time leaves no arrears"
    )
    assert one.summary["peak_interest_arrears"] < 1.0, (
        "one quarter late is within a household's float"
    )
    assert late.summary["peak_interest_arrears"] > 0, "two quarters late exceeds the float: arrears"
    pd.testing.assert_series_equal(base.timeseries["loan_balance"], late.timeseries["loan_balance"])
    b, lt = base.timeseries.iloc[-1], late.timeseries.iloc[-1]
    assert b["cum_interest_accrued"] == lt["cum_interest_accrued"], (
        "interest itself does not change"
    )
    assert lt["cum_interest_subsidy"] < b["cum_interest_subsidy"], (
        "two quarters are still unpaid at the end"
    )


def test_full_subsidy_reimburses_all_interest_paid():
    res = cached_run("baseline", SMALL, 6)
    last = res.timeseries.iloc[-1]
    assert abs(last["cum_interest_subsidy"] - last["cum_interest_paid"]) < 1.0, (
        "every loan is <= 50,000 yuan and <= 3 years, so all interest paid is reimbursed (§3)"
    )


def test_higher_pd_means_more_losses_and_npl():
    diff_loss = paired("cum_losses", SMALL, (*SMALL, "default.pd_annual=0.06"), seeds=SEEDS[:4])
    diff_npl = paired("peak_npl_ratio", SMALL, (*SMALL, "default.pd_annual=0.06"), seeds=SEEDS[:4])
    assert (diff_loss > 0).all() and (diff_npl > 0).all(), (
        f"double PD: losses {diff_loss}, NPL {diff_npl}"
    )
