"""Scenario discovery: the conditions under which a chosen outcome happens (PRIM).

Sample the declared uncertainties (``levers.py``; with ``include_levers`` the levers too) by
Latin hypercube, run each point on the experiment's replicate seeds, mark every run in which
the outcome happens, and let PRIM (the Patient Rule Induction Method of the EMA Workbench,
``ema_workbench.analysis.prim``, used as published) find boxes of inputs where it happens
often. A box is judged by its **coverage** (share of all the runs where the outcome happens
that fall inside it) and its **density** (share of the runs inside it where it happens);
PRIM peels the input space step by step, and the peeling trajectory is the trade-off curve
between the two. Each box found is removed from the data before PRIM looks for the next.

Outcomes (``OUTCOMES``): ``fund_exhausted``; ``township_suspended_6m`` (a township suspended
for 6 months or more in one spell, from the run's suspension and resumption events);
``fiscal_cost_above`` (``cum_fiscal_cost`` above ``threshold``, by default the sample's 80th
percentile); or an outcome declared in ``levers.py`` or ``fund_required`` (true when above
``threshold``, or when non-zero).

Writes ``<exp>/discovery/``: ``cases`` (one row per run: inputs, outcome value, whether it
happened), ``trajectory`` (each box's peeling steps: coverage, density, mass, restricted
dimensions; ``chosen`` marks the box reported), ``boxes`` (limits of each box's restricted
inputs against their sampled ranges) and ``discovery.json`` (definitions and box statistics).

:func:`discover` also takes a plain Python function instead of the model (``model=f``,
called as ``f(**inputs)`` and returning a dict of outcomes), which is how the tests plant a
box PRIM must find.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.experiments import folder as fs
from sim.experiments import levers
from sim.experiments.replicates import Experiment
from sim.experiments.sensitivity import check_bounds, problem
from sim.experiments.spec import ExperimentError, Scenario, from_config, require, with_values

OUTCOMES = {
    "fund_exhausted": "the county's risk-compensation fund ran out within the horizon",
    "township_suspended_6m": "a township's lending was suspended for 6 months or more in one spell",
    "fiscal_cost_above": "the county's fiscal cost (cum_fiscal_cost) exceeded the threshold",
}
SUSPENSION_MONTHS = 6
FISCAL_QUANTILE = 0.8  # default threshold of fiscal_cost_above: the sample's 80th percentile


def longest_township_suspension(events: pd.DataFrame, months: int) -> int:
    """Longest single spell, in months, during which a township was suspended (0: none).

    A suspension still in force at the end of the horizon counts up to the horizon.
    """
    if events is None or not len(events):
        return 0
    ev = events[
        (events["level"] == "township") & events["event"].isin(["suspension", "resumption"])
    ]
    best = 0
    for _, rows in ev.sort_values("t", kind="stable").groupby("index"):
        start = None
        for kind, t in zip(rows["event"], rows["t"], strict=True):
            if kind == "suspension" and start is None:
                start = int(t)
            elif kind == "resumption" and start is not None:
                best, start = max(best, int(t) - start), None
        if start is not None:
            best = max(best, months - start)
    return best


def happened(outcome: str, values: pd.Series, threshold: float | None) -> tuple[np.ndarray, dict]:
    """Whether the outcome happened in each run, and its definition (with the threshold used)."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    if outcome == "township_suspended_6m":
        return (v >= SUSPENSION_MONTHS).to_numpy(), {"rule": f">= {SUSPENSION_MONTHS} months"}
    if outcome == "fiscal_cost_above" and threshold is None:
        threshold = float(np.nanquantile(v, FISCAL_QUANTILE))
    if threshold is None:
        return (v.fillna(0) != 0).to_numpy(), {"rule": "true"}
    return (v > threshold).to_numpy(), {"rule": f"> {threshold:.6g}", "threshold": threshold}


def outcome_column(outcome: str) -> str:
    """The run value the outcome is read from."""
    return {
        "township_suspended_6m": "longest_township_suspension",
        "fiscal_cost_above": "cum_fiscal_cost",
    }.get(outcome, outcome)


