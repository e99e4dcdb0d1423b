"""Bad input is refused in one line with exit status 2; nothing is written, nothing deleted.

Representative command-line cases run as subprocesses; the rest in-process. Each names the
key, file or folder in its message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import ConfigError, load_config, run
from sim.config import ROOT
from sim.experiments import compare, run_replicates
from sim.experiments.spec import ExperimentError
from sim.results import OUTPUTS_VAR, OutputError, atomic_folder, unique_folder
from tests.conftest import SMALL

FAST = [*SMALL, "horizon.months=3"]


def _cli(*args: str, cwd: Path = ROOT, code: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=300)


def _main(capsys, module: str, *args: str) -> subprocess.CompletedProcess:
    """Run a command's ``main`` in this process (fast); same exit code and stderr as the CLI."""
    import importlib

    main = importlib.import_module(module).main
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def _refused(proc: subprocess.CompletedProcess, names: str) -> None:
    assert proc.returncode == 2, f"exit 2 for bad input, got {proc.returncode}: {proc.stderr}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, f"one line: {proc.stderr!r}"
    assert names in lines[0], f"the message names {names!r}: {lines[0]}"


def _tree(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


# -- numbers ---------------------------------------------------------------------------------
def test_cli_refuses_bad_numbers_before_writing(tmp_path, capsys):
    out = tmp_path / "run"
    _refused(_cli("sim", *FAST, "fund.leverage=nan", f"run.out_dir={out}"), "fund.leverage")
    for override in ("run.seed=-1", "county.n_households=1000000000", "income.growth=-2"):
        proc = _main(capsys, "sim.__main__", *FAST, override, f"run.out_dir={out}")
        _refused(proc, override.split("=")[0])
    assert list(tmp_path.iterdir()) == [], "nothing written"


@pytest.mark.parametrize(
    "override",
    [
        "fund.initial=nan",
        "fund.initial=inf",
        "uptake.amount_step=inf",
        "guarantee.leverage_limit=nan",
        "poverty.exit_margin=nan",
        "income.growth=nan",
        "income.growth=-2",
        "rating.noise_sd=nan",
        "county.head_age_mean=nan",
        "uptake.p_willing=[0.7,nan]",
    ],
)
def test_non_finite_and_out_of_range_values_are_refused(override):
    key = override.split("=")[0]
    with pytest.raises(ConfigError) as info:
        load_config("baseline", [*SMALL, override])
    assert str(info.value).startswith(key), str(info.value)


def test_impossible_county_is_refused_before_allocating():
    with pytest.raises(ConfigError, match=r"^county\.n_households=1000000000: .*GiB"):
        load_config("baseline", ["county.n_households=1000000000"])


# -- scenario files --------------------------------------------------------------------------
@pytest.fixture
def scenario_dir(tmp_path, monkeypatch):
    import sim.config

    folder = tmp_path / "scenarios"
    shutil.copytree(sim.config.SCENARIO_DIR, folder)
    (folder / "broken.yaml").write_text("fund:\n  leverage: [8\n", encoding="utf-8")
    (folder / "listy.yaml").write_text("- fund.leverage=8\n", encoding="utf-8")
    (folder / "typo.yaml").write_text("fund:\n  levrage: 8\n", encoding="utf-8")
    monkeypatch.setattr(sim.config, "SCENARIO_DIR", folder)
    return folder


def test_a_broken_scenario_file_breaks_only_its_own_runs(scenario_dir):
    assert load_config("baseline", FAST).fund.leverage == 10, "other scenarios still load"
    with pytest.raises(ConfigError, match=r"^scenarios/broken\.yaml: not readable YAML"):
        load_config("broken", FAST)
    with pytest.raises(ConfigError, match=r"^scenarios/listy\.yaml: holds a list"):
        load_config("listy", FAST)
    with pytest.raises(ConfigError, match=r"^scenarios/typo\.yaml: fund\.levrage: unknown key"):
        load_config("typo", FAST)


def test_cli_reports_a_broken_scenario_file_in_one_line(scenario_dir, tmp_path, capsys):
    out = tmp_path / "run"
    proc = _main(capsys, "sim.__main__", "scenario=broken", *FAST, f"run.out_dir={out}")
    _refused(proc, "scenarios/broken.yaml")
    proc = _main(capsys, "sim.__main__", "scenario=typo", *FAST, f"run.out_dir={out}")
    _refused(proc, "fund.levrage")
    proc = _main(capsys, "sim.experiments.cli", "replicates", "scenario=listy", *FAST)
    _refused(proc, "scenarios/listy.yaml")
    assert not out.exists()


# -- output folders --------------------------------------------------------------------------
def test_out_dir_with_a_users_file_is_refused_and_kept(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    before = _tree(tmp_path)
    _refused(_cli("sim", *FAST, f"run.out_dir={tmp_path}"), str(tmp_path))
    assert _tree(tmp_path) == before, "the user's folder is untouched"


@pytest.mark.parametrize("case", ["file", "parent_is_file", "unwritable"])
def test_bad_out_dir_is_refused_before_the_simulation(tmp_path, case, capsys, monkeypatch):
    (tmp_path / "a_file").write_text("mine", encoding="utf-8")
    target = {
        "file": tmp_path / "a_file",
        "parent_is_file": tmp_path / "a_file" / "run",
        "unwritable": Path("/proc/no_such_place/run"),
    }[case]
    import sim

    def no_run(*args, **kwargs):
        raise AssertionError("the simulation must not start")

    monkeypatch.setattr(sim, "run", no_run)
    proc = _main(capsys, "sim.__main__", *FAST, f"run.out_dir={target}")
    _refused(proc, "run.out_dir")
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_dir_is_refused(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        _refused(
            _main(capsys, "sim.__main__", *FAST, f"run.out_dir={locked / 'run'}"), "run.out_dir"
        )
    finally:
        locked.chmod(0o755)


def test_save_never_replaces_a_folder_with_foreign_files(tmp_path):
    res = run(load_config("baseline", FAST), seed=1)
    res.save(tmp_path / "run")
    res.save(tmp_path / "run")  # a folder of run files only: replaced
    (tmp_path / "run" / "notes.txt").write_text("mine", encoding="utf-8")
    before = _tree(tmp_path)
    with pytest.raises(OutputError, match="notes.txt"):
        res.save(tmp_path / "run")
    with pytest.raises(OutputError, match="not a folder"):
        res.save(tmp_path / "run" / "notes.txt")
    assert _tree(tmp_path) == before, "nothing deleted or overwritten"
    with pytest.raises(OutputError), atomic_folder(tmp_path / "run", known=()) as tmp:
        (tmp / "x").write_text("x", encoding="utf-8")
    assert _tree(tmp_path) == before and not list(tmp_path.glob(".run.*")), "no temporaries left"


def test_default_run_folders_are_unique(tmp_path):
    first = unique_folder(tmp_path, "12-00-00_baseline")
    second = unique_folder(tmp_path, "12-00-00_baseline")
    assert first != second and first.is_dir() and second.is_dir()
    assert second.name == "12-00-00_baseline-2"


def test_two_simultaneous_runs_keep_both_results(tmp_path):
    """Two runs started together in the same folder tree: both folders, both complete."""
    cmd = [sys.executable, "-m", "sim", *FAST]
    env = {**os.environ, OUTPUTS_VAR: str(tmp_path / "outputs")}
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]  # fmt: skip
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    runs = sorted(p.parent for p in (tmp_path / "outputs").glob("*/*/summary.json"))
    assert len(runs) == 2, f"both results are kept: {runs}"
    seeds = {json.loads((r / "summary.json").read_text())["seed"] for r in runs}
    assert seeds == {20190218}, "both are complete runs"


def _no_county(monkeypatch) -> None:
    import sim

    def no_build(*args, **kwargs):
        raise AssertionError("the county must not be built for a refused folder")

    monkeypatch.setattr(sim, "build_model", no_build)


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("override_first", "'county=small'"),
        ("no_folder", "give the folder"),
        ("option_first", "--bogus"),
        ("parent_is_file", "a_file is a file"),
        ("unwritable", "/proc/no_such_place"),
        ("a_users_folder", "not empty"),
    ],
)
def test_export_refuses_a_bad_folder_before_building_the_county(
    tmp_path, case, says, capsys, monkeypatch
):
    (tmp_path / "a_file").write_text("mine", encoding="utf-8")
    (tmp_path / "users").mkdir()
    (tmp_path / "users" / "notes.txt").write_text("mine", encoding="utf-8")
    before = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    _no_county(monkeypatch)
    args = {
        "override_first": ["county=small"],
        "no_folder": [],
        "option_first": ["--bogus", "county=small"],
        "parent_is_file": [str(tmp_path / "a_file" / "county"), *SMALL],
        "unwritable": ["/proc/no_such_place/county", *SMALL],
        "a_users_folder": [str(tmp_path / "users"), *SMALL],
    }[case]
    _refused(_main(capsys, "sim.data.export", "export", *args), says)
    assert _tree(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "a_file",
        "users",
    ], "nothing is written, nothing a user wrote is touched"


