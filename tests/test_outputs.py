"""The declared output schema (sim/outputs.py) is what the model writes and analysis reads."""

from __future__ import annotations

import pytest

from analysis.kinds import kind
from analysis.labels import LABELS
from sim import load_config, run
from sim.outputs import FISCAL_COST_FLOWS, KINDS, SUMMARY, TIMESERIES, names
from sim.recorder import Recorder


def test_monthly_table_is_exactly_the_declared_columns_in_order():
    ts = run(load_config("baseline", ["county=small", "horizon.months=3"]), seed=1).timeseries
    assert tuple(ts.columns) == names(), "timeseries.parquet follows sim/outputs.py"


def test_declarations_are_well_formed_and_labelled():
    for c in TIMESERIES:
        assert c.kind in KINDS, f"{c.name}: kind {c.kind}"
        assert c.description, f"{c.name}: describe it"
        assert c.name in LABELS, f"{c.name}: analysis/labels.py must label it (zh, en)"
        if c.unit == "yuan":
            assert kind(c.name) == "money", f"{c.name}: yuan columns are money to analysis"
        if c.name.startswith("cum_"):
            assert c.kind == "cum", f"{c.name}: cum_* is a running total"
        if c.name.startswith("new_"):
            assert c.kind == "flow", f"{c.name}: new_* is a flow of the month"


def test_an_undeclared_column_is_refused(monkeypatch):
    original = Recorder._class_balances

    def extra(self, *args):
        return {**original(self, *args), "balance_mystery": 1.0}

    monkeypatch.setattr(Recorder, "_class_balances", extra)
    with pytest.raises(KeyError, match="declare them in sim/outputs.py"):
        run(load_config("baseline", ["county=small", "horizon.months=1"]), seed=1)


def test_fiscal_cost_has_one_definition():
    res = run(load_config("baseline", ["county=small", "horizon.months=24"]), seed=2)
    last = res.timeseries.iloc[-1]
    column_of = {
        "interest_subsidy": "cum_interest_subsidy",
        "enterprise_interest_subsidy": "cum_enterprise_interest_subsidy",
        "guarantee_fee_subsidy": "cum_guarantee_fee_subsidy",
        "guarantor_reimbursed": "cum_guarantor_reimbursed",
        "provincial_deposit_payout": "cum_provincial_deposit_payouts",
        "fund_payout": "cum_fund_payouts",
        "fund_recovery": "cum_fund_recoveries",
    }
    assert set(column_of) == {flow for flow, _ in FISCAL_COST_FLOWS}
    total = sum(sign * last[column_of[flow]] for flow, sign in FISCAL_COST_FLOWS)
    assert total == pytest.approx(last["cum_fiscal_cost"], abs=1.0)
    assert res.summary["cum_fiscal_cost"] == pytest.approx(last["cum_fiscal_cost"])


def test_summary_keys_are_the_declared_ones_and_labelled():
    res = run(load_config("baseline", ["county=small", "horizon.months=3"]), seed=1)
    assert set(res.summary) == {c.name for c in SUMMARY}, "summary.json follows sim/outputs.py"
    for c in SUMMARY:
        assert c.kind in KINDS and c.description, c.name
        assert c.name in LABELS, f"{c.name}: analysis/labels.py must label it (zh, en)"
        if c.unit == "yuan":
            assert kind(c.name) == "money", c.name
        if c.unit == "flag":
            assert kind(c.name) == "flag", c.name


def test_an_undeclared_summary_key_is_refused(monkeypatch):
    import sim.runner

    original = sim.runner.poverty_summary
    monkeypatch.setattr(
        sim.runner, "poverty_summary", lambda *a: {**original(*a), "mystery_rate": 0.5}
    )
    with pytest.raises(KeyError, match="declare them in sim/outputs.py"):
        run(load_config("baseline", ["county=small", "horizon.months=1"]), seed=1)
