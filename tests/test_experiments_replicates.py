"""Replicate runner: seeds, worker/backend independence, resume, failures, folder layout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

import sim.experiments.worker as worker
from sim import load_config, load_run
from sim.config import ROOT, to_container
from sim.experiments import ExperimentError, run_replicates
from sim.experiments.seeds import replicate_seeds
from sim.runner import seed_record

FAST = ["county=small", "horizon.months=12"]
N, SEED = 4, 3


@pytest.fixture(scope="module")
def cfg():
    return load_config("baseline", FAST)


@pytest.fixture(scope="module")
def reference(cfg, tmp_path_factory):
    """One uninterrupted run in this process (jobs=1): the table every other run must match."""
    out = tmp_path_factory.mktemp("reference")
    return run_replicates(cfg, N, SEED, jobs=1, out=out, progress=False), out


def same_table(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError as exc:
        raise AssertionError(f"{what}: summary tables differ\n{exc}") from None


def test_seeds_are_prefix_stable():
    six, three = replicate_seeds(7, 6), replicate_seeds(7, 3)
    assert [seed_record(s) for s in six[:3]] == [seed_record(s) for s in three], (
        "spawn(6)[:3] must equal spawn(3), or growing n would change earlier replicates"
    )
    states = [s.generate_state(4).tolist() for s in six[:3]]
    assert states == [s.generate_state(4).tolist() for s in three], "same records, same streams"
    assert len({tuple(s.generate_state(2)) for s in six}) == 6, "every replicate has its own stream"


def test_replicates_differ_and_rows_carry_their_seed(reference):
    table, _ = reference
    assert table["seed"].tolist() == [json.dumps([SEED, i]) for i in range(N)], (
        "replicate i must run on SeedSequence(root).spawn(n)[i], recorded as text"
    )
    assert table["total_new_lending"].nunique() == N, "different seeds must give different runs"


def test_two_workers_give_identical_results(cfg, reference, tmp_path):
    table = run_replicates(cfg, N, SEED, jobs=2, out=tmp_path, progress=False)
    same_table(reference[0], table, "jobs=2 vs jobs=1")
    ts1 = pd.read_parquet(reference[1] / "replicates/baseline/rep_0002/timeseries.parquet")
    ts2 = pd.read_parquet(tmp_path / "replicates/baseline/rep_0002/timeseries.parquet")
    same_table(ts1, ts2, "timeseries of replicate 2")


def test_dask_scheduler_address_gives_identical_results(cfg, reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        table = run_replicates(
            cfg,
            N,
            SEED,
            backend="dask",
            scheduler=cluster.scheduler_address,
            out=tmp_path,
            progress=False,
        )
    same_table(reference[0], table, "Dask cluster (scheduler address) vs jobs=1")


def test_dask_local_cluster_saving_on_client_gives_identical_results(cfg, reference, tmp_path):
    pytest.importorskip("distributed")
    table = run_replicates(
        cfg, N, SEED, jobs=2, backend="dask", out=tmp_path, progress=False, save_on="client"
    )
    same_table(reference[0], table, "Dask LocalCluster with client-side saving vs jobs=1")
    assert (tmp_path / "replicates/baseline/rep_0003/summary.json").exists(), "client saved it"


def test_growing_n_resumes_to_the_uninterrupted_result(cfg, reference, tmp_path):
    run_replicates(cfg, 2, SEED, jobs=1, out=tmp_path, progress=False)
    first = tmp_path / "replicates/baseline/rep_0000/summary.json"
    stamp = first.stat().st_mtime_ns
    table = run_replicates(cfg, N, SEED, jobs=2, out=tmp_path, progress=False)
    same_table(reference[0], table, "n=2 then n=4 vs n=4 at once")
    assert first.stat().st_mtime_ns == stamp, "a finished replicate must be skipped, not rerun"
    assert json.loads((tmp_path / "experiment.json").read_text())["n_replicates"] == N


def test_interrupted_run_resumes_to_the_uninterrupted_result(cfg, reference, tmp_path):
    shutil.copytree(reference[1], tmp_path, dirs_exist_ok=True)
    for i in (1, 3):  # as if the run had been killed before these finished
        shutil.rmtree(tmp_path / f"replicates/baseline/rep_{i:04d}")
    (tmp_path / "summary.parquet").unlink()
    half = tmp_path / "replicates/baseline/.rep_0003.killed"  # a save cut short
    half.mkdir()
    (half / "timeseries.parquet").write_bytes(b"partial")
    table = run_replicates(cfg, N, SEED, jobs=2, out=tmp_path, progress=False)
    same_table(reference[0], table, "resumed vs uninterrupted")
    same_table(reference[0], pd.read_parquet(tmp_path / "summary.parquet"), "summary.parquet")
    assert not half.exists(), "temporary folders of a killed save are removed on resume"


def test_a_failed_replicate_is_reported_and_the_others_kept(cfg, reference, tmp_path, monkeypatch):
    real_run = worker.run

    def flaky(config, seed, **kwargs):
        if tuple(seed.spawn_key) == (2,):
            raise FloatingPointError("injected failure")
        return real_run(config, seed, **kwargs)

    monkeypatch.setattr(worker, "run", flaky)
    table = run_replicates(cfg, N, SEED, jobs=1, out=tmp_path, progress=False)
    assert table["replicate"].tolist() == [0, 1, 3], "the other replicates are kept"
    failures = json.loads((tmp_path / "failures.json").read_text())
    assert [(f["replicate"], f["seed"]) for f in failures] == [(2, [SEED, 2])], (
        "failures.json names the failed replicate and its seed"
    )
    assert "FloatingPointError: injected failure" in failures[0]["error"], "and its error"
    monkeypatch.setattr(worker, "run", real_run)
    table = run_replicates(cfg, N, SEED, jobs=1, out=tmp_path, progress=False)
    same_table(reference[0], table, "after retrying the failed replicate")
    assert json.loads((tmp_path / "failures.json").read_text()) == [], "failure cleared"


def test_a_folder_of_another_experiment_is_refused(cfg, reference, tmp_path):
    shutil.copytree(reference[1], tmp_path, dirs_exist_ok=True)
    other = load_config("baseline", [*FAST, "fund.leverage=8"])
    with pytest.raises(ExperimentError, match="different configuration .*fund.leverage"):
        run_replicates(other, N, SEED, out=tmp_path, progress=False)
    with pytest.raises(ExperimentError, match="seed"):
        run_replicates(cfg, N, SEED + 1, out=tmp_path, progress=False)


def test_folder_layout(cfg, reference):
    table, out = reference
    exp = json.loads((out / "experiment.json").read_text())
    assert list(exp) == [
        "name",
        "root_seed",
        "n_replicates",
        "scenarios",
        "replicate_seeds",
        "version",
        "git_revision",
        "command",
        "tables",
        "design",
    ], "experiment.json keys are read by the briefing code"
    assert exp["replicate_seeds"] == [[SEED, i] for i in range(N)], "seeds recorded"
    expected = to_container(cfg)
    expected["run"]["household_agents"] = False  # an experiment setting, see spec.py
    assert exp["scenarios"]["baseline"]["config"] == expected, "the resolved config"
    assert "horizon.months=12" in exp["scenarios"]["baseline"]["overrides"], "overrides"
    summary = pd.read_parquet(out / "summary.parquet")
    assert list(summary.columns[:3]) == ["scenario", "replicate", "seed"], "key columns first"
    assert pd.api.types.is_string_dtype(summary["seed"]), "seed stored as text"
    run = load_run(out / "replicates/baseline/rep_0001")
    assert set(run.summary) <= set(summary.columns), "every summary key becomes a column"
    row = summary.iloc[1]
    differ = [
        k for k, v in run.summary.items() if not (v == row[k] or (v != v and row[k] != row[k]))
    ]
    assert not differ, f"the row must equal summary.json (NaN = NaN); differ: {differ}"
    assert run.villages is None, "the village panel is not kept by default"
    assert run.timeseries is not None and len(run.timeseries) == 12, "the timeseries is"


def test_villages_kept_when_asked(cfg, tmp_path):
    run_replicates(cfg, 1, SEED, out=tmp_path, progress=False, tables=["villages"])
    run = load_run(tmp_path / "replicates/baseline/rep_0000")
    assert run.villages is not None and len(run.villages) == 12 * 40, "12 months x 40 villages"


def test_mesa_models_are_released(cfg, tmp_path):
    ids = getattr(mesa.Agent, "_ids", {})
    before = len(ids)
    run_replicates(cfg, 2, SEED, jobs=1, out=tmp_path, progress=False)
    assert len(ids) == before, "finished models must not stay referenced by mesa.Agent._ids"


AUDIT = """
import json, os, sys
guarded = tuple(os.path.join(sys.argv[1], d) for d in ("configs", "scenarios"))
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and args[0] is not None:
        if isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.path.abspath(os.fsdecode(args[0]))
            if path.startswith(guarded):
                raise RuntimeError(f"worker read {path}")
