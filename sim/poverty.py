"""Household income, the yearly poverty assessment, exit, return to poverty and the cliff.

Income per person per year = market income (by labour capacity, persistent household level,
growth, yearly shock) + the household's own project (户贷户用 loan) + enterprise returns
(企贷企用, or 户贷企用 leakage) + wages from an enterprise + transfers while supported, all
divided by household size where they accrue to the household. Once a year (assessment
month) a poor household whose income reaches the line by ``poverty.exit_margin`` exits; an
exited household whose income falls below the line returns to poverty (返贫).

Supports continue ``support_years_after_exit`` years after exit, then are withdrawn by
``poverty.withdrawal_rule``: ``abrupt`` (all at once), ``tapered`` (linearly over
``taper_years``) or ``profit_retention`` (§2: while a linked household is still supported the
enterprise keeps ``retention_share`` of its return and pays it out over
``retention_payout_years`` after supports end; transfers end abruptly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.enterprises import ACTIVE, DEFAULTED

if TYPE_CHECKING:
    from sim.model import MicrocreditModel

NO_YEAR = -1


class PovertyTable:
    """Income and poverty-status columns of the households."""

    def __init__(self, model: MicrocreditModel):
        c, inc = model.county, model.cfg.income
        n = c.n_households
        rng = model.streams["income_level"]
        self.first_year = model.calendar.year(0)
        self.persistent = rng.lognormal(-0.5 * inc.base_sd**2, inc.base_sd, n)
        self.poor = np.ones(n, dtype=bool)  # every registered household starts poor
        self.first_exit = np.full(n, NO_YEAR, dtype=np.int32)
        self.last_exit = np.full(n, NO_YEAR, dtype=np.int32)
        self.first_return = np.full(n, NO_YEAR, dtype=np.int32)
        self.retained = np.zeros(n)  # yuan kept by the enterprise under profit retention
        self.project_capital = np.zeros(n)  # yuan of productive assets built with own loans
        self.n_years = model.calendar.year(model.calendar.months - 1) - self.first_year + 1
        self.income = np.full((self.n_years, n), np.nan)  # yuan per person, by assessment year
        self.cum_returned = 0
        self.cum_transfers = 0.0
        self.cum_retention_lost = 0.0
        self._due_parts: tuple[np.ndarray, np.ndarray] | None = None

    # -- supports ------------------------------------------------------------------------
    def _years_withdrawn(self, year: int, p) -> np.ndarray:
        """Years since supports began to be withdrawn (<= 0 while still supported or poor)."""
        end = np.where(self.last_exit >= 0, self.last_exit + p.support_years_after_exit, 10**6)
        return np.where(self.poor, 0, year - end)

    def support_factor(self, year: int, p) -> np.ndarray:
        """Share of full transfers each household receives in ``year``."""
        j = self._years_withdrawn(year, p)
        if p.withdrawal_rule == "tapered":
            return np.clip(1.0 - j / p.taper_years, 0.0, 1.0)
        return np.where(j > 0, 0.0, 1.0)

    # -- enterprise returns ----------------------------------------------------------------
    def enterprise_due(self, model: MicrocreditModel) -> np.ndarray:
        """Yuan each enterprise owes its linked households this year.

        That is the return on their principal plus any retained profit now being paid out.
        """
        ent, e, p = model.enterprises, model.cfg.enterprise, model.cfg.poverty
        link = ent.hh_enterprise
        if ent.n == 0:
            return np.zeros(0)
        linked = (link >= 0) & (ent.status[np.maximum(link, 0)] == ACTIVE)
        ret = np.where(linked, e.return_rate * e.amount_per_household, 0.0)
        payout = np.zeros_like(ret)
        if p.withdrawal_rule == "profit_retention":
            j = self._years_withdrawn(model.calendar.year(model.t), p)
            left = np.maximum(p.retention_payout_years - j + 1, 1)
            payout = np.where(linked & (j > 0), self.retained / left, 0.0)
        self._due_parts = (ret, payout)
        return np.bincount(link[linked], weights=(ret + payout)[linked], minlength=ent.n)

    def _enterprise_income(self, model: MicrocreditModel) -> tuple[np.ndarray, np.ndarray]:
        """Yuan each household receives from enterprises this year.

        Returns the total (links, leakage, wages) and the part that is a return on a linked
        principal.
        """
        ent, e, loans = model.enterprises, model.cfg.enterprise, model.loans
        n = len(self.poor)
        if ent.n == 0:
            return np.zeros(n), np.zeros(n)
        ret, payout = self._due_parts or (np.zeros(n), np.zeros(n))
        link = np.maximum(ent.hh_enterprise, 0)
        paid = np.where(ent.hh_enterprise >= 0, ent.paid_fraction[link], 0.0)
        self.retained -= payout * paid
        lost = (ent.hh_enterprise >= 0) & (ent.status[link] == DEFAULTED) & (self.retained > 0)
        self.cum_retention_lost += float(self.retained[lost].sum())
        self.retained[lost] = 0.0
        received = (ret + payout) * paid
        leaked = loans.active & (loans.leaked_to >= 0)
        lk = np.maximum(loans.leaked_to, 0)
        received += np.where(leaked, e.return_rate * loans.principal * ent.paid_fraction[lk], 0.0)
        employer = np.maximum(ent.hh_employer, 0)
        employed = (ent.hh_employer >= 0) & (ent.status[employer] != DEFAULTED)
        return received + np.where(employed, e.wage, 0.0), ret * paid

    def _retain(
        self, model: MicrocreditModel, income: np.ndarray, returns: np.ndarray, line: float
    ) -> np.ndarray:
        """Profit retention (§2), in yuan per person kept.

        While an exited, linked household is still supported and its income reaches the line, the enterprise keeps up to ``retention_share`` of its return,
        never more than the income above the line.
        """
        p, ent, size = model.cfg.poverty, model.enterprises, model.county.hh_size
        j = self._years_withdrawn(model.calendar.year(model.t), p)
        eligible = (ent.hh_enterprise >= 0) & ~self.poor & (self.last_exit >= 0) & (j <= 0)
        spare = np.maximum(income - line, 0.0) * size
        keep = np.where(eligible, np.minimum(p.retention_share * returns, spare), 0.0)
        self.retained += keep
        linked = ent.hh_enterprise >= 0
        ent.cash += np.bincount(ent.hh_enterprise[linked], weights=keep[linked], minlength=ent.n)
        return keep / size

    # -- assessment ------------------------------------------------------------------------
    def assess(self, model: MicrocreditModel) -> None:
        """The yearly assessment: incomes, exits and returns to poverty."""
        c, inc, p, loans = model.county, model.cfg.income, model.cfg.poverty, model.loans
        year = model.calendar.year(model.t)
        k = year - self.first_year
        shock = model.streams["income_shock"].standard_normal(c.n_households)
        market = (
            np.asarray(inc.base_per_person)[c.hh_labour]
            * self.persistent
            * (1.0 + inc.growth) ** k
            * np.exp(inc.shock_sd * shock - 0.5 * inc.shock_sd**2)
        )
        project = self._project_income(loans, inc)
        transfers = inc.transfer_per_person * self.support_factor(year, p)
        self.cum_transfers += float((transfers * c.hh_size).sum())
        from_enterprises, returns = self._enterprise_income(model)
        income = market + (project + from_enterprises) / c.hh_size + transfers
        line = self.line(year, p)
        if p.withdrawal_rule == "profit_retention" and model.enterprises.n:
            income = income - self._retain(model, income, returns, line)
        self.income[k] = income
        exits = self.poor & (income >= line * (1.0 + p.exit_margin))
        returns = ~self.poor & (income < line)
        self.poor[exits] = False
        self.last_exit[exits] = year
        self.first_exit[exits & (self.first_exit == NO_YEAR)] = year
        self.poor[returns] = True
        self.first_return[returns & (self.first_return == NO_YEAR)] = year
        self.cum_returned += int(returns.sum())

    def _project_income(self, loans, inc) -> np.ndarray:
        """Yuan from the household's own project.

        Assets built with a performing loan keep earning after repayment (decaying by ``project_persistence`` a year); a failure this
        year loses the assets and earns ``failed_project_return``.
        """
        own = loans.active & (loans.leaked_to < 0)
        failed = own & (loans.overdue | loans.failed)
        performing = own & ~failed
        self.project_capital = np.where(
            performing,
            np.maximum(loans.principal, self.project_capital),
            self.project_capital * inc.project_persistence,
        )
        self.project_capital[failed] = 0.0
        return self.project_capital * inc.project_return + np.where(
            failed, inc.failed_project_return * loans.principal, 0.0
        )

    @staticmethod
    def line(year: int, p) -> float:
        """Poverty line of ``year`` (the nearest year of the table outside its range)."""
        years = list(p.line_years)
        i = int(np.clip(np.searchsorted(years, year, side="right") - 1, 0, len(years) - 1))
        return float(p.line_yuan[i])

    # -- outputs --------------------------------------------------------------------------
    def cohort_table(self, last_year: int, max_years: int = 3) -> pd.DataFrame:
        """Return-to-poverty rate within 1..max_years years of (first) exit, by exit cohort."""
        rows = []
        for y in np.unique(self.first_exit[self.first_exit >= 0]):
            cohort = self.first_exit == y
            for k in range(1, max_years + 1):
                if y + k > last_year:
                    break
                back = cohort & (self.first_return >= 0) & (self.first_return <= y + k)
                n = int(cohort.sum())
                rows.append(
                    {
                        "exit_year": int(y),
                        "years_since_exit": k,
                        "n_exited": n,
                        "n_returned": int(back.sum()),
                        "return_rate": back.sum() / n,
                    }
                )
        cols = ["exit_year", "years_since_exit", "n_exited", "n_returned", "return_rate"]
        return pd.DataFrame(rows, columns=cols)

    def cliff_table(self, p, span: tuple[int, int] = (-2, 3)) -> pd.DataFrame:
        """Mean income per person by year relative to the first year supports are cut."""
        cut = np.where(
            self.first_exit >= 0, self.first_exit + p.support_years_after_exit + 1, NO_YEAR
        )
        rows = []
        for r in range(span[0], span[1] + 1):
            k = cut - self.first_year + r
            ok = (cut != NO_YEAR) & (k >= 0) & (k < self.n_years)
            if not ok.any():
                continue
            vals = self.income[k[ok], np.flatnonzero(ok)]
            vals = vals[~np.isnan(vals)]
            if len(vals):
                rows.append(
                    {
                        "years_relative_to_support_end": r,
                        "n_households": len(vals),
                        "mean_income_per_person": float(vals.mean()),
                    }
                )
        return pd.DataFrame(
            rows,
            columns=["years_relative_to_support_end", "n_households", "mean_income_per_person"],
        )
