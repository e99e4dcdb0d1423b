"""The fund-sizing answer in words, for the finance office.

What meets α, and if nothing does, why not and what would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.experiments.search import FUND, Axis, SearchResult

if TYPE_CHECKING:
    from sim.experiments.fund_sizing import Sizer
    from sim.experiments.spec import Scenario


def yuan(x: float) -> str:
    """Money as the finance office reads it: yuan and 万元."""
    return f"{x:,.0f} yuan ({x / 1e4:,.0f} 万元)"


def prob(s: dict) -> str:
    """``P = 0.040 (95 % CI 0.016-0.098, 200 replicates)``."""
    return (
        f"P = {s['p_exhausted']:.3f} (95 % CI {s['p_exhausted_ci_low']:.3f}-{s['p_exhausted_ci_high']:.3f}, "
        f"{s['n']} replicates)"
    )


def explain(
    sizer: Sizer,
    base: Scenario,
    axis: Axis,
    grid: list[float],
    alpha: float,
    result: SearchResult,
    fallback: SearchResult | None,
) -> dict:
    """The answer dict (without the fresh-seed check)."""
    months = base.config["horizon"]["months"]
    head = f"P(fund exhausted within {months} months) <= alpha = {alpha:g}"
    chosen = result if result.value is not None else fallback
    axis_used = axis if result.value is not None else _other(axis)
    if chosen is None or chosen.value is None:
        return _answer(
            alpha,
            None,
            None,
            None,
            False,
            _infeasible(sizer, base, axis, grid, head, fallback),
            "infeasible",
        )
    point = sizer.point(axis_used, chosen.value)
    s = sizer.stats[point]
    if result.value is None:
        text = _infeasible(sizer, base, axis, grid, head, fallback)
    elif result.status == "at_grid_edge":
        text = _edge(axis, grid, head, s)
    else:
        failing = sizer.stats[sizer.point(axis, result.failing)]
        what = (
            "smallest fund" if axis is FUND else f"largest leverage at a fund of {yuan(point[0])}"
        )
        value = yuan(point[0]) if axis is FUND else f"{point[1]:g}x"
        other = yuan(result.failing) if axis is FUND else f"{result.failing:g}x"
        text = (
            f"The {what} with {head} is {value} at leverage {point[1]:g}x: {prob(s)}; {other} gives "
            f"P = {failing['p_exhausted']:.3f}. Household loan rate {s['mean_household_loan_rate']:.1%}."
        )
    status = result.status if result.value is not None else "leverage_fallback"
    return _answer(
        alpha, point, s, s["mean_household_loan_rate"], result.value is not None, text, status
    )


def _other(axis: Axis) -> Axis:
    from sim.experiments.search import LEVERAGE

    return LEVERAGE if axis is FUND else FUND


def _answer(alpha, point, s, rate, feasible, message, status) -> dict:
    """The answer dict; ``status`` says what kind of answer it is.

    ``found`` (a failing neighbour brackets the answer), ``at_grid_edge`` (the safest-but-one
    end of the grid already meets alpha: a smaller fund, or a larger multiple, may meet it
    too), ``leverage_fallback`` (no fund met alpha; the multiple reported does) or
    ``infeasible``.
    """
    return {
        "alpha": alpha,
        "fund_initial": None if point is None else float(point[0]),
        "leverage": None if point is None else float(point[1]),
        "p_exhausted": None if s is None else s["p_exhausted"],
        "ci": None if s is None else [s["p_exhausted_ci_low"], s["p_exhausted_ci_high"]],
        "household_loan_rate": rate,
        "feasible": bool(feasible),
        "status": status,
        "message": message,
    }


def _edge(axis: Axis, grid: list[float], head: str, s: dict) -> str:
    if axis is FUND:
        return (
            f"Every candidate from {yuan(min(grid))} up meets {head} ({prob(s)} at the smallest); "
            "the smallest sufficient fund may be lower: extend the grid downwards (--grid)."
        )
    return (
        f"Every leverage up to {max(grid):g}x meets {head} ({prob(s)} at the largest); "
        "the largest admissible multiple may be higher: extend the grid upwards (--grid)."
    )


def _infeasible(
    sizer: Sizer,
    base: Scenario,
    axis: Axis,
    grid: list[float],
    head: str,
    fallback: SearchResult | None,
) -> str:
    fund, lev = base.config["fund"]["initial"], base.config["fund"]["leverage"]
    if axis is not FUND:
        s = sizer.stats[sizer.point(axis, min(grid))]
        return (
            f"No leverage down to {min(grid):g}x meets {head} at a fund of {yuan(fund)} "
            f"({prob(s)} at {min(grid):g}x): default risk or demand must fall, or the rules change."
        )
    lo, hi = sizer.stats[(min(grid), lev)], sizer.stats[(max(grid), lev)]
    text = (
        f"Not feasible: no fund from {yuan(min(grid))} to {yuan(max(grid))} meets {head} at leverage {lev:g}x "
        f"({prob(hi)} at the largest)."
    )
    growth = hi["mean_total_new_lending"] / max(lo["mean_total_new_lending"], 1.0)
    if growth > 1.01:
        text += (
            f" Lending is capacity-bound (capacity = fund x leverage): mean new lending grows "
            f"{growth:.1f}-fold from the smallest to the largest fund, so losses and fund payouts grow "
            "with the fund and a larger fund does not lower the probability."
        )
    if fallback is not None and fallback.value is not None:
        s = sizer.stats[(fund, fallback.value)]
        text += (
            f" At the configured fund of {yuan(fund)}, a leverage of at most {fallback.value:g}x meets "
            f"alpha: {prob(s)}, household loan rate {s['mean_household_loan_rate']:.1%}; "
            "fund_initial and leverage report that setting."
        )
    else:
        text += (
            f" No leverage down to 1x meets alpha at the configured fund of {yuan(fund)} either: default "
            "risk or demand (uptake) must be lower."
        )
    return text