sys.addaudithook(hook)
from sim.experiments.worker import run_replicate
result = run_replicate(json.load(open(sys.argv[2])), [5, 0], sys.argv[3], ("timeseries",))
print(result.get("error", "ok"))
"""


def test_workers_read_no_repository_config_files(cfg, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(to_container(cfg)))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            AUDIT,
            str(ROOT),
            str(tmp_path / "config.json"),
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.strip() == "ok", (
        f"a worker must run from the config dict alone (configs/ and scenarios/ live on the "
        f"client): {done.stdout}{done.stderr[-500:]}"
    )
    assert np.isfinite(load_run(tmp_path / "r").summary["cum_fiscal_cost"]), "it ran"


def test_only_worker_processes_are_settled():
    """gc.freeze and the allocator settings apply in a worker, never in the user's process.

    That settling changes no result is ``test_two_workers_give_identical_results``: its
    workers are settled by their first replicate, the reference process (jobs=1) is not.
    """
    import gc

    from joblib import Parallel, delayed

    frozen = gc.get_freeze_count()
    assert worker.settle_worker() is False, "the user's own process must not be settled"
    assert gc.get_freeze_count() == frozen, "and its objects must stay collectable"

    def settle_in_worker():
        worker.settle_worker()  # settles it, unless an earlier task of this worker did
        return worker.settle_worker(), worker._SETTLED, gc.get_freeze_count()

    answers = Parallel(n_jobs=2)(delayed(settle_in_worker)() for _ in range(4))
    for second, settled, count in answers:
        assert settled and second is False, "a worker is settled once, by its first replicate"
        assert count > 10_000, f"a settled worker freezes what its imports built, not {count}"
