"""Poverty-linked enterprises (带贫企业) and the 企贷企用 channel (§1, §2, §14).

An enterprise borrows for the households linked to it under a four-party agreement
(``enterprise.amount_per_household`` each), pays each linked household a yearly return on
that principal, employs poor workers, and receives a 2 %/yr interest subsidy. Once a year
its profit (return on assets loading on the county and sector factors) goes into its cash;
a shortfall means missed payments, and cash below ``-insolvency_cash_share`` x loan means
default on the whole loan at once: every linked household's return stops together. A yearly
compliance review puts a failing enterprise under rectification; if it still fails when the
window closes, its loan is recalled and it is blacklisted (§2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.county import LABOUR_NONE, County
from sim.guarantors import guarantor_index
from sim.loans import NEVER, LoanBook

if TYPE_CHECKING:
    from sim.model import MicrocreditModel

ACTIVE, DEFAULTED, RECALLED, REPAID = 0, 1, 2, 3
STATUS_NAMES = ("active", "defaulted", "recalled", "repaid")


@dataclass
class EnterpriseTable:
    """Enterprise columns (one entry per enterprise) and the household links."""

    township: np.ndarray
    village: np.ndarray
    sector: np.ndarray
    cash: np.ndarray  # yuan
    status: np.ndarray  # ACTIVE / DEFAULTED / RECALLED / REPAID
    blacklisted: np.ndarray
    ti_rectify: np.ndarray  # step when the rectification window closes (NEVER if none)
    paid_fraction: np.ndarray  # share of this year's returns actually paid
    n_workers: np.ndarray
    hh_enterprise: np.ndarray  # enterprise each household is linked to (-1 none)
    hh_employer: np.ndarray  # enterprise employing a member of each household (-1 none)
    hh_eligible: np.ndarray | None = None  # households the enterprise channel may link (static)
    year_draws: tuple[np.ndarray, np.ndarray] | None = None  # the year's profit, breach draws

    @property
    def n(self) -> int:
        """Number of enterprises."""
        return len(self.township)

    def n_linked(self) -> np.ndarray:
        """Households linked to each enterprise."""
        linked = self.hh_enterprise >= 0
        return np.bincount(self.hh_enterprise[linked], minlength=self.n)

    def paying(self) -> np.ndarray:
        """Enterprises whose link to households is alive."""
        return self.status == ACTIVE


def build_enterprises(cfg, county: County, rng: np.random.Generator) -> EnterpriseTable:
    """Place enterprises, link households (§1) and hire poor workers."""
    e = cfg.enterprise
    n_e = int(e.n_enterprises) if e.enabled else 0
    n_h = county.n_households
    township = rng.integers(0, county.n_townships, n_e)
    villages_of = _members(county.village_township, county.n_townships)
    village = np.array([rng.choice(villages_of[tw]) for tw in township], dtype=np.int64)
    sector = rng.choice(len(cfg.county.sector_names), n_e, p=np.asarray(cfg.county.sector_shares))
    hh_enterprise = np.full(n_h, -1, dtype=np.int32)
    hh_employer = np.full(n_h, -1, dtype=np.int32)
    n_workers = rng.poisson(e.workers_mean, n_e) if n_e else np.zeros(0, dtype=np.int64)
    u_link, u_pick = rng.random(n_h), rng.random(n_h)
    if n_e:
        no_labour = county.hh_labour == LABOUR_NONE
        p_link = np.where(no_labour, e.link_share_no_labour, e.able_link_share)
        linked = (u_link < p_link).nonzero()[0]
        hh_enterprise[linked] = local_choice(county.hh_township[linked], township, u_pick[linked])
        able_free = (~no_labour & (hh_enterprise < 0)).nonzero()[0]
        able_of = _grouped(able_free, county.hh_township[able_free], county.n_townships)
        for k in range(n_e):  # enterprises, not households: one pass per enterprise
            pool = able_of[township[k]]
            pool = pool[hh_employer[pool] < 0]  # not hired by an enterprise before it
            hired = rng.choice(pool, size=min(int(n_workers[k]), len(pool)), replace=False)
            hh_employer[hired] = k
            n_workers[k] = len(hired)
    return EnterpriseTable(
        township=township,
        village=village,
        sector=sector,
        cash=np.zeros(n_e),
        status=np.full(n_e, ACTIVE, dtype=np.int8),
        blacklisted=np.zeros(n_e, dtype=bool),
        ti_rectify=np.full(n_e, NEVER, dtype=np.int64),
        paid_fraction=np.ones(n_e),
        n_workers=n_workers,
        hh_enterprise=hh_enterprise,
        hh_employer=hh_employer,
        hh_eligible=hh_enterprise >= 0,
    )


def _members(group: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Positions of each group's members in ``group``, ascending (one sort, not one scan each)."""
    return _grouped(np.arange(len(group)), group, n_groups)


