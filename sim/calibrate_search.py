"""Calibration with its uncertainty: ``python -m sim.calibrate_search``.

A likelihood-free calibration of the tuned parameters against the observed ranges of
:data:`sim.calibrate.TARGETS`, in the family of approximate Bayesian computation (ABC) and
history matching: a parameter set is **accepted** when the model, run on it, lands every
observed figure inside its range (widened by ``--tolerance`` times the range's width), and the
answer is the **ensemble of all accepted sets**, not one point. Experiments run on it with
``--ensemble FILE`` (:mod:`sim.ensemble`), so their bands carry parameter uncertainty.

Procedure:

1. Prior: a uniform box per parameter (:data:`PRIORS`; bounds are plausible ranges, stated
   there).
2. Proposals: Optuna's TPE sampler, seeded. The first ``--startup`` proposals are independent
   uniform draws from the box (a plain ABC rejection sample); later ones concentrate where the
   distance to the observed ranges is small, so that a modest budget finds the accepted region.
   The accepted sets are therefore a sample of the acceptable region, denser where TPE looked
   more: treat the ensemble as the set of parameter values the observations do not rule out
   (history matching's non-implausible space), not as a posterior density.
3. Each proposal runs ``--reps`` replicates on the same seeds ``SeedSequence(seed).spawn(reps)``
   (common random numbers across proposals) and takes the median of every metric.
4. Distance of a target: how far the median lies outside the range, in units of the range's
   width (0 inside). The search minimises the sum of squares; acceptance needs every target's
   distance at most ``--tolerance``. Targets the horizon does not reach are skipped.

Proposals are asked and told in batches of fixed size (``--batch``) and evaluated in order on
``--jobs`` worker processes, so the ensemble is identical whatever the number of workers.

Why Optuna: it is maintained and widely used, its samplers are seeded and deterministic given
the history, and its ask/tell interface leaves the evaluation to this project's own worker
pool, which keeps results independent of the number of workers. A full ABC-SMC library would
add a database and parallel samplers that accept particles in the order they finish.

Files: ``--out X.json`` and ``X.trials.csv`` beside it (every trial), written together and only
when at least ``--min-accepted`` sets are accepted; existing files are replaced only with
``--force``. Options and output files are checked before any trial runs (one line, status 2).

Cost: the default (160 proposals x 2 replicates of ``county=small``, 120 months) runs in a few
minutes on 2 cores; the targets are shares and per-person incomes, which do not depend on the
county's size.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from sim.cliparse import Parser
from sim.config import ConfigError
from sim.ensemble import Ensemble, apply_values
from sim.results import OutputError, check_new_file

DEFAULT_OUT = "calibration/ensemble.json"


@dataclass(frozen=True)
class Prior:
    """Uniform prior of one parameter and why its bounds are plausible."""

    key: str
    lo: float
    hi: float
    why: str


PRIORS = [
    Prior("uptake.initial_loan_share", 0.45, 0.85, "share of eligible households borrowing before 2019"),
    Prior("uptake.p_willing[0]", 0.60, 0.95, "willing to borrow, full labour"),
    Prior("uptake.p_willing[1]", 0.30, 0.70, "willing to borrow, weak labour"),
    Prior("uptake.hazard_monthly_campaign", 0.04, 0.12, "monthly application hazard, 2019-2020"),
    Prior("uptake.hazard_monthly_transition", 0.03, 0.12, "monthly application hazard, 2021 on"),
    Prior("income.base_per_person[0]", 4500, 9000, "market income per person, full labour, 2019"),
    Prior("income.base_per_person[1]", 3000, 6000, "market income per person, weak labour, 2019"),
    Prior("income.base_sd", 0.40, 0.80, "log-sd of persistent household differences"),
    Prior("income.shock_sd", 0.05, 0.25, "log-sd of the yearly income shock"),
    Prior("income.transfer_per_person", 1000, 3500, "direct poverty supports per person"),
    Prior("income.job_share", 0.30, 1.00, "chance of a public-welfare job per campaign year"),
    Prior("poverty.exit_margin", 0.00, 0.30, "exit needs income this share above the line"),
    Prior("poverty.monitoring_catch", 0.00, 0.90, "share of would-be relapses caught while supported"),
]  # fmt: skip


def targets():
    """The targets with an observed range (the others are only reported)."""
    from sim.calibrate import TARGETS

    return [t for t in TARGETS if t.lo is not None or t.hi is not None]


def distances(metrics: dict[str, float]) -> dict[str, float]:
    """Distance of each target's value outside its range, in range widths (NaN: skipped)."""
    out = {}
    for t in targets():
        x = metrics.get(t.key, np.nan)
        if not np.isfinite(x):
            continue
        lo = -np.inf if t.lo is None else t.lo
        hi = np.inf if t.hi is None else t.hi
        width = (hi - lo) if np.isfinite(hi - lo) else abs(t.hi if t.lo is None else t.lo)
        out[t.key] = max(0.0, lo - x, x - hi) / max(width, 1e-12)
    return out


