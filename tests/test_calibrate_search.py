"""The likelihood-free calibration: distances, acceptance, reproducibility, the command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim import load_config
from sim.calibrate_search import PRIORS, distances, main, search, targets
from sim.ensemble import load

TINY = ["county=small", "horizon.months=24"]


def test_distance_is_zero_inside_and_in_range_widths_outside():
    t = {x.key: x for x in targets()}["poor_2020"]  # range 0-2 %
    assert distances({"poor_2020": 0.01})["poor_2020"] == 0.0
    assert distances({"poor_2020": 0.03})["poor_2020"] == pytest.approx(0.5)
    assert "poor_2020" not in distances({"poor_2020": np.nan}), "unmeasured: skipped"
    assert t.hi == 0.02


def tiny(jobs, tolerance=1e9):
    cfg = load_config("baseline", TINY)
    return search(cfg, trials=4, reps=1, seed=5, jobs=jobs, batch=2, startup=2, tolerance=tolerance)


def test_tiny_search_is_identical_on_1_and_2_workers_and_stays_in_the_prior_box():
    (one, log1), (two, log2) = tiny(1), tiny(2)
    assert one.sets == two.sets and len(one) == 4, "every set accepted at a huge tolerance"
    assert json.dumps([r["metrics"] for r in log1]) == json.dumps([r["metrics"] for r in log2])
    for s in one.sets:
        for p in PRIORS:
            assert p.lo <= s[p.key] <= p.hi, p.key
    assert len({tuple(s.values()) for s in one.sets}) == 4, "distinct proposals"


def test_acceptance_rule_is_every_target_inside_its_widened_range():
    _, log = tiny(1, tolerance=0.25)
    for r in log:
        assert r["accepted"] == all(d <= 0.25 for d in r["distances"].values())
        assert r["worst"] == max(r["distances"].values())
    # the horizon reaches 2020, so the end-2020 targets are measured
    assert {"poor_2020", "loan_rate_2020", "mean_income_2020"} <= set(log[0]["distances"])


def test_command_writes_the_ensemble_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "ens.json"
    argv = ["--trials", "2", "--reps", "1", "--batch", "2", "--startup", "2",
            "--tolerance", "1e9", "--min-accepted", "1", "--out", str(out), *TINY]  # fmt: skip
    assert main(argv) == 0
    ens = load(out)
    assert len(ens) == 2 and ens.meta["trials"] == 2 and ens.meta["tolerance"] == 1e9
    before = out.read_text()
    assert main(argv) == 2, "an existing file is refused without --force"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--force" in err[0]
    assert out.read_text() == before
    strict = ["--tolerance", "0", "--min-accepted", "2", "--out", str(tmp_path / "none.json")]
    assert main([*argv[:8], *strict, *TINY]) == 1, "too few accepted: status 1"
    assert not (tmp_path / "none.json").exists(), "nothing written"
    assert not (tmp_path / "none.trials.csv").exists(), "not even the trials"
    assert json.loads(before)["format"] == "shangcai-ensemble/1"


def test_the_repository_ensemble_and_the_defaults_agree():
    from pathlib import Path

    from omegaconf import OmegaConf

    from sim.ensemble import get_value

    ens = load(Path(__file__).resolve().parents[1] / "calibration" / "ensemble.json")
    assert len(ens) >= 20 and ens.parameters == [p.key for p in PRIORS]
    box = {p.key: (p.lo, p.hi) for p in PRIORS}
    assert all(box[k][0] <= v <= box[k][1] for s in ens.sets for k, v in s.items())
    assert all(d <= ens.meta["tolerance"] for d in ens.distances), "only accepted sets"
    defaults = OmegaConf.to_container(load_config("baseline"), resolve=True)
    for key, central in ens.central().items():
        # defaults are the central values rounded to 3 significant figures or 10 yuan
        assert get_value(defaults, key) == pytest.approx(central, rel=0.005, abs=5), key
