"""The one place where money moves, and the identities that must hold.

Every flow is posted per partner bank through :meth:`Ledger.post`. Stocks are never stored
separately: they are derived from opening balances and cumulative flows, and
:meth:`Ledger.check` compares them with the loan-level book so that an error anywhere in the
model shows up as a broken identity:

* loans:   opening + disbursed - principal repaid - fund and guarantor payouts (claims)
           - written off = loan balance (the banks' own book)
* fund:    opening + top-ups - payouts + recoveries + transfers in - transfers out = fund balance
* provincial deposit: opening - payouts to the provincial guarantor = deposit
* compensation fund: opening - refunds to the county guarantor = balance
* interest: accrued - paid by households - reversed on default = interest receivable
* recoveries: recovered = guarantor + fund + bank shares
* guarantor: opening + fees + county refunds + deposit payouts + recoveries - payouts = net assets
"""

from __future__ import annotations

import numpy as np

FLOWS = (
    "disbursed",  # bank -> household, new loans
    "principal_repaid",  # household -> bank
    "written_off",  # the bank writes off what is left of a loan on its book (核销)
    "fund_payout",  # fund deposit -> bank, its share of a claim; leaves the bank's book
    "fund_shortfall",  # fund share of a claim the fund as a whole could not pay
    "recovery",  # collected after a claim or a write-off, shared below
    "fund_recovery",  # share of a recovery returned to the fund
    "bank_recovery",  # share of a recovery kept by the bank (on written-off debt)
    "fund_topup",  # county budget -> fund
    "fund_transfer_in",  # moves between banks' deposits (rebalancing, paying a claim)
    "fund_transfer_out",
    "interest_accrued",  # household owes bank
    "interest_paid",  # household -> bank
    "interest_reversed",  # accrued interest reversed when a loan goes overdue
    "interest_subsidy",  # county budget -> household (贴息)
    "enterprise_interest",  # enterprise -> bank, paid as it accrues
    "enterprise_interest_subsidy",  # county budget -> enterprise, on the poverty-linked share
    "guarantee_fee",  # borrower and county -> guarantor
    "guarantee_fee_subsidy",  # the county's part of the guarantee fees (§4)
    "guarantor_payout",  # guarantor -> bank, its share of a claim (代偿); leaves the bank's book
    "guarantor_reimbursed",  # county compensation fund -> county guarantor (§10)
    "reimbursement_shortfall",  # refunds the compensation fund could not pay
    "provincial_deposit_payout",  # county deposit at the provincial guarantor -> guarantor (§10)
    "guarantor_recovery",  # share of a recovery returned to the guarantor
)
GUARANTOR_FLOWS = (
    "guarantee_fee",
    "guarantor_payout",
    "guarantor_reimbursed",
    "provincial_deposit_payout",
    "guarantor_recovery",
)

_GUARANTOR_SET = frozenset(GUARANTOR_FLOWS)


_GUARANTOR_ROWS = [FLOWS.index(f) for f in GUARANTOR_FLOWS]


class BooksError(AssertionError):
    """A ledger identity does not hold: money was created or lost."""


