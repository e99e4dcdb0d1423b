"""Partner banks: approval, lending capacity, renewal decisions (§1, §5, §6, §9, §10).

Each bank serves a contiguous block of townships (分片包干). Its decisions are vectorised
over the households it serves; the bank never moves money itself: it returns decisions and
the model posts them to the ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import MicrocreditModel


def creditworthy(m: MicrocreditModel, idx: np.ndarray) -> np.ndarray:
    """Rated with a positive credit line, head not above the age limit, not blacklisted (§9)."""
    grade = m.households.grade[idx]
    ok_grade = (grade >= 0) & (m.credit_lines[np.maximum(grade, 0)] > 0)
    ok_age = m.county.hh_age[idx] <= m.cfg.credit.age_limit
    return ok_grade & ok_age & ~m.households.blacklisted[idx]


def may_renew(m: MicrocreditModel, idx: np.ndarray) -> np.ndarray:
    """Which of ``idx`` may renew without repaying principal (无还本续贷, §5), at any bank.

    Risk is controllable: still creditworthy, and the place is not suspended when the
    breaker also stops renewals.
    """
    ok = creditworthy(m, idx)
    if m.cfg.breaker.blocks_renewals:
        ok &= ~m.breaker.blocked_household(idx)
    return ok


def lending_capacities(m: MicrocreditModel) -> np.ndarray:
    """:meth:`Bank.lending_capacity` of every bank at once."""
    deposit = np.maximum(m.ledger.fund_balance, 0.0)
    return np.maximum(deposit * m.cfg.fund.leverage - m.ledger.loan_balance, 0.0)


def fits_whole(total: np.ndarray | float, room: np.ndarray | float, n: int) -> np.ndarray:
    """Whether ``n`` non-negative amounts adding up to ``total`` fit in ``room`` in any order.

    A queue is served while its running total stays within ``room`` (1e-6 yuan tolerance).
    Its largest running total is the whole sum, up to at most ``n`` roundings, which the
    relative margin covers; when that fits, the queue's order cannot matter and it needs no
    sort and no running totals.
    """
    return np.asarray(total) * (1.0 + 2.5e-16 * (n + 1)) <= np.asarray(room) + 1e-6


def priority_order(idx: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """``idx`` (positions in row order) sorted by ``priority``; ties keep row order."""
    return idx[np.argsort(priority[idx], kind="stable")]


def approve(
    m: MicrocreditModel,
    bank: np.ndarray,
    amount: np.ndarray,
    priority: np.ndarray,
    worthy: np.ndarray,
    open_place: np.ndarray,
) -> tuple[np.ndarray, dict]:
    """Decide this month's applications at every bank; ``bank`` is each applicant's bank.

    ``worthy`` says which pass the grade and age rules (:func:`creditworthy`, common to all
    banks) and ``open_place`` which live where lending is not suspended. Each bank serves
    those of its applicants that pass both in ``priority`` order until its lending capacity
    is used up (a bank whose applicants all fit is not queued at all).

    Returns:
        The approved mask over the applicants and counts of refusals by reason.
    """
    candidates = (worthy & open_place).nonzero()[0]
    capacity = lending_capacities(m)
    n_banks = m.ledger.n_banks
    asked = np.bincount(bank[candidates], weights=amount[candidates], minlength=n_banks)
    short = (~fits_whole(asked, capacity, len(candidates))).nonzero()[0]
    if len(short):  # queue by priority at the banks whose capacity runs out
        order = priority_order(candidates, priority)
        bank_q, amount_q = bank[order], amount[order]
        within = np.ones(len(order), dtype=bool)
        for b in short:
            mine = (bank_q == b).nonzero()[0]  # this bank's applicants, still in priority order
            within[mine] = np.cumsum(amount_q[mine]) <= capacity[b] + 1e-6
        served = order[within]
    else:
        served = candidates
    approved = np.zeros(len(amount), dtype=bool)
    approved[served] = True
    n_worthy = np.count_nonzero(worthy)
    counts = {
        "rejected_credit": len(amount) - n_worthy,
        "blocked_suspended": n_worthy - len(candidates),
        "blocked_capacity": len(candidates) - len(served),
    }
    return approved, counts


class Bank(mesa.Agent):
    """A partner bank with its deposit of the risk-compensation fund."""

    def __init__(self, model: MicrocreditModel, index: int):
        super().__init__(model)
        self.index = index
        self.townships = (model.county.township_bank == index).nonzero()[0]

    def lending_capacity(self) -> float:
        """Yuan this bank may still lend: fund deposit x leverage - outstanding balance (§10)."""
        return float(lending_capacities(self.model)[self.index])

    def creditworthy(self, idx: np.ndarray) -> np.ndarray:
        """Grade and age rules (§9), common to all partner banks."""
        return creditworthy(self.model, idx)

    def may_renew(self, idx: np.ndarray) -> np.ndarray:
        """Which of ``idx`` may renew without repaying principal (无还本续贷, §5).

        Risk is controllable: still creditworthy, and the place is not suspended when the
        breaker also stops renewals.
        """
        return may_renew(self.model, idx)
