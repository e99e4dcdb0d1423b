"""Policy frontier: non-dominated settings and the configured policy's standing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.charts_frontier import plot_frontier
from sim import load_config
from sim.experiments.frontier import arrangements, frontier
from sim.experiments.levers import Parameter

LEVERS = [
    Parameter("x", "lever", 0.0, 1.0),
    Parameter("y", "lever", 0.0, 1.0),
    Parameter("s", "lever", 0, 1, "bool"),
]


def toy(replicate, x, y, s):
    """Loan rate rises with x; exhaustion when x*y plus replicate noise is high; cost falls with y."""
    noise = (replicate % 3) * 0.05
    return {
        "final_household_loan_rate": x,
        "fund_exhausted": float(x * y + noise > 0.35),
        "cum_fiscal_cost": 1.0 - y + 0.5 * s,
    }


def scores(table):
    return np.column_stack(
        [
            -table["mean_final_household_loan_rate"],
            table["mean_fund_exhausted"],
            table["mean_cum_fiscal_cost"],
        ]
    ).astype(float)


def dominated_by_any(s, i):
    return any(np.all(s[j] <= s[i]) and np.any(s[j] < s[i]) for j in range(len(s)) if j != i)


@pytest.mark.parametrize("configured,dominated", [({"x": 0.2, "y": 0.2, "s": 1}, True),
                                                  ({"x": 1.0, "y": 1.0, "s": 0}, False)])  # fmt: skip
def test_frontier_is_non_dominated_and_marks_the_configured_policy(tmp_path, configured, dominated):
    res = frontier(model=toy, configured=configured, params=LEVERS, n=3, seed=2, population=10,
                   generations=3, out=tmp_path)  # fmt: skip
    table, result = res["candidates"], res["result"]
    assert len(table) == 1 + 10 * 3, "the configured policy and every setting proposed"
    s = scores(table)
    for i in range(len(table)):
        assert table["non_dominated"].iloc[i] == (not dominated_by_any(s, i)), table.iloc[i]
    assert len(res["frontier"]) == table["non_dominated"].sum() > 0
    conf = result["configured"]
    assert conf["dominated"] is dominated, conf
    i = int(np.flatnonzero(table["candidate"] == "configured")[0])
    for label in conf["dominated_by"]:
        j = int(np.flatnonzero(table["candidate"] == label)[0])
        assert np.all(s[j] <= s[i]) and np.any(s[j] < s[i]), f"{label} dominates the configured"
    assert bool(conf["dominated_by"]) is dominated
    saved = json.loads((tmp_path / "frontier" / "frontier.json").read_text())
    assert saved["configured"]["dominated"] is dominated
    ok = table["ci_low_fund_exhausted"] <= table["mean_fund_exhausted"]
    assert ok.all() and (table["mean_fund_exhausted"] <= table["ci_high_fund_exhausted"]).all()
    for lang in ("zh", "en"):
        assert plot_frontier(table, result, lang).axes


def test_frontier_on_the_model_uses_common_seeds(tmp_path):
    cfg = load_config("baseline", ["county=small", "horizon.months=12"])
    res = frontier(cfg, 2, 5, params=["fund.leverage", "maturity.extension_enabled"],
                   population=3, generations=1, out=tmp_path, progress=False)  # fmt: skip
    table = res["candidates"]
    assert len(table) == 4
    conf = table[table["candidate"] == "configured"].iloc[0]
    assert conf["fund.leverage"] == 10 and conf["n"] == 2
    summary = __import__("pandas").read_parquet(tmp_path / "summary.parquet")
    seeds = summary.groupby("scenario")["seed"].apply(tuple)
    assert seeds.nunique() == 1, "every setting ran on the same replicate seeds"


def test_frontier_searches_the_loss_sharing_arrangement(tmp_path):
    cfg = load_config("baseline", ["county=small", "horizon.months=12"])
    res = frontier(cfg, 1, 7, params=["fund.leverage", "sharing"], population=6, generations=1,
                   out=tmp_path, progress=False)  # fmt: skip
    table = res["candidates"]
    assert table.loc[table["candidate"] == "configured", "sharing"].iloc[0] == "shangcai"
    tried = set(table["sharing"])
    assert len(tried) > 1 and tried <= set(arrangements()), f"arrangements sampled: {tried}"
    assert "sharing" in res["result"]["levers"]
