"""Ensembles of accepted parameter sets: the file, and experiments that draw from it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim import load_config
from sim.config import ROOT, ConfigError
from sim.ensemble import Ensemble, apply_values, draw_index, get_value, load
from sim.experiments import run_replicates
from sim.experiments.__main__ import main as exp_main
from sim.experiments.folder import replicate_dir

FAST = ["county=small", "horizon.months=12"]
PARAMS = [
    "uptake.hazard_monthly_campaign",
    "income.base_per_person[1]",
    "uptake.reapply_wait_months",
]


def ensemble() -> Ensemble:
    # set 0 stops new campaign loans altogether; the others lend briskly
    sets = [
        {PARAMS[0]: 0.0, PARAMS[1]: 3000.0, PARAMS[2]: 6},
        {PARAMS[0]: 0.10, PARAMS[1]: 4500.5, PARAMS[2]: 4},
        {PARAMS[0]: 0.12, PARAMS[1]: 5200.25, PARAMS[2]: 3},
    ]
    return Ensemble(PARAMS, sets, [0.0, 0.1, 0.2], {"method": "test"})


def test_the_file_round_trips(tmp_path):
    ens = ensemble()
    path = ens.save(tmp_path / "sub" / "ens.json")
    back = load(path)
    assert back.parameters == ens.parameters and back.sets == ens.sets
    assert back.distances == ens.distances and back.meta == ens.meta
    assert back.digest() == ens.digest()
    data = json.loads(path.read_text())
    assert data["central"][PARAMS[0]] == 0.10, "central value = median of the accepted sets"
    assert not list(path.parent.glob(".ens.json.*")), "no temporary file left"
    assert path.stat().st_mode & 0o044 == 0o044, "readable by others"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("not json", "not a readable JSON"),
        ({"format": "other"}, "not an ensemble file"),
        ({"format": "shangcai-ensemble/1", "parameters": ["a.b"], "sets": []}, "accepted no"),
        (
            {"format": "shangcai-ensemble/1", "parameters": ["a.b"], "sets": [{"values": {}}]},
            "set 0",
        ),
    ],
)
def test_a_bad_file_is_refused_in_one_line(tmp_path, content, says):
    path = tmp_path / "e.json"
    if content is not None:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(ConfigError, match=says) as err:
        load(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_apply_sets_keys_and_list_elements_and_keeps_integers():
    cfg = {"uptake": {"hazard_monthly_campaign": 0.06, "reapply_wait_months": 6},
           "income": {"base_per_person": [6000.0, 4000.0, 1500.0]}}  # fmt: skip
    out = apply_values(cfg, ensemble().sets[1])
    assert out["income"]["base_per_person"] == [6000.0, 4500.5, 1500.0]
    assert out["uptake"]["reapply_wait_months"] == 4 and isinstance(
        out["uptake"]["reapply_wait_months"], int
    )
    assert cfg["income"]["base_per_person"][1] == 4000.0, "the original is not changed"
    assert get_value(out, PARAMS[1]) == 4500.5


def run(ens, jobs, out):
    return run_replicates(
        load_config("baseline", FAST), 6, 7, jobs=jobs, out=out, progress=False, ensemble=ens
    )


def test_experiment_draws_the_stated_sets_identically_on_1_and_2_workers(tmp_path):
    ens = ensemble()
    one, two = run(ens, 1, tmp_path / "one"), run(ens, 2, tmp_path / "two")
    pd.testing.assert_frame_equal(one, two)
    records = [json.loads(s) for s in one["seed"]]
    drawn = [draw_index(r, len(ens)) for r in records]
    assert one["ensemble_set"].tolist() == drawn, "the set of each replicate comes from its seed"
    assert len(set(drawn)) > 1, "the six replicates use more than one set"
    for i, k in enumerate(drawn):
        saved = json.loads(
            (replicate_dir(tmp_path / "one", "baseline", i) / "config.json").read_text()
        )
        for p in PARAMS:
            assert get_value(saved["config"], p) == ens.sets[k][p], (i, p)
    rec = json.loads((tmp_path / "one" / "experiment.json").read_text())
    assert rec["ensemble"]["set_per_replicate"] == drawn and rec["ensemble"]["sets"] == ens.sets
    # the drawn parameters act: set 0 (no campaign hazard) lends less than the others
    lent = one.set_index("ensemble_set")["total_new_lending"]
    if 0 in lent.index:
        assert lent.loc[[0]].max() < lent.drop(index=0).min()


def test_draw_is_a_function_of_the_seed_only():
    rec = [20190218, 3]
    assert draw_index(rec, 7) == draw_index(list(rec), 7)
    draws = [draw_index([20190218, i], 4) for i in range(400)]
    counts = np.bincount(draws, minlength=4)
    # uniform over the sets: each count is Binomial(400, 1/4), sd 8.7; 5 sd either side
    assert (np.abs(counts - 100) < 44).all(), counts


def test_cli_takes_an_ensemble_and_refuses_a_clash(tmp_path, capsys):
    path = ensemble().save(tmp_path / "ens.json")
    out = tmp_path / "exp"
    argv = ["replicates", "--n", "2", "--ensemble", str(path), "--out", str(out), "--no-progress"]
    assert exp_main([*argv, "county=small", "horizon.months=3"]) == 0
    summary = pd.read_parquet(out / "summary.parquet")
    assert "ensemble_set" in summary.columns
    clash = ["replicates", "--n", "2", "--ensemble", str(path), "--out", str(tmp_path / "x"),
             "--no-progress", "county=small", "horizon.months=3",
             "uptake.hazard_monthly_campaign=0.05"]  # fmt: skip
    assert exp_main(clash) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "uptake.hazard_monthly_campaign" in err[0], err
    assert not (tmp_path / "x").exists(), "no folder is left behind"


def test_cli_refuses_an_ensemble_with_a_value_out_of_range(tmp_path, capsys):
    data = json.loads((ROOT / "calibration" / "ensemble.json").read_text())
    for s in data["sets"]:
        s["values"]["uptake.initial_loan_share"] = 5.0
    path = tmp_path / "e3.json"
    path.write_text(json.dumps(data))
    out = tmp_path / "exe3"
    argv = ["replicates", "--n", "2", "--ensemble", str(path), "--out", str(out), "--no-progress"]
    assert exp_main([*argv, *FAST]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert str(path) in err[0] and "set 0" in err[0] and "uptake.initial_loan_share" in err[0]
    assert not out.exists(), "nothing is run or written"


@pytest.mark.parametrize("command", ["replicates", "compare", "size-fund"])
def test_every_set_is_checked_before_the_folder_is_made(tmp_path, command):
    from sim.experiments import compare, size_fund

    bad = ensemble()
    bad.sets[2] = {**bad.sets[2], PARAMS[0]: 1.5}  # a monthly hazard is a probability
    out = tmp_path / "exp"
    cfg = load_config("baseline", FAST)
    call = {
        "replicates": lambda: run_replicates(cfg, 1, 7, out=out, progress=False, ensemble=bad),
        "compare": lambda: compare(
            ["baseline", "leverage_8x"], 1, 7, out=out, progress=False, overrides=FAST, ensemble=bad
        ),  # fmt: skip
        "size-fund": lambda: size_fund(cfg, n=1, seed=7, out=out, progress=False, ensemble=bad),
    }[command]
    with pytest.raises(ConfigError) as err:
        call()
    text = str(err.value)
    assert "set 2" in text and PARAMS[0] in text and "\n" not in text, text
    assert not out.exists(), "the folder is not made for a refused ensemble"


def test_compare_runs_each_replicate_on_the_same_set_in_every_scenario(tmp_path):
    from sim.experiments import compare

    compare(["baseline", "leverage_8x"], 3, 11, jobs=1, out=tmp_path / "c", progress=False,
            overrides=["county=small", "horizon.months=3"], ensemble=ensemble())  # fmt: skip
    s = pd.read_parquet(tmp_path / "c" / "summary.parquet")
    by = s.pivot(index="replicate", columns="scenario", values="ensemble_set")
    assert (by["baseline"] == by["leverage_8x"]).all(), "paired replicates share their set"