def latin_hypercube(prob: dict, points: int, seed: int) -> np.ndarray:
    """``points`` Latin-hypercube rows in parameter units."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=prob["num_vars"], seed=np.random.default_rng(seed)).random(points)
    lo, hi = np.array(prob["bounds"], dtype=float).T
    return lo + u * (hi - lo)


def applied(params: list[levers.Parameter], x: np.ndarray) -> pd.DataFrame:
    """The values the model gets (integers rounded, booleans 0/1), one column per input."""
    cols = {}
    for k, p in enumerate(params):
        v = x[:, k]
        cols[p.key] = (v >= 0.5).astype(float) if p.dtype == "bool" else (
            np.round(v) if p.dtype == "int" else v
        )  # fmt: skip
    return pd.DataFrame(cols)


def find_boxes(
    x: pd.DataFrame,
    y: np.ndarray,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    max_boxes: int = 3,
    significance: float = 0.05,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """PRIM boxes of ``y`` over inputs ``x``: (trajectory, limits, statistics per box).

    Each box is the step of PRIM's peeling trajectory that best balances coverage and density
    (highest harmonic mean of the two) among those whose density reaches ``threshold`` (the
    last, densest step when none does), with the
    restrictions that are not significant dropped (:func:`prune`); search stops after ``max_boxes`` or when a box's density falls below the
    share of remaining runs where the outcome happens (nothing left to find).
    """
    from ema_workbench.analysis import prim

    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return pd.DataFrame(), pd.DataFrame(), []
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x.astype(float), y, threshold=threshold, peel_alpha=peel_alpha)
        trajectories, limits, stats = [], [], []
        for b in range(max_boxes):
            remaining = finder.yi_remaining
            base_rate = float(y[remaining].mean()) if len(remaining) else 0.0
            box = finder.find_box()
            if box is None or box.coverage <= 0 or box.density <= base_rate:
                break
            traj = box.peeling_trajectory
            dense = traj[traj["density"] >= threshold]
            if len(dense):  # best balance of coverage and density, then fewest conditions
                f1 = (
                    2
                    * dense["coverage"]
                    * dense["density"]
                    / (dense["coverage"] + dense["density"])
                )
                best = dense.assign(f1=f1.round(12)).sort_values(
                    ["f1", "res_dim"], ascending=[False, True]
                )
                box.select(int(best["id"].iloc[0]))
            prune(box, significance)
            traj = box.peeling_trajectory.copy()
            traj.insert(0, "box", b)
            traj["chosen"] = traj["id"] == box._cur_box
            trajectories.append(traj)
            lims = box.box_lims[box._cur_box]
            for col in x.columns:
                lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
                init_lo, init_hi = float(x[col].min()), float(x[col].max())
                limits.append(
                    {
                        "box": b,
                        "parameter": col,
                        "low": lo,
                        "high": hi,
                        "sampled_low": init_lo,
                        "sampled_high": init_hi,
                        "restricted": bool(lo > init_lo or hi < init_hi),
                    }
                )
            stats.append(
                {
                    "box": b,
                    "coverage": float(box.coverage),
                    "density": float(box.density),
                    "mass": float(box.mass),
                    "res_dim": int(box.res_dim),
                    "base_rate": base_rate,
                }
            )
    traj = pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame()
    return traj, pd.DataFrame(limits), stats


def prune(box, significance: float = 0.05) -> None:
    """Drop the box's restrictions whose quasi-p value exceeds ``significance``.

    PRIM's quasi-p value (Bryant and Lempert 2010, docs/sources.md [S43], as the EMA Workbench
    computes it, [S44]) is the
    binomial probability of the box's density arising by chance were the restriction
    absent; a restriction that peels off a stray run or two is removed, the least
    significant first, one at a time, which adds a step to the trajectory.
    """
    for _ in range(len(box.prim.x.columns)):
        _, limits = box.inspect(style="data")[0]
        if limits.empty:
            return
        qp = limits.iloc[:, 2:4].astype(float).min(axis=1, skipna=True)
        worst = qp.idxmax()
        if not qp[worst] > significance:
            return
        box.drop_restriction(worst)


def discover(
    cfg: DictConfig | dict | Scenario | None = None,
    n: int = 1,
    seed: int = 0,
    *,
    model: Callable[..., dict[str, Any]] | None = None,
    outcome: str = "fund_exhausted",
    threshold: float | None = None,
    params: list[str] | list[levers.Parameter] | None = None,
    include_levers: bool = False,
    ranges: dict | None = None,
    points: int = 200,
    prim_threshold: float = 0.8,
    peel_alpha: float = 0.05,
    max_boxes: int = 3,
    jobs: int | None = 1,
    backend: str = "loky",
    out=None,
    scheduler: str | None = None,
    **options,
) -> dict:
    """Find the boxes of inputs under which ``outcome`` happens.

    Args:
        cfg: the base configuration (scenario + overrides); None with ``model``.
        n: replicate seeds per sample point (each run is one case for PRIM).
        seed: root seed of the replicates and of the Latin hypercube.
        model: a plain function ``f(**inputs) -> {outcome: value}`` used instead of the
            simulation (then ``params`` must be ``Parameter`` objects or declared keys).
        outcome: one of ``OUTCOMES``, an outcome declared in ``levers.py`` or
            ``fund_required`` (with ``model``: any key the function returns).
        threshold: the outcome happens above this value (``fiscal_cost_above``: default
            the sample's 80th percentile).
        params: inputs to sample (declared keys or ``Parameter`` objects); default: every
            declared uncertainty, plus the levers with ``include_levers``.
        include_levers: also sample the declared levers.
        ranges: ``{key: (low, high)}`` replacing declared ranges.
        points: Latin-hypercube sample points.
        prim_threshold: PRIM's density threshold.
        peel_alpha: share of the runs peeled off at each step.
        max_boxes: boxes to look for, one after another.
        jobs: worker processes (loky) or Dask workers (None/-1: all).
        backend: ``"loky"`` or ``"dask"``.
        scheduler: Dask scheduler address (None with ``backend="dask"``: a LocalCluster).
        out: experiment folder (default ``experiments/discover-<hash>``).
        **options: ``tables``, ``progress``, ``save_on`` (see :class:`Experiment`).

    Returns:
        ``{"cases", "trajectory", "boxes"}`` tables and ``"result"`` (``discovery.json``).
    """
    require("ema_workbench", "ema-workbench", "discover")
    _check(points, prim_threshold, peel_alpha, max_boxes, threshold)
    if model is None and outcome not in known_outcomes():
        raise ExperimentError(f"outcome={outcome!r}: choose from {', '.join(known_outcomes())}")
    chosen = _parameters(params, include_levers)
    prob = problem(chosen, ranges)
    x = latin_hypercube(prob, points, seed)
    inputs = applied(chosen, x)
    column = outcome_column(outcome)
    if model is not None:
        cases = _run_function(model, inputs, column)
        folder = Path(out or fs.default_out("discover", ["function", prob, seed, points]))
    else:
        if cfg is None:
            raise ExperimentError("discover: give a configuration or a model function")
        base = cfg if isinstance(cfg, Scenario) else from_config(cfg)
        check_bounds(base, prob)
        out = out or fs.default_out("discover", [base.label, base.overrides, prob, seed, points])
        cases, folder = _run_model(base, prob, x, inputs, n, seed, out, jobs, backend, scheduler,
                                   options)  # fmt: skip
    y, definition = happened(outcome, cases[column], threshold)
    cases["happened"] = y
    traj, limits, stats = find_boxes(inputs_of(cases, chosen), y, prim_threshold, peel_alpha,
                                     max_boxes)  # fmt: skip
    result = {
        "outcome": outcome,
        "meaning": OUTCOMES.get(outcome, f"{column} {definition['rule']}"),
        "definition": definition,
        "column": column,
        "n_cases": len(cases),
        "n_happened": int(y.sum()),
        "points": points,
        "replicates_per_point": n if model is None else 1,
        "parameters": [p.key for p in chosen],
        "prim": {"threshold": prim_threshold, "peel_alpha": peel_alpha, "max_boxes": max_boxes},
        "boxes": [{**s, "limits": _box_limits(limits, s["box"])} for s in stats],
        "message": _message(outcome, y, stats, limits),
    }
    target = Path(folder) / "discovery"
    for name, table in (("cases", cases), ("trajectory", traj), ("boxes", limits)):
        fs.write_table(table, target / f"{name}.parquet", csv=True)
    fs.write_json(target / "discovery.json", result)
    return {"cases": cases, "trajectory": traj, "boxes": limits, "result": result}


def known_outcomes() -> list[str]:
    """Outcomes a model run can be asked about: ``OUTCOMES`` and those declared in levers.py."""
    return [*OUTCOMES, *(o.key for o in levers.OUTCOMES if o.key not in OUTCOMES), "fund_required"]


def _check(
    points: int, prim_threshold: float, peel_alpha: float, max_boxes: int, threshold: float | None
) -> None:
    if points < 10:
        raise ExperimentError(f"points={points}: give at least 10 sample points")
    if not 0 < prim_threshold <= 1:
        raise ExperimentError(f"prim_threshold={prim_threshold}: give a density in (0, 1]")
    if not 0 < peel_alpha < 0.5:
        raise ExperimentError(f"peel_alpha={peel_alpha}: give a share in (0, 0.5), e.g. 0.05")
    if max_boxes < 1:
        raise ExperimentError(f"max_boxes={max_boxes}: look for at least one box")
    if threshold is not None and not np.isfinite(threshold):
        raise ExperimentError(
            f"threshold={threshold} (--threshold): give a finite number, or leave it out "
            "for the default"
        )


def inputs_of(cases: pd.DataFrame, params: list[levers.Parameter]) -> pd.DataFrame:
    """The input columns of the cases, as floats (PRIM's x)."""
    return cases[[p.key for p in params]].astype(float).reset_index(drop=True)


def _parameters(params, include_levers: bool) -> list[levers.Parameter]:
    if params and all(isinstance(p, levers.Parameter) for p in params):
        return list(params)
    if params:
        return levers.parameters(list(params))
    kinds = ("uncertainty", "lever") if include_levers else ("uncertainty",)
    return [p for p in levers.PARAMETERS if p.kind in kinds]


def _run_function(model, inputs: pd.DataFrame, column: str) -> pd.DataFrame:
    rows = []
    for j, row in enumerate(inputs.to_dict("records")):
        result = model(**row)
        value = result[column] if isinstance(result, dict) else result
        rows.append({"point": f"point_{j:05d}", "replicate": 0, **row, column: value})
    return pd.DataFrame(rows)


def _run_model(base, prob, x, inputs, n, seed, out, jobs, backend, scheduler, options):
    specs = [
        with_values(base, f"point_{j:05d}", dict(zip(prob["names"], row, strict=True)), False)
        for j, row in enumerate(x)
    ]
    tables = options.get("tables")
    if tables is not None and "events" not in tables:
        options = {**options, "tables": (*tables, "events")}  # township spells come from events
    design = {
        "parameters": prob["names"],
        "ranges": dict(zip(prob["names"], prob["bounds"], strict=True)),
        "points": len(specs),
    }  # not the outcome nor PRIM's settings: another outcome re-analyses the same runs
    with Experiment(
        out, seed, n, jobs=jobs, backend=backend, scheduler=scheduler, design=design, **options
    ) as exp:
        summary = exp.run(specs)
    if summary.empty:
        raise ExperimentError(f"every run failed; see {exp.out}/failures.json")
    months = int(base.config["horizon"]["months"])
    spells = []
    for label, rep in zip(summary["scenario"], summary["replicate"], strict=True):
        path = fs.replicate_dir(exp.out, label, int(rep)) / "events.parquet"
        events = pd.read_parquet(path) if path.is_file() else None
        spells.append(longest_township_suspension(events, months))
    summary = summary.assign(longest_township_suspension=spells)
    point_of = {s.label: j for j, s in enumerate(specs)}
    idx = summary["scenario"].map(point_of).to_numpy()
    cases = pd.concat(
        [
            summary[["scenario", "replicate"]].rename(columns={"scenario": "point"}),
            inputs.iloc[idx].reset_index(drop=True),
            summary.drop(columns=["scenario", "replicate", "seed"]).reset_index(drop=True),
        ],
        axis=1,
    )
    return cases, exp.out


def _box_limits(limits: pd.DataFrame, box: int) -> dict:
    rows = limits[(limits["box"] == box) & limits["restricted"]]
    return {r.parameter: [r.low, r.high] for r in rows.itertuples()}


def _message(outcome: str, y: np.ndarray, stats: list[dict], limits: pd.DataFrame) -> str:
    head = f"{outcome} happened in {int(y.sum())} of {len(y)} runs"
    if not y.any() or y.all():
        return head + (
            ": PRIM needs runs with and without it; widen the ranges (--range) or change the "
            "threshold."
        )
    parts = []
    for s in stats:
        lims = _box_limits(limits, s["box"])
        text = "; ".join(f"{k} in [{lo:.4g}, {hi:.4g}]" for k, (lo, hi) in lims.items())
        parts.append(
            f"box {s['box'] + 1}: {text} (coverage {s['coverage']:.2f}, density {s['density']:.2f})"
        )
    return head + (
        ". " + ". ".join(parts) if parts else ": PRIM found no box denser than the data."
    )


def dumps(result: dict) -> str:
    """``discovery.json`` as text (for printing)."""
    return json.dumps(result, indent=2, ensure_ascii=False)
