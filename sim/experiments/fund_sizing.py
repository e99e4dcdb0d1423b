"""Risk-fund sizing for the county finance office.

Finds the smallest initial fund (or the largest leverage) that keeps the probability of
exhausting the fund within the horizon at or below α.

Writes ``<exp>/fund_sizing/curve.parquet`` (every candidate simulated) and ``answer.json``;
the answer is re-simulated on fresh seeds (another root seed) in ``fund_sizing/check/``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.experiments import folder as fs
from sim.experiments.one_pass import LEVERAGE_REASON, one_pass
from sim.experiments.replicates import Experiment
from sim.experiments.search import FUND, LEVERAGE, Axis, candidate_stats, search
from sim.experiments.sizing_text import explain, prob
from sim.experiments.spec import ExperimentError, Scenario, from_config, with_values

CURVE = [
    "fund_initial",
    "leverage",
    "p_exhausted",
    "p_exhausted_ci_low",
    "p_exhausted_ci_high",
    "mean_cum_fund_payouts",
    "p95_cum_fund_payouts",
    "mean_household_loan_rate",
    "mean_cum_fiscal_cost",
]
FUND_MULTIPLES = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2)  # default grid, times the configured fund
LEVERAGE_GRID = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)  # [S15]-[S17] (docs/sources.md): 5x .. 20x
METHODS = ("one-pass", "grid")
FALLBACK_MULTIPLES = (1 / 16, 1 / 8, 1 / 4, 1 / 2)  # leverages tried when no fund meets alpha


class Sizer:
    """Runs candidates in one experiment (shared seeds) and keeps their statistics."""

    def __init__(self, exp: Experiment, base: Scenario):
        self.exp, self.base = exp, base
        self.stats: dict[tuple[float, float], dict] = {}
        self.rows: dict[tuple[float, float], pd.DataFrame] = {}  # summary rows per candidate

    def point(self, axis: Axis, value: float) -> tuple[float, float]:
        """(fund, leverage) of a candidate."""
        fund, lev = self.base.config["fund"]["initial"], self.base.config["fund"]["leverage"]
        return (value, lev) if axis is FUND else (fund, value)

    def evaluator(self, axis: Axis):
        """``values -> {value: p_exhausted}``, simulating candidates not yet run."""

        def evaluate(values: list[float]) -> dict[float, float]:
            specs = [with_values(self.base, axis.label(v), {axis.key: v}) for v in values]
            summary = self.exp.run(specs)
            for v, s in zip(values, specs, strict=True):
                rows = summary[summary["scenario"] == s.label]
                if len(rows) == 0:
                    raise ExperimentError(
                        f"{s.label}: every replicate failed; see {self.exp.out}/failures.json"
                    )
                self.stats[self.point(axis, v)] = candidate_stats(rows)
                self.rows[self.point(axis, v)] = rows
            return {v: self.stats[self.point(axis, v)]["p_exhausted"] for v in values}

        return evaluate

    def curve(self) -> pd.DataFrame:
        """Every candidate simulated, by leverage then fund."""
        rows = [{"fund_initial": f, "leverage": lev, **s} for (f, lev), s in self.stats.items()]
        return pd.DataFrame(rows).sort_values(["leverage", "fund_initial"], ignore_index=True)[
            CURVE
        ]


def default_grid(base: Scenario, axis: Axis) -> list[float]:
    """Fund: 1/16 .. 2 times the configured fund; leverage: 1x .. 20x."""
    if axis is LEVERAGE:
        return list(LEVERAGE_GRID)
    fund = float(base.config["fund"]["initial"])
    if fund <= 0:
        raise ExperimentError("fund.initial=0: give candidate funds with --grid")
    return [fund * m for m in FUND_MULTIPLES]


def size_fund(
    cfg: DictConfig | dict | Scenario,
    alpha: float = 0.05,
    n: int = 200,
    seed: int = 0,
    jobs: int | None = 1,
    backend: str = "loky",
    out=None,
    scheduler: str | None = None,
    *,
    solve_for: str = "fund",
    method: str = "one-pass",
    grid: list[float] | None = None,
    check_n: int | None = None,
    check_seed: int | None = None,
    tolerance: float = 0.02,
    **options,
) -> tuple[pd.DataFrame, dict]:
    """Size the risk-compensation fund for a target exhaustion probability ``alpha``.

    Args:
        cfg: the configuration to size (scenario + overrides); its leverage (or fund) is kept.
        alpha: target probability that the fund runs out at some month of the horizon.
        n: replicates per candidate (the same seeds for every candidate).
        seed: root seed of those replicates.
        jobs: worker processes (loky) or Dask workers (None/-1: all).
        backend: ``"loky"`` or ``"dask"``.
        out: experiment folder (default ``experiments/size-fund-<hash>``).
        scheduler: Dask scheduler address (None with ``backend="dask"``: a LocalCluster).
        solve_for: ``"fund"`` (smallest ``fund.initial``) or ``"leverage"`` (largest multiple).
        method: ``"one-pass"`` (the quantile of each replicate's ``fund_required``, verified
            by simulation; falls back to the grid where capacity binds, see
            ``sim/experiments/one_pass.py``) or ``"grid"`` (grid then bisection). The leverage
            is always sized on the grid.
        grid: starting candidates (default: see :func:`default_grid`); then bisection.
        check_n: replicates of the fresh-seed check (default ``n``).
        check_seed: root seed of the check (default ``seed + 1``; must differ from ``seed``).
        tolerance: bisection stops when the bracket is narrower than this share of the answer.
        **options: ``tables``, ``progress``, ``save_on``, ``ensemble`` (see :class:`Experiment`).

    Returns:
        ``(curve, answer)``, also written to ``fund_sizing/curve.parquet`` and ``answer.json``.
    """
    check_seed = seed + 1 if check_seed is None else check_seed
    _check_args(alpha, solve_for, seed, check_seed, tolerance)
    if check_n is not None and (
        isinstance(check_n, bool) or not isinstance(check_n, int | np.integer) or check_n < 1
    ):
        raise ExperimentError(
            f"check_n={check_n!r} (--check-n): give at least 1 replicate for the fresh-seed "
            "check, or leave it out to use as many as --n"
        )
    if method not in METHODS:
        raise ExperimentError(f"method={method!r}: choose {' or '.join(METHODS)}")
    base = cfg if isinstance(cfg, Scenario) else from_config(cfg)
    axis = FUND if solve_for == "fund" else LEVERAGE
    user_grid = bool(grid)
    grid = list(grid) if grid else default_grid(base, axis)
    if any(v <= 0 for v in grid):
        raise ExperimentError(f"grid={grid}: candidates must be positive")
    key = [base.label, base.overrides, alpha, solve_for, grid, seed, check_seed, tolerance]
    key += [method] if method != "grid" else []  # grid folders keep their earlier names
    out = out or fs.default_out("size-fund", key)
    opts = {"jobs": jobs, "backend": backend, "scheduler": scheduler, **options}
    # growing: candidates are added step by step, and runs for several alpha share a folder
    exp = Experiment(out, seed, n, kind="size-fund", growing=True, **opts)
    exp.check([base])  # before the folder is made
    with exp:
        sizer = Sizer(exp, base)
        answer, record = None, None
        if method == "one-pass" and axis is FUND:
            fund = float(base.config["fund"]["initial"])
            answer, record = one_pass(sizer, base, alpha, fund if fund > 0 else max(grid))
        if answer is None:
            if record:  # funds one-pass simulated tighten the grid's bracket at no cost
                grid = sorted({*grid, *(r["fund"] for r in record["rounds"])})
                if record.get("bracket") and not user_grid:  # no need for the default grid
                    grid = sorted({*record["bracket"], *(r["fund"] for r in record["rounds"])})
            answer = solve(sizer, base, axis, grid, alpha, tolerance)
            if method == "one-pass":
                reason = record["fallback"] if record else LEVERAGE_REASON
                answer["message"] = (
                    f"One-pass sizing gave way to the grid search: {reason}. " + (answer["message"])
                )
        answer["method"] = "one-pass" if record and record["fallback"] is None else "grid"
        answer["one_pass"] = record
        answer["check"] = fresh_check(
            exp, answer, base, n if check_n is None else check_n, check_seed
        )
    curve = sizer.curve()
    fs.write_table(curve, exp.out / "fund_sizing" / "curve.parquet", csv=True)
    fs.write_json(exp.out / "fund_sizing" / "answer.json", answer)
    return curve, answer


def _check_args(alpha: float, solve_for: str, seed: int, check_seed: int, tolerance: float) -> None:
    if not 0 < alpha < 1:
        raise ExperimentError(
            f"alpha={alpha}: give a probability strictly between 0 and 1, e.g. 0.05"
        )
    if solve_for not in ("fund", "leverage"):
        raise ExperimentError(f"solve_for={solve_for!r}: choose 'fund' or 'leverage'")
    if check_seed == seed:
        raise ExperimentError(f"check_seed={check_seed}: the check needs fresh seeds; give another")
    if not 0 < tolerance < 1:
        raise ExperimentError(f"tolerance={tolerance}: give a share of the answer, e.g. 0.02")


def solve(
    sizer: Sizer, base: Scenario, axis: Axis, grid: list[float], alpha: float, tol: float
) -> dict:
    """Search the axis; if no fund meets alpha, search the leverage at the configured fund."""
    result, fallback = search(sizer.evaluator(axis), axis, grid, alpha, tol), None
    if result.status == "infeasible" and axis is FUND:
        grid_lev = [base.config["fund"]["leverage"] * m for m in FALLBACK_MULTIPLES]
        fallback = search(sizer.evaluator(LEVERAGE), LEVERAGE, grid_lev, alpha, tol)
    return explain(sizer, base, axis, grid, alpha, result, fallback)


def caveats(alpha: float, n: int, check: dict) -> str:
    """Plain warnings when the replicates cannot support the answer."""
    text = ""
    if n * alpha < 10:
        held = "fewer than one" if n * alpha < 1 else f"only about {n * alpha:.0f}"
        text += (f" Caution: at alpha = {alpha:g}, {n} replicates hold {held} "
                 f"with an exhausted fund; use --n {int(np.ceil(10 / alpha))} or more.")  # fmt: skip
    if check["p_exhausted_ci_low"] > alpha:
        text += " The fresh-seed check does not confirm the answer (its interval lies above alpha)."
    return text


def fresh_check(exp: Experiment, answer: dict, base: Scenario, n: int, seed: int) -> dict | None:
    """Re-simulate the answer on ``n`` new replicate seeds (root ``seed``) in ``fund_sizing/check``."""
    if answer["fund_initial"] is None:
        return None
    fund, lev = answer["fund_initial"], answer["leverage"]
    label = f"fund_{fund:.0f}_leverage_{lev:g}"  # one folder per answer: several alphas can share
    spec = with_values(
        base,
        label,
        {"fund.initial": answer["fund_initial"], "fund.leverage": answer["leverage"]},
    )
    s = candidate_stats(exp.sibling(exp.out / "fund_sizing" / "check", seed, n).run([spec]))
    answer["message"] += f" Re-simulated on fresh seeds (root {seed}): {prob(s)}." + caveats(
        answer["alpha"], exp.n, s
    )
    return {
        "n": s["n"],
        "p_exhausted": s["p_exhausted"],
        "ci": [s["p_exhausted_ci_low"], s["p_exhausted_ci_high"]],
        "root_seed": int(seed),
    }
