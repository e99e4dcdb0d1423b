"""The books balance: loans, fund, interest and household states, every month."""

from __future__ import annotations

import numpy as np
import pytest

from sim import build_model, load_config
from sim.ledger import BooksError
from tests.conftest import SMALL, cached_run

STRESSED = (
    *SMALL,
    "default.pd_annual=0.15",
    "fund.initial=800000",
    "fund.topup_rule=restore",
    "subsidy.settlement_delay_quarters=2",
    "loss.recovery_rate=0.4",
    "loss.recovery_lag_months=6",
    "enterprise.roa_mean=0.02",
)


@pytest.fixture(scope="module", params=["baseline", "stressed"])
def result(request):
    overrides = SMALL if request.param == "baseline" else STRESSED
    return cached_run("baseline", overrides, 5)


def test_loan_balance_identity_every_month(result):
    ts = result.timeseries
    opening = result.summary["opening_loan_balance"]
    implied = opening + (ts["new_loan_amount"] - ts["principal_repaid"] - ts["new_losses"]).cumsum()
    gap = np.abs(implied - ts["loan_balance"]).max()
    assert gap < 1.0, f"disbursed - repaid - written off must equal the balance; gap {gap} yuan"


def test_fund_identity_every_month(result):
    ts = result.timeseries
    initial = result.config["fund"]["initial"]
    implied = initial + ts["cum_fund_topups"] - ts["cum_fund_payouts"] + ts["cum_fund_recoveries"]
    gap = np.abs(implied - ts["fund_balance"]).max()
    assert gap < 1.0, (
        f"opening + top-ups - payouts + recoveries must equal the fund; gap {gap} yuan"
    )
    assert (ts["fund_balance"] >= -1e-6).all(), "the fund can be exhausted but never negative"


def test_households_partition_into_states(result):
    ts = result.timeseries
    states = ["never_borrowed", "performing", "overdue", "non_performing", "closed", "written_off"]
    total = ts[[f"n_{s}" for s in states]].sum(axis=1)
    assert (total == ts["n_households"]).all(), "every household is in exactly one loan state"
    with_loan = ts[["n_performing", "n_overdue", "n_non_performing"]].sum(axis=1)
    assert (with_loan == ts["n_households_with_loan"]).all(), (
        "loan states match households with a loan"
    )


def test_village_panel_adds_up_to_county(result):
    v = result.villages.groupby("t")[["loan_balance", "npl_balance", "new_loans"]].sum()
    ts = result.timeseries.set_index("t")
    assert np.allclose(v["loan_balance"], ts["loan_balance"]), (
        "village balances sum to the county balance"
    )
    assert np.allclose(v["npl_balance"], ts["npl_balance"]), (
        "village NPL balances sum to the county NPL"
    )
    assert (v["new_loans"] == ts["new_loans"]).all(), "village new loans sum to the county's"


def test_losses_are_claims_paid_plus_write_offs(result):
    ts = result.timeseries
    parts = ts["cum_fund_payouts"] + ts["cum_guarantor_payouts"] + ts["cum_bank_losses"]
    assert np.abs(parts - ts["cum_losses"]).max() < 1.0, (
        "a loss leaves the bank's book as a claim paid by fund or guarantor or as a write-off"
    )
    assert ts["cum_losses"].iloc[-1] > 0, "the test needs losses"


def test_guarantor_books(result):
    ts = result.timeseries
    g = result.config["guarantee"]
    opening = g["provincial_net_assets"] + g["county_net_assets"]
    implied = (
        opening
        + ts["cum_guarantee_fees"]
        + ts["cum_guarantor_reimbursed"]
        + ts["cum_provincial_deposit_payouts"]
        + ts["cum_guarantor_recoveries"]
        - ts["cum_guarantor_payouts"]
    )
    assert np.abs(implied - ts["guarantor_net_assets"]).max() < 1.0, (
        "opening + fees + county refunds + deposit draws + recoveries - payouts = net assets"
    )
    deposit = result.config["fund"]["provincial_deposit"] - ts["cum_provincial_deposit_payouts"]
    assert np.abs(deposit - ts["provincial_deposit"]).max() < 1.0
    comp = result.config["guarantee"]["compensation_fund"] - ts["cum_guarantor_reimbursed"]
    assert np.abs(comp - ts["compensation_fund"]).max() < 1.0
    assert (ts[["provincial_deposit", "compensation_fund"]] >= -1e-6).all().all()


def test_channels_add_up(result):
    ts = result.timeseries
    both = ts["loan_balance_household_channel"] + ts["loan_balance_enterprise_channel"]
    assert np.abs(both - ts["loan_balance"]).max() < 1.0, (
        "household + enterprise channel = loan balance"
    )
    losses = ts["cum_losses_household_channel"] + ts["cum_losses_enterprise_channel"]
    assert np.abs(losses - ts["cum_losses"]).max() < 1.0, "losses by channel add up"
    budget = (
        ts["cum_interest_subsidy"]
        + ts["cum_enterprise_interest_subsidy"]
        + ts["cum_guarantee_fee_subsidy"]
        + ts["cum_guarantor_reimbursed"]
        + ts["cum_provincial_deposit_payouts"]
        + ts["cum_fund_payouts"]
        - ts["cum_fund_recoveries"]
    )
    assert np.abs(budget - ts["cum_fiscal_cost"]).max() < 1.0, (
        "fiscal cost includes every budget line"
    )
    assert (
        ts["cum_guarantee_fee_subsidy"].iloc[-1] > 0
        and ts["cum_enterprise_interest_subsidy"].iloc[-1] > 0
    )


