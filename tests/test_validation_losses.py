"""Loss sharing is exact per bank, per guarantor and per month (§6, §10).

tests/test_books.py checks the county totals of a run to within a yuan. Here a stressed run is
stepped by hand, every claim is watched as it is paid, and after every month the ledger's flows
are compared with the sharing rule itself: the guarantor pays its share of each claim; the fund
pays its share from the deposits as far as the fund as a whole goes (the remainder is a recorded
shortfall); the bank keeps the rest on its book; write-offs are recovered ``loss.recovery_lag_months``
later in proportion to what each party was owed; the county refunds its own guarantor's payouts
from its compensation fund, and the provincial guarantor draws on the county's deposit with it.
Tolerance 10⁻³ yuan: the ledger's own (floating-point sums of up to ~10⁸ yuan).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from sim import build_model, load_config
from sim.fund import FinanceOffice
from sim.guarantors import guarantor_index

TOL = 1e-3  # yuan
STRESSED = [
    "county=small",
    "default.pd_annual=0.15",  # many losses ...
    "fund.initial=1500000",  # ... on a small fund: it runs out at times
    "fund.topup_rule=restore",  # and is topped up each January
    "default.p_cure_monthly=0",  # no cures: every recovery comes from a write-off
    "loss.writeoff_dpd=420",
    "loss.recovery_rate=0.4",
    "loss.recovery_lag_months=6",
    "enterprise.roa_mean=0.02",  # enterprise defaults: the provincial guarantor pays too
    "guarantee.compensation_fund=300000",  # runs out: refunds stop
    "fund.provincial_deposit=2000000",
]
FLOWS = (
    "written_off",
    "guarantor_payout",
    "fund_payout",
    "fund_shortfall",
    "fund_topup",
    "fund_transfer_in",
    "fund_transfer_out",
    "recovery",
    "guarantor_recovery",
    "fund_recovery",
    "bank_recovery",
    "guarantor_reimbursed",
    "reimbursement_shortfall",
    "provincial_deposit_payout",
)


@functools.cache
def stressed_history(seed: int = 5):
    """Per month: flows per bank, fund balance per bank, and the claims and write-offs made."""
    model = build_model(load_config("baseline", STRESSED), seed)
    n_banks = model.ledger.n_banks
    claims: list[dict] = []
    debts: list[np.ndarray] = []
    pay, write_off = FinanceOffice.pay_claims, FinanceOffice.write_off

    def watch_claims(office, book, idx, shares):
        before = book.balance[idx].copy()
        g = book.guarantor[idx]
        claims[-1]["fund"] += np.bincount(
            book.bank[idx], weights=shares.fund * before, minlength=n_banks
        )
        claims[-1]["guarantor"] += np.bincount(
            book.bank[idx], weights=shares.guarantor * before * (g >= 0), minlength=n_banks
        )
        for name in ("county", "provincial"):
            mine = g == guarantor_index(name)
            claims[-1][name] += float((shares.guarantor * before * mine).sum())
        pay(office, book, idx, shares)

    def watch_write_off(office, book, idx, t):
        debts[-1] += np.bincount(book.bank[idx], weights=book.debt(idx), minlength=n_banks)
        write_off(office, book, idx, t)

    month, fund = [], []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FinanceOffice, "pay_claims", watch_claims)
        mp.setattr(FinanceOffice, "write_off", watch_write_off)
        for _ in range(model.calendar.months):
            claims.append(
                {
                    "fund": np.zeros(n_banks),
                    "guarantor": np.zeros(n_banks),
                    "county": 0.0,
                    "provincial": 0.0,
                }
            )
            debts.append(np.zeros(n_banks))
            model.step()
            month.append({f: model.ledger.month[f].copy() for f in FLOWS})
            fund.append(model.ledger.fund_balance.copy())
    return model, month, np.array(fund), claims, np.array(debts)


def series(rows: list[dict], flow: str) -> np.ndarray:
    return np.array([r[flow] for r in rows])  # months x banks


def test_guarantor_pays_its_share_of_every_claim_at_every_bank():
    _, month, _, claims, _ = stressed_history()
    owed = np.array([c["guarantor"] for c in claims])
    gap = series(month, "guarantor_payout") - owed
    assert np.abs(gap).max() < TOL, f"guarantor payout = its share of each claim; gap {gap.max()}"
    assert owed.sum() > 0, "the test needs guaranteed claims"


def test_fund_pays_its_share_as_far_as_the_whole_fund_goes():
    _, month, fund, claims, _ = stressed_history()
    claim = np.array([c["fund"] for c in claims])
    payout = series(month, "fund_payout")
    # the deposits when claims are paid (phase 7): before this month's top-up (phase 8)
    available = fund.sum(axis=1) + payout.sum(axis=1) - series(month, "fund_topup").sum(axis=1)
    expected = np.minimum(claim.sum(axis=1), np.maximum(available, 0.0))
    assert np.abs(payout.sum(axis=1) - expected).max() < TOL, "min(claims, the whole fund)"
    short = series(month, "fund_shortfall")
    assert np.abs(short + payout - claim).max() < TOL, "per bank, the unpaid claim is a shortfall"
    full = claim.sum(axis=1) <= available + TOL
    assert np.abs(payout[full] - claim[full]).max() < TOL, (
        "while the fund as a whole has the money, every bank's claims are paid in full"
    )
    assert (~full & (claim.sum(axis=1) > 0)).any(), "some months the fund runs out (stress works)"
    assert (full & (claim.sum(axis=1) > 0)).any(), "and some months it pays in full"


def test_write_offs_are_recovered_after_the_lag_in_proportion_to_what_each_was_owed():
    model, month, _, _, debts = stressed_history()
    lag, rate = model.cfg.loss.recovery_lag_months, model.cfg.loss.recovery_rate
    got = series(month, "recovery")
    due = np.vstack([np.zeros((lag, got.shape[1])), rate * debts[:-lag]])
    assert np.abs(got - due).max() < TOL, "recovery = rate x debt written off lag months earlier"
    parts = sum(series(month, f) for f in ("guarantor_recovery", "fund_recovery", "bank_recovery"))
    assert np.abs(parts - got).max() < TOL, "the three shares add up to each recovery"
    assert series(month, "fund_recovery").sum() > 0, "the test needs recoveries to the fund"
    assert series(month, "bank_recovery").sum() > 0, "and to the banks"


def test_county_refunds_its_guarantor_until_its_fund_runs_out():
    model, month, _, claims, _ = stressed_history()
    share = model.cfg.guarantee.county_reimbursement_share
    owed = share * np.array([c["county"] for c in claims])
    paid = series(month, "guarantor_reimbursed").sum(axis=1)
    short = series(month, "reimbursement_shortfall").sum(axis=1)
    assert np.abs(paid + short - owed).max() < TOL, "refund + unpaid refund = share x payouts"
    assert paid.sum() == pytest.approx(model.cfg.guarantee.compensation_fund, abs=TOL), (
        "the stressed run uses up the whole compensation fund"
    )
    assert short.sum() > 0 and model.ledger.compensation_fund == pytest.approx(0.0, abs=TOL)
    refunded = model.ledger.cum_guarantor["guarantor_reimbursed"]
    assert refunded[guarantor_index("provincial")] == 0.0, "only the county's own guarantor"


def test_provincial_guarantor_draws_on_the_county_deposit_first():
    model, month, _, claims, _ = stressed_history()
    owed = np.array([c["provincial"] for c in claims])
    drawn = series(month, "provincial_deposit_payout").sum(axis=1)
    left = model.cfg.fund.provincial_deposit - np.concatenate([[0.0], np.cumsum(drawn)[:-1]])
    assert np.abs(drawn - np.minimum(owed, np.maximum(left, 0.0))).max() < TOL
    assert drawn.sum() > 0, "the test needs provincial payouts"
    cum = model.ledger.cum_guarantor["provincial_deposit_payout"]
    assert cum[guarantor_index("county")] == 0.0, "the deposit backs the provincial one only"
