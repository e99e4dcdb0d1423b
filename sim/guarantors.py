"""Government guarantors (§4, §10).

The provincial agricultural credit guarantee company (省农信担保) and the county government
guarantor.

A guarantor earns a yearly fee on the balance it guarantees (paid by the county, §4) and pays
its share of a claim (``sharing``). The county guarantor is refunded part of its payouts by
the county's compensation fund while that lasts; the provincial guarantor draws its payouts
on this county's loans from the county's deposit with it first (§10). Outstanding guarantees
may not exceed ``guarantee.leverage_limit`` x net assets, and the provincial guarantor's
guarantees for the county not ``fund.provincial_leverage`` x that deposit; a loan that needs
a guarantee waits while its guarantor is at its limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import MicrocreditModel

GUARANTOR_NAMES = ("provincial", "county")
NO_GUARANTOR = -1


def guarantor_index(name: str) -> int:
    """Index of a guarantor named in the config ("none" -> -1)."""
    return NO_GUARANTOR if name == "none" else GUARANTOR_NAMES.index(name)


class Guarantor(mesa.Agent):
    """A government guarantor; its books are the ledger's guarantor accounts."""

    def __init__(self, model: MicrocreditModel, index: int):
        super().__init__(model)
        self.index = index
        self.name = GUARANTOR_NAMES[index]

    def net_assets(self) -> float:
        """Yuan of net assets, from the ledger."""
        return float(self.model.ledger.guarantor_net_assets[self.index])

    def outstanding(self) -> float:
        """Yuan of loans this guarantor currently guarantees (both channels)."""
        # a closed slot has zero balance, so no activity mask is needed
        n = len(GUARANTOR_NAMES)
        return sum(
            float(book.sum_by_guarantor(book.balance, n)[self.index]) for book in self.model.books()
        )

    def room(self) -> float:
        """Yuan of new guarantees this guarantor may still give."""
        m = self.model
        limit = m.cfg.guarantee.leverage_limit * max(self.net_assets(), 0.0)
        if self.name == "provincial":
            deposit = max(m.ledger.provincial_deposit, 0.0)
            limit = min(limit, m.cfg.fund.provincial_leverage * deposit)
        return max(limit - self.outstanding(), 0.0)

    def admit(self, amount: np.ndarray, room: float) -> np.ndarray:
        """Which of ``amount`` (already in priority order) fit within ``room``."""
        return np.cumsum(amount) <= room + 1e-6


def charge_fees(model: MicrocreditModel, performing_balance: np.ndarray | None = None) -> None:
    """Monthly guarantee fees on performing guaranteed loans, paid to the guarantors (§4).

    ``performing_balance`` may pass the household book's balance on open, not overdue slots
    (zero elsewhere) already computed this month; when every household loan has had a
    guarantor, it is the fee base.
    """
    g = model.cfg.guarantee
    for book, rate in (
        (model.loans, g.household_fee_rate),
        (model.enterprise_loans, g.enterprise_fee_rate),
    ):
        if (
            book is model.loans
            and performing_balance is not None
            and NO_GUARANTOR not in book.guarantors_used
        ):
            fee = performing_balance * (rate / 12.0)
        else:
            fee = book.balance * (book.active & ~book.overdue & (book.guarantor >= 0))
            fee *= rate / 12.0
        by_bank = book.sum_by_bank(fee, model.ledger.n_banks)
        by_guarantor = book.sum_by_guarantor(fee, len(model.guarantors))
        model.ledger.post_totals("guarantee_fee", by_bank, by_guarantor)
        model.ledger.post_totals("guarantee_fee_subsidy", by_bank * g.fee_subsidy_share)
