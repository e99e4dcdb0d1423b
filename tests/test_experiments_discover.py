"""Scenario discovery: PRIM finds a planted box; township spells come from the events."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.charts_discovery import plot_discovery
from sim import load_config
from sim.experiments.discover import discover, longest_township_suspension
from sim.experiments.levers import Parameter

PLANTED = [
    Parameter("a", "uncertainty", 0.0, 1.0),
    Parameter("b", "uncertainty", 0.0, 10.0),
    Parameter("c", "uncertainty", 0.0, 1.0),
    Parameter("d", "uncertainty", 0.0, 1.0, "bool"),
]


def planted(a, b, c, d):
    """The outcome happens exactly when a > 0.6 and b < 3 (c and d are noise)."""
    return {"hit": bool(a > 0.6 and b < 3.0)}


def test_prim_finds_a_planted_box_through_discover(tmp_path):
    res = discover(model=planted, params=PLANTED, outcome="hit", points=800, seed=4, out=tmp_path)
    result = res["result"]
    assert result["n_cases"] == 800 and 0.08 < result["n_happened"] / 800 < 0.16, "base rate 12 %"
    box = result["boxes"][0]
    assert box["coverage"] >= 0.85 and box["density"] >= 0.9, box
    limits = box["limits"]
    assert set(limits) == {"a", "b"}, f"only the two planted inputs are restricted: {limits}"
    assert limits["a"][0] == pytest.approx(0.6, abs=0.05) and limits["a"][1] >= 0.95
    assert limits["b"][1] == pytest.approx(3.0, abs=0.4) and limits["b"][0] <= 0.5
    traj = pd.read_parquet(tmp_path / "discovery" / "trajectory.parquet")
    first = traj[traj["box"] == 0]
    assert first["coverage"].iloc[0] == 1.0 and first["density"].iloc[0] < 0.2, (
        "the trade-off curve starts from the whole sample"
    )
    assert first["chosen"].sum() == 1, "one step is the reported box"
    saved = json.loads((tmp_path / "discovery" / "discovery.json").read_text())
    assert saved["boxes"][0]["coverage"] == box["coverage"]
    assert len(pd.read_csv(tmp_path / "discovery" / "cases.csv")) == 800


def test_an_outcome_that_never_happens_gives_no_box(tmp_path):
    res = discover(model=lambda **_: {"hit": False}, params=PLANTED, outcome="hit", points=50,
                   seed=1, out=tmp_path)  # fmt: skip
    assert res["result"]["boxes"] == [] and "widen the ranges" in res["result"]["message"]


def test_longest_township_suspension_from_events():
    ev = pd.DataFrame(
        {
            "t": [3, 5, 9, 10, 20, 30],
            "event": [
                "suspension",
                "suspension",
                "resumption",
                "resumption",
                "suspension",
                "suspension",
            ],  # fmt: skip
            "level": ["township", "village", "township", "village", "township", "township"],
            "index": [0, 4, 0, 4, 1, 0],
        }
    )
    # township 0: months 3-9 (6), then from 30 to the end of 33 months (3); township 1: 20-33
    assert longest_township_suspension(ev, 33) == 13
    assert longest_township_suspension(ev, 24) == 6
    assert longest_township_suspension(ev.iloc[:0], 24) == 0


def test_discover_runs_the_model_and_charts_the_result(tmp_path):
    cfg = load_config("baseline", ["county=small", "horizon.months=12"])
    res = discover(cfg, 1, 3, outcome="fiscal_cost_above", params=["default.pd_annual",
                   "loss.recovery_rate"], points=12, out=tmp_path, progress=False)  # fmt: skip
    cases, result = res["cases"], res["result"]
    threshold = result["definition"]["threshold"]
    assert threshold == pytest.approx(np.quantile(cases["cum_fiscal_cost"], 0.8))
    assert (cases["happened"] == (cases["cum_fiscal_cost"] > threshold)).all()
    assert "longest_township_suspension" in cases.columns
    rep = tmp_path / "replicates" / cases["point"].iloc[0] / "rep_0000" / "events.parquet"
    assert rep.is_file(), "the events table is kept for the township spells"
    for lang in ("zh", "en"):
        fig = plot_discovery(res["trajectory"], res["boxes"], result, lang)
        assert fig.axes, "a chart"