def test_export_takes_a_folder_whose_name_holds_an_equals_sign_given_as_a_path(
    tmp_path, capsys, monkeypatch
):
    from sim.data.export import main

    monkeypatch.chdir(tmp_path)
    assert main(["export", "./a=b", *SMALL, "horizon.months=3"]) == 0, capsys.readouterr().err
    assert (tmp_path / "a=b" / "loans.csv").is_file()


# -- the outputs folder and its latest link --------------------------------------------------
def _link(path: Path) -> str | bool:
    """Where a link points, or whether something else is there."""
    return os.readlink(path) if path.is_symlink() else path.exists()


def test_latest_follows_the_newest_run_in_the_chosen_outputs_folder(tmp_path, capsys, monkeypatch):
    project = _link(ROOT / "outputs" / "latest")
    root = tmp_path / "outs"
    monkeypatch.setenv(OUTPUTS_VAR, str(root))
    elsewhere = tmp_path / "run"
    assert _main(capsys, "sim.__main__", *FAST, f"run.out_dir={elsewhere}").returncode == 0
    assert (root / "latest").resolve() == elsewhere.resolve(), "a run elsewhere is the newest"
    assert _main(capsys, "sim.__main__", *FAST).returncode == 0
    (default,) = root.glob("*/*_baseline")  # outputs/<date>/<time>_baseline, moved to root
    assert (root / "latest").resolve() == default.resolve()
    assert _link(ROOT / "outputs" / "latest") == project, "the project's link is not touched"


