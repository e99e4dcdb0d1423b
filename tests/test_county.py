"""The embedded synthetic county and the agents that stand for its actors."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from sim import build_model, load_config, run
from sim.banks import Bank
from sim.county import build_county
from sim.fund import FinanceOffice
from sim.households import Household
from sim.rng import Streams


def test_shangcai_defaults_and_structure():
    cfg = load_config("baseline")
    county = build_county(cfg, Streams(1)["county"])
    assert (county.n_townships, county.n_villages, county.n_households) == (26, 448, 53746)
    assert np.bincount(county.village_township, minlength=26).min() >= 1, (
        "every township has a village"
    )
    sizes = np.bincount(county.hh_village, minlength=448)
    assert sizes.min() >= cfg.county.min_village_households
    assert sizes.max() > 3 * np.median(sizes), "village sizes are skewed"
    banks = county.township_bank
    assert (np.diff(banks) >= 0).all() and set(banks) == {0, 1, 2, 3}, (
        "4 banks, contiguous township blocks"
    )
    assert county.village_health_shock.sum() == 22
    none_shock = (county.hh_labour == 2)[county.village_health_shock[county.hh_village]].mean()
    none_else = (county.hh_labour == 2)[~county.village_health_shock[county.hh_village]].mean()
    assert none_shock > none_else + 0.1, "epidemic villages lack labour capacity more often"


def test_county_depends_on_seed_only():
    cfg = load_config("baseline", ["county=small"])
    lever = load_config("baseline", ["county=small", "fund.leverage=5", "breaker.enabled=false"])
    a, b = build_county(cfg, Streams(7)["county"]), build_county(lever, Streams(7)["county"])
    assert np.array_equal(a.hh_grade, b.hh_grade) and np.array_equal(a.hh_village, b.hh_village)


def test_agents_are_views_of_the_tables():
    model = build_model(load_config("baseline", ["county=small", "run.household_agents=true"]), 2)
    try:
        for _ in range(3):
            model.step()
        households = model.agents_by_type[Household]
        assert len(households) == 4000 and len(model.agents_by_type[Bank]) == 2
        assert [a.row for a in model.household_agents()] == list(range(4000))
        assert len(model.agents_by_type[Household]) == 4000, "asking again creates no more views"
        assert len(model.agents_by_type[FinanceOffice]) == 1
        row = int(np.flatnonzero(model.loans.active)[0])
        agent = model.household(row)
        assert agent.loan_balance == model.loans.balance[row] and agent.state == "performing"
        assert agent.grade == model.cfg.rating.grade_names[model.households.grade[row]]
    finally:
        getattr(mesa.Agent, "_ids", {}).pop(model, None)


def test_household_agents_are_views_only():
    eager = run(
        load_config("baseline", ["county=small", "horizon.months=24", "run.household_agents=true"]),
        5,
    )
    lazy = run(load_config("baseline", ["county=small", "horizon.months=24"]), 5)
    pd.testing.assert_frame_equal(eager.timeseries, lazy.timeseries)
    pd.testing.assert_frame_equal(eager.villages, lazy.villages)
    model = build_model(load_config("baseline", ["county=small"]), seed=5)
    try:
        assert model.agents_by_type.get(Household) is None, "no household agents up front"
        agent = model.household(7)
        assert model.household(7) is agent and agent.row == 7, "a view is created once, on demand"
        everyone = model.household_agents()
        assert len(everyone) == 4000 and list(everyone)[7] is agent, "all views, the old one kept"
    finally:
        getattr(mesa.Agent, "_ids", {}).pop(model, None)


def test_rating_and_publicity_ramps_reach_each_household_in_its_month_then_stop():
    from tests.conftest import SMALL

    model = build_model(load_config("baseline", list(SMALL)), seed=2)
    hh, c = model.households, model.county
    end = int(max(c.ti_rated.max(), c.ti_aware.max()))
    assert end > 0 and hh.rated.mean() < 1.0, "the ramps take time"
    for t in range(end + 3):
        hh.rate_and_inform(t)
        assert np.array_equal(hh.rated, hh.rated | (c.ti_rated <= t))
        assert np.array_equal(hh.grade[hh.rated], c.hh_grade[hh.rated])
        assert (hh.grade[~hh.rated] == -1).all()
        assert np.array_equal(hh.aware, hh.aware | (c.ti_aware <= t))
    assert hh.rated.all() and hh.aware.all()
    hh.grade[:] = -1  # later steps leave the columns alone
    hh.rate_and_inform(end + 5)
    assert (hh.grade == -1).all()
