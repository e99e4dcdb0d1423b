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


def approve(
    m: MicrocreditModel,
    bank: np.ndarray,
    amount: np.ndarray,
    priority: np.ndarray,
    worthy: np.ndarray,
    open_place: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Decide this month's applications at every bank; ``bank`` is each applicant's bank.

    ``worthy`` says which pass the grade and age rules (:func:`creditworthy`, common to all
    banks) and ``open_place`` which live where lending is not suspended. Each bank serves
    those of its applicants that pass both in ``priority`` order until its lending capacity
    is used up.

    Returns:
        The approved mask over the applicants, the approved applicants' positions in
        ``priority`` order, and counts of refusals by reason.
    """
    order = np.flatnonzero(worthy & open_place)
    order = order[np.argsort(priority[order], kind="stable")]
    bank, amount_q = bank[order], amount[order]
    capacity = lending_capacities(m)
    within = np.zeros(len(order), dtype=bool)
    for b in range(m.ledger.n_banks):
        mine = np.flatnonzero(bank == b)  # this bank's applicants, still in priority order
        within[mine] = np.cumsum(amount_q[mine]) <= capacity[b] + 1e-6
    queue = order[within]
    approved = np.zeros(len(amount), dtype=bool)
    approved[queue] = True
    n_worthy = np.count_nonzero(worthy)
    counts = {
        "rejected_credit": len(amount) - n_worthy,
        "blocked_suspended": n_worthy - len(order),
        "blocked_capacity": len(order) - len(queue),
    }
    return approved, queue, counts


class Bank(mesa.Agent):
    """A partner bank with its deposit of the risk-compensation fund."""

    def __init__(self, model: MicrocreditModel, index: int):
        super().__init__(model)
        self.index = index
        self.townships = np.flatnonzero(model.county.township_bank == index)

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