def _grouped(values: np.ndarray, group: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """``values`` split by ``group`` (one per value), each part in its original order.

    Households and villages are stored township by township: then the parts are slices.
    """
    bounds = np.cumsum(np.bincount(group, minlength=n_groups))[:-1]
    if len(group) and bool(np.all(group[1:] >= group[:-1])):
        return np.split(values, bounds)
    return np.split(values[np.argsort(group, kind="stable")], bounds)


def local_choice(hh_township: np.ndarray, ent_township: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each household, an enterprise in its township (uniformly), else any enterprise."""
    n_e = len(ent_township)
    order = np.argsort(ent_township, kind="stable")
    counts = np.bincount(
        ent_township, minlength=max(hh_township.max(initial=0), ent_township.max()) + 1
    )
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    local = counts[hh_township]
    pick_local = order[
        np.minimum(starts[hh_township] + (u * np.maximum(local, 1)).astype(np.int64), n_e - 1)
    ]
    pick_any = (u * n_e).astype(np.int64)
    return np.where(local > 0, pick_local, pick_any)


class Enterprise(mesa.Agent):
    """A poverty-linked enterprise: a view of row ``row`` of the enterprise table and book."""

    def __init__(self, model: MicrocreditModel, row: int):
        super().__init__(model)
        self.row = row

    @property
    def status(self) -> str:
        """active, defaulted, recalled or repaid."""
        return STATUS_NAMES[int(self.model.enterprises.status[self.row])]

    @property
    def loan_balance(self) -> float:
        """Outstanding principal of its poverty-linked loan, yuan."""
        return float(self.model.enterprise_loans.balance[self.row])

    @property
    def n_linked(self) -> int:
        """Households linked to it."""
        return int(self.model.enterprises.n_linked()[self.row])


def open_enterprise_book(model: MicrocreditModel) -> LoanBook:
    """Enterprise loans outstanding at the start, of random age within their term."""
    ent, cfg = model.enterprises, model.cfg
    bank = model.county.township_bank[ent.township].astype(np.int64)
    book = LoanBook(ent.n, bank, ent.village)
    n_linked = ent.n_linked()
    idx = (n_linked > 0).nonzero()[0]
    if len(idx) == 0:
        return book
    rng = model.streams["enterprise_book"]
    term_m = np.full(len(idx), 12 * int(cfg.enterprise.term_years))
    amount = cfg.enterprise.amount_per_household * n_linked[idx]
    remaining = 1 + (rng.random(len(idx)) * (term_m - 1)).astype(np.int64)
    g = guarantor_index(cfg.guarantee.enterprise_guarantor)
    book.originate(idx, 0, amount, term_m, cfg.credit.rate_multi, 0.0, guarantor=g)
    book.ti_start[idx] = remaining - term_m
    book.ti_maturity[idx] = remaining
    book.ti_review[idx] = NEVER
    ent.cash[idx] = cfg.enterprise.initial_cash_share * amount
    return book


def accrue_enterprise_interest(model: MicrocreditModel) -> None:
    """Monthly interest on performing enterprise loans, paid from cash.

    The county subsidises ``interest_subsidy_rate`` on the poverty-linked principal (Henan 85号).
    """
    book, ent, ledger = model.enterprise_loans, model.enterprises, model.ledger
    performing = book.active & ~book.overdue
    interest = np.where(performing, book.balance * book.rate / 12.0, 0.0)
    subsidy = np.where(
        performing, book.balance * model.cfg.enterprise.interest_subsidy_rate / 12.0, 0.0
    )
    ledger.post("enterprise_interest", book.bank, interest)
    ledger.post("enterprise_interest_subsidy", book.bank, subsidy)
    ent.cash -= interest - subsidy


def review_month(model: MicrocreditModel) -> bool:
    """Whether enterprises are reviewed this month.

    Every ``enterprise.review_months`` months, counted back from the assessment month (12: once
    a year, at the assessment).
    """
    months = int(model.cfg.enterprise.review_months)
    gap = model.calendar.month(model.t) - int(model.cfg.poverty.assessment_month)
    return gap % months == 0


def review(model: MicrocreditModel, due: np.ndarray | None) -> None:
    """Profit, solvency and, at the assessment, returns and the compliance review (§2).

    The year's profit rate of each enterprise is drawn at its first review of the year (one
    draw a year, whatever the review interval, so the interval does not change the rate)
    and a ``review_months / 12`` share of it is booked at each review; an enterprise whose
    cash has fallen below ``-insolvency_cash_share`` of its loan defaults at the review that
    finds it. Reviewed every 12 months this is the single yearly review at the assessment.

    Args:
        model: the model.
        due: yuan each enterprise owes its linked households this year, paid at the
            assessment month; None at the reviews in between.
    """
    ent, book, e = model.enterprises, model.enterprise_loans, model.cfg.enterprise
    months = int(e.review_months)
    if ent.year_draws is None or model.calendar.month(model.t) <= months:
        rng = model.streams["enterprise_profit"]
        ent.year_draws = (rng.standard_normal(ent.n), rng.random(ent.n))
    eta, u_breach = ent.year_draws
    live = (book.active & ~book.overdue & (ent.status == ACTIVE)).nonzero()[0]
    if due is not None:
        ent.paid_fraction[:] = np.where(ent.status == ACTIVE, 1.0, 0.0)
    if len(live) == 0:
        return
    d = model.defaults
    k = model.calendar.year(model.t) - d.first_year
    x = (
        np.sqrt(e.rho_county) * d.z_county[k]
        + np.sqrt(e.rho_sector) * d.z_sector[k, ent.sector[live]]
        + np.sqrt(1.0 - e.rho_county - e.rho_sector) * eta[live]
    )
    principal = book.principal[live]
    profit = (e.roa_mean + e.roa_sd * x) * principal
    available = ent.cash[live] + profit * (months / 12.0)  # x 1.0 is exact: yearly unchanged
    if due is None:
        ent.cash[live] = available
        default(model, live[available < -e.insolvency_cash_share * principal])
        return
    owed = due[live]
    paid = np.clip(np.divide(available, owed, out=np.ones(len(live)), where=owed > 0), 0.0, 1.0)
    ent.paid_fraction[live] = paid
    ent.cash[live] = available - paid * owed
    insolvent = ent.cash[live] < -e.insolvency_cash_share * principal
    default(model, live[insolvent])
    breach = (paid < 1.0) | (u_breach[live] < e.p_breach)
    start = live[breach & ~insolvent & (ent.ti_rectify[live] == NEVER)]
    ent.ti_rectify[start] = model.t + int(e.rectification_months)


def default(model: MicrocreditModel, idx: np.ndarray) -> None:
    """Enterprises ``idx`` default on their whole loan: it falls overdue, returns stop."""
    if len(idx) == 0:
        return
    ent, book = model.enterprises, model.enterprise_loans
    book.overdue[idx] = True
    book.mpd[idx] = 0
    ent.status[idx] = DEFAULTED
    ent.paid_fraction[idx] = 0.0
    ent.ti_rectify[idx] = NEVER
    model.count("enterprise_defaults", len(idx))


def monthly_review(model: MicrocreditModel) -> None:
    """Rectification deadlines (recall, §2), maturities (renew or repay) and new loans (§1)."""
    ent, book, e, t = model.enterprises, model.enterprise_loans, model.cfg.enterprise, model.t
    u = model.streams["enterprise_rectify"].random(ent.n)
    closing = ((ent.ti_rectify == t) & (ent.status == ACTIVE)).nonzero()[0]
    failing = closing[(ent.cash[closing] < 0) | (u[closing] < e.p_breach_persists)]
    ent.ti_rectify[closing] = NEVER
    insolvent = ent.cash[failing] < -e.insolvency_cash_share * book.principal[failing]
    default(model, failing[insolvent])
    recall(model, failing[~insolvent])

    due = (book.active & ~book.overdue & (book.ti_maturity == t)).nonzero()[0]
    in_campaign = model.calendar.in_campaign(t)
    ok = (
        e.renewal
        & (in_campaign or model.cfg.maturity.renewal_after_campaign)
        & ~ent.blacklisted[due]
        & (ent.ti_rectify[due] == NEVER)
    )
    if model.cfg.breaker.blocks_renewals:
        ok &= ~model.breaker.blocked_village()[book.village[due]]
    renew = due[ok]
    book.ti_maturity[renew] = t + book.term_m[renew]
    book.renewed[renew] += 1
    _repay(model, due[~ok], REPAID)
    model.count("enterprise_renewals", len(renew))
    originate(model)


def recall(model: MicrocreditModel, idx: np.ndarray) -> None:
    """Recall the loans of enterprises ``idx`` (§2): they repay what they can, the rest defaults.

    An enterprise can pay from its cash and from selling ``recall_liquid_share`` of the
    assets its loan financed; what that does not cover falls overdue at once. Either way it
    is blacklisted.
    """
    if len(idx) == 0:
        return
    ent, book, e = model.enterprises, model.enterprise_loans, model.cfg.enterprise
    means = np.maximum(ent.cash[idx] + e.recall_liquid_share * book.principal[idx], 0.0)
    pay = np.minimum(book.balance[idx], means)
    model.ledger.post("principal_repaid", book.bank[idx], pay)
    book.reduce(idx, pay, "repaid")
    ent.cash[idx] -= np.minimum(pay, np.maximum(ent.cash[idx], 0.0))
    ent.blacklisted[idx] = True
    short = book.balance[idx] > 1e-6
    default(model, idx[short])
    _close(model, idx[~short], RECALLED)
    model.count("enterprise_recalls", len(idx))


def originate(model: MicrocreditModel) -> None:
    """New enterprise loans: an enterprise without one applies to link its township's free households.

    The households are the unlinked ones the channel may link; the bank's lending capacity
    and the guarantor's room must cover the loan, and the bank lends nothing in a village
    or township the circuit breaker has suspended (§6 暂停贷款发放). New loans are made in the
    campaign and, with ``enterprise.new_loans_after_campaign``, after it; a blacklisted or
    defaulted enterprise never borrows again. A few dozen enterprises, not households, so the
    applications are looped over.
    """
    ent, book, e, t = model.enterprises, model.enterprise_loans, model.cfg.enterprise, model.t
    if ent.n == 0 or ent.hh_eligible is None:
        return
    u = model.streams["enterprise_apply"].random(ent.n)
    if not (model.calendar.in_campaign(t) or e.new_loans_after_campaign):
        return
    can = ~book.active & ~ent.blacklisted & (ent.status != DEFAULTED)
    free = ent.hh_eligible & (ent.hh_enterprise < 0)
    g = guarantor_index(model.cfg.guarantee.enterprise_guarantor)
    term_m = 12 * int(e.term_years)
    rate = lending_rate(model, term_m, t)
    suspended = model.breaker.blocked_village()[ent.village]
    for k in (can & (u < e.p_apply_monthly)).nonzero()[0]:
        if suspended[k]:  # the bank lends nothing in a suspended place (§6)
            model.count("enterprise_blocked_suspended", 1)
            continue
        pool = (free & (model.county.hh_township == ent.township[k])).nonzero()[0]
        amount = e.amount_per_household * len(pool)
        if len(pool) == 0:
            continue
        room = model.banks[int(book.bank[k])].lending_capacity()
        if g >= 0:
            room = min(room, model.guarantors[g].room())
        if amount > room + 1e-6:
            model.count("enterprise_blocked", 1)
            continue
        idx = np.array([k])
        book.originate(idx, t, amount, term_m, rate, 0.0, guarantor=g)
        book.ti_review[idx] = NEVER
        model.ledger.post("disbursed", book.bank[idx], np.array([amount]))
        ent.hh_enterprise[pool] = k
        free[pool] = False
        ent.status[k] = ACTIVE
        ent.ti_rectify[k] = NEVER
        ent.cash[k] += e.initial_cash_share * amount
        model.count("enterprise_new_loans", 1)


def lending_rate(model: MicrocreditModel, term_m: int, t: int) -> float:
    """Benchmark rate in the campaign, the LPR cap after it (§3)."""
    c = model.cfg.credit
    if not model.calendar.in_campaign(t):
        return float(c.rate_transition)
    return float(c.rate_1y if term_m == 12 else c.rate_multi)


def unlink(model: MicrocreditModel, idx: np.ndarray) -> None:
    """The households linked to enterprises ``idx`` are free again (their loan has closed)."""
    ent = model.enterprises
    if len(idx) == 1:
        ent.hh_enterprise[ent.hh_enterprise == idx[0]] = -1
    elif len(idx):
        gone = np.zeros(ent.n + 1, dtype=bool)  # the last entry stands for "no link" (-1)
        gone[idx] = True
        ent.hh_enterprise[gone[ent.hh_enterprise]] = -1


def _repay(model: MicrocreditModel, idx: np.ndarray, status: int) -> None:
    """Enterprises ``idx`` repay their principal from their assets; the link ends."""
    if len(idx) == 0:
        return
    book = model.enterprise_loans
    model.ledger.post("principal_repaid", book.bank[idx], book.balance[idx])
    book.reduce(idx, book.balance[idx].copy(), "repaid")
    _close(model, idx, status)


def _close(model: MicrocreditModel, idx: np.ndarray, status: int) -> None:
    model.enterprises.status[idx] = status
    unlink(model, idx)
    model.enterprise_loans.close(idx)
