"""Sensitivity analysis: declared levers, an inert control, Morris and Sobol indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import load_config, run
from sim.experiments import sensitivity
from sim.experiments.levers import DIRECTIONS, KINDS, OUTCOMES, PARAMETERS, parameters
from sim.experiments.spec import from_config, with_values

# 4 M yuan of fund: lending is capacity-bound, so the multiple (5x-20x) drives new lending.
BASE = ["county=small", "horizon.months=24", "fund.initial=4000000"]
PARAMS = ["default.pd_annual", "fund.leverage", "classification.loss_dpd"]
RANGES = {"default.pd_annual": (0.02, 0.15), "fund.leverage": (5.0, 20.0)}
OUTS = ["total_new_lending", "cum_losses", "peak_npl_ratio"]


def test_declarations_are_valid_on_the_baseline():
    base = from_config(load_config("baseline"))
    for p in PARAMETERS:
        assert p.kind in KINDS and p.dtype in ("float", "int", "bool"), f"{p.key}: kind/dtype"
        assert p.low < p.high, f"{p.key}: empty range"
        for value in (p.low, p.high):
            with_values(base, "check", {p.key: value})  # raises on an invalid value
    assert {p.kind for p in PARAMETERS} == set(KINDS), "levers, uncertainties and a control"
    assert all(o.direction in DIRECTIONS for o in OUTCOMES), "every outcome has a direction"


def test_declared_outcomes_are_reported_by_the_model():
    summary = run(load_config("baseline", ["county=small", "horizon.months=3"]), 1).summary
    missing = [o.key for o in OUTCOMES if o.key not in summary]
    assert not missing, f"levers.py declares outcomes the model does not report: {missing}"


def test_loss_class_threshold_is_inert():
    """Why the control is inert: the NPL ratio counts substandard, doubtful and loss alike
    and nothing else reads the class, so where 'loss' starts changes nothing but the split of
    the NPL balance between doubtful and loss, even in a run where loans go non-performing
    and the breaker fires."""
    stress = ["county=small", "horizon.months=36", "default.pd_annual=0.2"]
    a = run(load_config("baseline", [*stress, "classification.loss_dpd=270"]), 3)
    b = run(load_config("baseline", [*stress, "classification.loss_dpd=660"]), 3)
    assert a.summary["peak_npl_ratio"] > 0.05 and a.summary["n_suspension_events"] > 0, (
        "the check needs non-performing loans to mean anything"
    )
    split = ["balance_doubtful", "balance_loss"]
    assert (a.timeseries["balance_loss"] != b.timeseries["balance_loss"]).any(), "classes move"
    pd.testing.assert_series_equal(
        a.timeseries[split].sum(axis=1), b.timeseries[split].sum(axis=1), check_exact=False
    )
    pd.testing.assert_frame_equal(
        a.timeseries.drop(columns=split),
        b.timeseries.drop(columns=split),
        check_exact=True,
        obj="timeseries at loss_dpd 270 vs 660",
    )
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True, obj="events")


@pytest.fixture(scope="module")
def indices(tmp_path_factory):
    out = tmp_path_factory.mktemp("sa")
    cfg = load_config("baseline", BASE)
    tables = sensitivity(
        cfg,
        1,
        17,
        params=PARAMS,
        outcomes=OUTS,
        methods=("morris", "sobol"),
        ranges=RANGES,
        trajectories=8,
        sobol_n=16,
        jobs=2,
        out=out,
        progress=False,
    )
    return tables, out


def index(table, parameter, outcome, column):
    return table.set_index(["parameter", "outcome"]).loc[(parameter, outcome), column]


def test_morris_screens_out_the_inert_parameter_and_finds_the_driver(indices):
    morris = indices[0]["morris"]
    for o in OUTS:
        assert index(morris, "classification.loss_dpd", o, "mu_star") == 0, (
            f"an inert parameter has no elementary effect on {o} (common seeds: exactly 0)"
        )
    share = index(morris, "fund.leverage", "total_new_lending", "mu_star_share")
    assert share > 0.5, f"the multiple drives capacity-bound lending: share of mu* {share:.2f}"
    pd_share = index(morris, "default.pd_annual", "cum_losses", "mu_star_share")
    assert pd_share > 0.3, f"default risk drives losses: share of mu* {pd_share:.2f}"


def test_sobol_gives_the_inert_parameter_zero_and_the_driver_most(indices):
    sobol = indices[0]["sobol"]
    for o in OUTS:
        for col in ("S1", "ST"):
            v = index(sobol, "classification.loss_dpd", o, col)
            assert abs(v) < 1e-12, f"inert parameter: {col} for {o} must be 0, got {v}"
    st = index(sobol, "fund.leverage", "total_new_lending", "ST")
    assert st > 0.5, f"the multiple explains most of the variance of new lending: ST {st:.2f}"


def test_sensitivity_tables_are_written(indices):
    tables, out = indices
    for name in ("morris", "sobol", "points"):
        on_disk = pd.read_parquet(out / "sensitivity" / f"{name}.parquet")
        pd.testing.assert_frame_equal(on_disk, tables[name], obj=f"{name}.parquet")
        assert (out / "sensitivity" / f"{name}.csv").exists(), f"{name}.csv"
    points = tables["points"]
    assert len(points) == 8 * 4 + 16 * 5, "Morris r(D+1) + Sobol N(D+2) points"
    assert set(PARAMS + OUTS) <= set(points.columns), "inputs and outcomes per point"
    assert parameters(kind="inert")[0].key == "classification.loss_dpd", "the declared control"


def test_degenerate_outcomes_get_no_made_up_indices():
    from sim.experiments.sensitivity import analyse

    prob = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    flat = analyse("morris", prob, None, np.ones(6), 0, 4)
    assert (flat["mu_star"] == 0).all(), "a constant outcome has no elementary effects"
    flat = analyse("sobol", prob, None, np.ones(8), 0, 4)
    assert np.isnan(flat["ST"]).all(), "no variance to share out: Sobol indices undefined"
    gap = analyse("morris", prob, None, np.array([1.0, np.nan, 2.0, 3.0, 1.0, 2.0]), 0, 4)
    assert np.isnan(gap["mu_star"]).all(), "an outcome missing at some point gets NaN"
