"""The county finance office: risk-compensation fund and interest subsidy (§3, §6, §10).

The fund is held as deposits at the partner banks; each bank may lend its deposit times
``fund.leverage``. When a loan reaches ``loss.claim_dpd`` days overdue, the fund and the
guarantor pay the bank their shares of it (``sharing``); the fund pays from that bank's
deposit, then from the other banks' deposits, and what the fund as a whole cannot pay is a
shortfall the bank keeps on its book. Part of the fund sits at the provincial guarantor and
backs that guarantor's payouts; a separate county fund refunds the county guarantor (§10).
Recoveries are shared back in proportion to what each party is owed. Once a year the office
tops the fund up (``fund.topup_rule``) and reallocates deposits by lending.
The interest subsidy reimburses households' interest each quarter, ``settlement_delay``
quarters late; interest a household cannot front in the meantime is in arrears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.guarantors import guarantor_index
from sim.loans import LoanBook

if TYPE_CHECKING:
    from sim.model import MicrocreditModel


def _fraction(available: float, wanted: float) -> float:
    """Share of ``wanted`` that ``available`` covers (1 when nothing is wanted)."""
    return 1.0 if wanted <= 0 else min(available / wanted, 1.0)


class FinanceOffice(mesa.Agent):
    """County finance office (财政局/金融办): fund deposits, top-ups, subsidies."""

    def __init__(self, model: MicrocreditModel):
        super().__init__(model)
        self.pending_subsidy: dict[int, np.ndarray] = {}  # quarter number -> yuan per household
        self._recoveries: list[tuple] = []
        self._deposit_empty = np.zeros(model.ledger.n_banks, dtype=bool)
        self._exhausted = False

    # -- claims, write-offs and recoveries -------------------------------------------------
    def pay_claims(self, book: LoanBook, idx: np.ndarray, shares) -> None:
        """The fund and the guarantor pay their shares of the bank's balance on loans ``idx``.

        ``shares`` is the channel's arrangement (``sharing.household`` or ``.enterprise``).
        What they pay leaves the bank's book and becomes their claim on the borrower; the
        bank's own share stays on its book as non-performing until repaid, recovered or
        written off (§6). The fund's share is paid from the bank's deposit, then from the
        other banks' deposits (the fund is one county fund held at several banks); what the
        fund as a whole cannot pay stays with the bank (``fund_shortfall``).
        """
        ledger = self.model.ledger
        bank, guarantor = book.bank[idx], book.guarantor[idx]
        balance = book.balance[idx]
        g_part = shares.guarantor * balance * (guarantor >= 0)
        f_part = self._pay_from_fund(bank, shares.fund * balance)
        ledger.post("fund_payout", bank, f_part)
        ledger.post("guarantor_payout", bank, g_part, guarantor=guarantor)
        book.claim_fund[idx] += f_part
        book.claim_guarantor[idx] += g_part
        book.claimed[idx] = True
        book.reduce(idx, f_part + g_part, "compensated")
        self._back_guarantors(bank, g_part, guarantor)

    def _pay_from_fund(self, bank: np.ndarray, claim: np.ndarray) -> np.ndarray:
        """Pay ``claim`` (per loan) from the deposits; return what each loan was paid."""
        m, ledger = self.model, self.model.ledger
        n_banks = ledger.n_banks
        claim_b = np.bincount(bank, weights=claim, minlength=n_banks)
        deposit = np.maximum(ledger.fund_balance, 0.0)
        own = np.minimum(claim_b, deposit)
        need, spare = claim_b - own, deposit - own
        give = np.zeros(n_banks)
        if need.sum() > 1e-9:
            cover = min(float(need.sum()), float(spare.sum()))
            if cover > 0:
                give = need * (cover / need.sum())
                ledger.post_totals("fund_transfer_out", spare * (cover / spare.sum()))
                ledger.post_totals("fund_transfer_in", give)
            for b in ((need > 1e-9) & ~self._deposit_empty).nonzero()[0]:
                m.recorder.event("bank_deposit_exhausted", "bank", int(b))
            self._deposit_empty |= need > 1e-9
        paid_b = own + give
        shortfall = claim_b - paid_b
        ledger.post_totals("fund_shortfall", shortfall)
        if shortfall.sum() > 1e-6 and not self._exhausted:
            m.recorder.event("fund_exhausted", "county", 0)
            self._exhausted = True
        ratio = np.divide(paid_b, claim_b, out=np.zeros(n_banks), where=claim_b > 0)
        return claim * ratio[bank]

    def _back_guarantors(self, bank: np.ndarray, g_part: np.ndarray, guarantor: np.ndarray):
        """The county refunds its guarantor; the provincial deposit backs the provincial one (§10)."""
        m, ledger = self.model, self.model.ledger
        county = guarantor == guarantor_index("county")
        refund = np.where(county, m.cfg.guarantee.county_reimbursement_share * g_part, 0.0)
        paid = refund * _fraction(max(ledger.compensation_fund, 0.0), refund.sum())
        ledger.post("guarantor_reimbursed", bank, paid, guarantor=guarantor)
        ledger.post("reimbursement_shortfall", bank, refund - paid)
        provincial = np.where(guarantor == guarantor_index("provincial"), g_part, 0.0)
        drawn = provincial * _fraction(max(ledger.provincial_deposit, 0.0), provincial.sum())
        ledger.post("provincial_deposit_payout", bank, drawn, guarantor=guarantor)

    def write_off(self, book: LoanBook, idx: np.ndarray, t: int) -> None:
        """The bank writes off what it still carries of loans ``idx`` (核销).

        A later recovery of ``loss.recovery_rate`` of the whole debt is shared between the
        bank, the fund and the guarantor in proportion to what each is owed.
        """
        ledger = self.model.ledger
        bank, guarantor = book.bank[idx], book.guarantor[idx]
        balance = book.balance[idx].copy()
        debt = book.debt(idx)
        safe = np.where(debt > 0, debt, 1.0)
        ratios = (book.claim_guarantor[idx] / safe, book.claim_fund[idx] / safe)
        ledger.post("written_off", bank, balance)
        book.reduce(idx, balance, "written_off")
        self.schedule_recovery(t, bank, debt, guarantor, ratios)

    def recover_claims(self, book: LoanBook, idx: np.ndarray) -> None:
        """Borrowers ``idx`` repaying in full also repay what the fund and guarantor paid."""
        ledger = self.model.ledger
        f, g = book.claim_fund[idx], book.claim_guarantor[idx]
        if not (f.sum() > 0 or g.sum() > 0):
            return
        bank, guarantor = book.bank[idx], book.guarantor[idx]
        ledger.post("recovery", bank, f + g)
        ledger.post("fund_recovery", bank, f)
        ledger.post("guarantor_recovery", bank, g, guarantor=guarantor)
        book.claim_fund[idx] = 0.0
        book.claim_guarantor[idx] = 0.0

    def schedule_recovery(
        self,
        t: int,
        bank: np.ndarray,
        debt: np.ndarray,
        guarantor: np.ndarray,
        ratios: tuple,
    ) -> None:
        """Book the later recovery of a share of written-off debts."""
        cfg = self.model.cfg.loss
        amount = cfg.recovery_rate * debt
        if amount.sum() > 0:
            g_ratio, f_ratio = ratios
            due = t + int(cfg.recovery_lag_months)
            self._recoveries.append(
                (due, bank.copy(), amount, guarantor.copy(), g_ratio.copy(), f_ratio.copy())
            )

    def collect_recoveries(self, t: int) -> None:
        """Share recoveries that fall due at ``t`` between guarantor, fund and bank."""
        if not self._recoveries:
            return
        due = [r for r in self._recoveries if r[0] == t]
        self._recoveries = [r for r in self._recoveries if r[0] != t]
        ledger = self.model.ledger
        for _, bank, amount, guarantor, g_ratio, f_ratio in due:
            g_part, f_part = amount * g_ratio, amount * f_ratio
            ledger.post("recovery", bank, amount)
            ledger.post("guarantor_recovery", bank, g_part, guarantor=guarantor)
            ledger.post("fund_recovery", bank, f_part)
            ledger.post("bank_recovery", bank, np.maximum(amount - g_part - f_part, 0.0))

    # -- fund management --------------------------------------------------------------------
    def manage_fund(self, t: int) -> None:
        """Yearly top-up and reallocation of deposits (§10)."""
        m = self.model
        f = m.cfg.fund
        month = m.calendar.month(t)
        if t > 0 and month == f.topup_month:
            self._top_up()
        if t > 0 and f.rebalance and month == f.rebalance_month:
            self._rebalance()
        balance = m.ledger.fund_balance
        self._deposit_empty &= balance <= 1e-6
        self._exhausted &= balance.sum() <= 1e-6

    def _top_up(self) -> None:
        m = self.model
        f = m.cfg.fund
        if f.topup_rule == "none":
            return
        if f.topup_rule == "fixed":
            amount = float(f.topup_amount)
        else:
            target = float(f.target) if f.target > 0 else float(f.initial)
            amount = max(target - float(m.ledger.fund_balance.sum()), 0.0)
        if amount > 0:
            m.ledger.post("fund_topup", np.arange(m.ledger.n_banks), amount * self._allocation())

    def _allocation(self) -> np.ndarray:
        """Shares of the fund each bank should hold.

        Each bank first gets what its loans need at the leverage multiple; the rest is split by
        households served.
        """
        m = self.model
        total = max(float(m.ledger.fund_balance.sum()), 0.0)
        need = np.maximum(m.ledger.loan_balance, 0.0) / m.cfg.fund.leverage
        served = m.households_per_bank / m.households_per_bank.sum()
        if total <= 0:
            return served
        if need.sum() >= total:
            return need / need.sum()
        return (need + (total - need.sum()) * served) / total

    def _rebalance(self) -> None:
        m = self.model
        balance = np.maximum(m.ledger.fund_balance, 0.0)
        desired = balance.sum() * self._allocation()
        move = desired - balance
        m.ledger.post("fund_transfer_in", np.arange(len(move)), np.maximum(move, 0.0))
        m.ledger.post("fund_transfer_out", np.arange(len(move)), np.maximum(-move, 0.0))

    # -- interest subsidy ------------------------------------------------------------------
    def settle_interest(self, t: int, idx: np.ndarray, quarter_end: bool) -> None:
        """Households ``idx`` pay this quarter's interest (§3).

        The county's reimbursement of the subsidised part is queued
        ``settlement_delay_quarters`` quarters later.
        """
        m = self.model
        loans, hh, ledger = m.loans, m.households, m.ledger
        s = m.cfg.subsidy
        due = loans.interest_due[idx]
        subsidised = due * loans.subsidy_share[idx]
        if quarter_end:  # idx increasing (every paying loan): per-bank segment sums
            n_banks = ledger.n_banks

            def post(flow: str, amount: np.ndarray) -> None:
                ledger.post_totals(flow, loans.sum_rows_by_bank(idx, amount, n_banks))

        else:
            bank = loans.bank[idx]

            def post(flow: str, amount: np.ndarray) -> None:
                ledger.post(flow, bank, amount)

        post("interest_paid", due - subsidised)
        delay = int(s.settlement_delay_quarters)
        if delay == 0:
            post("interest_subsidy", subsidised)
            post("interest_paid", subsidised)
        else:
            if quarter_end:
                room = np.maximum(
                    s.household_float_quarters * subsidised - hh.interest_fronted[idx], 0.0
                )
                fronted = np.minimum(subsidised, room)
                hh.interest_arrears[idx] += subsidised - fronted
            else:  # a loan closing mid-quarter: the household fronts it all from the principal
                fronted = subsidised
            hh.interest_fronted[idx] += fronted
            post("interest_paid", fronted)
            q = m.calendar_quarter(t) + delay
            pending = self.pending_subsidy.get(q)
            if pending is None:  # (not setdefault: that would build a zero array every call)
                pending = self.pending_subsidy[q] = np.zeros(m.county.n_households)
            pending[idx] += subsidised
        loans.interest_due[idx] = 0.0

    def reimburse(self, t: int) -> None:
        """Pay the subsidy claims that fall due this quarter; households clear arrears first."""
        m = self.model
        r = self.pending_subsidy.pop(m.calendar_quarter(t), None)
        if r is None:
            return
        hh, loans, ledger = m.households, m.loans, m.ledger
        ledger.post_totals("interest_subsidy", loans.sum_by_bank(r, ledger.n_banks))
        to_arrears = np.minimum(hh.interest_arrears, r)
        hh.interest_arrears -= to_arrears
        ledger.post_totals("interest_paid", loans.sum_by_bank(to_arrears, ledger.n_banks))
        r -= to_arrears  # the claim is spent: what is left repays what households fronted
        np.subtract(hh.interest_fronted, r, out=r)
        np.maximum(r, 0.0, out=hh.interest_fronted)
