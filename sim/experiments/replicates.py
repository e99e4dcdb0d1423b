"""Replicate runner: every scenario of an experiment on the same replicate seeds.

:class:`Experiment` owns an experiment folder (see ``folder.py``). ``run(scenarios)`` skips
replicates already on disk, fans the rest out (``backend.py``), lets each worker save its
replicate as it finishes, and rewrites ``experiment.json``, ``summary.parquet`` and
``failures.json``. Re-running the same command therefore resumes, and ends with the same
tables as an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig
from tqdm import tqdm

from sim.experiments import folder as fs
from sim.experiments.backend import check_backend, worker_pool
from sim.experiments.seeds import replicate_seeds, seed_text
from sim.experiments.spec import ExperimentError, Scenario, check_labels, from_config
from sim.experiments.worker import default_tables, run_replicate
from sim.results import TABLES
from sim.runner import seed_record

KEYS = ["scenario", "replicate", "seed"]


class Experiment:
    """An experiment folder whose scenarios share ``n`` replicate seeds from ``root_seed``.

    Use as a context manager so that a Dask cluster or process pool lives across
    several ``run`` calls (the fund-sizing search calls it once per step).

    Args:
        out: the experiment folder (created; an existing one is resumed).
        root_seed: replicate seeds are ``SeedSequence(root_seed).spawn(n)``.
        n: replicates per scenario.
        jobs: worker processes (loky, default 1 = in this process) or Dask workers
            (default all).
        backend: ``"loky"`` or ``"dask"``.
        scheduler: Dask scheduler address; None with ``backend="dask"`` starts a LocalCluster.
        tables: tables kept per replicate (default: all but the village panel, see
            ``worker.DEFAULT_DROP``); ``timeseries`` is always kept.
        progress: show a tqdm progress bar on stderr.
        save_on: ``"worker"`` (workers write replicate folders; needs the folder on a
            filesystem they share) or ``"client"`` (workers return the tables and this
            process writes them).
        kind: the command that owns the folder (``replicates``, ``compare``, ``size-fund``,
            ``sensitivity``), recorded in ``experiment.json``; a folder of another command
            is refused.
        ensemble: accepted parameter sets (:class:`sim.ensemble.Ensemble`); replicate *i* of
            every scenario runs on the set drawn from its seed (same across workers and
            scenarios), recorded as ``ensemble_set`` in the summary rows.
        design: the command's settings that define its runs (e.g. the sensitivity methods),
            recorded in ``experiment.json`` with ``tables``; resuming a folder with other
            settings, other scenarios or another seed is refused (``folder.check_resume``).
        growing: the command adds scenarios run by run (fund-sizing candidates, frontier
            settings), so a re-run need not name the same scenarios, only keep each
            label's configuration.
    """

    def __init__(
        self,
        out,
        root_seed: int,
        n: int,
        *,
        jobs=None,
        backend="loky",
        scheduler=None,
        tables=None,
        progress=True,
        save_on="worker",
        kind="replicates",
        ensemble=None,
        design=None,
        growing=False,
    ):
        check_backend(backend, jobs, scheduler)
        tables = (
            default_tables() if tables is None else tuple(dict.fromkeys(["timeseries", *tables]))
        )
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ExperimentError(
                f"tables={sorted(unknown)}: unknown; choose from {', '.join(TABLES)}"
            )
        if save_on not in ("worker", "client"):
            raise ExperimentError(f"save_on={save_on!r}: choose 'worker' or 'client'")
        self.out = Path(out).resolve()
        self.root_seed = int(root_seed)
        self.seeds = replicate_seeds(root_seed, n)
        self.records = [seed_record(s) for s in self.seeds]
        self.ensemble = ensemble
        self.draws = [ensemble.draw(r) for r in self.records] if ensemble is not None else None
        self.pool_args = (backend, jobs, scheduler)
        self.tables, self.progress, self.save_on = tuple(tables), progress, save_on
        self.scenarios: dict[str, Scenario] = {}
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}
        self.failures: dict[tuple[str, int], dict[str, Any]] = {}
        self.kind = kind
        self.design = dict(design or {})
        self.growing = growing
        self._stored: dict[str, Any] | None = None  # experiment.json as found, before any write
        self._read = False
        self._claimed = False
        self._created = False
        self._checked: set[str] = set()  # digests of configs checked against the ensemble
        self._stack = ExitStack()
        self._map = None

    def __enter__(self) -> Experiment:
        self.claim()
        try:
            self._map = self._stack.enter_context(worker_pool(*self.pool_args))
        except BaseException:  # e.g. no Dask scheduler there: leave no empty folder behind
            self._release()
            raise
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._stack.close()
        self._map = None
        if exc_type is not None:  # stopped before writing anything: leave no empty folder
            self._release()

    def claim(self) -> bool:
        """Check and take the folder (once), before any worker starts (``folder.claim``).

        Returns whether this call created the folder.
        """
        if self._claimed:
            return False
        self._created = fs.claim(self.out, self.kind)
        self._claimed = True
        return self._created

    def _release(self) -> None:
        """Remove the folder again if this experiment created it and it is still empty."""
        if self._created:
            with contextlib.suppress(OSError):
                self.out.rmdir()  # fails, and keeps the folder, once anything is in it

    def sibling(self, out, root_seed: int, n: int) -> Experiment:
        """Another experiment folder run on this one's workers (same options, shared pool)."""
        backend, jobs, scheduler = self.pool_args
        other = Experiment(
            out,
            root_seed,
            n,
            jobs=jobs,
            backend=backend,
            scheduler=scheduler,
            tables=self.tables,
            progress=self.progress,
            save_on=self.save_on,
            kind=self.kind,
            ensemble=self.ensemble,
            design=self.design,
            growing=self.growing,
        )
        other._map = self._map
        return other

    @property
    def n(self) -> int:
        """Replicates per scenario."""
        return len(self.seeds)

    def check(self, scenarios: list[Scenario]) -> None:
        """Refuse scenarios this experiment cannot run, before anything is written.

        Refused: a label given twice, a label already used here for another configuration,
        a folder holding another experiment (other scenarios, seed, tables or design;
        ``folder.check_resume``), and, with an ensemble, a parameter the scenario lacks or
        overrides, or a parameter set that does not give a valid configuration
        (:func:`sim.ensemble.check_sets`).
        ``run`` calls it too; calling it before entering the context manager also keeps
        the folder from being created for input that is refused.
        """
        check_labels(scenarios)
        for s in scenarios:
            old = self.scenarios.get(s.label)
            if old is not None and old.config != s.config:
                raise ExperimentError(f"scenario label {s.label!r} is used for two configurations")
        self._check_resume(scenarios)
        for s in scenarios:
            if self.ensemble is not None:
                from sim.ensemble import check_against, check_sets

                check_against(self.ensemble, s.config, s.overrides, f"scenario {s.label}")
                digest = fs.digest(s.config)
                if digest not in self._checked:
                    check_sets(self.ensemble, s.config, f"scenario {s.label}")
                    self._checked.add(digest)

    def _check_resume(self, scenarios: list[Scenario]) -> None:
        """Compare the folder's ``experiment.json``, as found before this process wrote it."""
        if not self._read:
            self._stored = fs.stored_record(self.out)
            self._read = True
        if self._stored is None:
            return
        named = {**self.scenarios, **{s.label: s for s in scenarios}}
        asked = {
            "command": self.kind,
            "root_seed": self.root_seed,
            "ensemble": None if self.ensemble is None else self.ensemble.digest(),
            "tables": list(self.tables),
            "design": self.design,
            "scenarios": {label: s.config for label, s in named.items()},
        }
        fs.check_resume(self.out, self._stored, asked, growing=self.growing)

    def run(self, scenarios: list[Scenario]) -> pd.DataFrame:
        """Run the replicates of ``scenarios`` not yet done; return their summary rows."""
        self.check(scenarios)
        if self._map is None:
            with self:
                return self.run(scenarios)
        self.claim()
        tasks = self._pending(scenarios)  # raises for a replicate of another seed or config
        for s in scenarios:
            fs.clean_temporaries(self.out, s.label)
        self._register(scenarios)
        fs.write_json(self.out / "experiment.json", self.record())
        self._execute(tasks, done=self.n * len(scenarios) - len(tasks))
        fs.write_table(self.table(list(self.scenarios)), self.out / "summary.parquet")
        fs.write_json(self.out / "failures.json", self.failure_list())
        return self.table([s.label for s in scenarios])

    def record(self) -> dict[str, Any]:
        """Content of ``experiment.json``."""
        rec = fs.experiment_record(
            self.out,
            self.root_seed,
            list(self.scenarios.values()),
            self.seeds,
            self.kind,
            tables=list(self.tables),
            design=self.design,
        )
        if self.ensemble is not None:
            rec["ensemble"] = {
                "digest": self.ensemble.digest(),
                "parameters": self.ensemble.parameters,
                "n_sets": len(self.ensemble),
                "set_per_replicate": self.draws,
                "sets": self.ensemble.sets,
            }
        return rec

    def _register(self, scenarios: list[Scenario]) -> None:
        for s in scenarios:  # checked by ``check``
            self.scenarios[s.label] = s

    def _pending(self, scenarios: list[Scenario]) -> list[tuple]:
        """Tasks for replicates neither in memory nor finished on disk.

        Replicate-major order, so that an interrupted comparison has complete pairs.
        """
        tasks = []
        for i, record in enumerate(self.records):
            for s in scenarios:
                key = (s.label, i)
                if key in self.rows or key in self.failures:
                    continue
                path = fs.replicate_dir(self.out, s.label, i)
                arm = self._arm(s, i)
                if fs.finished(path, arm, record):
                    self._add_row(key, fs.read_summary(path))
                    continue
                target = None if self.save_on == "client" else str(path)
                tasks.append((key, run_replicate, (arm.config, record, target, self.tables)))
        return tasks

    def _arm(self, s: Scenario, i: int) -> Scenario:
        """Scenario ``s`` as replicate ``i`` runs it (with its ensemble set applied)."""
        if self.ensemble is None:
            return s
        return dataclasses.replace(s, config=self.ensemble.apply(s.config, self.draws[i]))

    def _execute(self, tasks: list[tuple], done: int) -> None:
        if not tasks:
            return
        bar = tqdm(
            total=done + len(tasks),
            initial=done,
            unit="rep",
            desc=self.out.name,
            disable=not self.progress,
            file=sys.stderr,
            dynamic_ncols=True,
        )
        with bar:
            for key, result in self._map(iter(tasks)):
                self._collect(key, result)
                bar.update()

    def _collect(self, key: tuple[str, int], result: dict[str, Any]) -> None:
        if not result["ok"]:
            record = self.records[key[1]]
            self.failures[key] = {
                "scenario": key[0],
                "replicate": key[1],
                "seed": record,
                "error": result["error"],
                "traceback": result["traceback"],
            }
            return
        if "result" in result:  # saved by the client (workers without the shared folder)
            path = fs.replicate_dir(self.out, *key)
            result["result"].save(path)
            result = {"summary": fs.read_summary(path)}
        self._add_row(key, result["summary"])

    def _add_row(self, key: tuple[str, int], summary: dict[str, Any]) -> None:
        self.failures.pop(key, None)
        self.rows[key] = {
            "scenario": key[0],
            "replicate": key[1],
            "seed": seed_text(self.records[key[1]]),
            **({} if self.draws is None else {"ensemble_set": self.draws[key[1]]}),
            **summary,
        }

    def table(self, labels: list[str]) -> pd.DataFrame:
        """Summary rows of scenarios ``labels`` (in that order), replicate by replicate."""
        rows = [self.rows[(s, i)] for s in labels for i in range(self.n) if (s, i) in self.rows]
        if not rows:
            return pd.DataFrame(columns=KEYS)
        return pd.DataFrame(rows)

    def failure_list(self) -> list[dict[str, Any]]:
        """Failed replicates, in scenario and replicate order."""
        order = {label: k for k, label in enumerate(self.scenarios)}
        return [
            self.failures[k]
            for k in sorted(self.failures, key=lambda k: (order.get(k[0], 0), k[1]))
        ]


