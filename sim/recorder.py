"""Month-end observation: one timeseries row, one village-panel slice, and events.

The monthly row follows the declared schema of :mod:`sim.outputs` (names, units, kinds, order):
stocks are nouns (``loan_balance``), flows of the month are ``new_*`` or plain flow names
(``principal_repaid``), running totals are ``cum_*``, counts ``n_*``. The recorder only
reads model state; it never changes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.banks import lending_capacities
from sim.breaker import ratio
from sim.fund_required import FundRequirement
from sim.households import STATE_NAMES
from sim.loans import CLASS_NAMES
from sim.outputs import FISCAL_COST_FLOWS, names

TIMESERIES_NAMES = names()

if TYPE_CHECKING:
    from sim.model import MicrocreditModel


class Recorder:
    """Collects the output tables of one run."""

    def __init__(self, model: MicrocreditModel, village_panel: bool = True):
        self.model = model
        # the village panel (months x villages) is recorded only when the villages table is
        # wanted; an experiment that drops it skips six village sums a month
        self.village_panel = village_panel
        months, n_v = model.calendar.months if village_panel else 0, model.county.n_villages
        self.rows: list[dict] = []
        self.events: list[dict] = []
        self.village_balance = np.zeros((months, n_v))
        self.village_npl = np.zeros((months, n_v))
        self.village_suspended = np.zeros((months, n_v), dtype=bool)
        self.village_new_loans = np.zeros((months, n_v), dtype=np.int32)
        self.village_new_amount = np.zeros((months, n_v))
        self.village_overdue = np.zeros((months, n_v))
        self.village_rated = np.zeros((months, n_v), dtype=np.int32)
        self.village_with_loan = np.zeros((months, n_v), dtype=np.int32)
        self.village_borrowers = np.zeros((months, n_v), dtype=np.int32)
        self.village_own_suspended = np.zeros((months, n_v), dtype=bool)
        self.township_suspended = np.zeros((months, model.county.n_townships), dtype=bool)
        self.cum: dict[str, float] = {}
        self.enterprise_rows: list[dict] = []
        self.cohort_started: dict[int, int] = {}
        self.cohort_failed: dict[int, int] = {}
        self.fund_required = FundRequirement(model)  # summary['fund_required']
        self._names = list(TIMESERIES_NAMES)
        k = model.cfg.classification
        self._class_limits = np.array([k.substandard_dpd, k.doubtful_dpd, k.loss_dpd])
        self._class_columns = [f"balance_{name}" for name in CLASS_NAMES[1:]]
        self._overdue = np.zeros(0, dtype=np.intp)  # overdue household loans, this month
        self._blocked = np.zeros(0, dtype=bool)  # villages where lending is suspended, this month

    def count_cohort(self, year: int, started: int, failed: int) -> None:
        """Loan-years starting in ``year`` and how many of them fail (Vasicek check)."""
        self.cohort_started[year] = self.cohort_started.get(year, 0) + started
        self.cohort_failed[year] = self.cohort_failed.get(year, 0) + failed

    def event(self, kind: str, level: str, index: int) -> None:
        """Record an event (suspension, resumption, fund exhaustion) at the current month."""
        m = self.model
        township = index if level == "township" else None
        if level == "village":
            township = int(m.county.village_township[index])
        self.events.append(
            {
                "month": m.calendar.label(m.t),
                "t": m.t,
                "event": kind,
                "level": level,
                "index": index,
                "township": township,
            }
        )

    def record_month(self) -> None:
        """Append this month's outputs."""
        m = self.model
        t, loans, hh, led, cal = m.t, m.loans, m.households, m.ledger, m.calendar
        n = m.county.n_households
        npl = m.npl
        ent = m.enterprise_loans
        cnt = np.count_nonzero
        n_active = cnt(loans.active)
        state_counts = hh.state_counts(loans.active, loans.overdue, npl, n_active)
        # overdue household loans (a few rows): their balance summed here and per village
        self._overdue = loans.overdue.nonzero()[0]
        overdue_balance = float(loans.balance[self._overdue].sum()) + float(
            (ent.balance * ent.overdue).sum()
        )
        for key, value in m.month_counts.items():
            self.cum[key] = self.cum.get(key, 0.0) + value
        balance = float(led.loan_balance.sum())
        fund = float(led.fund_balance.sum())
        npl_balance = float(m.village_npl.sum())
        mo = m.month_counts
        cum, now = led.totals(), led.totals(month=True)
        budget = sum(sign * cum[flow] for flow, sign in FISCAL_COST_FLOWS)
        year, month = cal.year(t), cal.month(t)
        last = month == 12 or t == cal.months - 1
        started = self.cohort_started.get(year, 0)
        n_borrowers = cnt(hh.ever_borrowed)
        n_poor = cnt(m.poverty.poor)
        household_balance, enterprise_balance = float(loans.balance.sum()), float(ent.balance.sum())
        self._blocked = m.breaker.blocked_village()
        capacity = lending_capacities(m)
        row = {
            "t": t,
            "month": cal.label(t),
            "year": year,
            "in_campaign": cal.in_campaign(t),
            "n_households": n,
            "n_rated": cnt(hh.rated),
            "n_aware": cnt(hh.aware),
            "n_households_with_loan": n_active,
            "cum_borrower_households": n_borrowers,
            "household_loan_rate": n_borrowers / n,
            "n_applications": int(mo.get("n_applications", 0)),
            "n_rejected_credit": int(mo.get("rejected_credit", 0)),
            "n_blocked_suspended": int(mo.get("blocked_suspended", 0)),
            "n_blocked_capacity": int(mo.get("blocked_capacity", 0)),
            "new_loans": int(mo.get("new_loans", 0)),
            "new_borrower_households": int(mo.get("new_borrower_households", 0)),
            "new_loan_amount": now["disbursed"],
            "principal_repaid": now["principal_repaid"],
            "renewals": int(mo.get("renewals", 0)),
            "extensions": int(mo.get("extensions", 0)),
            "new_overdue": int(mo.get("new_overdue", 0)),
            "cures": int(mo.get("cures", 0)),
            "loan_balance": balance,
            "loan_balance_household_channel": household_balance,
            "loan_balance_enterprise_channel": enterprise_balance,
            "overdue_balance": overdue_balance,
            "npl_balance": npl_balance,
            "npl_ratio": npl_balance / balance if balance > 0 else 0.0,
            "n_villages_suspended": cnt(self._blocked),
            "n_townships_suspended": cnt(m.breaker.township_suspended),
            **self._class_balances(self._overdue),
            **m.npl_flows,
            "new_claims": now["fund_payout"] + now["guarantor_payout"],
            "new_writeoffs": now["written_off"],
            "new_losses": now["fund_payout"] + now["guarantor_payout"] + now["written_off"],
            "cum_losses": cum["fund_payout"] + cum["guarantor_payout"] + cum["written_off"],
            "cum_losses_household_channel": self.cum.get("losses_household", 0.0),
            "cum_losses_enterprise_channel": self.cum.get("losses_enterprise", 0.0),
            "cum_bank_losses": cum["written_off"],
            "cum_recoveries": cum["recovery"],
            "fund_balance": fund,
            "fund_leverage": balance / fund if fund > 0 else float("inf"),
            # cumsum adds bank after bank, as summing the banks' capacities one by one does
            "lending_capacity": float(np.cumsum(capacity)[-1]) if len(capacity) else 0.0,
            "cum_fund_payouts": cum["fund_payout"],
            "cum_fund_shortfall": cum["fund_shortfall"],
            "provincial_deposit": led.provincial_deposit,
            "cum_provincial_deposit_payouts": cum["provincial_deposit_payout"],
            "compensation_fund": led.compensation_fund,
            "cum_reimbursement_shortfall": cum["reimbursement_shortfall"],
            "cum_fund_topups": cum["fund_topup"],
            "cum_fund_recoveries": cum["fund_recovery"],
            "cum_interest_accrued": cum["interest_accrued"],
            "cum_interest_paid": cum["interest_paid"],
            "new_interest_subsidy": now["interest_subsidy"],
            "cum_interest_subsidy": cum["interest_subsidy"],
            "interest_arrears": float(hh.interest_arrears.sum()),
            "cum_enterprise_interest": cum["enterprise_interest"],
            "cum_enterprise_interest_subsidy": cum["enterprise_interest_subsidy"],
            "cum_guarantee_fee_subsidy": cum["guarantee_fee_subsidy"],
            "cum_guarantee_fees": cum["guarantee_fee"],
            "cum_guarantor_payouts": cum["guarantor_payout"],
            "cum_guarantor_recoveries": cum["guarantor_recovery"],
            "cum_guarantor_reimbursed": cum["guarantor_reimbursed"],
            "guarantor_outstanding": self._guaranteed(household_balance, enterprise_balance),
            "guarantor_net_assets": float(led.guarantor_net_assets.sum()),
            "n_blocked_guarantee": int(mo.get("blocked_guarantee", 0)),
            "n_enterprises_active": int(((m.enterprises.status == 0) & ent.active).sum()),
            "n_enterprises_blacklisted": int(m.enterprises.blacklisted.sum()),
            "cum_enterprise_defaults": int(self.cum.get("enterprise_defaults", 0)),
            "cum_enterprise_recalls": int(self.cum.get("enterprise_recalls", 0)),
            "n_linked_households": cnt(m.enterprises.hh_enterprise >= 0),
            "cum_leaked_loans": int(self.cum.get("leaked_loans", 0)),
            "n_poor": n_poor,
            "n_exited": n - n_poor,
            "cum_returned_to_poverty": int(m.poverty.cum_returned),
            "cum_transfers": m.poverty.cum_transfers,
            "cum_fiscal_cost": budget,
            "default_fraction": (self.cohort_failed.get(year, 0) / started)
            if (last and started)
            else np.nan,
            "cohort_loan_years": started if last else 0,
        }
        for name, count in zip(STATE_NAMES, state_counts, strict=True):
            row[f"n_{name}"] = int(count)
        if list(row) != self._names:  # not in the declared order, or not the declared columns
            row = self._declared_order(row)
        self.rows.append(row)
        self.fund_required.observe(m, now, fund)
        if self.village_panel:
            self._record_villages()

    def _guaranteed(self, household_balance: float, enterprise_balance: float) -> float:
        """Balance of both books that a guarantor covers.

        A book whose loans have all had one guarantor sums to its whole balance, already
        summed for the row (the same numbers in the same order as ``sum_by_guarantor``).
        """
        m, n = self.model, len(self.model.guarantors)
        total = 0.0
        for book, whole in ((m.loans, household_balance), (m.enterprise_loans, enterprise_balance)):
            if book.sole_guarantor(n) is not None:
                total += whole
            else:
                total += float(book.sum_by_guarantor(book.balance, n).sum())
        return total

    @staticmethod
    def _declared_order(row: dict) -> dict:
        """``row`` in the declared column order; refuses undeclared or missing columns."""
        ordered = {name: row.pop(name) for name in TIMESERIES_NAMES}  # KeyError if missing
        if row:
            raise KeyError(
                f"undeclared monthly columns {sorted(row)}: declare them in sim/outputs.py"
            )
        return ordered

    def _record_villages(self) -> None:
        """This month's slice of the village panel."""
        m = self.model
        t, loans, hh, c, ent = m.t, m.loans, m.households, m.county, m.enterprise_loans
        vsum, n_v, village = c.village_sum, c.n_villages, c.hh_village
        # loans started this month: a few slots, counted per village from their indices
        started = (loans.ti_start == t).nonzero()[0]
        new = started[loans.active[started]]
        new_village = village[new]
        self.village_balance[t] = m.village_balance
        self.village_npl[t] = m.village_npl
        self.village_suspended[t] = self._blocked
        self.village_new_loans[t] = np.bincount(new_village, minlength=n_v)
        self.village_new_amount[t] = np.bincount(
            new_village, weights=loans.principal[new], minlength=n_v
        )
        od = self._overdue
        self.village_overdue[t] = c.village_sum_rows(od, loans.balance[od]) + ent.balance_by(
            ent.village, n_v, ent.overdue
        )
        self.village_rated[t] = vsum(hh.rated)
        self.village_with_loan[t] = vsum(loans.active)
        self.village_borrowers[t] = vsum(hh.ever_borrowed)
        self.village_own_suspended[t] = m.breaker.village_suspended
        self.township_suspended[t] = m.breaker.township_suspended

    def _class_balances(self, household_overdue: np.ndarray) -> dict[str, float]:
        """Balance on the banks' books by five-category class (both channels).

        Only overdue loans are outside the normal class, so only they are classed here (the
        same day limits as ``LoanBook.classify``); ``household_overdue`` are the household
        book's overdue rows, already found for the month's row.
        """
        limits = self._class_limits
        sums = np.zeros(len(CLASS_NAMES) - 1)
        loans, ent = self.model.loans, self.model.enterprise_loans
        for book, idx in (
            (loans, household_overdue[loans.active[household_overdue]]),
            (ent, (ent.overdue & ent.active).nonzero()[0]),
        ):
            if len(idx):
                cls = np.searchsorted(limits, book.mpd[idx] * 30, side="left")
                sums += np.bincount(cls, weights=book.balance[idx], minlength=len(sums))
        return dict(zip(self._class_columns, sums.tolist(), strict=True))

    def record_enterprises(self) -> None:
        """Yearly row per enterprise (at the assessment month)."""
        m = self.model
        e, book = m.enterprises, m.enterprise_loans
        n_linked = e.n_linked()
        for k in range(e.n):
            self.enterprise_rows.append(
                {
                    "year": m.calendar.year(m.t),
                    "enterprise": k,
                    "township": int(e.township[k]),
                    "sector": m.cfg.county.sector_names[int(e.sector[k])],
                    "status": ("active", "defaulted", "recalled", "repaid")[int(e.status[k])],
                    "loan_balance": float(book.balance[k]),
                    "n_linked": int(n_linked[k]),
                    "n_workers": int(e.n_workers[k]),
                    "cash": float(e.cash[k]),
                    "paid_fraction": float(e.paid_fraction[k]),
                    "in_rectification": bool(e.ti_rectify[k] < 2**30),
                    "blacklisted": bool(e.blacklisted[k]),
                }
            )

    def village_ratio(self) -> np.ndarray:
        """NPL ratio per month and village."""
        return ratio(self.village_npl, self.village_balance)
