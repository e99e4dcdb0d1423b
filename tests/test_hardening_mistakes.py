"""Tests that catch specific mistakes a change could make without any other test noticing.

Each test names the mistake it guards against: the breaker suspending at a ratio equal to its
line, a decision drawing from another decision's random stream, reversed credit-grade PD
multipliers, a bank's capacity from the whole fund, special-mention loans counted as NPL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import build_model, load_config
from sim.breaker import Breaker, ratio
from sim.loans import DOUBTFUL, NORMAL, SPECIAL_MENTION, SUBSTANDARD, LoanBook
from tests.conftest import SMALL, cached_run

# No enterprise loans and no opening book: the household loans set by hand are the whole book.
EMPTY_BOOK = (*SMALL, "enterprise.enabled=false", "uptake.initial_loan_share=0")


def _empty_model():
    model = build_model(load_config("baseline", list(EMPTY_BOOK)), seed=1)
    loans = model.loans
    assert not loans.active.any() and model.enterprise_loans.balance.sum() == 0, "empty book"
    return model


def _put_loan(model, row: int, balance: float, months_past_due: int) -> None:
    loans = model.loans
    loans.active[row] = True
    loans.balance[row] = balance
    loans.overdue[row] = months_past_due > 0
    loans.mpd[row] = months_past_due


def _two_households(model, village: int) -> tuple[int, int]:
    rows = np.flatnonzero(model.county.hh_village == village)
    return int(rows[0]), int(rows[1])


# -- breaker: suspend strictly above the line (§6 "超过") ------------------------------------
def test_breaker_unit_tie_is_not_suspended():
    """Mistake: ``>=`` for ``>``. Loans are whole thousands, so exact ties happen: 7,000/100,000."""
    county = type("C", (), {"n_villages": 3, "n_townships": 3})()
    county.village_township = np.arange(3)
    cfg = load_config("baseline", list(SMALL)).breaker
    breaker = Breaker(cfg, county)
    npl = np.array([7_000.0, 7_001.0, 6_999.0])
    bal = np.full(3, 100_000.0)
    v = ratio(npl, bal)
    assert v[0] == 0.07, "7,000 / 100,000 is exactly the village line"
    t = ratio(np.array([5_000.0, 5_001.0, 0.0]), bal)
    breaker.update(v, t)
    assert breaker.village_suspended.tolist() == [False, True, False], (
        "a village at exactly 7 % stays open; at 7,001 / 100,000 it is suspended"
    )
    assert breaker.township_suspended.tolist() == [False, True, False], (
        "a township at exactly 5 % stays open; above it, suspended"
    )


@pytest.mark.parametrize(("npl", "suspended"), [(7_000.0, False), (7_001.0, True)])
def test_breaker_in_the_model_tie_is_not_suspended(npl, suspended):
    """The same through the model's own NPL ratio: 93,000 performing + 7,000 non-performing."""
    model = _empty_model()
    village = 0
    a, b = _two_households(model, village)
    _put_loan(model, a, 100_000.0 - npl, 0)
    _put_loan(model, b, npl, 5)  # 150 days past due: substandard
    model.classify_and_break()
    assert model.breaker.village_suspended[village] == suspended, (
        f"village NPL ratio {npl / 100_000:.5f} against the 0.07 line: suspended={suspended}"
    )


def test_special_mention_is_not_npl():
    """Mistake: counting special-mention loans (overdue up to 90 days) as non-performing."""
    book = LoanBook(5, np.zeros(5, dtype=np.int64), np.zeros(5, dtype=np.int64))
    book.active[:] = True
    book.balance[:] = 10_000.0
    book.mpd[:] = [0, 1, 3, 4, 7]  # 0, 30, 90, 120, 210 days past due
    book.overdue[:] = book.mpd > 0
    classes = book.classify(90, 180, 360)
    assert classes.tolist() == [NORMAL, SPECIAL_MENTION, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL]
    assert book.non_performing(90).tolist() == [False, False, False, True, True], (
        "NPL = substandard or worse: more than 90 days past due"
    )
    # and in the model: a village whose only overdue loan is special mention is not suspended
    model = _empty_model()
    a, b = _two_households(model, 0)
    _put_loan(model, a, 10_000.0, 0)
    _put_loan(model, b, 10_000.0, 3)  # 90 days: special mention, half the village's balance
    model.classify_and_break()
    assert not model.breaker.village_suspended[0], "special mention does not count towards NPL"
    _put_loan(model, b, 10_000.0, 4)  # 120 days: substandard
    model.classify_and_break()
    assert model.breaker.village_suspended[0], "substandard does"


