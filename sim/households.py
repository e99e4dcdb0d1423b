"""Household state as NumPy columns, and the ``Household`` agent as a view of one row.

All household behaviour is stepped in bulk on the columns of :class:`HouseholdTable`; a
:class:`Household` agent exists for identity and inspection and holds no state of its own, so
the table is the single source of truth. Views are Mesa agents created when first asked for
(``model.household(i)``, or every one with ``model.household_agents()``), or all at
construction with ``run.household_agents=true``; results never depend on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.county import LABOUR_NONE, County
from sim.loans import NEVER

if TYPE_CHECKING:
    from sim.model import MicrocreditModel

# Loan states that partition the households exactly (see HouseholdTable.states)
STATE_NAMES = ("never_borrowed", "performing", "overdue", "non_performing", "closed", "written_off")


class HouseholdTable:
    """Dynamic household columns; the static ones live in :class:`sim.county.County`."""

    def __init__(self, county: County, amount_share: np.ndarray, term_years: np.ndarray):
        n = county.n_households
        self.county = county
        self.amount_share = amount_share  # share of the credit line this household asks for
        self.term_years = term_years  # term this household asks for
        self.rated = np.zeros(n, dtype=bool)
        self.aware = np.zeros(n, dtype=bool)
        self.grade = np.full(n, -1, dtype=np.int8)  # -1 until rated
        self.ever_borrowed = np.zeros(n, dtype=bool)
        self.has_repaid = np.zeros(n, dtype=bool)  # repaid at least one loan
        self.written_off = np.zeros(n, dtype=bool)  # had a loan written off
        self.blacklisted = np.zeros(n, dtype=bool)
        self.ti_next_apply = np.zeros(n, dtype=np.int32)
        self.ti_first_loan = np.full(n, NEVER, dtype=np.int32)
        self.interest_fronted = np.zeros(n)  # yuan paid awaiting the county's reimbursement
        self.interest_arrears = np.zeros(n)  # yuan of interest due and unpaid
        # willing and able to borrow for an own project (static)
        self.could_borrow = county.hh_willing & self.able()
        # last step of the rating and publicity ramps; once a step at or after it has been
        # processed every household is rated and aware and later steps change nothing
        self._ramps_end = int(max(county.ti_rated.max(initial=0), county.ti_aware.max(initial=0)))
        self._ramps_done = False

    def rate_and_inform(self, t: int) -> None:
        """Information collection and publicity reach the households due at step ``t``."""
        if self._ramps_done:
            return
        c = self.county
        newly = ~self.rated & (c.ti_rated <= t)
        self.rated |= newly
        self.grade[newly] = c.hh_grade[newly]
        self.aware |= c.ti_aware <= t
        self._ramps_done = t >= self._ramps_end

    def able(self) -> np.ndarray:
        """Households able to borrow for their own project (full or weak labour)."""
        return self.county.hh_labour != LABOUR_NONE

    def state_counts(
        self,
        active: np.ndarray,
        overdue: np.ndarray,
        npl: np.ndarray,
        n_active: int | None = None,
    ) -> list[int]:
        """Households in each loan state, counted independently (they must add up).

        The counts are not a tally of :meth:`states`: never borrowed, active, closed and
        written off are each counted from their own flags, so inconsistent state (a loan
        without a borrower, a write-off of a household that never borrowed) breaks the
        partition checked in ``check_books``. Active households split into performing,
        overdue and non-performing by nested masks. ``n_active`` is the count of ``active``
        if already known.
        """
        cnt = np.count_nonzero
        ever, written_off = self.ever_borrowed, self.written_off
        if n_active is None:
            n_active = cnt(active)
        troubled = cnt(active & (overdue | npl))  # overdue or non-performing
        n_npl = cnt(active & npl)
        ended = ~active
        gone = cnt(written_off & ended)
        return [
            len(ever) - cnt(ever),
            n_active - troubled,
            troubled - n_npl,
            n_npl,
            cnt((ever | written_off) & ended) - gone,  # ever & ~active & ~written_off
            gone,
        ]

    def states(self, active: np.ndarray, overdue: np.ndarray, npl: np.ndarray) -> np.ndarray:
        """Loan state code of every household (index into ``STATE_NAMES``)."""
        state = np.zeros(len(active), dtype=np.int8)
        state[self.ever_borrowed & ~active] = 4
        state[self.written_off & ~active] = 5
        state[active] = 1
        state[active & overdue] = 2
        state[active & npl] = 3
        return state


class Household(mesa.Agent):
    """A registered poor household: a read-only view of row ``row`` of the model's tables."""

    def __init__(self, model: MicrocreditModel, row: int):
        super().__init__(model)
        self.row = row

    def __repr__(self) -> str:
        return f"Household(row={self.row}, village={self.village}, loan_balance={self.loan_balance:.0f})"

    @property
    def village(self) -> int:
        """Administrative village index."""
        return int(self.model.county.hh_village[self.row])

    @property
    def township(self) -> int:
        """Township index."""
        return int(self.model.county.hh_township[self.row])

    @property
    def labour(self) -> str:
        """Labour capacity: full, weak or none."""
        return ("full", "weak", "none")[int(self.model.county.hh_labour[self.row])]

    @property
    def grade(self) -> str | None:
        """Credit grade, or None before information collection reaches the household."""
        g = int(self.model.households.grade[self.row])
        return None if g < 0 else str(self.model.cfg.rating.grade_names[g])

    @property
    def loan_balance(self) -> float:
        """Outstanding principal of the household's loan, yuan."""
        return float(self.model.loans.balance[self.row])

    @property
    def state(self) -> str:
        """Current loan state (one of ``STATE_NAMES``)."""
        return STATE_NAMES[int(self.model.household_states()[self.row])]