def run_replicates(
    cfg: DictConfig | dict | Scenario,
    n: int,
    seed: int,
    jobs: int | None = 1,
    backend: str = "loky",
    out=None,
    scheduler: str | None = None,
    **options,
) -> pd.DataFrame:
    """Run ``n`` replicates of one configuration and save each under ``out``.

    Args:
        cfg: a configuration from :func:`sim.load_config` (or its dict, or a Scenario).
        n: number of replicates; seeds are ``SeedSequence(seed).spawn(n)``.
        seed: root seed of the experiment.
        jobs: worker processes (loky) or Dask workers (None/-1: all).
        backend: ``"loky"`` or ``"dask"``.
        out: experiment folder (default ``experiments/replicates-<hash>``).
        scheduler: Dask scheduler address; None with ``backend="dask"`` starts a LocalCluster.
        **options: ``tables``, ``progress``, ``save_on``, ``ensemble`` (see :class:`Experiment`).

    Returns:
        One row per finished replicate: scenario, replicate, seed (text) and every summary key.
    """
    scenario = cfg if isinstance(cfg, Scenario) else from_config(cfg)
    out = out or fs.default_out("replicates", [scenario.label, scenario.overrides, seed])
    exp = Experiment(out, seed, n, jobs=jobs, backend=backend, scheduler=scheduler, **options)
    exp.check([scenario])  # before the folder is made
    with exp:
        return exp.run([scenario])
