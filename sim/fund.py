"""The county finance office: risk-compensation fund and interest subsidy (§3, §6, §10).

The fund is held as deposits at the partner banks; each bank may lend its deposit times
``fund.leverage``. On a recognised loss the fund pays ``loss.fund_share`` from that bank's
deposit, as far as the deposit goes; a claim beyond it is a shortfall the bank bears, and
the deposit is exhausted. Recoveries are shared back in the same proportion. Once a year
the office tops the fund up (``fund.topup_rule``) and reallocates deposits by lending.
The interest subsidy reimburses households' interest each quarter, ``settlement_delay``
quarters late; interest a household cannot front in the meantime is in arrears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.guarantors import guarantor_index

if TYPE_CHECKING:
    from sim.model import MicrocreditModel


class FinanceOffice(mesa.Agent):
    """County finance office (财政局/金融办): fund deposits, top-ups, subsidies."""

    def __init__(self, model: MicrocreditModel):
        super().__init__(model)
        self.pending_subsidy: dict[int, np.ndarray] = {}  # quarter number -> yuan per household
        self._recoveries: list[tuple] = []

    # -- losses -----------------------------------------------------------------------------
    def compensate(
        self, bank: np.ndarray, loss: np.ndarray, guarantor: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Share recognised losses (per loan): guarantor first, then fund and bank (§6, §10).

        Returns:
            The guarantor's and the fund's share of each loss, as ratios of the loss.
        """
        m = self.model
        g, ledger, n_banks = m.cfg.guarantee, m.ledger, m.ledger.n_banks
        guaranteed = guarantor >= 0
        g_part = np.where(guaranteed, g.guarantor_loss_share * loss, 0.0)
        rest = loss - g_part
        rest_b = np.bincount(bank, weights=rest, minlength=n_banks)
        claim_b = m.cfg.loss.fund_share * rest_b
        payout_b = np.minimum(claim_b, np.maximum(ledger.fund_balance, 0.0))
        fund_ratio_b = np.divide(payout_b, rest_b, out=np.zeros(n_banks), where=rest_b > 0)
        f_part = rest * fund_ratio_b[bank]
        ledger.post("written_off", bank, loss)
        ledger.post("guarantor_payout", bank, g_part, guarantor=guarantor)
        ledger.post("fund_payout", bank, f_part)
        ledger.post("bank_loss", bank, rest - f_part)
        ledger.post("fund_shortfall", np.arange(n_banks), claim_b - payout_b)
        county = guarantor == guarantor_index("county")
        refund = np.where(county, g.county_reimbursement_share * g_part, 0.0)
        ledger.post("guarantor_reimbursed", bank, refund, guarantor=guarantor)
        safe = np.where(loss > 0, loss, 1.0)
        return g_part / safe, f_part / safe

    def schedule_recovery(
        self,
        t: int,
        bank: np.ndarray,
        written_off: np.ndarray,
        guarantor: np.ndarray,
        ratios: tuple,
    ) -> None:
        """Book the later recovery of a share of written-off balances."""
        cfg = self.model.cfg.loss
        amount = cfg.recovery_rate * written_off
        if amount.sum() > 0:
            g_ratio, f_ratio = ratios
            due = t + int(cfg.recovery_lag_months)
            self._recoveries.append(
                (due, bank.copy(), amount, guarantor.copy(), g_ratio.copy(), f_ratio.copy())
            )

    def collect_recoveries(self, t: int) -> None:
        """Share recoveries that fall due at ``t`` back between fund and bank."""
        due = [r for r in self._recoveries if r[0] == t]
        self._recoveries = [r for r in self._recoveries if r[0] != t]
        ledger = self.model.ledger
        for _, bank, amount, guarantor, g_ratio, f_ratio in due:
            ledger.post("recovery", bank, amount)
            ledger.post("guarantor_recovery", bank, amount * g_ratio, guarantor=guarantor)
            ledger.post("fund_recovery", bank, amount * f_ratio)
            ledger.post("bank_recovery", bank, amount * (1.0 - g_ratio - f_ratio))

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
        bank = loans.bank[idx]
        ledger.post("interest_paid", bank, due - subsidised)
        delay = int(s.settlement_delay_quarters)
        if delay == 0:
            ledger.post("interest_subsidy", bank, subsidised)
            ledger.post("interest_paid", bank, subsidised)
        else:
            room = np.maximum(
                s.household_float_quarters * subsidised - hh.interest_fronted[idx], 0.0
            )
            if (
                not quarter_end
            ):  # a loan closing mid-quarter: the household settles from the principal
                room = subsidised
            fronted = np.minimum(subsidised, room)
            hh.interest_fronted[idx] += fronted
            hh.interest_arrears[idx] += subsidised - fronted
            ledger.post("interest_paid", bank, fronted)
            q = m.calendar_quarter(t) + delay
            pending = self.pending_subsidy.setdefault(q, np.zeros(m.county.n_households))
            pending[idx] += subsidised
        loans.interest_due[idx] = 0.0

    def reimburse(self, t: int) -> None:
        """Pay the subsidy claims that fall due this quarter; households clear arrears first."""
        m = self.model
        r = self.pending_subsidy.pop(m.calendar_quarter(t), None)
        if r is None:
            return
        hh, bank = m.households, m.loans.bank
        m.ledger.post("interest_subsidy", bank, r)
        to_arrears = np.minimum(hh.interest_arrears, r)
        hh.interest_arrears -= to_arrears
        m.ledger.post("interest_paid", bank, to_arrears)
        hh.interest_fronted = np.maximum(hh.interest_fronted - (r - to_arrears), 0.0)
