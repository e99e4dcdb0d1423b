"""Global sensitivity analysis: Morris screening and Sobol indices (SALib).

Each sample point is a scenario (the base configuration with the point's parameter values)
run on the experiment's ``n`` replicate seeds; its outcome is the mean over those seeds.
Every point uses the same seeds (common random numbers), so the analysed function is
deterministic in the parameters: a parameter the model ignores gets indices of exactly zero
instead of noise. Results go to ``<exp>/sensitivity/``: ``morris`` and ``sobol`` tables
(indices with confidence intervals, ready to chart) and ``points`` (inputs and outcomes).

SALib's defaults are kept: ``mu_star_conf``, ``S1_conf`` and ``ST_conf`` are half-widths of
95 % bootstrap intervals (100 resamples); ``S1`` is Saltelli et al.'s (2010) estimator and
``ST`` Jansen's, neither confined to [0, 1] (see docs/experiments.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.experiments import folder as fs
from sim.experiments import levers
from sim.experiments.replicates import Experiment
from sim.experiments.spec import ExperimentError, Scenario, from_config, with_values

METHODS = ("morris", "sobol")
MORRIS = ["mu", "mu_star", "sigma", "mu_star_conf"]
SOBOL = ["S1", "S1_conf", "ST", "ST_conf"]


def problem(params: list[levers.Parameter], ranges: dict | None = None) -> dict:
    """SALib problem: names and bounds (``ranges`` replaces declared ``(low, high)``)."""
    ranges = dict(ranges or {})
    unknown = set(ranges) - {p.key for p in params}
    if unknown:
        raise ExperimentError(f"ranges for {sorted(unknown)}: not among the chosen parameters")
    bounds = []
    for p in params:
        lo, hi = ranges.get(p.key, (p.low, p.high))
        if not lo < hi:
            raise ExperimentError(f"range of {p.key} = ({lo}, {hi}): give low < high")
        bounds.append([0.0, 1.0] if p.dtype == "bool" else [float(lo), float(hi)])
    return {"num_vars": len(params), "names": [p.key for p in params], "bounds": bounds}


def check_bounds(base: Scenario, prob: dict) -> None:
    """Each parameter at each end of its range must give a valid configuration."""
    for key, (lo, hi) in zip(prob["names"], prob["bounds"], strict=True):
        for value in (lo, hi):
            with_values(base, "range-check", {key: value})


def sample(
    method: str, prob: dict, seed: int, trajectories: int, levels: int, sobol_n: int
) -> np.ndarray:
    """Sample points (rows) in parameter units."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, N=trajectories, num_levels=levels, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(prob, sobol_n, calc_second_order=False, scramble=True, seed=seed)


def check_design(methods, trajectories: int, levels: int, sobol_n: int) -> None:
    """Refuse a design SALib cannot sample, before anything is simulated."""
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise ExperimentError(f"methods={list(methods)}: choose from {', '.join(METHODS)}")
    if trajectories < 2 or levels < 2:
        raise ExperimentError(f"trajectories={trajectories}, levels={levels}: give at least 2")
    if sobol_n < 2 or sobol_n & (sobol_n - 1):
        raise ExperimentError(f"sobol_n={sobol_n}: give a power of 2 (Sobol sequences need it)")


def analyse(method: str, prob: dict, x: np.ndarray, y: np.ndarray, seed: int, levels: int) -> dict:
    """Indices of one outcome.

    An outcome missing (NaN) at some point gets NaN indices; a constant one gets zero Morris
    effects and NaN Sobol indices (no variance to share out).
    """
    names = MORRIS if method == "morris" else SOBOL
    blank = np.full(prob["num_vars"], np.nan)
    if not np.all(np.isfinite(y)) or (np.ptp(y) == 0 and method == "sobol"):
        return dict.fromkeys(names, blank)
    if np.ptp(y) == 0:
        return dict.fromkeys(names, np.zeros(prob["num_vars"]))
    if method == "morris":
        from SALib.analyze import morris

        return morris.analyze(prob, x, y, num_levels=levels, seed=seed)
    from SALib.analyze import sobol

    return sobol.analyze(prob, y, calc_second_order=False, seed=seed)


def index_table(method: str, params, outs, prob, x, y_by_outcome, seed, levels) -> pd.DataFrame:
    """One row per (parameter, outcome) with the method's indices."""
    cols = MORRIS if method == "morris" else SOBOL
    rows = []
    for o in outs:
        res = analyse(method, prob, x, y_by_outcome[o.key], seed, levels)
        for k, p in enumerate(params):
            rows.append(
                {
                    "parameter": p.key,
                    "kind": p.kind,
                    "outcome": o.key,
                    "direction": o.direction,
                    **{c: float(res[c][k]) for c in cols},
                }
            )
    table = pd.DataFrame(rows)
    if method == "morris":  # share of each parameter in the outcome's total mu*, for charts
        total = table.groupby("outcome")["mu_star"].transform("sum")
        table["mu_star_share"] = np.where(
            total > 0, table["mu_star"] / total.where(total > 0, 1.0), 0.0
        )
    return table