def test_a_users_own_latest_folder_is_left_alone(tmp_path, capsys, monkeypatch):
    root = tmp_path / "outs"
    (root / "latest").mkdir(parents=True)
    (root / "latest" / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setenv(OUTPUTS_VAR, str(root))
    out = tmp_path / "run"
    assert _main(capsys, "sim.__main__", *FAST, f"run.out_dir={out}").returncode == 0
    assert (out / "summary.json").is_file()
    assert not (root / "latest").is_symlink()
    assert _tree(root / "latest") == {"notes.txt": b"mine"}


def test_outputs_variable_naming_a_file_is_refused_before_the_simulation(
    tmp_path, capsys, monkeypatch
):
    import sim

    def no_run(*args, **kwargs):
        raise AssertionError("the simulation must not start")

    (tmp_path / "a_file").write_text("mine", encoding="utf-8")
    monkeypatch.setattr(sim, "run", no_run)
    for value in (tmp_path / "a_file", tmp_path / "a_file" / "outs"):
        monkeypatch.setenv(OUTPUTS_VAR, str(value))
        proc = _main(capsys, "sim.__main__", *FAST, f"run.out_dir={tmp_path / 'run'}")
        _refused(proc, OUTPUTS_VAR)
    monkeypatch.setenv(OUTPUTS_VAR, "/proc/no_such_place")  # cannot be created
    _refused(_main(capsys, "sim.__main__", *FAST), OUTPUTS_VAR)
    assert _tree(tmp_path) == {"a_file": b"mine"}, "nothing written, the file kept"


def test_a_link_that_cannot_be_made_does_not_fail_a_finished_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(OUTPUTS_VAR, "/proc/no_such_place")
    out = tmp_path / "run"
    proc = _main(capsys, "sim.__main__", *FAST, f"run.out_dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert (out / "summary.json").is_file(), "the results are written"
    assert "note: /proc/no_such_place/latest not updated" in proc.stderr


# -- experiments -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def replicate_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("exp") / "reps"
    table = run_replicates(load_config("baseline", FAST), 2, 5, out=out, progress=False)
    return out, table


def test_compare_at_a_replicates_folder_is_refused(replicate_folder):
    out, _ = replicate_folder
    before = _tree(out)
    with pytest.raises(ExperimentError, match="holds a 'replicates' experiment"):
        compare(["baseline", "strict_breaker"], 1, 5, overrides=FAST, out=out, progress=False)
    assert _tree(out) == before, "the replicates experiment is untouched"


def test_cli_compare_at_a_replicates_folder_exits_2(replicate_folder):
    out, _ = replicate_folder
    before = _tree(out)
    proc = _cli("sim.experiments", "compare", "baseline", "--n", "1", "--out", str(out), *FAST)
    # the one-line message names the folder and the kind found
    _refused(proc, str(out))
    assert _tree(out) == before


@pytest.mark.parametrize(
    "scenarios",
    [["baseline", "baseline"], ["baseline", ("baseline", "baseline", ["fund.leverage=8"])]],
    ids=["names", "label"],
)
def test_compare_refuses_a_scenario_given_twice(tmp_path, scenarios):
    from sim.experiments.spec import resolve

    out = tmp_path / "cmp"
    for given in (scenarios, resolve(["baseline"], FAST) * 2):
        with pytest.raises(ExperimentError, match="'baseline' is given twice"):
            compare(given, 1, 5, overrides=FAST, out=out, progress=False)
    assert not out.exists(), "nothing is run or written"


def test_experiment_at_a_users_folder_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExperimentError, match="no experiment.json"):
        run_replicates(load_config("baseline", FAST), 1, 5, out=tmp_path, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# A re-run into an experiment folder resumes only the same experiment: anything but --n,
# --jobs and the backend changed is refused in one line naming the folder and what differs.
RESUMED = ["--no-progress", *FAST]


@pytest.fixture(scope="module")
def resumable(tmp_path_factory):
    """One small folder per command, made through the command line in this process."""
    from sim.experiments.cli import main

    root = tmp_path_factory.mktemp("resume")
    made = {
        "replicates": ["replicates", "--n", "2"],
        "compare": ["compare", "baseline", "no_breaker", "--n", "1"],
        "sensitivity": ["sensitivity", "--params", "fund.leverage,default.pd_annual",
                        "--method", "morris", "--trajectories", "2", "--n", "1"],
    }  # fmt: skip
    for name, argv in made.items():
        assert main([*argv, "--out", str(root / name), *RESUMED]) == 0, name
    return root


@pytest.mark.parametrize(
    ("folder", "argv", "says"),
    [
        ("replicates", ["replicates", "--n", "2", "scenario=no_breaker"], "no_breaker"),
        ("replicates", ["replicates", "--n", "3", "--tables", "all"], "--tables"),
        ("compare", ["compare", "baseline", "strict_breaker", "--n", "2"], "strict_breaker"),
        ("compare", ["compare", "no_breaker", "baseline", "--n", "1"], "another order"),
        (
            "compare",
            ["compare", "baseline", "no_breaker", "--variant", "lev8=baseline fund.leverage=8"],
            "lev8",
        ),
        (
            "sensitivity",
            [
                "sensitivity",
                "--params",
                "fund.leverage,default.pd_annual",
                "--method",
                "sobol",
                "--sobol-n",
                "2",
                "--n",
                "1",
            ],
            "--method",
        ),  # fmt: skip
        (
            "sensitivity",
            [
                "sensitivity",
                "--params",
                "fund.leverage,default.pd_annual",
                "--method",
                "morris",
                "--trajectories",
                "3",
                "--n",
                "1",
            ],
            "--trajectories",
        ),  # fmt: skip
    ],
    ids=[
        "scenario",
        "tables",
        "compare-set",
        "compare-order",
        "variant",
        "method",
        "trajectories",
    ],  # fmt: skip
)
def test_a_different_experiment_is_not_resumed_into_a_folder(resumable, capsys, folder, argv, says):
    out = resumable / folder
    before = _tree(out)
    proc = _main(capsys, "sim.experiments.cli", *argv, "--out", str(out), *RESUMED)
    _refused(proc, str(out))
    _refused(proc, says)
    assert _tree(out) == before, "nothing in the folder is written, replaced or removed"


def test_a_scenario_of_another_configuration_is_not_resumed(resumable, capsys, tmp_path):
    out = tmp_path / "compare"
    shutil.copytree(resumable / "compare", out)
    shutil.rmtree(out / "replicates" / "no_breaker")  # no replicate left to compare with
    before = _tree(out)
    argv = ["compare", "baseline", "--variant", "no_breaker=no_breaker fund.leverage=8"]
    proc = _main(capsys, "sim.experiments.cli", *argv, "--n", "1", "--out", str(out), *RESUMED)
    _refused(proc, str(out))
    _refused(proc, "'no_breaker' was run with a different configuration (fund.leverage)")
    assert _tree(out) == before


def test_the_same_experiment_resumes_and_extends(resumable, capsys, tmp_path):
    out = tmp_path / "replicates"
    shutil.copytree(resumable / "replicates", out)
    first = (out / "replicates" / "baseline" / "rep_0000" / "summary.json").read_bytes()
    argv = ["replicates", "--n", "3", "--jobs", "1", "--out", str(out), *RESUMED]
    proc = _main(capsys, "sim.experiments.cli", *argv)
    assert proc.returncode == 0, proc.stderr
    assert (out / "replicates" / "baseline" / "rep_0000" / "summary.json").read_bytes() == first
    assert json.loads((out / "experiment.json").read_text())["n_replicates"] == 3


def test_default_folder_depends_on_the_tables_kept():
    from sim.experiments.commands import _default
    from sim.experiments.folder import default_out
    from sim.results import TABLES

    payload = ["baseline", ["county=small"], 5]
    assert _default("replicates", payload, {"tables": None}) == default_out("replicates", payload)
    assert _default("replicates", payload, {"tables": TABLES}) != default_out("replicates", payload)
    assert _default("replicates", payload, {"tables": ("loans",)}) == _default(
        "replicates", payload, {"tables": ("timeseries", "loans")}
    ), "timeseries is always kept"


@pytest.mark.parametrize("damage", ["summary.json", "timeseries.parquet"])
def test_resume_reruns_an_unreadable_replicate(replicate_folder, tmp_path, damage):
    out, table = replicate_folder
    copy = tmp_path / "reps"
    shutil.copytree(out, copy)
    target = copy / "replicates" / "baseline" / "rep_0001" / damage
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])  # truncated
    again = run_replicates(load_config("baseline", FAST), 2, 5, out=copy, progress=False)
    pd.testing.assert_frame_equal(again, table, obj="resumed after truncation")
    assert target.read_bytes() == data, "the replicate was run again and rewritten in full"