def _metrics_of(config: dict, record: list[int]) -> dict[str, float]:
    """Worker: one replicate of ``config`` on seed ``record``, reduced to the metrics."""
    from sim.calibrate import replicate_metrics
    from sim.experiments.worker import run_replicate

    out = run_replicate(config, record, None, ("timeseries", "events", "poverty", "cliff"))
    if not out["ok"]:
        raise RuntimeError(out["error"])
    return replicate_metrics(out["result"])


def evaluate(configs: list[dict], records: list[list[int]], jobs: int) -> list[dict[str, float]]:
    """Median metrics of each config over the replicate seeds (order kept)."""
    from joblib import Parallel, delayed

    tasks = [(c, r) for c in configs for r in records]
    if jobs == 1:
        rows = [_metrics_of(c, r) for c, r in tasks]
    else:
        rows = Parallel(n_jobs=jobs)(delayed(_metrics_of)(c, r) for c, r in tasks)
    out = []
    for i in range(len(configs)):
        chunk = rows[i * len(records) : (i + 1) * len(records)]
        keys = chunk[0].keys()
        out.append({k: _median([m[k] for m in chunk]) for k in keys})
    return out


def _median(values: list[float]) -> float:
    """Median of the finite values (NaN when there are none)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else float("nan")


def search(
    cfg,
    trials: int = 160,
    reps: int = 2,
    seed: int = 20190218,
    jobs: int = 1,
    batch: int = 8,
    startup: int = 40,
    tolerance: float = 0.0,
    priors: list[Prior] | None = None,
    progress: bool = False,
) -> tuple[Ensemble, list[dict]]:
    """Run the search on the resolved config ``cfg``; return the ensemble and every trial.

    Each trial record holds its parameter values, median metrics, distances and whether it
    was accepted.
    """
    import optuna

    from sim.config import to_container
    from sim.experiments.seeds import replicate_seeds
    from sim.runner import seed_record

    priors = PRIORS if priors is None else priors
    if trials < 1 or reps < 1 or batch < 1 or tolerance < 0:
        raise ConfigError("trials, reps and batch must be at least 1 and tolerance >= 0")
    base = to_container(cfg)
    records = [seed_record(s) for s in replicate_seeds(seed, reps)]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(
        seed=seed % 2**32, n_startup_trials=startup, multivariate=True
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    log: list[dict] = []
    while len(log) < trials:
        asked = [study.ask() for _ in range(min(batch, trials - len(log)))]
        values = [{p.key: t.suggest_float(p.key, p.lo, p.hi) for p in priors} for t in asked]
        metrics = evaluate([apply_values(base, v) for v in values], records, jobs)
        for trial, v, m in zip(asked, values, metrics, strict=True):
            d = distances(m)
            score = float(sum(x * x for x in d.values()))
            study.tell(trial, score)
            worst = max(d.values()) if d else 0.0
            log.append(
                {
                    "values": v,
                    "metrics": m,
                    "distances": d,
                    "score": score,
                    "worst": worst,
                    "accepted": worst <= tolerance,
                }  # fmt: skip
            )
        if progress:
            n_ok = sum(r["accepted"] for r in log)
            best = min(r["worst"] for r in log)
            print(f"{len(log)}/{trials} trials, {n_ok} accepted, best worst-miss {best:.3f}",
                  file=sys.stderr)  # fmt: skip
    ok = [r for r in log if r["accepted"]]
    meta = {
        "method": "Optuna TPE proposals over a uniform prior box, ABC-style acceptance: every "
        "target's median over replicates inside its observed range widened by tolerance x width",
        "optuna_version": optuna.__version__,
        "trials": trials,
        "accepted": len(ok),
        "replicates_per_trial": reps,
        "root_seed": seed,
        "batch": batch,
        "startup": startup,
        "tolerance": tolerance,
        "priors": {p.key: [p.lo, p.hi] for p in priors},
        "targets": {t.key: [t.lo, t.hi] for t in targets()},
        "scenario": str(cfg.scenario),
        "county_households": int(cfg.county.n_households),
        "horizon_months": int(cfg.horizon.months),
        "date": date.today().isoformat(),
    }
    ens = Ensemble(
        [p.key for p in priors], [r["values"] for r in ok], [r["worst"] for r in ok], meta
    )
    return ens, log


def trials_path(out) -> Path:
    """The trials CSV written beside the ensemble file ``out`` (``X.json`` -> ``X.trials.csv``)."""
    out = Path(out)
    return out.with_name(out.name.removesuffix(".json") + ".trials.csv")


def _trials_frame(log: list[dict]):
    import pandas as pd

    rows = [
        {
            "trial": i,
            "accepted": r["accepted"],
            "worst_miss": r["worst"],
            "score": r["score"],
            **r["values"],
            **{f"m:{k}": v for k, v in r["metrics"].items()},
        }  # fmt: skip
        for i, r in enumerate(log)
    ]
    return pd.DataFrame(rows)


def _temporary(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def write_pair(ens: Ensemble, log: list[dict], out) -> tuple[Path, Path]:
    """Write the ensemble file ``out`` and its trials CSV as a pair.

    Both are written in full to temporary files beside their targets first and only then
    renamed into place, so neither is ever half-written and a failure leaves both old files
    (or none) in place, never a new CSV beside an old ensemble.
    """
    out = Path(out)
    csv = trials_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_csv, tmp_out = _temporary(csv), _temporary(out)
    try:
        _trials_frame(log).to_csv(tmp_csv, index=False, float_format="%.6g")
        os.chmod(tmp_csv, 0o644)  # mkstemp makes 0600; the files are shared with other readers
        ens.save(tmp_out)
        os.replace(tmp_csv, csv)
        os.replace(tmp_out, out)
    except BaseException:
        tmp_csv.unlink(missing_ok=True)
        tmp_out.unlink(missing_ok=True)
        raise
    return out, csv


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Options and KEY=VALUE overrides."""
    p = Parser(prog="python -m sim.calibrate_search", description=__doc__.split("\n")[0])
    p.add_argument("--trials", type=int, default=160, help="parameter sets tried (default 160)")
    p.add_argument("--reps", type=int, default=2, help="replicates per set (default 2)")
    p.add_argument("--seed", type=int, default=None, help="root seed (default run.seed)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes, -1 all (default 1)")
    p.add_argument("--batch", type=int, default=8, help="sets asked per round (default 8)")
    p.add_argument("--startup", type=int, default=40, help="uniform draws before TPE (default 40)")
    p.add_argument("--tolerance", type=float, default=0.0, help="accepted miss, in range widths")
    p.add_argument("--min-accepted", type=int, default=5, help="fewer accepted sets is an error")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"ensemble file (default {DEFAULT_OUT})")
    p.add_argument("--force", action="store_true", help="replace an existing ensemble file")
    p.add_argument("overrides", nargs="*", help="KEY=VALUE overrides (default county=small)")
    return p.parse_args(argv)