def sensitivity(
    cfg: DictConfig | dict | Scenario,
    n: int = 1,
    seed: int = 0,
    params: list[str] | None = None,
    kind: str | None = None,
    outcomes: list[str] | None = None,
    methods=METHODS,
    ranges: dict | None = None,
    trajectories: int = 10,
    levels: int = 4,
    sobol_n: int = 64,
    jobs: int | None = 1,
    backend: str = "loky",
    out=None,
    scheduler=None,
    **options,
) -> dict:
    """Morris and/or Sobol indices of chosen outcomes to chosen parameters.

    Args:
        cfg: the base configuration (scenario + overrides).
        n: replicate seeds per sample point (outcomes are averaged over them).
        seed: root seed of the replicate seeds and of the samplers.
        params: parameter keys declared in ``levers.py``; default: by ``kind``.
        kind: lever, uncertainty, inert or all; default (neither given): levers and uncertainties.
        outcomes: summary keys; default: the declared outcomes the model reports.
        methods: any of ``"morris"``, ``"sobol"``.
        ranges: ``{key: (low, high)}`` replacing declared ranges (e.g. the fund on a small county).
        trajectories: Morris trajectories (``trajectories * (D + 1)`` points).
        levels: Morris grid levels.
        sobol_n: Sobol base sample, a power of 2 (``sobol_n * (D + 2)`` points).
        jobs: worker processes (loky) or Dask workers (None/-1: all).
        backend: ``"loky"`` or ``"dask"``.
        out: experiment folder (default ``experiments/sensitivity-<hash>``).
        scheduler: Dask scheduler address (None with ``backend="dask"``: a LocalCluster).
        **options: ``tables``, ``progress``, ``save_on`` (see :class:`Experiment`).

    Returns:
        ``{"morris": table, "sobol": table, "points": table}`` (the methods run).
    """
    check_design(methods, trajectories, levels, sobol_n)
    base = cfg if isinstance(cfg, Scenario) else from_config(cfg)
    chosen = (
        levers.parameters(params, kind)
        if (params or kind)
        else [p for p in levers.PARAMETERS if p.kind != "inert"]
    )
    prob = problem(chosen, ranges)
    check_bounds(base, prob)
    designs = {m: sample(m, prob, seed, trajectories, levels, sobol_n) for m in methods}
    specs = {
        m: [point(base, m, j, prob, row) for j, row in enumerate(x)] for m, x in designs.items()
    }
    out = out or fs.default_out(
        "sensitivity",
        [base.label, base.overrides, prob, list(methods), seed, trajectories, levels, sobol_n],
    )
    design = {
        "parameters": prob["names"],
        "ranges": dict(zip(prob["names"], prob["bounds"], strict=True)),
        "methods": list(methods),
        **({"trajectories": trajectories, "levels": levels} if "morris" in methods else {}),
        **({"sobol_n": sobol_n} if "sobol" in methods else {}),
    }
    with Experiment(
        out,
        seed,
        n,
        jobs=jobs,
        backend=backend,
        scheduler=scheduler,
        kind="sensitivity",
        design=design,
        **options,
    ) as exp:
        summary = exp.run([s for m in methods for s in specs[m]])
    folder = exp.out / "sensitivity"
    return write_results(
        folder, summary, exp.n, designs, specs, chosen, prob, outcomes, seed, levels
    )


def point(base: Scenario, method: str, j: int, prob: dict, row: np.ndarray) -> Scenario:
    """Scenario of sample point ``j`` (validated by ``check_bounds`` on the box's edges)."""
    return with_values(
        base, f"{method}_{j:05d}", dict(zip(prob["names"], row, strict=True)), validate=False
    )


def point_means(summary: pd.DataFrame, specs: list[Scenario], n: int) -> pd.DataFrame:
    """Mean outcome per sample point, in point order; refuse incomplete points."""
    counts = summary.groupby("scenario").size()
    short = [s.label for s in specs if counts.get(s.label, 0) < n]
    if short:
        raise ExperimentError(
            f"{len(short)} sample points lack replicates (e.g. {short[0]}); "
            "see failures.json, then re-run the same command"
        )
    numeric = (
        summary.drop(columns=["replicate", "seed"]).groupby("scenario").mean(numeric_only=True)
    )
    return numeric.loc[[s.label for s in specs]]


def write_results(
    folder, summary, n, designs, specs, chosen, prob, outcome_names, seed, levels
) -> dict:
    """Index tables and the points table, written as Parquet and CSV."""
    available = [c for c in summary.columns if c not in ("scenario", "replicate", "seed")]
    outs = levers.outcomes(outcome_names, available)
    tables, points = {}, []
    for method, x in designs.items():
        means = point_means(summary, specs[method], n)
        y = {o.key: means[o.key].astype(float).to_numpy() for o in outs}
        tables[method] = index_table(method, chosen, outs, prob, x, y, seed, levels)
        pts = pd.DataFrame(x, columns=prob["names"])
        pts.insert(0, "point", means.index.to_numpy())
        pts.insert(1, "method", method)
        points.append(pd.concat([pts, means[[o.key for o in outs]].reset_index(drop=True)], axis=1))
    tables["points"] = pd.concat(points, ignore_index=True)
    for name, table in tables.items():
        fs.write_table(table, folder / f"{name}.parquet", csv=True)
    return tables