# -- lending capacity: each bank from its own deposit (§10) ---------------------------------
def test_bank_capacity_is_its_own_deposit_times_leverage():
    """Mistake: a bank's capacity from the whole fund instead of its own deposit."""
    cfg = load_config("baseline", [*SMALL, "fund.leverage=7"])
    model = build_model(cfg, seed=2)
    n = model.county.n_households
    bank_of = model.county.township_bank[model.county.hh_township]
    share = np.bincount(bank_of, minlength=cfg.county.n_banks) / n
    assert len(set(share.round(6))) > 1, "banks serve different numbers of households"
    balance = model.ledger.loan_balance
    for bank in model.banks:
        own = cfg.fund.initial * share[bank.index] * 7 - balance[bank.index]
        assert bank.lending_capacity() == pytest.approx(max(own, 0.0), abs=1e-6), (
            f"bank {bank.index}: its deposit (fund x its households' share) x leverage - its loans"
        )
    for _ in range(6):
        model.step()
    deposit = model.ledger.fund_balance
    for bank in model.banks:
        own = max(deposit[bank.index], 0) * 7 - model.ledger.loan_balance[bank.index]
        assert bank.lending_capacity() == pytest.approx(max(own, 0.0), abs=1e-6)


def test_each_bank_serves_its_queue_up_to_its_own_capacity():
    """Mistake: one bank's capacity spent on another's applicants, or the queue order lost."""
    from sim.banks import approve, lending_capacities

    model = build_model(load_config("baseline", list(SMALL)), seed=4)
    rng = np.random.default_rng(0)
    n_banks = model.ledger.n_banks
    capacity = lending_capacities(model)
    assert capacity == pytest.approx([b.lending_capacity() for b in model.banks])
    assert capacity.max() > 0
    k = 4000
    bank = rng.integers(0, n_banks, k)
    # each bank is asked for about twice what the best-placed bank can lend
    amount = np.ceil(capacity.max() * 2 / (k / n_banks) * rng.uniform(0.5, 1.5, k) / 1e3) * 1e3
    priority = rng.random(k)
    worthy, open_place = rng.random(k) < 0.9, rng.random(k) < 0.9
    approved, counts = approve(model, bank, amount, priority, worthy, open_place)
    assert not np.any(approved & ~(worthy & open_place)), "only candidates are approved"
    for b in range(n_banks):
        mine = np.flatnonzero((bank == b) & worthy & open_place)
        mine = mine[np.argsort(priority[mine])]
        served = np.cumsum(amount[mine]) <= capacity[b] + 1e-6
        assert served.sum() < len(mine), "the test needs banks that run out of capacity"
        assert (served.sum() > 0) == (capacity[b] >= amount[mine[0]]), "the first is served"
        assert approved[mine].tolist() == served.tolist(), f"bank {b}: served in its own order"
    assert counts["rejected_credit"] == k - worthy.sum()
    assert counts["blocked_suspended"] == (worthy & ~open_place).sum()
    assert counts["blocked_capacity"] == (worthy & open_place).sum() - approved.sum()


def _served_in_priority_order(bank, amount, priority, candidates, capacity):
    """Reference: each bank takes its candidates by priority while the running total fits."""
    approved = np.zeros(len(amount), dtype=bool)
    for b in range(len(capacity)):
        mine = np.flatnonzero((bank == b) & candidates)
        mine = mine[np.argsort(priority[mine], kind="stable")]
        approved[mine] = np.cumsum(amount[mine]) <= capacity[b] + 1e-6
    return approved


def test_banks_with_room_for_every_applicant_serve_all_and_the_others_queue():
    """Mistake: the shortcut for a bank whose applicants all fit also skips a bank that runs out."""
    from sim.banks import approve, fits_whole, lending_capacities

    model = build_model(load_config("baseline", list(SMALL)), seed=4)
    rng = np.random.default_rng(1)
    n_banks = model.ledger.n_banks
    capacity = lending_capacities(model)
    k = 3000
    bank = rng.integers(0, n_banks, k)
    amount = rng.integers(1, 60, k) * 1e3
    priority = rng.random(k)
    worthy, open_place = rng.random(k) < 0.9, np.ones(k, dtype=bool)
    asked = np.bincount(bank[worthy], weights=amount[worthy], minlength=n_banks)
    # every other bank, and any without capacity, is asked for more than it can lend; the
    # others for half of it
    short = (np.arange(n_banks) % 2 == 0) | (capacity <= 0)
    scale = np.where(short, 2.0 * capacity / asked, 0.5 * capacity / asked)
    amount = np.maximum(np.round(amount * scale[bank] / 1e3), 1) * 1e3
    asked = np.bincount(bank[worthy], weights=amount[worthy], minlength=n_banks)
    fits = fits_whole(asked, capacity, k)
    assert fits[~short].all() and not fits[short].any(), "the test needs both kinds of bank"
    approved, counts = approve(model, bank, amount, priority, worthy, open_place)
    reference = _served_in_priority_order(bank, amount, priority, worthy & open_place, capacity)
    assert np.array_equal(approved, reference)
    assert approved[worthy & ~short[bank]].all(), "a bank with room serves every candidate"
    assert counts["blocked_capacity"] == int((worthy & ~approved).sum())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1e9, allow_nan=False), min_size=1, max_size=60),
    st.floats(0.0, 2e10, allow_nan=False),
    st.randoms(use_true_random=False),
)
def test_amounts_that_fit_whole_fit_in_any_order(amounts, room, rnd):
    """Mistake: the whole-queue test passes a queue whose running total leaves the room."""
    from sim.banks import fits_whole

    a = np.array(amounts)
    rnd.shuffle(amounts)
    b = np.array(amounts)
    if a.sum() * (1 + 1e-12) <= room:  # clearly within the room: the shortcut must take it
        assert fits_whole(a.sum(), room, len(a))
    if fits_whole(a.sum(), room, len(a)):
        for order in (a, b, np.sort(a), np.sort(a)[::-1]):
            assert (np.cumsum(order) <= room + 1e-6).all()


