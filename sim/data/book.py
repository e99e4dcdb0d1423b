"""Opening the books from a county's files: roster state and the loan ledgers.

:func:`apply_ledger` is the one place where an imported ledger becomes loan-book state:
every field of :class:`sim.loans.LoanBook` an imported loan sets is written there, so a new
field of the book is one more line in it. A loan's dates become steps counted from the month
of the ledger (``horizon.start``): a loan signed before it has a negative ``ti_start``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import lending
from sim.guarantors import guarantor_index
from sim.loans import NEVER, LoanBook
from sim.poverty import NO_YEAR

if TYPE_CHECKING:
    from sim.data.county_files import CountyFiles
    from sim.model import MicrocreditModel


def open_books(model: MicrocreditModel, files: CountyFiles) -> None:
    """Roster state and loan books at the start month, in place of the synthetic opening."""
    apply_roster(model, files.households)
    apply_ledger(model, files.loans, files.as_of)


def apply_roster(model: MicrocreditModel, households: pd.DataFrame) -> None:
    """Poverty status and exit year of every household, in place of the synthetic cohorts.

    A household starts exited only where ``poverty_status`` says so (a roster without the
    column starts every household poor); the public-welfare jobs at the start go to the
    households that start poor, as in the synthetic county.
    """
    pov = model.poverty
    if "poverty_status" in households:
        exited = (households["poverty_status"] == "exited").to_numpy()
        year = households["exit_year"].to_numpy(dtype=float, na_value=np.nan)
    else:
        exited = np.zeros(len(households), dtype=bool)
        year = np.full(len(households), np.nan)
    pov.poor[:] = ~exited
    exit_year = np.where(exited, np.nan_to_num(year, nan=NO_YEAR), NO_YEAR).astype(np.int32)
    pov.first_exit[:] = exit_year
    pov.last_exit[:] = exit_year
    pov.has_job[:] = pov.poor & pov.job_draw


def dpd_to_months(dpd: np.ndarray) -> np.ndarray:
    """Months past due that keep the five-category class of ``dpd`` days (30 days a month).

    The classes change after 90, 180 and 360 days (multiples of 30), so rounding up keeps
    every loan in its class: 90 days -> 3 months (special mention), 91 -> 4 (substandard).
    """
    return np.ceil(np.asarray(dpd, dtype=float) / 30.0).astype(np.int32)


def apply_ledger(model: MicrocreditModel, loans: pd.DataFrame, as_of: int) -> None:
    """Write the imported loans into the household and enterprise books.

    Args:
        model: a model whose tables are built and whose books are still empty.
        loans: one row per loan (:func:`sim.data.county_files.read_county`): ``channel``,
            ``slot`` (household or enterprise row), ``amount``, ``balance``, ``rate``,
            ``start``, ``maturity`` and ``as_of`` as month indices, ``term_months``, ``dpd``,
            ``guarantor``, ``renewals``, ``extensions``, and for enterprise loans the
            enterprise's ``cash`` (NaN: ``enterprise.initial_cash_share`` x amount).
        as_of: month index of the ledgers (step 0).

    Performing household loans then draw the outcome of their current loan-year, as the
    synthetic opening does; overdue loans carry their class (months past due from ``dpd``).
    """
    hh, ledger = model.households, model.ledger
    model.enterprise_loans = LoanBook(
        model.enterprises.n, model.enterprise_loans.bank, model.enterprise_loans.village
    )
    opening = np.zeros(ledger.n_banks)
    outstanding = np.zeros(0, dtype=np.int64)
    for channel, book in (("household", model.loans), ("enterprise", model.enterprise_loans)):
        rows = loans[loans["channel"] == channel]
        if channel == "enterprise" and book.n == 0:
            rows = rows.iloc[:0]
        order = np.argsort(rows["slot"].to_numpy(np.int64), kind="stable")
        rows = rows.iloc[order]
        idx = rows["slot"].to_numpy(np.int64)
        ti_start = (rows["start"].to_numpy(np.int64) - as_of).astype(np.int32)
        ti_maturity = (rows["maturity"].to_numpy(np.int64) - as_of).astype(np.int32)
        term = rows["term_months"] if "term_months" in rows else pd.Series(np.nan, rows.index)
        term_m = np.where(
            term.isna(), ti_maturity - ti_start, term.to_numpy(dtype=float, na_value=0)
        ).astype(np.int32)
        amount = rows["amount"].to_numpy(float)
        dpd = rows["dpd"].to_numpy(float)
        g = np.array([guarantor_index(x) for x in rows["guarantor"]], dtype=np.int8)
        book.active[idx] = True
        book.principal[idx] = amount
        book.balance[idx] = rows["balance"].to_numpy(float)
        book.rate[idx] = rows["rate"].to_numpy(float)
        book.term_m[idx] = term_m
        book.ti_start[idx] = ti_start
        book.ti_maturity[idx] = ti_maturity
        book.extended[idx] = _count(rows, "extensions")
        book.renewed[idx] = _count(rows, "renewals")
        book.overdue[idx] = dpd > 0
        book.mpd[idx] = dpd_to_months(dpd)
        book.failed[idx] = dpd > 0
        # a loan already past the claim point was claimed: its balance is what the bank still
        # carries, and the fund's and guarantor's payments are not on this ledger
        book.claimed[idx] = dpd >= model.cfg.loss.claim_dpd
        book.claim_fund[idx] = 0.0
        book.claim_guarantor[idx] = 0.0
        book.set_guarantor(idx, g)
        book.interest_due[idx] = 0.0
        book.pd_multiplier[idx] = 1.0
        book.leaked_to[idx] = -1
        opening += np.bincount(book.bank[idx], weights=book.balance[idx], minlength=len(opening))
        if channel == "household":
            # the current loan-year ends at the next anniversary of the maturity
            book.ti_review[idx] = (ti_maturity - 1) % 12 + 1
            signed_in_campaign = np.array([model.calendar.in_campaign(int(t)) for t in ti_start])
            book.subsidy_share[idx] = _subsidy_share(model, amount, term_m, signed_in_campaign)
            hh.rated[idx] = hh.aware[idx] = True
            hh.grade[idx] = model.county.hh_grade[idx]
            hh.ever_borrowed[idx] = True
            hh.ti_first_loan[idx] = ti_start
            outstanding = idx[dpd == 0]
        else:
            book.ti_review[idx] = NEVER
            book.subsidy_share[idx] = 0.0
            cash = model.cfg.enterprise.initial_cash_share * amount
            given = rows["cash"].to_numpy(dtype=float, na_value=np.nan)  # enterprises file
            model.enterprises.cash[:] = 0.0
            model.enterprises.cash[idx] = np.where(np.isnan(given), cash, given)
    ledger.opening_loans[:] = opening
    model.draw_outcome_noise()
    year_end = (model.loans.ti_maturity[outstanding] - 1) % 12 + 1  # next anniversary
    lending.start_loan_years(model, outstanding, 0, year_end=year_end)


def _count(rows: pd.DataFrame, name: str) -> np.ndarray:
    if name not in rows:
        return np.zeros(len(rows), dtype=np.int16)
    return rows[name].fillna(0).to_numpy(np.int16)


def _subsidy_share(
    model: MicrocreditModel, amount: np.ndarray, term_m: np.ndarray, in_campaign: np.ndarray
) -> np.ndarray:
    """Share of interest the county reimburses, by the terms and the month each loan was signed."""
    s = model.cfg.subsidy
    if not s.enabled:
        return np.zeros(len(amount))
    eligible = (amount <= s.max_amount) & (term_m <= 12 * s.max_term_years)
    return np.where(eligible, np.where(in_campaign, 1.0, float(s.transition_share)), 0.0)