def check_args(args: argparse.Namespace) -> None:
    """Raise ConfigError (one line naming the option) for a nonsensical option value."""
    for option, value, least in (
        ("--trials", args.trials, 1),
        ("--reps", args.reps, 1),
        ("--batch", args.batch, 1),
        ("--startup", args.startup, 0),
        ("--min-accepted", args.min_accepted, 1),
    ):
        if value < least:
            raise ConfigError(f"{option} {value}: give at least {least}")
    if args.min_accepted > args.trials:
        raise ConfigError(
            f"--min-accepted {args.min_accepted}: more than the {args.trials} sets tried "
            "(--trials); lower it or raise --trials"
        )
    if args.jobs < 1 and args.jobs != -1:
        raise ConfigError(f"--jobs {args.jobs}: give a positive number of workers, or -1 for all")
    if args.seed is not None and args.seed < 0:
        raise ConfigError(f"--seed {args.seed}: give a non-negative integer root seed")
    if not (math.isfinite(args.tolerance) and args.tolerance >= 0):
        raise ConfigError(f"--tolerance {args.tolerance}: give a number >= 0")


def check_out(out: Path, force: bool) -> None:
    """Raise ConfigError unless ``out`` and its trials CSV can be written (nothing created)."""
    what = f"--out {out}"
    try:
        check_new_file(out, what, "ensemble.json")
    except OutputError as exc:
        raise ConfigError(str(exc)) from None
    if out.suffix != ".json":
        raise ConfigError(
            f"{what}: give a file name ending in .json (its trials go beside it, in .trials.csv)"
        )
    if force:
        for path in (out, trials_path(out)):
            if path.is_dir():
                raise ConfigError(f"{what}: {path} is a folder; choose another file")
        return
    for path in (out, trials_path(out)):
        if path.exists():
            raise ConfigError(
                f"{what}: {path} exists; choose another file or pass --force to replace "
                f"{out.name} and {trials_path(out).name}"
            )