class Ledger:
    """Cumulative flows per bank, this month's flows, and derived stocks."""

    def __init__(
        self,
        n_banks: int,
        opening_loans: np.ndarray,
        opening_fund: np.ndarray,
        opening_guarantor: np.ndarray,
        opening_provincial_deposit: float = 0.0,
        opening_compensation_fund: float = 0.0,
    ):
        self.n_banks = n_banks
        self.opening_provincial_deposit = float(opening_provincial_deposit)
        self.opening_compensation_fund = float(opening_compensation_fund)
        self.opening_loans = np.asarray(opening_loans, dtype=float).copy()
        self.opening_fund = np.asarray(opening_fund, dtype=float).copy()
        self.opening_guarantor = np.asarray(opening_guarantor, dtype=float).copy()
        # one row per flow: ``cum[flow]`` and ``month[flow]`` are views of these tables, so a
        # month is reset, and the identities are checked, in a few calls over all flows
        self.cum_table = np.zeros((len(FLOWS), n_banks))
        self.month_table = np.zeros((len(FLOWS), n_banks))
        self.cum = dict(zip(FLOWS, self.cum_table, strict=True))
        self.month = dict(zip(FLOWS, self.month_table, strict=True))
        n_g = len(self.opening_guarantor)
        self.cum_guarantor_table = np.zeros((len(GUARANTOR_FLOWS), n_g))
        self.cum_guarantor = dict(zip(GUARANTOR_FLOWS, self.cum_guarantor_table, strict=True))

    def new_month(self) -> None:
        """Reset this month's flows."""
        self.month_table[:] = 0.0

    def totals(self, month: bool = False) -> dict[str, float]:
        """County total of every flow, cumulative or this month (as :meth:`total` gives each)."""
        table = self.month_table if month else self.cum_table
        return dict(zip(FLOWS, table.sum(axis=1).tolist(), strict=True))

    def post(
        self,
        flow: str,
        bank: np.ndarray | int,
        amount: np.ndarray | float,
        guarantor: np.ndarray | None = None,
    ) -> None:
        """Record a flow of ``amount`` yuan at ``bank`` (arrays are summed per bank).

        Guarantor flows also name the ``guarantor`` of each amount (index, -1 for none).
        """
        amount_arr = np.asarray(amount, dtype=float)
        low = float(amount_arr.min()) if amount_arr.size else 0.0  # min: no temporary mask
        if low < -1e-6:
            raise BooksError(f"negative {flow} posted: {low}")
        bank_arr = np.asarray(bank)
        if bank_arr.ndim == 0:
            by_bank = np.zeros(self.n_banks)
            by_bank[int(bank_arr)] = float(amount_arr.sum())
        else:
            by_bank = np.bincount(bank_arr, weights=amount_arr, minlength=self.n_banks)
        by_guarantor = None
        if flow in _GUARANTOR_SET:
            if guarantor is None:
                raise KeyError(f"{flow} must name the guarantor of each amount")
            g = np.asarray(guarantor)
            if g.shape != amount_arr.shape:
                g = np.broadcast_to(g, amount_arr.shape)
            if g.size and g.min() < 0:
                if np.any(g[amount_arr != 0] < 0):
                    raise BooksError(f"{flow} posted without a guarantor")
                g = np.maximum(g, 0)
            n_g = len(self.opening_guarantor)
            by_guarantor = np.bincount(g.ravel(), weights=amount_arr.ravel(), minlength=n_g)
        # amounts of at least zero sum to at least zero per bank: no second sign check
        self._add(flow, by_bank, by_guarantor, check=low < 0)

    def post_totals(
        self, flow: str, by_bank: np.ndarray, by_guarantor: np.ndarray | None = None
    ) -> None:
        """Record a flow already summed per bank (and per guarantor, for guarantor flows)."""
        self._add(flow, by_bank, by_guarantor, check=True)

    def _add(
        self, flow: str, by_bank: np.ndarray, by_guarantor: np.ndarray | None, check: bool
    ) -> None:
        cum = self.cum.get(flow)
        if cum is None:
            raise KeyError(f"unknown ledger flow {flow!r}")
        if check and by_bank.min() < -1e-6:
            raise BooksError(f"negative {flow} posted: {by_bank.min()}")
        if (flow in _GUARANTOR_SET) != (by_guarantor is not None):
            raise KeyError(f"{flow}: guarantor totals are given exactly for guarantor flows")
        cum += by_bank
        self.month[flow] += by_bank
        if by_guarantor is not None:
            self.cum_guarantor[flow] += by_guarantor

    @property
    def loan_balance(self) -> np.ndarray:
        """Outstanding principal per bank, from the flows."""
        c = self.cum
        return (
            self.opening_loans
            + c["disbursed"]
            - c["principal_repaid"]
            - c["fund_payout"]
            - c["guarantor_payout"]
            - c["written_off"]
        )

    @property
    def fund_balance(self) -> np.ndarray:
        """Risk-compensation fund deposit per bank, from the flows."""
        c = self.cum
        return (
            self.opening_fund
            + c["fund_topup"]
            - c["fund_payout"]
            + c["fund_recovery"]
            + c["fund_transfer_in"]
            - c["fund_transfer_out"]
        )

    @property
    def provincial_deposit(self) -> float:
        """The fund's deposit at the provincial guarantor (§10), from the flows."""
        return self.opening_provincial_deposit - self.total("provincial_deposit_payout")

    @property
    def compensation_fund(self) -> float:
        """The county fund that refunds its guarantor's payouts (§10), from the flows."""
        return self.opening_compensation_fund - self.total("guarantor_reimbursed")

    @property
    def guarantor_net_assets(self) -> np.ndarray:
        """Net assets of each guarantor, from the flows."""
        c = self.cum_guarantor
        return (
            self.opening_guarantor
            + c["guarantee_fee"]
            + c["guarantor_reimbursed"]
            + c["provincial_deposit_payout"]
            + c["guarantor_recovery"]
            - c["guarantor_payout"]
        )

    @property
    def interest_receivable(self) -> np.ndarray:
        """Interest accrued but not yet paid or reversed, per bank."""
        c = self.cum
        return c["interest_accrued"] - c["interest_paid"] - c["interest_reversed"]

    def total(self, flow: str, month: bool = False) -> float:
        """County total of a flow, cumulative or this month."""
        return float((self.month if month else self.cum)[flow].sum())

    def check(
        self, book_balance: np.ndarray, book_receivable: np.ndarray, tol: float = 1e-3
    ) -> None:
        """Compare ledger stocks with the loan-level book; raise BooksError on any gap.

        Args:
            book_balance: outstanding principal per bank summed over the loan book.
            book_receivable: interest accrued and unpaid per bank summed over the loan book.
            tol: yuan; floating-point slack over tens of millions of yuan.
        """
        cum = self.cum
        loan_balance, fund_balance = self.loan_balance, self.fund_balance
        gaps = {
            "loan balance (ledger - loan book)": loan_balance - book_balance,
            "interest receivable (ledger - loan book)": self.interest_receivable - book_receivable,
            "recoveries (recovered - guarantor, fund and bank shares)": cum["recovery"]
            - cum["guarantor_recovery"]
            - cum["fund_recovery"]
            - cum["bank_recovery"],
            "guarantor flows (by bank - by guarantor)": self.cum_table[_GUARANTOR_ROWS].sum(axis=1)
            - self.cum_guarantor_table.sum(axis=1),
            "fund transfers (in - out, county)": np.array(
                [cum["fund_transfer_in"].sum() - cum["fund_transfer_out"].sum()]
            ),
        }
        if np.abs(np.concatenate(list(gaps.values()))).max() > tol:  # one test, then the culprit
            for name, gap in gaps.items():
                if np.any(np.abs(gap) > tol):
                    raise BooksError(
                        f"books do not balance: {name} = {np.round(gap, 2).tolist()} yuan"
                    )
        if fund_balance.min() < -tol:
            raise BooksError(f"fund deposit below zero: {np.round(fund_balance, 2).tolist()}")
        for name, value in (
            ("provincial deposit", self.provincial_deposit),
            ("compensation fund", self.compensation_fund),
        ):
            if value < -tol:
                raise BooksError(f"{name} below zero: {value:.2f}")
        if loan_balance.min() < -tol:
            raise BooksError(f"loan balance below zero: {np.round(loan_balance, 2).tolist()}")
