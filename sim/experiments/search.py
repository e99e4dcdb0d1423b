"""Grid-then-bisection search for the boundary where P(fund exhausted) crosses α.

Candidates are simulated, not extrapolated: lending capacity is fund × leverage, so the loss
distribution itself moves with the candidate. All candidates run on the experiment's
replicate seeds (common random numbers), which makes the estimated probability a step
function of the candidate that bisection can pin down.

The search works on a "safety" axis ``u`` where larger is safer: ``u = fund`` when sizing
the fund, ``u = -leverage`` when sizing the multiple. The answer is the least safe ``u``
that meets α and from which every larger grid candidate meets α too, so a dip below α
between failing candidates is not taken for an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiments.stats import wilson


@dataclass(frozen=True)
class Axis:
    """The variable searched: its config key, direction and lattice step."""

    key: str  # "fund.initial" or "fund.leverage"
    sign: int  # +1: larger is safer (fund); -1: smaller is safer (leverage)
    step: float  # candidates are rounded to multiples of this (yuan or x)

    def label(self, value: float) -> str:
        """Scenario label of a candidate (also its replicate folder name)."""
        name = "fund" if self.key == "fund.initial" else "leverage"
        return f"{name}_{value:.0f}" if name == "fund" else f"{name}_{value:g}"

    def snap(self, value: float) -> float:
        """Round to the lattice, so the same candidate always gets the same label."""
        return float(np.round(value / self.step) * self.step)


FUND = Axis("fund.initial", +1, 10_000.0)
LEVERAGE = Axis("fund.leverage", -1, 0.05)

_LABEL = re.compile(r"^(fund|leverage)_(\d+(?:\.\d+)?)$")


def parse_label(name: str) -> tuple[str, float] | None:
    """The axis and value a candidate's label names, or None for any other name.

    The inverse of :meth:`Axis.label`: ``fund_6000000`` gives ``("fund", 6e6)``.
    """
    found = _LABEL.match(name)
    return (found[1], float(found[2])) if found else None


def candidate_stats(rows: pd.DataFrame) -> dict[str, float]:
    """Exhaustion probability with its Wilson 95 % interval, and what the candidate costs."""
    k, n = int(rows["fund_exhausted"].astype(bool).sum()), len(rows)
    lo, hi = wilson(k, n)
    payouts = rows["cum_fund_payouts"].astype(float)
    return {
        "p_exhausted": k / n if n else np.nan,
        "p_exhausted_ci_low": lo,
        "p_exhausted_ci_high": hi,
        "mean_cum_fund_payouts": float(payouts.mean()),
        "p95_cum_fund_payouts": float(np.percentile(payouts, 95)) if n else np.nan,
        "mean_household_loan_rate": float(rows["final_household_loan_rate"].mean()),
        "mean_cum_fiscal_cost": float(rows["cum_fiscal_cost"].mean()),
        "mean_total_new_lending": float(rows["total_new_lending"].mean()),
        "n": n,
    }


@dataclass
class SearchResult:
    """Result of a search: the answer (or None), the bracket and why."""

    value: float | None  # the variable at the answer
    failing: float | None  # the less safe neighbour that fails α (None: none evaluated)
    status: str  # "found", "at_grid_edge" (safest-but-one end already meets α) or "infeasible"


def search(
    evaluate: Callable[[list[float]], dict[float, float]],
    axis: Axis,
    grid: list[float],
    alpha: float,
    tolerance: float = 0.02,
) -> SearchResult:
    """Find the least safe candidate meeting ``p <= alpha``.

    Args:
        evaluate: maps candidate values to their estimated probability (runs them).
        axis: the variable.
        grid: starting candidates (any order; rounded to the lattice).
        alpha: target probability.
        tolerance: stop bisecting when the bracket is narrower than this share of the answer.
    """
    grid = sorted({axis.snap(v) for v in grid}, key=lambda v: axis.sign * v)
    p = dict(evaluate(grid))
    meets = [p[v] <= alpha for v in grid]
    if not meets[-1]:
        return SearchResult(None, grid[-1], "infeasible")
    k = len(grid) - 1
    while k > 0 and meets[k - 1]:
        k -= 1
    if k == 0:
        return SearchResult(grid[0], None, "at_grid_edge")
    lo, hi = axis.sign * grid[k - 1], axis.sign * grid[k]  # safety axis: lo fails, hi meets
    while hi - lo > max(axis.step, tolerance * abs(hi)):
        mid = axis.sign * axis.snap(axis.sign * (lo + hi) / 2)
        if not lo < mid < hi:
            break
        value = axis.sign * mid
        if evaluate([value])[value] <= alpha:
            hi = mid
        else:
            lo = mid
    return SearchResult(axis.sign * hi, axis.sign * lo, "found")
