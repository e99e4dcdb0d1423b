"""ShangcaiModel: keyword configuration, DataCollector series, batch_run, stopping, errors."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import ConfigError, ShangcaiModel, load_config, run
from sim.mesa_model import SERIES

SMALL = {"county": "small"}


def test_keywords_are_configuration_keys():
    m = ShangcaiModel(scenario="strict_breaker", seed=3, **SMALL, **{"fund.leverage": 8})
    assert m.cfg.fund.leverage == 8
    assert m.cfg.breaker.township_npl == 0.03, "the scenario's own change is kept"
    assert m.cfg.county.n_households == 4000
    assert m.seed == 3 and m.running


def test_collected_series_equal_the_runner_tables_on_the_same_seed():
    cfg = load_config("baseline", ["county=small", "horizon.months=18", "fund.leverage=8"])
    expected = run(cfg, seed=5).timeseries
    m = ShangcaiModel(seed=5, **SMALL, **{"horizon.months": 18, "fund.leverage": 8})
    steps = 0
    while m.running:
        m.step()
        steps += 1
    assert steps == 18 and m.t == 18, "the model stops at the end of the horizon"
    m.step()  # a step past the horizon does nothing
    assert m.t == 18 and len(m.recorder.rows) == 18
    got = m.datacollector.get_model_vars_dataframe()
    assert list(got["month"]) == list(expected["month"])
    pd.testing.assert_frame_equal(
        got[list(SERIES)].reset_index(drop=True),
        expected[list(SERIES)].reset_index(drop=True),
        check_dtype=False,
    )


def test_batch_run_returns_monthly_series_and_the_lever_acts():
    # seeds through run.seed: Mesa 3.5's batch_run overwrites a "seed" parameter with its own
    rows = mesa.batch_run(
        ShangcaiModel,
        parameters={"fund.leverage": [5, 10], "county": "small", "run.seed": [1, 2]},
        iterations=1,
        max_steps=12,
        data_collection_period=1,
        display_progress=False,
    )
    data = pd.DataFrame(rows)
    assert set(data["fund.leverage"]) == {5, 10} and set(data["seed"]) == {1, 2}
    assert (data["seed"] == data["run.seed"]).all()
    per_run = data.groupby("RunId")["t"].agg(["min", "max", "count"])
    # Mesa 3.3 runs max_steps + 1 steps, Mesa 3.5 max_steps: month t is the row's month either way
    assert (per_run["min"] == 0).all() and per_run["max"].isin([11, 12]).all()
    assert (per_run["count"] == per_run["max"] + 1).all(), "one row a month, none missing"
    final = data[data["t"] == 11].set_index(["seed", "fund.leverage"])
    for seed in (1, 2):  # common random numbers: only the leverage differs
        low, high = final.loc[(seed, 5)], final.loc[(seed, 10)]
        assert low["lending_capacity"] < high["lending_capacity"]
        assert low["household_loan_rate"] <= high["household_loan_rate"]
        assert low["n_blocked_capacity"] >= high["n_blocked_capacity"]


def test_without_a_seed_each_model_draws_and_records_its_own():
    a, b = (ShangcaiModel(**SMALL, **{"horizon.months": 3}) for _ in range(2))
    assert a.seed != b.seed
    for m in (a, b):
        while m.running:
            m.step()
    again = ShangcaiModel(seed=a.seed, **SMALL, **{"horizon.months": 3})
    while again.running:
        again.step()
    assert again.datacollector.get_model_vars_dataframe().equals(
        a.datacollector.get_model_vars_dataframe()
    ), "the recorded seed repeats the run exactly"
    given = ShangcaiModel(**SMALL, **{"run.seed": 7})
    assert given.seed == 7, "run.seed is used when no seed is passed"
    assert ShangcaiModel(rng=np.random.SeedSequence(4), **SMALL).seed.entropy == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fund.levrage": 8}, r"^fund\.levrage: unknown key"),
        ({"fund.leverage": -1}, r"^fund\.leverage=-1"),
        ({"fund.leverage": "ten"}, r"^fund\.leverage:"),
        ({"scenario": "no_such"}, r"^scenario=no_such: no such file"),
        ({"county": "huge"}, r"^county=huge: no such option"),
        ({"seed": -2}, r"^seed=-2"),
        ({"seed": 1.5}, r"^seed=1\.5"),
    ],
)
def test_bad_keywords_raise_the_cli_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        ShangcaiModel(**kwargs)
