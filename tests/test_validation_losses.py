"""Loss sharing is exact per bank, per guarantor and per month (§6, §10).

tests/test_books.py checks the county totals of a run to within a yuan. Here a stressed run is
stepped by hand and, after every month and for every bank, the ledger's flows are compared with
the sharing rule itself: the guarantor pays its share first; the fund pays ``loss.fund_share`` of
the rest from that bank's deposit as far as it goes (the remainder is a recorded shortfall); the
bank bears what is left; recoveries come back ``loss.recovery_lag_months`` later in the same
shares; the county refunds its own guarantor's payouts at the agreed share. Tolerance 10⁻³ yuan:
the ledger's own (floating-point sums of up to ~10⁸ yuan).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from sim import build_model, load_config
from sim.guarantors import guarantor_index

TOL = 1e-3  # yuan
STRESSED = [
    "county=small",
    "default.pd_annual=0.15",  # many losses ...
    "fund.initial=1500000",  # ... on a small fund: some bank deposits run dry
    "fund.topup_rule=restore",  # and are topped up each January
    "loss.recovery_rate=0.4",
    "loss.recovery_lag_months=6",
    "enterprise.roa_mean=0.02",  # enterprise defaults: the provincial guarantor pays too
    "run.household_agents=false",
]
FLOWS = (
    "written_off",
    "guarantor_payout",
    "fund_payout",
    "fund_shortfall",
    "bank_loss",
    "fund_topup",
    "fund_transfer_in",
    "fund_transfer_out",
    "recovery",
    "guarantor_recovery",
    "fund_recovery",
    "bank_recovery",
)


@functools.cache
def stressed_history(seed: int = 5):
    """Per month: each flow of the month per bank, cumulative flows, fund balance per bank."""
    model = build_model(load_config("baseline", STRESSED), seed)
    for book in model.books():
        assert (book.guarantor[book.active] >= 0).all(), "every opening loan is guaranteed"
    month, cum, fund = [], [], []
    for _ in range(model.calendar.months):
        model.step()
        month.append({f: model.ledger.month[f].copy() for f in FLOWS})
        cum.append({f: model.ledger.cum[f].copy() for f in FLOWS})
        fund.append(model.ledger.fund_balance.copy())
    return model, month, cum, np.array(fund)


def series(rows: list[dict], flow: str) -> np.ndarray:
    return np.array([r[flow] for r in rows])  # months x banks


def test_guarantor_pays_its_share_first_every_month_at_every_bank():
    model, month, _, _ = stressed_history()
    share = model.cfg.guarantee.guarantor_loss_share
    gap = series(month, "guarantor_payout") - share * series(month, "written_off")
    assert np.abs(gap).max() < TOL, f"guarantor payout = {share} x write-offs; gap {gap.max()}"


def test_fund_pays_its_share_of_the_rest_as_far_as_the_deposit_goes():
    model, month, _, fund = stressed_history()
    rest = series(month, "written_off") - series(month, "guarantor_payout")
    claim = model.cfg.loss.fund_share * rest
    payout = series(month, "fund_payout")
    moves = series(month, "fund_topup") + series(month, "fund_transfer_in")
    before = fund + payout - moves + series(month, "fund_transfer_out")  # deposit at write-off
    expected = np.minimum(claim, np.maximum(before, 0.0))
    assert np.abs(payout - expected).max() < TOL, "fund pays min(share x rest, deposit)"
    shortfall = series(month, "fund_shortfall")
    assert np.abs(shortfall - (claim - payout)).max() < TOL, "the unpaid claim is a shortfall"
    bank = series(month, "bank_loss")
    assert np.abs(bank - (rest - payout)).max() < TOL, "the bank bears the remainder"
    assert ((claim > 0) & (payout > claim - TOL)).any(), "some months the fund pays in full"
    assert (payout < claim - 1.0).any(), "some months a deposit runs dry (the stress works)"


def test_recoveries_return_in_the_same_shares_after_the_lag():
    model, _, cum, _ = stressed_history()
    lag, rate = model.cfg.loss.recovery_lag_months, model.cfg.loss.recovery_rate
    pairs = {
        "recovery": "written_off",
        "guarantor_recovery": "guarantor_payout",
        "fund_recovery": "fund_payout",
        "bank_recovery": "bank_loss",
    }
    for back, out in pairs.items():
        got = series(cum, back)
        due = np.vstack([np.zeros((lag, got.shape[1])), rate * series(cum, out)[:-lag]])
        gap = np.abs(got - due).max()
        assert gap < TOL, f"cum {back} = {rate} x cum {out} {lag} months earlier; gap {gap}"
    assert series(cum, "fund_recovery")[-1].sum() > 0, "the test needs recoveries to the fund"


@pytest.mark.parametrize("name", ["county", "provincial"])
def test_each_guarantor_pays_for_its_own_loans_and_the_county_refunds_its_own(name):
    model, _, _, _ = stressed_history()
    g, ts = model.cfg.guarantee, model.recorder.rows[-1]
    index = guarantor_index(name)
    channel = "household" if g.household_guarantor == name else "enterprise"
    losses = ts[f"cum_losses_{channel}_channel"]
    paid = model.ledger.cum_guarantor["guarantor_payout"][index]
    assert paid == pytest.approx(g.guarantor_loss_share * losses, abs=TOL), (
        f"the {name} guarantor pays its share of {channel}-channel losses only"
    )
    refunded = model.ledger.cum_guarantor["guarantor_reimbursed"][index]
    share = g.county_reimbursement_share if name == "county" else 0.0
    assert refunded == pytest.approx(share * paid, abs=TOL), f"county refund to the {name} one"
    assert paid > 0, f"the test needs {channel}-channel losses"