def test_guarantor_admits_approved_loans_in_priority_order_when_its_room_runs_out():
    """Mistake: the guarantor's limit applied in row order instead of the banks' queue order."""
    from sim import lending

    model = build_model(load_config("baseline", list(SMALL)), seed=4)
    from sim.guarantors import guarantor_index

    g = model.guarantors[guarantor_index(model.cfg.guarantee.household_guarantor)]
    room = g.room()
    rng = np.random.default_rng(2)
    k = 400
    amount = np.full(k, np.ceil(room / (k / 2) / 1e3) * 1e3)  # room for about half of them
    priority = rng.random(k)
    approved = rng.random(k) < 0.8
    before = approved.copy()
    lending._guarantee_room(model, amount, priority, approved)
    queue = np.flatnonzero(before)
    queue = queue[np.argsort(priority[queue], kind="stable")]
    expected = np.zeros(k, dtype=bool)
    expected[queue] = np.cumsum(amount[queue]) <= room + 1e-6
    assert 0 < expected.sum() < before.sum(), "the test needs a guarantor that runs out"
    assert np.array_equal(approved, expected)
    assert model.month_counts["blocked_guarantee"] == before.sum() - expected.sum()


# -- credit grades: better grade, lower PD (§9) ---------------------------------------------
def test_pd_and_yearly_failure_rates_are_ordered_by_grade():
    """Mistake: grade PD multipliers applied in reverse (or to the wrong grade index)."""
    # no shared factors: the year's draws would move every rate together
    cfg = load_config(
        "baseline",
        [*SMALL, "default.rho_county=0", "default.rho_township=0", "default.rho_sector=0"],
    )
    model = build_model(cfg, seed=3)
    grade = model.county.hh_grade
    names = list(cfg.rating.grade_names)
    pd_by_grade = [model.defaults.pd[grade == g].mean() for g in range(len(names))]
    assert all(a < b for a, b in zip(pd_by_grade, pd_by_grade[1:], strict=False)), (
        f"mean PD must rise from {names[0]} to {names[-1]}: {np.round(pd_by_grade, 4)}"
    )
    # yearly failure rates of 40 simulated loan-years per household, by grade
    rng = np.random.default_rng(0)
    idx = np.arange(model.county.n_households)
    ones = np.ones(len(idx))
    failed = np.zeros(len(names))
    tried = np.zeros(len(names))
    for _ in range(40):
        fails, _ = model.defaults.fails(idx, 2019, rng.random(len(idx)), ones)
        failed += np.bincount(grade, weights=fails, minlength=len(names))
        tried += np.bincount(grade, minlength=len(names))
    rates = failed / tried
    # tolerance: the smallest gap between neighbouring grades' PDs is several binomial sd
    sd = np.sqrt(rates * (1 - rates) / tried)
    gaps = np.diff(rates)
    assert (gaps > 2 * np.sqrt(sd[1:] ** 2 + sd[:-1] ** 2)).all(), (
        f"failure rates must rise grade by grade (beyond 2 sd): {np.round(rates, 4)}"
    )
    assert np.allclose(rates, pd_by_grade, atol=4 * sd.max()), "rates match the PDs"


# -- random streams: a feature at vanishing strength changes nothing else ----------------------
def _tables(res) -> dict[str, pd.DataFrame]:
    return {"timeseries": res.timeseries, "villages": res.villages, "events": res.events}


@pytest.mark.parametrize(
    ("feature", "off"),
    [
        ("enterprise.leakage_share=1e-9", "enterprise.leakage_share=0"),
        ("default.p_wilful=1e-9", "default.p_wilful=0"),
    ],
)
def test_a_vanishing_feature_leaves_every_other_output_identical(feature, off):
    """Mistake: a decision drawing from another decision's stream (or drawing only when on).

    At strength 1e-9 the feature acts on no household in a small county, so if it draws from
    its own stream every output must be identical to the run without it.
    """
    base = (*SMALL, "horizon.months=36")
    with_feature = cached_run("baseline", (*base, feature), 4)
    without = cached_run("baseline", (*base, off), 4)
    for name, table in _tables(with_feature).items():
        pd.testing.assert_frame_equal(table, _tables(without)[name], obj=f"{name} ({feature})")
    assert with_feature.summary == without.summary