def test_stress_exhausts_the_fund_and_shows_it():
    res = cached_run("baseline", STRESSED, 5)
    assert res.summary["fund_exhausted"], "a 15 % PD on a 0.8 M fund must exhaust it"
    assert res.timeseries["cum_fund_shortfall"].iloc[-1] > 0, (
        "unpaid claims are recorded as a shortfall"
    )
    assert (res.events["event"] == "fund_exhausted").any(), "exhaustion is an event"
    assert res.timeseries["interest_arrears"].max() > 0, (
        "a two-quarter subsidy delay leaves arrears"
    )


def test_corrupted_book_is_caught():
    model = build_model(load_config("baseline", list(SMALL)), seed=1)
    model.step()
    row = int(np.flatnonzero(model.loans.active)[0])
    model.loans.balance[row] += 1000.0  # money from nowhere
    with pytest.raises(BooksError, match="loan balance"):
        model.check_books()


def test_ledger_sums_flows_per_bank_and_guarantor_and_refuses_bad_postings():
    from sim.ledger import Ledger

    ledger = Ledger(3, np.zeros(3), np.zeros(3), np.zeros(2))
    ledger.post("recovery", np.array([0, 2, 2]), np.array([1.0, 2.0, 3.0]))
    ledger.post("recovery", 1, 4.0)
    assert ledger.cum["recovery"].tolist() == [1.0, 4.0, 5.0]
    # a loan without a guarantor (-1) may take part with a zero amount only
    ledger.post(
        "guarantor_recovery",
        np.array([0, 1, 2]),
        np.array([2.0, 0.0, 3.0]),
        guarantor=np.array([1, -1, 0]),
    )
    assert ledger.cum_guarantor["guarantor_recovery"].tolist() == [3.0, 2.0]
    assert ledger.month["guarantor_recovery"].tolist() == [2.0, 0.0, 3.0]
    with pytest.raises(BooksError, match="without a guarantor"):
        ledger.post("guarantor_recovery", np.array([0]), np.array([1.0]), guarantor=np.array([-1]))
    with pytest.raises(BooksError, match="negative"):
        ledger.post("recovery", np.array([0, 1]), np.array([1.0, -5.0]))
    with pytest.raises(BooksError, match="negative"):
        ledger.post_totals("recovery", np.array([0.0, -1.0, 0.0]))
    with pytest.raises(KeyError):
        ledger.post("guarantor_recovery", np.array([0]), np.array([1.0]))
    with pytest.raises(KeyError):
        ledger.post("no_such_flow", np.array([0]), np.array([1.0]))
    assert ledger.cum["recovery"].tolist() == [1.0, 4.0, 5.0], "refused postings leave no trace"


def test_per_bank_sums_of_a_subset_of_slots_match_a_weighted_count():
    from sim.loans import LoanBook
    from sim.segments import Segments

    rng = np.random.default_rng(3)
    bank = np.repeat(np.arange(5), [4, 0, 7, 1, 6])  # slots stored bank by bank, bank 1 empty
    book = LoanBook(len(bank), bank, np.zeros(len(bank), dtype=np.int64), Segments(bank, 5))
    for idx in (np.flatnonzero(rng.random(len(bank)) < 0.5), np.array([4, 5, 6]), np.arange(18)):
        values = rng.random(len(idx))
        got = book.sum_rows_by_bank(idx, values, 5)
        want = np.bincount(bank[idx], weights=values, minlength=5)
        assert np.allclose(got, want, rtol=1e-15, atol=0.0)
        assert (got[np.bincount(bank[idx], minlength=5) == 0] == 0.0).all()


def test_segment_sums_with_empty_groups_anywhere_equal_bincount():
    """Group sums are right whatever groups are empty, the last ones included."""
    from sim.segments import Segments

    rng = np.random.default_rng(3)
    for group, n_groups in (
        ([0, 0, 0, 0], 2),  # empty last group: the last row still counts for group 0
        ([1, 1, 3], 5),  # empty first, middle and last groups
        ([0, 1, 2], 3),
    ):
        group = np.asarray(group)
        values = rng.random(len(group))
        seg = Segments(group, n_groups)
        np.testing.assert_allclose(
            seg.sum(values), np.bincount(group, weights=values, minlength=n_groups), rtol=1e-12
        )
        flags = values > 0.5
        np.testing.assert_array_equal(
            seg.sum(flags), np.bincount(group, weights=flags, minlength=n_groups)
        )
