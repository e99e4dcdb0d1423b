"""The household loan book: one loan slot per household, held in NumPy arrays.

A household has at most one household-channel loan at a time, so loan state is indexed by
household row. Dates are steps (months from ``horizon.start``): ``ti_review`` is the next
month the loan needs a decision (the end of the current loan-year, or earlier, the payment
date at which a failed project shows); ``ti_maturity`` is when principal falls due. Money only
changes through :class:`sim.ledger.Ledger` postings made by the model's phases; this module
holds state and computes classifications.

``balance`` is what the bank still carries on its own book. When the fund and the guarantor
pay their shares of a claim, those amounts leave the bank's book and become their claims on
the borrower (``claim_fund``, ``claim_guarantor``); the borrower's whole debt is the sum of
the three. Every reduction of ``balance`` goes through :meth:`LoanBook.reduce`, which also
counts the part that leaves the non-performing stock, so that the month's NPL flows add up.
"""

from __future__ import annotations

import numpy as np

from sim.segments import Segments

NEVER = 2**30  # a date that never comes

# Five-category classification codes
NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS = 0, 1, 2, 3, 4
CLASS_NAMES = ("normal", "special_mention", "substandard", "doubtful", "loss")
# Ways a balance leaves the non-performing stock (named parts of ``npl_outflow``)
NPL_OUTFLOWS = ("repaid", "compensated", "written_off")


