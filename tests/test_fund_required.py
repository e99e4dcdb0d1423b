"""One run's fund requirement: the smallest opening fund whose balance never runs out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import load_config
from sim.experiments.one_pass import quantile_answer, snap_above
from sim.fund_required import fund_required
from sim.runner import run


def simulate_exhausted(F, claims, rec, topups, topup_month, rule, target=0.0) -> bool:
    """Walk the balance month by month (claims, then the top-up), as the model does."""
    b = F
    for c, r, u, due in zip(claims, rec, topups, topup_month, strict=True):
        b += r - c
        if b <= 1e-9:
            return True
        if rule == "fixed":
            b += u
        elif rule == "restore" and due:
            b = max(b, target if target > 0 else F)
    return False


def brute_force(claims, rec, topups, topup_month, rule, target=0.0) -> float:
    """Bisection on the walked path (exhaustion is monotone in F)."""
    lo, hi = 0.0, float(np.sum(claims)) + 1.0
    if not simulate_exhausted(1e-6, claims, rec, topups, topup_month, rule, target):
        return 0.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if simulate_exhausted(mid, claims, rec, topups, topup_month, rule, target):
            lo = mid
        else:
            hi = mid
    return lo


def test_hand_built_sequence_with_a_fixed_top_up():
    claims = [0, 100, 50, 0, 80, 0]
    rec = [0, 0, 10, 0, 0, 0]
    topups = [0, 0, 0, 40, 0, 0]  # after the claims of month 3
    due = [False, False, False, True, False, False]
    # balance minus F: 0, -100, -140, -140 (+40 = -100), -180, -180 -> needs more than 180
    assert fund_required(claims, rec, topups, due, "fixed") == pytest.approx(180.0)
    assert fund_required(claims, rec, [0] * 6, due, "none") == pytest.approx(220.0)
    assert simulate_exhausted(180.0, claims, rec, topups, due, "fixed")
    assert not simulate_exhausted(180.01, claims, rec, topups, due, "fixed")


def test_a_top_up_in_the_month_of_a_claim_comes_after_it():
    # one claim of 100 in the top-up month, top-up 100: the fund must cover it by itself
    assert fund_required([100], [0], [100], [True], "fixed") == pytest.approx(100.0)


def test_restore_to_the_initial_fund_by_hand():
    # segments end at the top-ups (months 1 and 3): drawdowns 60, 50, 30; nets -60, -50, +20
    claims, rec = [10, 50, 50, 0, 30], [0, 0, 0, 20, 0]
    due = [False, True, False, True, False]
    # restored to F each time: F must exceed the deepest single-segment drawdown, 60
    assert fund_required(claims, rec, [0] * 5, due, "restore") == pytest.approx(60.0)
    # restored to a target of 40 instead: segment 1 (50) is not covered by 40, so F itself
    # must carry it: F - 60 >= 50 -> 110; segment 2 (30) is covered by 40 + 0
    assert fund_required(claims, rec, [0] * 5, due, "restore", 40.0) == pytest.approx(110.0)


@pytest.mark.parametrize(
    "rule,target", [("none", 0), ("fixed", 0), ("restore", 0), ("restore", 300)]
)
def test_closed_forms_equal_the_walked_path(rule, target):
    rng = np.random.default_rng(7)
    for _ in range(200):
        m = int(rng.integers(1, 40))
        claims = rng.exponential(50, m) * (rng.random(m) < 0.6)
        rec = rng.exponential(20, m) * (rng.random(m) < 0.3)
        due = rng.random(m) < 0.15
        topups = np.where(due & (rule == "fixed"), rng.exponential(80, m), 0.0)
        expected = brute_force(claims, rec, topups, due, rule, target)
        got = fund_required(claims, rec, topups, due, rule, target)
        assert got == pytest.approx(expected, abs=1e-6), (rule, target, claims, rec, due)


# Small county with one bank (the county's fund is the bank's deposit), a high multiple so
# lending capacity does not bind, and losses heavy enough to draw the fund down.
ONE_BANK = ["county=small", "county.n_banks=1", "horizon.months=24", "default.pd_annual=0.15",
            "fund.leverage=100"]  # fmt: skip


def test_run_reports_its_requirement_and_a_fund_just_above_it_holds():
    base = run(load_config("baseline", ONE_BANK), 11)
    s = base.summary
    ts = base.timeseries
    assert not s["fund_exhausted"] and s["cum_fund_topups"] == 0
    assert s["fund_required"] == pytest.approx(6e6 - ts["fund_balance"].min(), rel=1e-9), (
        "no top-ups, no shortfall: the requirement is the deepest drawdown"
    )
    req = s["fund_required"]
    above = run(load_config("baseline", [*ONE_BANK, f"fund.initial={snap_above(req)}"]), 11)
    below = run(load_config("baseline", [*ONE_BANK, f"fund.initial={req - 1e4:.0f}"]), 11)
    assert not above.summary["fund_exhausted"], "a fund just above the requirement holds"
    assert below.summary["fund_exhausted"], "a fund just below it runs out on the same seed"
    assert above.summary["fund_required"] == pytest.approx(req), "claims do not depend on F"


def test_fixed_top_ups_in_a_run_match_the_time_series():
    cfg = load_config("baseline", [*ONE_BANK, "horizon.months=36", "fund.topup_rule=fixed",
                                   "fund.topup_amount=500000", "fund.initial=1500000"])  # fmt: skip
    res = run(cfg, 3)
    ts = res.timeseries
    claims = np.diff(ts["cum_fund_payouts"] + ts["cum_fund_shortfall"], prepend=0.0)
    rec = np.diff(ts["cum_fund_recoveries"], prepend=0.0)
    top = np.diff(ts["cum_fund_topups"], prepend=0.0)
    assert top.sum() == pytest.approx(2 * 500_000), "two yearly top-ups in 36 months"
    net = np.cumsum(rec - claims) + np.concatenate([[0.0], np.cumsum(top)[:-1]])
    assert res.summary["fund_required"] == pytest.approx(max(0.0, -net.min()))


def test_quantile_answer_is_the_smallest_lattice_fund_meeting_alpha():
    rng = np.random.default_rng(3)
    req = rng.lognormal(np.log(3e6), 0.4, 200)
    for alpha in (0.01, 0.05, 0.1, 0.3):
        q = quantile_answer(req, alpha)
        k = math.floor(200 * alpha)
        assert np.sum(req >= q["fund"]) <= k, "meets alpha on these replicates"
        assert np.sum(req >= q["fund"] - 1e4) > k, "one lattice step lower does not"


def test_order_statistic_interval_covers_the_true_quantile():
    """Coverage over 2,000 samples of n = 200 must be >= 95 % less 3 binomial sd (1.5 pts)."""
    rng = np.random.default_rng(5)
    true_q = np.exp(np.log(3e6) + 0.4 * 1.6448536269514722)  # 95 % quantile of the lognormal
    hits = 0
    for _ in range(2000):
        q = quantile_answer(rng.lognormal(np.log(3e6), 0.4, 200), 0.05)
        lo, hi = q["ci"]
        hits += lo - 1e4 <= true_q <= (hi if hi is not None else np.inf)
        assert q["ci_level"] >= 0.95
    assert hits / 2000 >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / 2000)


def test_restore_rule_in_a_run_a_fund_just_above_the_requirement_holds():
    # restored to the initial fund each January; a 1000x multiple so capacity never binds
    rules = [*ONE_BANK, "horizon.months=48", "fund.leverage=1000", "fund.topup_rule=restore"]
    base = run(load_config("baseline", rules), 12)
    req = base.summary["fund_required"]
    assert base.summary["cum_fund_topups"] > 0, "the fund was restored at least once"
    drawdown = 6e6 - base.timeseries["fund_balance"].min()  # month-end, after January top-ups
    assert drawdown <= req < base.summary["cum_fund_payouts"], (
        "at least the deepest month-end drawdown (a January claim comes before the top-up), "
        "and less than all claims, since the fund is restored each year"
    )
    above = run(load_config("baseline", [*rules, f"fund.initial={snap_above(req)}"]), 12)
    below = run(load_config("baseline", [*rules, f"fund.initial={req - 1e4:.0f}"]), 12)
    assert not above.summary["fund_exhausted"], "a fund just above the requirement holds"
    assert below.summary["fund_exhausted"], "a fund just below it runs out on the same seed"
    assert above.summary["fund_required"] == pytest.approx(req), "claims do not depend on F"
