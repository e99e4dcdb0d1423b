"""The Mesa model: builds the county and its agents and steps one month at a time."""

from __future__ import annotations

import logging

import mesa
import numpy as np
from omegaconf import DictConfig

from sim.banks import Bank, creditworthy
from sim.breaker import Breaker, ratio
from sim.calendar import Calendar
from sim.config import Params, to_container
from sim.county import build_county
from sim.defaults import DefaultModel
from sim.fund import FinanceOffice
from sim.households import STATE_NAMES, Household, HouseholdTable
from sim.ledger import BooksError, Ledger
from sim.loans import SUBSTANDARD, LoanBook
from sim.recorder import Recorder
from sim.rng import Seed, Streams

logging.getLogger("MESA").setLevel(logging.WARNING)


class MicrocreditModel(mesa.Model):
    """Shangcai County poverty-alleviation microcredit, one step per month.

    ``step()`` runs these phases, in this order:

    1. ``rate_and_inform``: information collection and publicity reach more households (§9, §12).
    2. ``originate``: rated, aware, willing, able households apply; banks approve by grade,
       age, suspension and lending capacity, and disburse (§1, §6, §9, §10).
    3. ``accrue_interest``: interest accrues on performing loans; at quarter end households
       pay it and the county reimburses the subsidised part, possibly late (§3).
    4. ``age_overdue``: overdue loans age a month; some borrowers repay late (cure).
    5. ``review_projects``: loan-years that end now reveal their outcome: failures fall
       overdue or, at maturity and beyond the household's control, are extended; performing
       loans at maturity are repaid or renewed without repaying principal (§5).
    6. ``recognise_losses``: loans overdue past ``loss.recognition_dpd`` are written off and
       shared between fund and bank; earlier write-offs' recoveries are shared back (§6).
    7. ``manage_fund``: yearly top-up and reallocation of deposits between banks (§10).
    8. ``classify_and_break``: month-end classification, NPL ratios by village and township,
       circuit-breaker suspensions and resumptions (§6).
    9. ``record``: month-end row of every output table; ledger identities checked.
    """

    PHASES = (
        "rate_and_inform",
        "originate",
        "accrue_interest",
        "age_overdue",
        "review_projects",
        "recognise_losses",
        "manage_fund",
        "classify_and_break",
        "record",
    )

    def __init__(self, cfg: DictConfig, seed: Seed):
        self.streams = Streams(seed)
        super().__init__(rng=self.streams["mesa"])
        self.config = cfg
        self.cfg = Params(to_container(cfg))
        self.calendar = Calendar.from_config(cfg.horizon)
        self.t = 0
        self.county = build_county(cfg, self.streams["county"])
        n = self.county.n_households
        self.credit_lines = np.asarray(cfg.rating.grade_credit_lines, dtype=float)
        prefs = self.streams["preferences"]
        a, b = cfg.uptake.amount_beta
        term_years = 1 + np.searchsorted(
            np.cumsum(cfg.uptake.term_probs), prefs.random(n), side="right"
        )
        self.households = HouseholdTable(
            self.county, prefs.beta(a, b, n), np.minimum(term_years, 3)
        )
        self.loans = LoanBook(
            n,
            self.county.township_bank[self.county.hh_township].astype(np.int64),
            self.county.hh_village.astype(np.int64),
        )
        self.defaults = DefaultModel(cfg, self.county, self.streams["factors"], self.calendar)
        self.breaker = Breaker(cfg.breaker, self.county)
        n_banks = int(cfg.county.n_banks)
        self.households_per_bank = np.bincount(self.loans.bank, minlength=n_banks).astype(float)
        self.ledger = Ledger(
            n_banks, np.zeros(n_banks), cfg.fund.initial * self.households_per_bank / n
        )
        self.banks = [Bank(self, b) for b in range(n_banks)]
        self.finance_office = FinanceOffice(self)
        for row in range(n):
            Household(self, row)
        self.recorder = Recorder(self)
        self._month: dict[str, float] = {}
        self._eps = np.zeros(n)
        self._open_initial_book()

    # -- construction ---------------------------------------------------------------------
    def _open_initial_book(self) -> None:
        """Loans outstanding at the start: households that borrowed before ``horizon.start``.

        They were rated and informed by then; each loan has a random age within its term, and
        the current loan-year's outcome is drawn with the first year's factors.
        """
        hh, c = self.households, self.county
        rng = self.streams["initial_book"]
        n = c.n_households
        candidates = hh.able() & c.hh_willing & (self.credit_lines[c.hh_grade] > 0)
        candidates &= c.hh_age <= self.cfg.credit.age_limit
        chosen = np.flatnonzero(candidates & (rng.random(n) < self.cfg.uptake.initial_loan_share))
        hh.rated[chosen] = True
        hh.aware[chosen] = True
        hh.grade[chosen] = c.hh_grade[chosen]
        term_m = 12 * hh.term_years[chosen]
        # months to maturity: signed 1 .. term-1 months before the start
        remaining = 1 + (rng.random(len(chosen)) * (term_m - 1)).astype(np.int64)
        amount = self._amount(chosen)
        rate = np.where(term_m == 12, self.cfg.credit.rate_1y, self.cfg.credit.rate_multi)
        self.loans.originate(
            chosen, 0, amount, term_m, rate, self._subsidy_share(amount, term_m, 0)
        )
        self.loans.ti_start[chosen] = remaining - term_m
        self.loans.ti_maturity[chosen] = remaining
        self.loans.ti_review[chosen] = (remaining - 1) % 12 + 1
        self.ledger.opening_loans += np.bincount(
            self.loans.bank[chosen], weights=amount, minlength=self.ledger.n_banks
        )
        hh.ever_borrowed[chosen] = True
        hh.ti_first_loan[chosen] = self.loans.ti_start[chosen]
        self._eps = self.streams["outcome"].standard_normal(n)
        self._start_loan_years(chosen, 0)

    def _amount(self, idx: np.ndarray) -> np.ndarray:
        """Amount each household in ``idx`` asks for: its share of its grade's credit line."""
        step = float(self.cfg.uptake.amount_step)
        line = self.credit_lines[self.county.hh_grade[idx]]
        return np.maximum(np.floor(line * self.households.amount_share[idx] / step) * step, step)

    def _subsidy_share(self, amount: np.ndarray, term_m: np.ndarray, t: int) -> np.ndarray:
        """Share of interest the county reimburses on a loan signed at ``t`` (§3)."""
        s = self.cfg.subsidy
        if not s.enabled:
            return np.zeros(len(amount))
        eligible = (amount <= s.max_amount) & (term_m <= 12 * s.max_term_years)
        share = 1.0 if self.calendar.in_campaign(t) else float(s.transition_share)
        return np.where(eligible, share, 0.0)

    def household(self, row: int) -> Household:
        """The ``Household`` agent of row ``row``."""
        agent = list(self.agents_by_type[Household])[row]
        assert agent.row == row
        return agent

    def household_states(self) -> np.ndarray:
        """Loan state code of every household (see ``sim.households.STATE_NAMES``)."""
        npl = self.loans.active & (self._classes() >= SUBSTANDARD)
        return self.households.states(self.loans.active, self.loans.overdue, npl)

    def calendar_quarter(self, t: int) -> int:
        """Running quarter number of step ``t`` (calendar quarters)."""
        return (self.calendar.year(t) * 12 + self.calendar.month(t) - 1) // 3

    def _classes(self) -> np.ndarray:
        k = self.cfg.classification
        return self.loans.classify(k.substandard_dpd, k.doubtful_dpd, k.loss_dpd)

    def _count(self, key: str, value: float) -> None:
        self._month[key] = self._month.get(key, 0.0) + value

    # -- the month ------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month through the phases listed in the class docstring."""
        self.ledger.new_month()
        self._month = {}
        for phase in self.PHASES:
            getattr(self, phase)()
        self.t += 1

    def rate_and_inform(self) -> None:
        """Phase 1: rating coverage and awareness ramps (§9, §12)."""
        self.households.rate_and_inform(self.t)

    def originate(self) -> None:
        """Phase 2: applications, bank approval and disbursement (§1, §9, §10)."""
        t, hh, loans, c, u = self.t, self.households, self.loans, self.county, self.cfg.uptake
        n = c.n_households
        u_apply = self.streams["apply"].random(n)
        priority = self.streams["queue"].random(n)
        hazard = (
            u.hazard_monthly_campaign
            if self.calendar.in_campaign(t)
            else u.hazard_monthly_transition
        )
        hazard = np.where(hh.has_repaid, hazard * u.repeat_hazard_multiplier, hazard)
        eligible = (
            hh.rated & hh.aware & c.hh_willing & hh.able() & ~loans.active & (hh.ti_next_apply <= t)
        )
        applicants = np.flatnonzero(eligible & (u_apply < hazard))
        amount = self._amount(applicants)
        approved = np.zeros(len(applicants), dtype=bool)
        for bank in self.banks:
            mine = loans.bank[applicants] == bank.index
            ok, counts = bank.approve(applicants[mine], amount[mine], priority[applicants[mine]])
            approved[np.flatnonzero(mine)[ok]] = True
            for key, v in counts.items():
                self._count(key, v)
        # refused on grade or age: wait; turned away by a suspension or capacity: try again
        rejected = applicants[~approved & ~creditworthy(self, applicants)]
        hh.ti_next_apply[rejected] = t + u.reapply_wait_months
        new = applicants[approved]
        amount = amount[approved]
        term_m = 12 * hh.term_years[new]
        if self.calendar.in_campaign(t):
            rate = np.where(term_m == 12, self.cfg.credit.rate_1y, self.cfg.credit.rate_multi)
        else:
            rate = np.full(len(new), self.cfg.credit.rate_transition)
        loans.originate(new, t, amount, term_m, rate, self._subsidy_share(amount, term_m, t))
        self.ledger.post("disbursed", loans.bank[new], amount)
        first = new[~hh.ever_borrowed[new]]
        hh.ever_borrowed[new] = True
        hh.ti_first_loan[first] = t
        self._count("n_applications", len(applicants))
        self._count("new_loans", len(new))
        self._count("new_borrower_households", len(first))
        self._eps = self.streams["outcome"].standard_normal(n)
        self._start_loan_years(new, t)

    def _start_loan_years(self, idx: np.ndarray, t: int) -> None:
        """Draw the project outcome of the loan-years of ``idx`` that start at ``t``."""
        if len(idx) == 0:
            return
        year = self.calendar.year(t)
        failed = self.defaults.fails(idx, year, self._eps, self.loans.pd_multiplier[idx])
        u = self.streams["wilful"].random(self.county.n_households)[idx]
        self.loans.failed[idx] = failed
        self.loans.wilful[idx] = failed & (u < self.cfg.default.p_wilful)
        self.loans.pd_multiplier[idx] = 1.0
        self.recorder.count_cohort(year, len(idx), int(failed.sum()))

    def accrue_interest(self) -> None:
        """Phase 3: monthly accrual; quarterly payment and subsidy settlement (§3)."""
        loans, office = self.loans, self.finance_office
        performing = loans.active & ~loans.overdue
        interest = np.where(performing, loans.balance * loans.rate / 12.0, 0.0)
        loans.interest_due += interest
        self.ledger.post("interest_accrued", loans.bank, interest)
        if self.calendar.quarter_end(self.t):
            office.reimburse(self.t)
            office.settle_interest(self.t, np.flatnonzero(performing), quarter_end=True)

    def age_overdue(self) -> None:
        """Phase 4: overdue loans age one month; some are repaid late."""
        loans = self.loans
        overdue = np.flatnonzero(loans.overdue)
        loans.mpd[overdue] += 1
        u = self.streams["cure"].random(self.county.n_households)[overdue]
        cured = overdue[u < self.cfg.default.p_cure_monthly]
        self._repay(cured)
        self._count("cures", len(cured))

    def review_projects(self) -> None:
        """Phase 5: loan-year outcomes; repayment, renewal, extension or overdue (§5)."""
        t, loans, m = self.t, self.loans, self.cfg.maturity
        due = np.flatnonzero(loans.active & ~loans.overdue & (loans.ti_review == t))
        at_maturity = loans.ti_maturity[due] == t
        failed = loans.failed[due]
        in_campaign = self.calendar.in_campaign(t)
        u_renew = self.streams["renew"].random(self.county.n_households)[due]

        ext_ok = m.extension_enabled and (in_campaign or m.extension_after_campaign)
        extend = (
            failed
            & at_maturity
            & ~loans.wilful[due]
            & (loans.extended[due] < m.max_extensions)
            & ext_ok
        )
        fall_overdue = failed & ~extend
        renew_ok = m.renewal_enabled and (in_campaign or m.renewal_after_campaign)
        wants_renewal = (
            ~failed
            & at_maturity
            & (loans.term_m[due] <= 12 * m.renewal_max_term_years)
            & (u_renew < m.p_renewal_request)
        )
        renew = np.zeros(len(due), dtype=bool)
        if renew_ok:
            for bank in self.banks:
                mine = wants_renewal & (loans.bank[due] == bank.index)
                renew[mine] = bank.may_renew(due[mine])
        repay = ~failed & at_maturity & ~renew
        next_year = ~failed & ~at_maturity

        self._go_overdue(due[fall_overdue])
        self._repay(due[repay])
        self._extend(due[extend], t)
        idx = due[renew]
        loans.ti_maturity[idx] = t + 12
        loans.ti_review[idx] = t + 12
        loans.renewed[idx] += 1
        idx_next = due[next_year]
        loans.ti_review[idx_next] = t + np.minimum(12, loans.ti_maturity[idx_next] - t)
        self._count("renewals", int(renew.sum()))
        self._count("extensions", int(extend.sum()))
        self._count("new_overdue", int(fall_overdue.sum()))
        self._start_loan_years(np.concatenate([due[extend], idx, idx_next]), t)

    def _extend(self, idx: np.ndarray, t: int) -> None:
        loans = self.loans
        length = np.minimum(self.cfg.maturity.extension_max_months, loans.term_m[idx])
        loans.ti_maturity[idx] = t + length
        loans.ti_review[idx] = t + np.minimum(12, length)
        loans.extended[idx] += 1
        loans.pd_multiplier[idx] = self.cfg.default.extension_pd_multiplier

    def _go_overdue(self, idx: np.ndarray) -> None:
        """Loans ``idx`` stop performing: accrued interest of the quarter is reversed."""
        loans = self.loans
        loans.overdue[idx] = True
        loans.mpd[idx] = 0
        self.ledger.post("interest_reversed", loans.bank[idx], loans.interest_due[idx])
        loans.interest_due[idx] = 0.0

    def _repay(self, idx: np.ndarray) -> None:
        """Households ``idx`` repay their whole principal (and settle the quarter's interest)."""
        if len(idx) == 0:
            return
        loans, hh = self.loans, self.households
        self.finance_office.settle_interest(self.t, idx, quarter_end=False)
        self.ledger.post("principal_repaid", loans.bank[idx], loans.balance[idx])
        self._count("principal_repaid", float(loans.balance[idx].sum()))
        hh.has_repaid[idx] = True
        hh.ti_next_apply[idx] = self.t + self.cfg.uptake.reapply_wait_months
        loans.close(idx)

    def recognise_losses(self) -> None:
        """Phase 6: write-offs shared between fund and bank; recoveries shared back (§6)."""
        loans, hh, office = self.loans, self.households, self.finance_office
        office.collect_recoveries(self.t)
        idx = np.flatnonzero(loans.overdue & (loans.mpd * 30 >= self.cfg.loss.recognition_dpd))
        if len(idx) == 0:
            return
        bank = loans.bank[idx]
        loss = loans.balance[idx].copy()
        fund_ratio = office.compensate(bank, loss)
        office.schedule_recovery(self.t, bank, loss, fund_ratio)
        self.ledger.post("interest_reversed", bank, hh.interest_arrears[idx])
        hh.interest_arrears[idx] = 0.0
        hh.written_off[idx] = True
        if self.cfg.credit.blacklist_on_loss:
            hh.blacklisted[idx] = True
        loans.close(idx)
        self._count("loans_written_off", len(idx))
        before = self.ledger.fund_balance + self.ledger.month["fund_payout"]
        for b in np.flatnonzero((self.ledger.fund_balance <= 1e-6) & (before > 1e-6)):
            self.recorder.event("fund_exhausted", "bank", int(b))

    def manage_fund(self) -> None:
        """Phase 7: yearly top-up and reallocation of deposits (§10)."""
        self.finance_office.manage_fund(self.t)

    def classify_and_break(self) -> None:
        """Phase 8: classification, NPL ratios and the circuit breaker (§6)."""
        c, loans = self.county, self.loans
        self.classes = self._classes()
        npl = loans.active & (self.classes >= SUBSTANDARD)
        self.npl = npl
        self._village_balance = loans.balance_by(loans.village, c.n_villages)
        self._village_npl = loans.balance_by(loans.village, c.n_villages, npl)
        tw = c.village_township
        bal_t = np.bincount(tw, weights=self._village_balance, minlength=c.n_townships)
        npl_t = np.bincount(tw, weights=self._village_npl, minlength=c.n_townships)
        events = self.breaker.update(
            ratio(self._village_npl, self._village_balance), ratio(npl_t, bal_t)
        )
        for kind, level, index in events:
            self.recorder.event(kind, level, index)

    def record(self) -> None:
        """Phase 9: month-end outputs and ledger checks."""
        self.recorder.record_month()
        if self.cfg.run.check_books:
            self.check_books()

    def check_books(self) -> None:
        """Raise ``BooksError`` unless every ledger identity holds against the loan book."""
        loans, hh, n_banks = self.loans, self.households, self.ledger.n_banks
        book = np.bincount(loans.bank, weights=loans.balance, minlength=n_banks)
        receivable = np.bincount(
            loans.bank, weights=loans.interest_due + hh.interest_arrears, minlength=n_banks
        )
        self.ledger.check(book, receivable)
        counts = self.recorder.rows[-1]
        total = sum(counts[f"n_{name}"] for name in STATE_NAMES)
        if total != self.county.n_households:
            raise BooksError(
                f"household states count {total}, not the {self.county.n_households} households"
            )