class LoanBook:
    """Array-backed state of every household's current loan."""

    def __init__(
        self, n: int, bank: np.ndarray, village: np.ndarray, banks: Segments | None = None
    ):
        self.n = n
        self.bank = bank  # bank of each slot (the household's bank), fixed
        self.village = village
        self.banks = banks  # slots grouped by bank when they are stored bank by bank
        self.active = np.zeros(n, dtype=bool)
        self.principal = np.zeros(n)  # yuan, amount disbursed
        self.balance = np.zeros(n)  # yuan, outstanding principal
        self.rate = np.zeros(n)  # per year
        self.term_m = np.zeros(n, dtype=np.int32)  # original term, months
        self.ti_start = np.full(n, NEVER, dtype=np.int32)
        self.ti_maturity = np.full(n, NEVER, dtype=np.int32)
        self.ti_review = np.full(n, NEVER, dtype=np.int32)
        self.failed = np.zeros(n, dtype=bool)  # project fails in the current loan-year
        self.wilful = np.zeros(n, dtype=bool)  # that failure is wilful (not 非主观因素)
        self.extended = np.zeros(n, dtype=np.int16)  # extensions granted
        self.renewed = np.zeros(n, dtype=np.int16)  # renewals granted
        self.overdue = np.zeros(n, dtype=bool)
        self.mpd = np.zeros(n, dtype=np.int32)  # months past due
        self.subsidy_share = np.zeros(n)  # share of interest the county reimburses
        self.interest_due = np.zeros(n)  # yuan accrued this quarter, not yet paid
        self.pd_multiplier = np.ones(n)  # applied to the next loan-year's PD (after extension)
        # slots opened this month whose first loan-year's outcome is drawn at the month's review
        self.opened = np.zeros(0, dtype=np.intp)
        self.guarantor = np.full(n, -1, dtype=np.int8)  # guarantor index, -1 for none
        self.guarantors_used: set[int] = set()  # every index ever set (see set_guarantor)
        self.leaked_to = np.full(n, -1, dtype=np.int32)  # enterprise using it (户贷企用), -1 none
        self.claimed = np.zeros(n, dtype=bool)  # the fund and guarantor have paid their shares
        self.claim_fund = np.zeros(n)  # yuan the fund paid the bank, now owed to the fund
        self.claim_guarantor = np.zeros(n)  # yuan the guarantor paid, now owed to it
        self.was_npl = np.zeros(n, dtype=bool)  # non-performing at the last month end
        self.npl_out = dict.fromkeys(NPL_OUTFLOWS, 0.0)  # this month's NPL outflow by part

    def reduce(self, idx: np.ndarray, amount: np.ndarray, part: str) -> None:
        """Take ``amount`` off the bank's book for loans ``idx`` (the caller posts the flow).

        ``part`` names the way it leaves (one of ``NPL_OUTFLOWS``); the amount counts towards
        the month's NPL outflow when the loan was non-performing at the last month end.
        """
        self.balance[idx] -= amount
        self.npl_out[part] += float((amount * self.was_npl[idx]).sum())

    def debt(self, idx: np.ndarray) -> np.ndarray:
        """What borrowers ``idx`` owe in all: the bank's balance and the claims paid on it."""
        return self.balance[idx] + self.claim_fund[idx] + self.claim_guarantor[idx]

    def originate(
        self, idx: np.ndarray, t: int, amount, term_m, rate, subsidy_share, guarantor=-1
    ) -> None:
        """Open new loans in slots ``idx`` at step ``t`` (the caller posts the disbursement)."""
        self.active[idx] = True
        self.principal[idx] = amount
        self.balance[idx] = amount
        self.rate[idx] = rate
        self.term_m[idx] = term_m
        self.ti_start[idx] = t
        self.ti_maturity[idx] = t + term_m
        self.ti_review[idx] = t + np.minimum(12, term_m)
        self.extended[idx] = 0
        self.renewed[idx] = 0
        self.overdue[idx] = False
        self.mpd[idx] = 0
        self.subsidy_share[idx] = subsidy_share
        self.interest_due[idx] = 0.0
        self.pd_multiplier[idx] = 1.0
        self.set_guarantor(idx, guarantor)
        self.leaked_to[idx] = -1
        self.claimed[idx] = False
        self.claim_fund[idx] = 0.0
        self.claim_guarantor[idx] = 0.0

    def close(self, idx: np.ndarray) -> None:
        """Empty slots ``idx`` after repayment or write-off (balance already reduced to 0)."""
        self.active[idx] = False
        self.balance[idx] = 0.0
        self.claimed[idx] = False
        self.claim_fund[idx] = 0.0
        self.claim_guarantor[idx] = 0.0
        self.overdue[idx] = False
        self.mpd[idx] = 0
        self.failed[idx] = False
        self.wilful[idx] = False
        self.ti_review[idx] = NEVER
        self.ti_maturity[idx] = NEVER
        self.interest_due[idx] = 0.0
        self.guarantor[idx] = -1
        self.leaked_to[idx] = -1

    def classify(self, substandard_dpd: int, doubtful_dpd: int, loss_dpd: int) -> np.ndarray:
        """Five-category class of every slot by days past due (30 days a month)."""
        dpd = self.mpd * 30
        cls = np.full(self.n, NORMAL, dtype=np.int8)
        cls[self.overdue] = SPECIAL_MENTION
        cls[dpd > substandard_dpd] = SUBSTANDARD
        cls[dpd > doubtful_dpd] = DOUBTFUL
        cls[dpd > loss_dpd] = LOSS
        cls[~self.active] = NORMAL
        return cls

    def non_performing(self, substandard_dpd: int) -> np.ndarray:
        """Open loans classified substandard or worse (the NPL of §6), without the full classes.

        Equal to ``active & (classify(...) >= SUBSTANDARD)``; a test keeps the two in step.
        """
        # whole months: mpd * 30 > d exactly when mpd > d // 30 (no product array)
        return self.active & (self.mpd > int(substandard_dpd) // 30)

    def sum_by_bank(self, values: np.ndarray, n_banks: int) -> np.ndarray:
        """Per-slot ``values`` summed per bank."""
        if self.banks is not None:
            return self.banks.sum(values)
        return np.bincount(self.bank, weights=values, minlength=n_banks)

    def sum_rows_by_bank(self, idx: np.ndarray, values: np.ndarray, n_banks: int) -> np.ndarray:
        """``values`` of slots ``idx`` (increasing) summed per bank."""
        if self.banks is not None:
            return self.banks.sum_rows(idx, values)
        return np.bincount(self.bank[idx], weights=values, minlength=n_banks)

    def sum_by_guarantor(self, values: np.ndarray, n_guarantors: int) -> np.ndarray:
        """Per-slot ``values`` summed per guarantor (slots without one are left out).

        ``values`` must be zero on slots that are not open (as balances, and what accrues on
        them, are): a slot has no guarantor only when it is not open or was opened without
        one, so when every loan ever opened had the same guarantor, that guarantor's sum is
        the plain sum (the same numbers added in the same order).
        """
        out = np.zeros(n_guarantors)
        g = self.sole_guarantor(n_guarantors)
        if g is not None:
            out[g] = values.sum()
            return out
        for g in self.guarantors_used:  # a pass only for guarantors that have been given a loan
            if 0 <= g < n_guarantors:
                out[g] = (values * (self.guarantor == g)).sum()
        return out

    def sole_guarantor(self, n_guarantors: int) -> int | None:
        """The guarantor of every loan this book has opened, if they all had the same one."""
        if len(self.guarantors_used) != 1:
            return None
        (g,) = self.guarantors_used
        return g if 0 <= g < n_guarantors else None

    def set_guarantor(self, idx: np.ndarray, guarantor) -> None:
        """Name the guarantor (index, -1 for none) of slots ``idx``."""
        self.guarantor[idx] = guarantor
        if np.ndim(guarantor) == 0:
            self.guarantors_used.add(int(guarantor))
        elif len(idx):
            self.guarantors_used.update(np.unique(guarantor).tolist())

    def balance_by(
        self, group: np.ndarray, n_groups: int, mask: np.ndarray | None = None
    ) -> np.ndarray:
        """Outstanding balance summed per group (bank, village, ...), optionally masked."""
        w = self.balance if mask is None else np.where(mask, self.balance, 0.0)
        return np.bincount(group, weights=w, minlength=n_groups)


def npl_flows(books: tuple[tuple[LoanBook, np.ndarray], ...]) -> dict[str, float]:
    """The month's NPL flows over ``(book, non-performing now)`` pairs; then roll the books on.

    ``new_npl_balance`` is the month-end balance of loans that are non-performing now and were
    not at the last month end; ``npl_outflow_<part>`` is what left the stock of loans that were
    (counted by :meth:`LoanBook.reduce`). So the stock moves exactly by inflow minus outflow:
    ``npl_balance[t] = npl_balance[t-1] + new_npl_balance[t] - npl_outflow[t]``.
    """
    flows = {"new_npl_balance": 0.0, **{f"npl_outflow_{p}": 0.0 for p in NPL_OUTFLOWS}}
    for book, npl in books:
        new = np.greater(npl, book.was_npl).nonzero()[0]  # npl & ~was_npl, a few rows
        flows["new_npl_balance"] += float(book.balance[new].sum())
        for part, amount in book.npl_out.items():
            flows[f"npl_outflow_{part}"] += amount
        book.was_npl = npl.copy()
    flows["npl_outflow"] = sum(flows[f"npl_outflow_{p}"] for p in NPL_OUTFLOWS)
    return flows