def test_cli_bad_dask_scheduler_exits_2(tmp_path, capsys):
    pytest.importorskip("distributed")
    proc = _main(
        capsys, "sim.experiments.cli", "replicates", "--n", "1", "--backend", "dask",
        "--scheduler", "not-a-scheduler", "--out", str(tmp_path / "exp"), *FAST,
    )  # fmt: skip
    _refused(proc, "--scheduler")
    assert not (tmp_path / "exp").exists(), "no folder is left behind"


def test_calibrate_and_briefing_refuse_bad_folders_with_exit_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    page = tmp_path / "page.md"
    args = ("--n", "1", "--keep", str(tmp_path), "--out", str(page), *FAST)
    _refused(_main(capsys, "sim.calibrate", *args), str(tmp_path))
    proc = _main(capsys, "analysis.briefing", str(tmp_path / "notes.txt"))
    _refused(proc, "notes.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


# -- a county described by its size ----------------------------------------------------------
@pytest.mark.parametrize(
    ("override", "check"),
    [
        ("county.n_villages=20", lambda c: c.county.n_health_shock_villages == 1),
        ("county.n_townships=3", lambda c: c.county.n_banks == 3),
        ("county.n_villages=5", lambda c: c.county.n_townships == 5 and c.county.n_banks == 4),
    ],
)
def test_changing_the_size_gives_a_consistent_county(override, check):
    cfg = load_config("baseline", [override, "horizon.months=2"])
    assert check(cfg), override
    res = run(cfg, seed=1)
    assert res.summary["total_new_lending"] > 0, f"{override}: the county lends"


def test_derived_capital_scales_with_households_unless_set():
    small = load_config("baseline", SMALL)
    double = load_config("baseline", [*SMALL, "county.n_households=8000"])
    assert double.fund.initial == 2 * small.fund.initial
    assert double.guarantee.county_net_assets == 2 * small.guarantee.county_net_assets
    assert double.enterprise.n_enterprises == 2 * small.enterprise.n_enterprises
    fixed = load_config("baseline", [*SMALL, "county.n_households=8000", "fund.initial=6e6"])
    assert fixed.fund.initial == 6e6, "an explicit value replaces the rule"
    with pytest.raises(ConfigError, match="county.n_banks"):
        load_config("baseline", ["county.n_townships=3", "county.n_banks=4"])


@pytest.mark.slow
def test_a_large_county_opens_a_book_within_capacity_and_lends():
    """Scaling households alone scales the fund: the opening book fits its capacity."""
    cfg = load_config("baseline", ["county.n_households=300000", "horizon.months=2"])
    res = run(cfg, seed=1)
    capacity = cfg.fund.initial * cfg.fund.leverage
    opening = res.summary["opening_loan_balance"]
    assert opening < capacity, f"opening book {opening:,.0f} within capacity {capacity:,.0f}"
    assert res.timeseries["new_loans"].iloc[0] > 0, "and lends in the first month"


def test_a_failed_run_leaves_no_folder_and_keeps_a_users_empty_one(tmp_path, monkeypatch):
    import sim
    from sim.__main__ import main

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(sim, "run", broken)
    new, users = tmp_path / "new", tmp_path / "users"
    users.mkdir()
    for out in (new, users):
        with pytest.raises(RuntimeError):
            main([*FAST, f"run.out_dir={out}"])
    assert not new.exists(), "the folder reserved for the run is removed: nothing half-written"
    assert users.is_dir(), "a user's own (empty) folder is never removed"