def main(argv: list[str] | None = None) -> int:
    """Entry point: 0 written, 1 too few sets accepted, 2 bad input (one line on stderr).

    Every option, the overrides and both output files are checked before any trial runs.
    A search that accepts fewer than ``--min-accepted`` sets writes nothing.
    """
    from sim import load_config

    args = parse_args(sys.argv[1:] if argv is None else argv)
    out = Path(args.out)
    try:
        check_args(args)
        overrides = args.overrides or ["county=small"]
        bad = [o for o in overrides if "=" not in o]
        if bad:
            raise ConfigError(f"{bad[0]!r} is not KEY=VALUE")
        check_out(out, args.force)
        cfg = load_config("baseline", ["run.household_agents=false", *overrides])
        seed = int(cfg.run.seed if args.seed is None else args.seed)
        if seed < 0:
            raise ConfigError(f"run.seed={seed}: give a non-negative integer root seed")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    ens, log = search(
        cfg, args.trials, args.reps, seed, args.jobs, args.batch, args.startup,
        args.tolerance, progress=sys.stderr.isatty(),
    )  # fmt: skip
    ens.meta["overrides"] = overrides
    ens.meta["seconds"] = round(time.perf_counter() - start, 1)
    if len(ens) < args.min_accepted:
        best = min(log, key=lambda r: r["worst"])
        worst = max(best["distances"], key=best["distances"].get) if best["distances"] else "-"
        print(
            f"only {len(ens)} of {args.trials} sets accepted, nothing written (best set misses "
            f"{worst} by {best['worst']:.2f} range widths); raise --trials or --tolerance",
            file=sys.stderr,
        )
        return 1
    write_pair(ens, log, out)
    central = ", ".join(f"{k}={v:.4g}" for k, v in ens.central().items())
    print(f"wrote {out}: {len(ens)} of {args.trials} sets accepted; central values: {central}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
