"""The Mesa model: builds the county and its agents and steps one month at a time."""

from __future__ import annotations

import gc
import logging

import mesa
import numpy as np
from mesa.agent import AgentSet
from omegaconf import DictConfig

from sim import enterprises as ent_cycle
from sim import lending
from sim.banks import Bank
from sim.breaker import Breaker, ratio
from sim.calendar import Calendar
from sim.config import params_of
from sim.county import build_county
from sim.data import for_model
from sim.data.book import open_books
from sim.defaults import DefaultModel
from sim.enterprises import Enterprise, build_enterprises, open_enterprise_book
from sim.fund import FinanceOffice
from sim.guarantors import GUARANTOR_NAMES, Guarantor, charge_fees, guarantor_index
from sim.households import STATE_NAMES, Household, HouseholdTable
from sim.ledger import BooksError, Ledger
from sim.loans import NPL_OUTFLOWS, LoanBook, npl_flows
from sim.poverty import PovertyTable
from sim.recorder import Recorder
from sim.rng import Seed, Streams

logging.getLogger("MESA").setLevel(logging.WARNING)


class MicrocreditModel(mesa.Model):
    """Shangcai County poverty-alleviation microcredit, one step per month.

    ``step()`` first draws the month's shared household uniforms (``event_draw``: applying,
    asking to renew or repaying late; ``outcome_noise``: project outcomes), then runs these
    phases, in this order:

    1. ``rate_and_inform``: information collection and publicity reach more households (§9, §12).
    2. ``originate``: rated, aware, willing, able households apply; banks approve by grade,
       age, suspension and lending capacity, the guarantor by its limit; disbursement (§1, §4, §6, §9, §10).
    3. ``accrue_interest``: interest accrues; households pay quarterly and the county reimburses
       the subsidised part, possibly late; enterprises pay monthly with a 2 % subsidy;
       guarantee fees accrue (§3, §4).
    4. ``age_overdue``: overdue loans age a month; some households repay their whole debt
       late (cure), which also repays the fund and guarantor what they paid on it.
    5. ``review_projects``: a failed project shows at the first payment it misses (the
       quarter's interest when households pay it, else principal at maturity) and falls
       overdue or, beyond the household's control, is extended (§5); performing loan-years
       that end now start the next year, or at maturity are repaid or renewed (§5); the
       outcome of every loan-year starting this month is drawn, new loans' first included.
    6. ``review_enterprises``: rectification deadlines (recall, blacklist), maturities and
       new enterprise loans every month; at the assessment month profits, returns to linked
       households, defaults and the compliance review (§1, §2).
    7. ``recognise_losses``: at ``loss.claim_dpd`` days overdue the fund and the guarantor
       pay the bank their shares (``sharing``); at ``loss.writeoff_dpd`` the bank writes off
       what it still carries; recoveries are shared back (§6, §10).
    8. ``manage_fund``: yearly top-up and reallocation of deposits between banks (§10).
    9. ``assess_poverty``: at the assessment month, incomes, exits and returns to poverty.
    10. ``classify_and_break``: month-end classification, the bank book's NPL ratios by village
        and township, circuit-breaker suspensions and resumptions (§6).
    11. ``record``: month-end row of every output table; ledger identities checked.
    """

    PHASES = (
        "rate_and_inform",
        "originate",
        "accrue_interest",
        "age_overdue",
        "review_projects",
        "review_enterprises",
        "recognise_losses",
        "manage_fund",
        "assess_poverty",
        "classify_and_break",
        "record",
    )

    def __init__(self, cfg: DictConfig, seed: Seed, village_panel: bool = True):
        self.streams = Streams(seed)
        super().__init__(rng=self.streams["mesa"])
        self.config = cfg
        self.config_dict, self.cfg = params_of(cfg)  # plain forms (shared; do not modify)
        self.calendar = Calendar.from_config(self.cfg.horizon)
        self.t = 0
        self.month_counts: dict[str, float] = {}  # this month's event counts (read by the recorder)
        # a county read from files (sim/data/) replaces the synthetic county and opening book
        self.county_files = for_model(self.cfg) if self.cfg.county.path else None
        if self.county_files is None:
            self.county = build_county(self.cfg, self.streams["county"])
            self.enterprises = build_enterprises(self.cfg, self.county, self.streams["enterprises"])
        else:
            self.county, self.enterprises = self.county_files.build(
                self.cfg, self.streams["county"]
            )
        self.credit_lines = np.asarray(self.cfg.rating.grade_credit_lines, dtype=float)
        self._build_tables()
        self._build_agents()
        self.recorder = Recorder(self, village_panel)
        if self.county_files is None:
            self._open_initial_book()
        else:
            open_books(self, self.county_files)
        led = self.ledger
        over = led.loan_balance > np.maximum(led.fund_balance, 0.0) * self.cfg.fund.leverage + 1e-6
        self.opening_over_capacity = [int(b) for b in over.nonzero()[0]]
        sub_dpd = self.cfg.classification.substandard_dpd
        for book in self.books():  # the opening book's NPL state, for the first month's flows
            book.was_npl = book.non_performing(sub_dpd)
        self.npl_balance = sum(float((b.balance * b.was_npl).sum()) for b in self.books())

    # -- construction ---------------------------------------------------------------------
    def _build_tables(self) -> None:
        c, cfg = self.county, self.cfg
        n = c.n_households
        prefs = self.streams["preferences"]
        a, b = cfg.uptake.amount_beta
        term_years = 1 + np.searchsorted(
            np.cumsum(cfg.uptake.term_probs), prefs.random(n), side="right"
        )
        self.households = HouseholdTable(c, prefs.beta(a, b, n), np.minimum(term_years, 3))
        bank = c.township_bank[c.hh_township].astype(np.int64)
        self.loans = LoanBook(n, bank, c.hh_village.astype(np.int64), c.banks)
        self.enterprise_loans = open_enterprise_book(self)
        self.defaults = DefaultModel(cfg, c, self.streams["factors"], self.calendar)
        self.breaker = Breaker(cfg.breaker, c)
        self.poverty = PovertyTable(self)
        n_banks = int(cfg.county.n_banks)
        self.households_per_bank = np.bincount(bank, minlength=n_banks).astype(float)
        g = cfg.guarantee
        self.ledger = Ledger(
            n_banks,
            self.enterprise_loans.balance_by(self.enterprise_loans.bank, n_banks),
            cfg.fund.initial * self.households_per_bank / n,
            np.array([g.provincial_net_assets, g.county_net_assets], dtype=float),
            opening_provincial_deposit=cfg.fund.provincial_deposit,
            opening_compensation_fund=g.compensation_fund,
        )
        self.outcome_noise = np.zeros(n)
        self.event_draw = np.ones(n)

    def _build_agents(self) -> None:
        self.banks = [Bank(self, b) for b in range(int(self.cfg.county.n_banks))]
        self.guarantors = [Guarantor(self, i) for i in range(len(GUARANTOR_NAMES))]
        self.finance_office = FinanceOffice(self)
        for row in range(self.enterprises.n):
            Enterprise(self, row)
        self._household_agents: dict[int, Household] = {}
        if self.cfg.run.household_agents:
            self.household_agents()

    def _open_initial_book(self) -> None:
        """Household loans outstanding at the start: borrowers from before ``horizon.start``.

        They were rated and informed by then; each loan has a random age within its term, and
        the current loan-year's outcome is drawn with the first year's factors.
        """
        hh, c, cfg = self.households, self.county, self.cfg
        rng = self.streams["initial_book"]
        candidates = hh.could_borrow & (self.credit_lines[c.hh_grade] > 0)
        candidates &= c.hh_age <= cfg.credit.age_limit
        chosen = (
            candidates & (rng.random(c.n_households) < cfg.uptake.initial_loan_share)
        ).nonzero()[0]
        hh.rated[chosen] = hh.aware[chosen] = True
        hh.grade[chosen] = c.hh_grade[chosen]
        term_m = 12 * hh.term_years[chosen]
        # months to maturity: signed 1 .. term-1 months before the start
        remaining = 1 + (rng.random(len(chosen)) * (term_m - 1)).astype(np.int64)
        amount = lending.amount_asked(self, chosen)
        rate = np.where(term_m == 12, cfg.credit.rate_1y, cfg.credit.rate_multi)
        g = guarantor_index(cfg.guarantee.household_guarantor)
        self.loans.originate(
            chosen, 0, amount, term_m, rate, lending.subsidy_share(self, amount, term_m, 0), g
        )
        self.loans.ti_start[chosen] = remaining - term_m
        self.loans.ti_maturity[chosen] = remaining
        self.ledger.opening_loans += np.bincount(
            self.loans.bank[chosen], weights=amount, minlength=self.ledger.n_banks
        )
        hh.ever_borrowed[chosen] = True
        hh.ti_first_loan[chosen] = self.loans.ti_start[chosen]
        self.draw_outcome_noise()
        lending.start_loan_years(self, chosen, 0, year_end=(remaining - 1) % 12 + 1)

    # -- helpers used by the submodels ----------------------------------------------------
    def books(self) -> tuple[LoanBook, LoanBook]:
        """The household and the enterprise loan books."""
        return self.loans, self.enterprise_loans

    def count(self, key: str, value: float) -> None:
        """Add to this month's event count ``key``."""
        self.month_counts[key] = self.month_counts.get(key, 0.0) + value

    def draw_outcome_noise(self) -> None:
        """This month's idiosyncratic project draw, one per household (common random numbers).

        ``outcome_noise`` is the uniform of the project's idiosyncratic term: the project fails
        when it is below the failure probability given the shared factors (the Gaussian copula
        written with the uniform rather than the normal, which is exact and avoids a full normal
        vector), and a failure is wilful when it is below ``p_wilful`` times that probability.
        """
        # drawn into the same array each month: the values are those of a fresh draw, and a
        # large county does not allocate (and fault in) a new array every month
        self.streams["outcome"].random(out=self.outcome_noise)

    def draw_event_uniforms(self) -> None:
        """This month's household-event uniform, one per household (common random numbers).

        A household faces at most one of three events in a month, and they exclude each other:
        applying (it has no loan), asking to renew (its loan-year ends while performing) or
        repaying late (its loan is overdue). One uniform per household serves whichever applies,
        so a scenario that moves a household between these states leaves every other draw alone.
        """
        self.streams["household_event"].random(out=self.event_draw)

    def household(self, row: int) -> Household:
        """The ``Household`` agent of row ``row`` (created on first use if not built up front)."""
        if not 0 <= row < self.county.n_households:
            raise IndexError(f"household row {row} outside 0..{self.county.n_households - 1}")
        agent = self._household_agents.get(row)
        if agent is None:
            agent = self._household_agents[row] = Household(self, row)
        return agent

    def release(self) -> None:
        """Free a finished model's state now; the model cannot be used afterwards.

        Agents and their model refer to each other, so without this a model's arrays (about
        150 MB on the full county) wait for Python's cyclic garbage collector, which runs
        rarely: a worker running replicate after replicate then holds several finished models
        at once and its memory climbs. Dropping the model's references breaks every cycle, and
        reference counting frees the lot at once.
        """
        self.__dict__.clear()

    def household_agents(self) -> AgentSet:
        """Every household's ``Household`` agent, in row order (views are created as needed).

        Views hold no state, so creating them changes no result; it costs a few microseconds
        a household, which is why a run creates them only when asked
        (``run.household_agents=true`` does so at construction).
        """
        views = self._household_agents
        missing = [row for row in range(self.county.n_households) if row not in views]
        if missing:
            gc_was_on = gc.isenabled()
            gc.disable()  # tens of thousands of small objects: skip needless collections
            try:
                for row in missing:
                    views[row] = Household(self, row)
            finally:
                if gc_was_on:
                    gc.enable()
        return AgentSet([views[row] for row in range(self.county.n_households)], random=self.random)

    def household_states(self) -> np.ndarray:
        """Loan state code of every household (see ``sim.households.STATE_NAMES``)."""
        npl = self.loans.non_performing(self.cfg.classification.substandard_dpd)
        return self.households.states(self.loans.active, self.loans.overdue, npl)

    def calendar_quarter(self, t: int) -> int:
        """Running quarter number of step ``t`` (calendar quarters)."""
        return (self.calendar.year(t) * 12 + self.calendar.month(t) - 1) // 3

    def loan_classes(self, book: LoanBook | None = None) -> np.ndarray:
        """Five-category class of every slot of ``book`` (default: the household book)."""
        k = self.cfg.classification
        book = self.loans if book is None else book
        return book.classify(k.substandard_dpd, k.doubtful_dpd, k.loss_dpd)

    def _assessment_month(self) -> bool:
        return self.calendar.month(self.t) == self.cfg.poverty.assessment_month

    # -- the month ------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month through the phases listed in the class docstring."""
        self.begin_month()
        for phase in self.PHASES:
            getattr(self, phase)()
        self.t += 1

    def begin_month(self) -> None:
        """Open the month: empty its flows and counts, draw its shared household uniforms.

        The uniforms are used by phases 2, 4 and 5 (common random numbers); everything a phase
        hands to a later one is public state of the model or of its tables.
        """
        self.ledger.new_month()
        self.month_counts = {}
        for book in self.books():
            book.npl_out = dict.fromkeys(NPL_OUTFLOWS, 0.0)
        self.draw_event_uniforms()
        self.draw_outcome_noise()

    def rate_and_inform(self) -> None:
        """Phase 1: rating coverage and awareness ramps (§9, §12)."""
        self.households.rate_and_inform(self.t)

    def originate(self) -> None:
        """Phase 2: applications, approval and disbursement (§1, §4, §9, §10)."""
        lending.originate(self)

    def accrue_interest(self) -> None:
        """Phase 3: interest, subsidies and guarantee fees (§3, §4)."""
        loans, office = self.loans, self.finance_office
        performing = loans.active & ~loans.overdue
        performing_balance = loans.balance * performing  # (the fee base too; x * 1 is exact)
        interest = performing_balance * loans.rate
        interest /= 12.0
        loans.interest_due += interest
        self.ledger.post_totals(
            "interest_accrued", loans.sum_by_bank(interest, self.ledger.n_banks)
        )
        if self.calendar.quarter_end(self.t):
            office.reimburse(self.t)
            # a project that failed misses this payment (it shows in phase 5)
            paying = performing & ~(loans.failed & (loans.ti_review == self.t))
            office.settle_interest(self.t, paying.nonzero()[0], quarter_end=True)
        ent_cycle.accrue_enterprise_interest(self)
        charge_fees(self, performing_balance)

    def age_overdue(self) -> None:
        """Phase 4: overdue loans age one month; some households repay late."""
        overdue = self.loans.overdue.nonzero()[0]
        self.loans.mpd[overdue] += 1
        ent_book = self.enterprise_loans
        ent_book.mpd[ent_book.overdue] += 1
        u = self.event_draw[overdue]
        cured = overdue[u < self.cfg.default.p_cure_monthly]
        self.finance_office.recover_claims(self.loans, cured)
        lending.repay(self, cured)
        self.count("cures", len(cured))

    def review_projects(self) -> None:
        """Phase 5: household loan-year outcomes and maturities (§5)."""
        lending.review(self)

    def review_enterprises(self) -> None:
        """Phase 6: enterprise deadlines, maturities and the reviews (§1, §2)."""
        if self.enterprises.n == 0:
            return
        ent_cycle.monthly_review(self)
        if ent_cycle.review_month(self):
            due = self.poverty.enterprise_due(self) if self._assessment_month() else None
            ent_cycle.review(self, due)

    def recognise_losses(self) -> None:
        """Phase 7: claims paid by fund and guarantor, write-offs, recoveries (§6, §10)."""
        office, loss = self.finance_office, self.cfg.loss
        office.collect_recoveries(self.t)
        sharing = self.cfg.sharing
        for book, shares in (
            (self.loans, sharing.household),
            (self.enterprise_loans, sharing.enterprise),
        ):
            overdue = book.overdue.nonzero()[0]  # claims and write-offs leave it unchanged
            if not len(overdue):
                continue
            dpd = book.mpd[overdue] * 30
            claim = overdue[~book.claimed[overdue] & (dpd >= loss.claim_dpd)]
            if len(claim):
                before = float(book.balance[claim].sum())
                office.pay_claims(book, claim, shares)
                self.count(f"losses_{self._channel(book)}", before - book.balance[claim].sum())
            if loss.writeoff_dpd is not None:
                gone = overdue[dpd >= loss.writeoff_dpd]
                if len(gone):
                    self._write_off(book, gone)

    def _channel(self, book: LoanBook) -> str:
        return "household" if book is self.loans else "enterprise"

    def _write_off(self, book: LoanBook, idx: np.ndarray) -> None:
        hh = self.households
        self.count(f"losses_{self._channel(book)}", float(book.balance[idx].sum()))
        self.finance_office.write_off(book, idx, self.t)
        if book is self.loans:
            self.ledger.post("interest_reversed", book.bank[idx], hh.interest_arrears[idx])
            hh.interest_arrears[idx] = 0.0
            hh.written_off[idx] = True
            if self.cfg.credit.blacklist_on_loss:
                hh.blacklisted[idx] = True
        else:
            ent_cycle.unlink(self, idx)
            self.enterprises.blacklisted[idx] = True
        book.close(idx)

    def manage_fund(self) -> None:
        """Phase 8: yearly top-up and reallocation of deposits (§10)."""
        self.finance_office.manage_fund(self.t)

    def assess_poverty(self) -> None:
        """Phase 9: the yearly poverty assessment (exit, 返贫, supports)."""
        if self._assessment_month():
            self.poverty.assess(self)

    def classify_and_break(self) -> None:
        """Phase 10: classification, NPL ratios and the circuit breaker (§6).

        The ratio the breaker reads is the banks' own book: what the fund and guarantor paid
        has left it, and what the bank still carries of a loan past ``substandard_dpd`` days
        is non-performing until repaid, recovered or written off.
        """
        c = self.county
        sub_dpd = self.cfg.classification.substandard_dpd
        loans, ent = self.loans, self.enterprise_loans
        self.npl = loans.non_performing(sub_dpd)
        self.enterprise_npl = ent.non_performing(sub_dpd)
        self.npl_flows = npl_flows(((loans, self.npl), (ent, self.enterprise_npl)))
        self.village_balance = c.village_sum(loans.balance) + ent.balance_by(
            ent.village, c.n_villages
        )
        bad = self.npl.nonzero()[0]  # a few rows: summed from their indices
        self.village_npl = c.village_sum_rows(bad, loans.balance[bad]) + ent.balance_by(
            ent.village, c.n_villages, self.enterprise_npl
        )
        tw = c.village_township
        bal_t = np.bincount(tw, weights=self.village_balance, minlength=c.n_townships)
        npl_t = np.bincount(tw, weights=self.village_npl, minlength=c.n_townships)
        for kind, level, index in self.breaker.update(
            ratio(self.village_npl, self.village_balance), ratio(npl_t, bal_t)
        ):
            self.recorder.event(kind, level, index)

    def record(self) -> None:
        """Phase 11: month-end outputs and ledger checks."""
        self.recorder.record_month()
        if self._assessment_month() and self.enterprises.n:
            self.recorder.record_enterprises()
        if self.cfg.run.check_books:
            self.check_books()

    def check_books(self) -> None:
        """Raise ``BooksError`` unless every ledger identity holds against the loan books."""
        hh, n_banks = self.households, self.ledger.n_banks
        book = sum(b.sum_by_bank(b.balance, n_banks) for b in self.books())
        loans = self.loans
        receivable = loans.sum_by_bank(loans.interest_due, n_banks) + loans.sum_by_bank(
            hh.interest_arrears, n_banks
        )
        self.ledger.check(book, receivable)
        counts = self.recorder.rows[-1]
        flows = self.npl_flows
        npl_now = float(self.village_npl.sum())  # the stock the breaker read this month
        gap = npl_now - (self.npl_balance + flows["new_npl_balance"] - flows["npl_outflow"])
        if abs(gap) > 1e-3:
            raise BooksError(f"NPL stock and flows disagree by {gap:.2f} yuan")
        self.npl_balance = npl_now
        total = sum(counts[f"n_{name}"] for name in STATE_NAMES)
        if total != self.county.n_households:
            raise BooksError(
                f"household states count {total}, not the {self.county.n_households} households"
            )
