"""One-pass fund sizing: the (1 - alpha) quantile of the fund each replicate required.

Every run reports ``summary["fund_required"]`` (``sim/fund_required.py``): the smallest
opening fund that would have kept its fund from running out, valid as long as the fund's
size did not change the loans made (lending capacity = deposit x leverage did not bind).
A replicate exhausts a fund ``F`` exactly when ``F <= fund_required``, so on the sizing
seeds the estimated exhaustion probability at ``F`` is the share of replicates with
``fund_required >= F``, and the smallest fund with that share at most alpha is the smallest
lattice point above the ``(n - k)``-th order statistic, ``k = floor(n alpha)``: the grid
search's answer, read off without simulating the grid.

The procedure (:func:`one_pass`):

1. Simulate the configured fund on the replicate seeds; take the quantile answer ``F1``.
2. Simulate ``F1`` on the same seeds (the verification) and take the answer again. A
   replicate that ran out in step 1 lent less afterwards, so its requirement may move;
   repeat until the answer is the fund just simulated (at most ``ROUNDS`` simulations).
3. Accept the fixed point (the answer read from the runs at a fund is that fund) when,
   simulated there on the same seeds, P(exhausted) <= alpha and no replicate was refused
   lending for want of capacity while its fund was still whole (not yet drawn below its
   opening size). At a fixed point each replicate's requirement is read off its own path at
   the answer, so a replicate runs out there exactly when its requirement reaches the
   answer. Between rounds the requirement can move for two reasons the rounds record: a
   replicate that ran out at the previous fund was cut short (its requirement is only a lower
   bound there), and a fund drawn down near zero lends less (capacity = deposit x leverage),
   so a replicate that came close to running out at a larger fund needs a little less at a
   smaller one. Capacity that binds at a fund below the answer only sends the procedure on
   to the larger fund; capacity that binds at the answer (or above it, hence at it too)
   makes it fall back to the grid search
   (``fund_sizing.solve``), which reuses every candidate already simulated. So does a
   fixed point that exhausts more often than alpha (a single bank's deposit running out
   before the county's fund) or an answer that does not settle.

The answer's interval is distribution-free: the order statistics ``X_(l) <= q <= X_(u)``
with ``P(l <= B < u) >= 0.95`` for ``B ~ Binomial(n, 1 - alpha)``.

Leverage: the leverage multiple acts on the claims only through lending capacity. Where
capacity does not bind, every larger multiple gives the same claims and the same
probability, so the largest admissible multiple lies where capacity binds: exactly where
the one-pass reasoning fails. ``--solve-for leverage`` therefore always uses the grid.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.experiments.search import FUND
from sim.experiments.sizing_text import prob, yuan

if TYPE_CHECKING:
    from sim.experiments.fund_sizing import Sizer
    from sim.experiments.spec import Scenario

ROUNDS = 4  # simulations of one-pass before it gives way to the grid
LEVEL = 0.95  # coverage of the order-statistic interval
LEVERAGE_REASON = (
    "one-pass sizing applies to the fund only: the leverage multiple changes the claims "
    "only through lending capacity, so the largest admissible multiple lies where capacity "
    "binds, where a run's fund requirement depends on the setting; the grid search is used"
)


def snap_above(x: float, step: float = FUND.step) -> float:
    """The smallest lattice point strictly above ``x`` (and at least one step)."""
    v = math.floor(x / step + 1e-9) * step + step
    return float(max(v, step))


def quantile_answer(required, alpha: float, level: float = LEVEL) -> dict:
    """Smallest lattice fund with ``#{required >= F} <= floor(n alpha)``, and its interval.

    Returns:
        ``{"fund", "quantile", "k", "n", "ci": [low, high], "ci_order": [l, u], "ci_level"}``;
        ``high`` is None when the interval reaches beyond the largest replicate.
    """
    from scipy.stats import binom

    x = np.sort(np.asarray(required, dtype=float))
    n = len(x)
    k = math.floor(n * alpha + 1e-9)
    q = float(x[n - k - 1])
    p = 1.0 - alpha
    lo_i = max(1, int(binom.ppf((1 - level) / 2, n, p)))
    hi_i = int(binom.ppf((1 + level) / 2, n, p)) + 1
    coverage = float(binom.cdf(hi_i - 1, n, p) - binom.cdf(lo_i - 1, n, p))
    return {
        "fund": snap_above(q),
        "quantile": q,
        "k": k,
        "n": n,
        "ci": [snap_above(x[lo_i - 1]), snap_above(x[hi_i - 1]) if hi_i <= n else None],
        "ci_order": [lo_i, hi_i],
        "ci_level": coverage,
    }


def one_pass(sizer: Sizer, base: Scenario, alpha: float, probe: float) -> tuple[dict | None, dict]:
    """Run the procedure of the module docstring.

    Returns:
        ``(answer, record)``: the answer dict (as ``sizing_text.explain`` builds it) or None
        when the grid must take over, and the record of the rounds with the reason.
    """
    lev = float(base.config["fund"]["leverage"])
    fund = FUND.snap(probe)
    rounds: list[dict] = []
    record = {"rounds": rounds, "fallback": None}
    evaluate = sizer.evaluator(FUND)
    for _ in range(ROUNDS):
        evaluate([fund])
        rows, stats = sizer.rows[(fund, lev)], sizer.stats[(fund, lev)]
        if "fund_required" not in rows.columns:
            record["fallback"] = "the runs do not report fund_required"
            return None, record
        q = quantile_answer(rows["fund_required"].astype(float), alpha)
        bound = int((rows["months_capacity_bound"] > 0).sum())
        rounds.append(
            {"fund": fund, "answer": q["fund"], "p_exhausted": stats["p_exhausted"], "bound": bound}
        )
        if bound and q["fund"] <= fund:  # binds here, so at every smaller fund too
            record["fallback"] = (
                f"lending capacity binds at a fund of {yuan(fund)} in {bound} of {len(rows)} "
                "replicates (loans were refused for want of capacity while the fund was still "
                "whole), so the loans made, and the fund's claims, depend on its size"
            )
            return None, record
        if rounds[:-1]:  # diagnostics: how well the last requirement predicted this run
            early, late = _mispredicted(sizer.rows[(rounds[-2]["fund"], lev)], rows, fund)
            rounds[-1] |= {"ran_out_unpredicted": early, "held_unpredicted": late}
        if q["fund"] == fund and not bound:
            if stats["p_exhausted"] > alpha:
                bounds = ", ".join(str(r["bound"]) for r in rounds)
                record["fallback"] = (
                    f"simulated at {yuan(fund)}, the fund runs out in {prob(stats)}, above "
                    "alpha, although the county-wide requirement says it suffices: a single "
                    "bank's deposit runs out before the county's fund does, or the fund's size "
                    "changed the loans made (replicates with lending capacity bound while the "
                    f"fund was whole, round by round: {bounds})"
                )
                return None, record
            record["quantile"] = q
            return _answer(sizer, base, alpha, fund, lev, q, rounds), record
        fund = q["fund"]
    record["fallback"] = (
        f"the requirement did not settle in {ROUNDS} simulations "
        f"({', '.join(yuan(r['fund']) for r in rounds)}): a fund drawn down lends less "
        "(capacity = deposit x leverage), so the smaller the fund, the less it needs"
    )
    meets = [r["fund"] for r in rounds if r["p_exhausted"] <= alpha]
    if meets:  # the answer lies at or below the smallest fund that met alpha
        record["bracket"] = [FUND.snap(min(meets) / 2), min(meets)]
    return None, record


def _mispredicted(before, at, fund: float) -> tuple[int, int]:
    """Counts of replicates mispredicted by the requirement read at an earlier fund.

    Returns:
        Those that ran out at ``fund`` although that requirement was below it, and those that
        held although it was at or above it.
    """
    req = before.set_index("replicate")["fund_required"].astype(float)
    out = at.set_index("replicate")["fund_exhausted"].astype(bool)
    common = req.index.intersection(out.index)
    need, ran_out = req[common] >= fund, out[common]
    return int((ran_out & ~need).sum()), int((~ran_out & need).sum())


def _answer(sizer, base, alpha, fund, lev, q, rounds) -> dict:
    s = sizer.stats[(fund, lev)]
    months = base.config["horizon"]["months"]
    lo, hi = q["ci"]
    hi_text = yuan(hi) if hi is not None else "beyond the largest replicate (raise --n)"
    text = (
        f"One-pass sizing: the smallest fund with P(fund exhausted within {months} months) <= "
        f"alpha = {alpha:g} is {yuan(fund)} at leverage {lev:g}x, just above the "
        f"{1 - alpha:.0%} quantile of the fund each replicate required ({yuan(q['quantile'])}; "
        f"{q['ci_level']:.0%} interval {yuan(lo)} to {hi_text}, order statistics "
        f"{q['ci_order'][0]} and {q['ci_order'][1]} of {q['n']}). Simulated at that fund on the "
        f"same seeds: {prob(s)}. Household loan rate {s['mean_household_loan_rate']:.1%}."
    )
    if len(rounds) > 2:
        held = sum(r.get("held_unpredicted", 0) for r in rounds)
        text += f" The requirement settled after {len(rounds)} simulations" + (
            f" ({held} replicate-rounds held below their earlier requirement: a fund drawn "
            "down lends less)."
            if held
            else "."
        )
    return {
        "alpha": alpha,
        "fund_initial": float(fund),
        "leverage": float(lev),
        "p_exhausted": s["p_exhausted"],
        "ci": [s["p_exhausted_ci_low"], s["p_exhausted_ci_high"]],
        "household_loan_rate": s["mean_household_loan_rate"],
        "feasible": True,
        "status": "found",
        "message": text,
    }
