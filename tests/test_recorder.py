"""The month-end recorder reads the model's state: its shortcuts equal the full sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import load_config
from sim.households import STATE_NAMES
from sim.runner import _collect, build_model


@pytest.mark.parametrize(
    "overrides",
    [
        ["county=small"],
        [
            "county=small",
            "default.pd_annual=0.15",
            "guarantee.household_guarantor=none",
            "sharing=nanao_80_20",
        ],
    ],
)
def test_monthly_row_and_village_panel_equal_sums_over_the_full_state(overrides):
    model = build_model(load_config("baseline", overrides), seed=3)
    c, hh, loans, ent, led = (
        model.county,
        model.households,
        model.loans,
        model.enterprise_loans,
        model.ledger,
    )
    rec = model.recorder
    first_borrowers = 0
    for _ in range(30):
        model.step()
        t = model.t - 1  # the month just recorded
        row = rec.rows[-1]
        new = loans.active & (loans.ti_start == t)
        assert np.array_equal(rec.village_new_loans[t], c.village_sum(new))
        assert np.array_equal(rec.village_new_amount[t], c.village_sum(loans.principal * new))
        assert np.array_equal(rec.village_borrowers[t], c.village_sum(hh.ever_borrowed))
        assert np.array_equal(rec.village_rated[t], c.village_sum(hh.rated))
        assert rec.village_borrowers[t].sum() == row["cum_borrower_households"]
        first_borrowers += row["new_borrower_households"]
        guaranteed = (loans.balance * (loans.guarantor >= 0)).sum() + (
            ent.balance * (ent.guarantor >= 0)
        ).sum()
        assert row["guarantor_outstanding"] == float(guaranteed)
        capacity = sum(b.lending_capacity() for b in model.banks)
        assert row["lending_capacity"] == float(capacity)
        for flow in led.cum:
            assert led.totals()[flow] == led.total(flow)
            assert led.totals(month=True)[flow] == led.total(flow, month=True)
        # the six loan states are the tally of HouseholdTable.states
        tally = np.bincount(
            hh.states(loans.active, loans.overdue, model.npl), minlength=len(STATE_NAMES)
        )
        assert [row[f"n_{name}"] for name in STATE_NAMES] == tally.tolist()
    assert rec.village_borrowers[29].sum() - rec.village_borrowers[0].sum() <= first_borrowers
    assert rec.village_new_loans[:30].sum() > 0, "the check covered months with new loans"


def test_state_counts_do_not_add_up_for_a_loan_without_a_borrower():
    model = build_model(load_config("baseline", ["county=small"]), seed=1)
    model.step()
    hh, loans = model.households, model.loans
    stray = np.flatnonzero(~hh.ever_borrowed)[0]
    active = loans.active.copy()
    active[stray] = True  # a loan nobody borrowed
    counts = hh.state_counts(active, loans.overdue, model.npl)
    assert sum(counts) == model.county.n_households + 1


def test_village_month_labels_keep_the_type_of_repeated_strings():
    model = build_model(load_config("baseline", ["county=small", "horizon.months=3"]), seed=1)
    for _ in range(3):
        model.step()
    villages = _collect(model, 1).villages
    months = [model.calendar.label(t) for t in range(3)]
    expected = pd.Series(np.repeat(months, model.county.n_villages), name="month")
    pd.testing.assert_series_equal(villages["month"], expected)
