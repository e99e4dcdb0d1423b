"""Command line: bad input gives one line and status 2; good input writes the layout."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.experiments.cli import main

FAST = ["county=small", "horizon.months=6"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["replicates", "--n", "0", *FAST], "n=0"),
        (["replicates", "fund.levrage=8", *FAST], "fund.levrage"),
        (["replicates", "scenario=nope", *FAST], "scenario=nope"),
        (["replicates", "--backend", "ray"], "invalid choice"),
        (["replicates", "--scheduler", "tcp://x:1", *FAST], "backend='dask'"),
        (["replicates", "--tables", "village", *FAST], "tables"),
        (["replicates", "baseline", *FAST], "KEY=VALUE"),
        (["compare", "--variant", "novalue", *FAST], "--variant"),
        (["size-fund", "--alpha", "1.5", *FAST], "alpha=1.5"),
        (["size-fund", "--seed", "4", "--check-seed", "4", *FAST], "check_seed=4"),
        (["sensitivity", "--params", "fund.nope", *FAST], "fund.nope"),
        (["sensitivity", "--method", "sobol", "--sobol-n", "10", *FAST], "power of 2"),
        (["sensitivity", "--range", "fund.leverage=5", *FAST], "--range"),
        (["size-fund", "--grid", "1e6,lots", *FAST], "--grid"),
        (["discover", "--points", "5", *FAST], "points=5"),
        (["discover", "--params", "fund.nope", *FAST], "fund.nope"),
        (["discover", "--outcome", "fund_exausted", *FAST], "fund_exausted"),
        (["discover", "--peel-alpha", "0.7", *FAST], "peel_alpha=0.7"),
        (["frontier", "--population", "1", *FAST], "population=1"),
        (["frontier", "--params", "fund.nope", *FAST], "fund.nope"),
        (["size-fund", "--method", "quick", *FAST], "invalid choice"),
        (["size-fund", "--check-n", "0", *FAST], "--check-n"),
        (["size-fund", "--check-n", "-5", *FAST], "--check-n"),
        (["compare", "baseline", "baseline", *FAST], "'baseline' is given twice"),
        (
            ["compare", "baseline", "--variant", "baseline=baseline fund.leverage=8", *FAST],
            "'baseline' is given twice",
        ),  # fmt: skip
        (
            ["discover", "--outcome", "fiscal_cost_above", "--threshold", "nan", *FAST],
            "--threshold",
        ),  # fmt: skip
        (["discover", "--threshold", "inf", *FAST], "--threshold"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, says, capsys, tmp_path):
    out = tmp_path / "exp"
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main([*argv, "--out", str(out)] if argv[0] != "frobnicate" else argv))
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, f"bad input must exit 2: {argv} -> {exit_info.value.code}"
    assert len(err.strip().splitlines()) == 1, f"one line, got:\n{err}"
    assert says in err and err.startswith("error: "), f"the message must name the problem: {err}"
    assert list(tmp_path.iterdir()) == [], "nothing is written on bad input, not even the folder"


@pytest.mark.parametrize(
    "argv",
    [
        ["replicates", "--n", "2"],
        ["compare", "baseline", "--variant", "lev8=baseline fund.leverage=8", "--n", "2"],
        ["discover", "--points", "10"],
    ],
    ids=["replicates", "compare", "discover"],
)
def test_every_replicate_failing_ends_in_one_line(argv, tmp_path, capsys, monkeypatch):
    from sim.experiments import worker

    def broken(*args, **kwargs):
        raise FloatingPointError("injected failure")

    monkeypatch.setattr(worker, "run", broken)
    out = tmp_path / "exp"
    code = main([*argv, "--out", str(out), "--no-progress", *FAST])
    err = capsys.readouterr().err
    assert code == 2, f"no replicate finished: exit 2, got {code}: {err}"
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "every" in err and "failed" in err and str(out / "failures.json") in err, err
    failures = json.loads((out / "failures.json").read_text())
    assert failures and all("injected failure" in f["error"] for f in failures), (
        "the folder keeps the failures, so that re-running retries them"
    )


def test_replicates_command_writes_the_experiment(tmp_path, capsys):
    out = tmp_path / "exp"
    argv = ["replicates", "--n", "2", "--seed", "5", "--out", str(out), "--no-progress", *FAST]
    assert main(argv) == 0, capsys.readouterr().err
    assert f"experiment folder: {out}" in capsys.readouterr().out, "the folder is printed"
    exp = json.loads((out / "experiment.json").read_text())
    assert exp["root_seed"] == 5 and exp["n_replicates"] == 2, "the options were used"
    assert exp["scenarios"]["baseline"]["overrides"][:2] == FAST, "overrides recorded as given"
    assert len(pd.read_parquet(out / "summary.parquet")) == 2, "one row per replicate"


def test_compare_command_with_a_variant(tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = [
        "compare",
        "baseline",
        "--variant",
        "lev5=baseline fund.leverage=5",
        "--n",
        "2",
        "--out",
        str(out),
        "--no-progress",
        "--jobs",
        "2",
        *FAST,
    ]
    assert main(argv) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "Only 2 replicate pair(s)" in printed and "--n 3" in printed, (
        f"two pairs: the interval columns are flagged as meaningless: {printed}"
    )
    table = pd.read_csv(out / "comparison.csv")
    assert table["scenario"].unique().tolist() == ["baseline", "lev5"], "baseline, then variant"
    exp = json.loads((out / "experiment.json").read_text())
    assert exp["scenarios"]["lev5"]["config"]["fund"]["leverage"] == 5, "variant override applied"
    assert exp["scenarios"]["lev5"]["config"]["county"]["n_households"] == 4000, "common too"
