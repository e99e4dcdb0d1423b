"""Registered households' life course: incomes, the yearly assessment, exit, relapse, the cliff.

**Who is registered.** The registered (建档立卡) households of 2019 include those that had
already exited: at initialisation a share ``poverty.exit_cohort_shares`` exited in each of the
years ``poverty.exit_cohort_years`` (national shares by default, [S32] in docs/sources.md), the
rest are still poor. Households are ranked by a noisy measure of their income potential; the
best placed exited first.

**Income** per person per year = market income (by labour capacity, persistent household level,
growth, yearly shock) + the household's own project (户贷户用 loan) + enterprise returns
(企贷企用, or 户贷企用 leakage) + wages from an enterprise + a public-welfare job (公益岗位)
+ direct transfers, the household-level items divided by household size. Jobs and transfers are
the poverty supports that are withdrawn; the social-assistance floor (低保, 特困供养 at
``floor_tekun_multiplier`` times the standard for one-person households without labour, [S30]
[S31]) is permanent: a covered household whose income falls below the year's standard
``poverty.floor_yuan`` is topped up to it. While supports continue, return-to-poverty monitoring
(防止返贫监测, [S34]) catches a share ``poverty.monitoring_catch`` of exited households that would
fall below the line and helps them back to it.

**Assessment** once a year (assessment month): a poor household exits when its income is stably
above the line (``income >= line x (1 + exit_margin)``, or at the line for a household on the
permanent floor) — the basic guarantees (两不愁三保障, [S29]) are taken as met for every
registered household from 2019; an exited household whose income falls below the line returns
to poverty (返贫).

**Supports** are kept for every registered household until the end of
``poverty.support_end_year`` (the transition period, [S36]), then withdrawn by
``poverty.withdrawal_rule``: ``abrupt`` (all at once), ``tapered`` (linearly over
``taper_years``) or ``profit_retention`` (§2: while a linked household is still supported the
enterprise keeps ``retention_share`` of its return and pays it out over
``retention_payout_years`` after supports end; transfers end abruptly). A household that is poor
again receives them again.

Everything is stepped in bulk on NumPy columns, once a year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.county import LABOUR_NONE
from sim.enterprises import ACTIVE, DEFAULTED

if TYPE_CHECKING:
    from sim.model import MicrocreditModel

NO_YEAR = -1

# the tables of return to poverty and of the cliff, with their types (kept when they are empty,
# so that a short horizon writes typed columns, not untyped ones)
COHORT_COLUMNS = {
    "exit_year": "int64",
    "years_since_exit": "int64",
    "n_exited": "int64",
    "n_returned": "int64",
    "return_rate": "float64",
    "supported": "bool",
}
CLIFF_COLUMNS = {
    "exit_year": "int64",
    "years_relative_to_support_end": "int64",
    "year": "int64",
    "n_households": "int64",
    "mean_income_per_person": "float64",
    "poor_share": "float64",
    "relapsed_share": "float64",
}


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    """A table with no rows and typed columns."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def by_year(years, values, year: int) -> float:
    """Value of a yearly table at ``year`` (the nearest year of the table outside its range)."""
    years = list(years)
    i = int(np.clip(np.searchsorted(years, year, side="right") - 1, 0, len(years) - 1))
    return float(values[i])


class PovertyTable:
    """Income and poverty-status columns of the households."""

    def __init__(self, model: MicrocreditModel):
        c, inc, p = model.county, model.cfg.income, model.cfg.poverty
        n = c.n_households
        rng = model.streams["income_level"]
        self.first_year = model.calendar.year(0)
        self.persistent = rng.lognormal(-0.5 * inc.base_sd**2, inc.base_sd, n)
        # market income per person in the first year, before shocks
        self.market_base = np.asarray(inc.base_per_person)[c.hh_labour] * self.persistent
        self.n_years = model.calendar.year(model.calendar.months - 1) - self.first_year + 1
        self._support_end = int(p.support_end_year)
        life = model.streams["life_course"]
        cover = life.random(n) < np.asarray(inc.floor_coverage)[c.hh_labour]
        self.floored = cover  # covered by 低保 / 特困供养 when income falls below the standard
        self.tekun = (c.hh_labour == LABOUR_NONE) & (c.hh_size == 1)  # 特困供养
        self._sizes = c.hh_size.astype(float)
        self.poor = np.ones(n, dtype=bool)
        self.first_exit = np.full(n, NO_YEAR, dtype=np.int32)
        self.last_exit = np.full(n, NO_YEAR, dtype=np.int32)
        self.first_return = np.full(n, NO_YEAR, dtype=np.int32)
        self._initial_cohorts(model, life.standard_normal(n))
        # 公益岗位: an able poor household whose draw falls below the job share holds a job; the
        # draws are kept so that a roster's poverty status (sim.data.book) decides the holders
        self.job_draw = (c.hh_labour != LABOUR_NONE) & (life.random(n) < inc.job_share)
        self.has_job = self.poor & self.job_draw
        self.retained = np.zeros(n)  # yuan kept by the enterprise under profit retention
        self.project_capital = np.zeros(n)  # yuan of productive assets built with own loans
        # yuan per person by assessment year (``income_in``): a row is kept per year assessed,
        # not a years x households matrix allocated up front
        self._income_rows: dict[int, np.ndarray] = {}
        self.poor_at = np.zeros((self.n_years, n), dtype=bool)  # poor after each assessment
        # years assessed so far: rows 0 .. n_assessed - 1 of ``poor_at`` (a horizon ending
        # before the assessment month leaves its last year unassessed)
        self.n_assessed = 0
        self.cum_returned = 0
        self.cum_transfers = 0.0  # transfers, jobs, monitoring help and the floor, yuan
        self.cum_floor = 0.0  # of which the social-assistance floor
        self.cum_retention_lost = 0.0
        # per household, this year's return and retained-profit payout owed by its enterprise:
        # set by enterprise_due in phase 6 (review_enterprises), paid out in phase 9 (assess)
        self.due_parts: tuple[np.ndarray, np.ndarray] | None = None

    def _initial_cohorts(self, model: MicrocreditModel, noise: np.ndarray) -> None:
        """Exit years of the households that had left poverty before the first simulated year.

        Households are ranked by a noisy income potential (market income, transfers, the floor
        where covered); the best placed exited first, in the shares of
        ``poverty.exit_cohort_shares``.
        """
        inc, p = model.cfg.income, model.cfg.poverty
        years, shares = list(p.exit_cohort_years), np.asarray(p.exit_cohort_shares, dtype=float)
        if not len(years):
            return
        potential = self.market_base * np.exp(p.cohort_noise_sd * noise) + inc.transfer_per_person
        std = self.floor_standard(self.first_year, p)
        potential = np.where(self.floored, np.maximum(potential, std), potential)
        n = len(potential)
        bounds = np.round(np.cumsum(shares) * n).astype(int)
        # the best placed ``bound`` households by a stable ranking of -potential (ties by row),
        # found by selection rather than a full sort; ``later`` counts the cohorts that do not
        # reach a household (0: the first cohort, len(years): still poor)
        neg = -potential
        inner = sorted({int(b) - 1 for b in bounds if 0 < b < n})
        kth = np.partition(neg, inner) if inner else neg
        reached = np.zeros(n, dtype=np.int16)  # cohorts whose bound takes the household in
        for b in bounds:
            if b >= n:
                reached += 1
                continue
            if b <= 0:
                continue
            v = kth[b - 1]
            top = neg <= v
            surplus = int(np.count_nonzero(top)) - b  # households tied at v beyond the bound
            if surplus > 0:
                top[(neg == v).nonzero()[0][-surplus:]] = False
            reached += top
        later = len(years) - reached
        exit_year = np.array([*years, NO_YEAR], dtype=np.int32)[later]
        self.poor = later == len(years)
        self.first_exit = exit_year
        self.last_exit = exit_year.copy()

    # -- supports ------------------------------------------------------------------------
    def _years_withdrawn(self, year: int, p) -> np.ndarray:
        """Years since supports began to be withdrawn (<= 0 while supported; poor: 0)."""
        return np.where(self.poor, 0, year - self._support_end)

    def support_factor(self, year: int, p) -> np.ndarray | float:
        """Share of full supports (transfers, jobs) each household receives in ``year``.

        1.0 for every household (a number, not an array) while nobody's are being withdrawn.
        """
        if year <= self._support_end:
            return 1.0
        if p.withdrawal_rule != "tapered":  # withdrawn at once from every household not poor
            return self.poor.astype(float)
        j = self._years_withdrawn(year, p)
        return np.clip(1.0 - j / p.taper_years, 0.0, 1.0)

    def floor_standard(self, year: int, p) -> np.ndarray:
        """Social-assistance standard of each household in ``year`` (yuan per person)."""
        std = by_year(p.line_years, p.floor_yuan, year)
        return np.where(self.tekun, p.floor_tekun_multiplier * std, std)

    # -- enterprise returns ----------------------------------------------------------------
    def enterprise_due(self, model: MicrocreditModel) -> np.ndarray:
        """Yuan each enterprise owes its linked households this year.

        That is the return on their principal plus any retained profit now being paid out.
        """
        ent, e, p = model.enterprises, model.cfg.enterprise, model.cfg.poverty
        link = ent.hh_enterprise
        if ent.n == 0:
            return np.zeros(0)
        linked = np.append(ent.status == ACTIVE, False)[link]  # the last entry: no link (-1)
        ret = np.where(linked, e.return_rate * e.amount_per_household, 0.0)
        payout = np.zeros_like(ret)
        if p.withdrawal_rule == "profit_retention":
            j = self._years_withdrawn(model.calendar.year(model.t), p)
            left = np.maximum(p.retention_payout_years - j + 1, 1)
            payout = np.where(linked & (j > 0), self.retained / left, 0.0)
        self.due_parts = (ret, payout)
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
        ret, payout = self.due_parts or (np.zeros(n), np.zeros(n))
        # share paid by each household's enterprise; the last entry stands for "no link" (-1)
        paid = np.append(ent.paid_fraction, 0.0)[ent.hh_enterprise]
        returns = ret * paid
        if model.cfg.poverty.withdrawal_rule == "profit_retention":
            has_link = ent.hh_enterprise >= 0
            link = np.maximum(ent.hh_enterprise, 0)
            self.retained -= payout * paid
            lost = has_link & (ent.status[link] == DEFAULTED) & (self.retained > 0)
            self.cum_retention_lost += float(self.retained[lost].sum())
            self.retained[lost] = 0.0
            received = (ret + payout) * paid
        else:  # nothing is retained or paid out later
            received = returns.copy()
        leaked = (loans.active & (loans.leaked_to >= 0)).nonzero()[0]
        if len(leaked):
            fraction = ent.paid_fraction[loans.leaked_to[leaked]]
            received[leaked] += e.return_rate * loans.principal[leaked] * fraction
        employed = np.append(ent.status != DEFAULTED, False)[ent.hh_employer]
        return received + np.where(employed, e.wage, 0.0), returns

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
        """The yearly assessment: incomes, supports, exits and returns to poverty."""
        c, inc, p, loans = model.county, model.cfg.income, model.cfg.poverty, model.loans
        year = model.calendar.year(model.t)
        k = year - self.first_year
        shock = model.streams["income_shock"].standard_normal(c.n_households)
        caught = model.streams["monitoring"].random(c.n_households) < p.monitoring_catch
        new_job = model.streams["public_jobs"].random(c.n_households) < inc.job_share
        market = (
            self.market_base
            * (1.0 + inc.growth) ** k
            * np.exp(inc.shock_sd * shock - 0.5 * inc.shock_sd**2)
        )
        project = self._project_income(loans, inc)
        support = self.support_factor(year, p)
        jobs = np.where(self.has_job, inc.job_wage, 0.0) * support
        transfers = inc.transfer_per_person * support
        from_enterprises, returns = self._enterprise_income(model)
        sizes = self._sizes  # persons, as floats: the same quotients without a cast each time
        income = market + (project + from_enterprises + jobs) / sizes + transfers
        line = self.line(year, p)
        if p.withdrawal_rule == "profit_retention" and model.enterprises.n:
            income = income - self._retain(model, income, returns, line)
        std = self.floor_standard(year, p)
        floor = np.where(self.floored, np.maximum(std - income, 0.0), 0.0)
        income = income + floor
        help_ = np.zeros(len(income))
        if year <= self._support_end:
            monitored = (caught & ~self.poor).nonzero()[0]
            help_[monitored] = np.maximum(line - income[monitored], 0.0)
            income[monitored] += help_[monitored]
        self.cum_floor += float((floor * sizes).sum())
        self.cum_transfers += float(((transfers + floor + help_) * sizes + jobs).sum())
        self._income_rows[k] = income
        stable = (income >= line * (1.0 + p.exit_margin)) | (
            self.floored & (std >= line) & (income >= line)
        )
        exits = self.poor & stable
        returns = ~self.poor & (income < line)
        self.poor[exits] = False
        self.last_exit[exits] = year
        self.first_exit[exits & (self.first_exit == NO_YEAR)] = year
        self.poor[returns] = True
        self.first_return[returns & (self.first_return == NO_YEAR)] = year
        self.cum_returned += int(returns.sum())
        self.poor_at[k] = self.poor
        self.n_assessed = k + 1
        # employment assistance reaches able households still poor during the campaign
        if model.calendar.in_campaign(model.t):
            self.has_job |= self.poor & (c.hh_labour != LABOUR_NONE) & new_job

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
        return by_year(p.line_years, p.line_yuan, year)

    # -- outputs --------------------------------------------------------------------------
    def income_in(self, k: int) -> np.ndarray:
        """Income per person of every household in year ``k`` of the run (NaN if not assessed)."""
        row = self._income_rows.get(k)
        return np.full(len(self.poor), np.nan) if row is None else row

    def mean_income(self, year: int, sizes: np.ndarray | None = None) -> float | None:
        """Mean income per person of all registered households in ``year`` (None if unknown)."""
        k = year - self.first_year
        row = self._income_rows.get(k)
        if row is None or np.isnan(row).all():
            return None
        w = self._sizes if sizes is None else sizes
        return float((row * w).sum() / w.sum())

    def cohort_table(self, last_year: int, max_years: int = 3) -> pd.DataFrame:
        """Return-to-poverty rate within 1..max_years years of first exit, by exit cohort.

        ``last_year`` is the last year assessed (``first_year + n_assessed - 1``): a window
        reaching past it is not counted, as returns in it are not known yet.

        Only cohorts that exit in the simulated years (earlier cohorts' first years after exit
        are not simulated). ``supported``: the whole window lies in years with full supports
        (up to ``support_end_year``).
        """
        exited = (self.first_exit >= self.first_year).nonzero()[0]
        exit_year = self.first_exit[exited]
        cohort = exit_year - self.first_year  # small integers: the cohort's index, no sort needed
        n_exited = np.bincount(cohort)
        returned = self.first_return[exited]
        # years from first exit to first return (a household that never returned is left out)
        gap = np.where(returned >= 0, returned - exit_year, max_years + 1)
        backs = [  # per cohort, households back in poverty within k years of exit
            np.bincount(cohort[gap <= k], minlength=len(n_exited)) for k in range(1, max_years + 1)
        ]
        rows = []
        for j in n_exited.nonzero()[0].tolist():
            y, n = self.first_year + j, int(n_exited[j])
            for k, back in enumerate(backs, start=1):
                if y + k > last_year:
                    break
                rows.append(
                    {
                        "exit_year": y,
                        "years_since_exit": k,
                        "n_exited": n,
                        "n_returned": int(back[j]),
                        "return_rate": int(back[j]) / n,
                        "supported": bool(y + k <= self._support_end),
                    }
                )
        if not rows:
            return _empty(COHORT_COLUMNS)
        return pd.DataFrame(rows, columns=list(COHORT_COLUMNS))

    def cliff_table(self, p, span: tuple[int, int] = (-2, 3)) -> pd.DataFrame:
        """Income and relapse by exit cohort around the first year without full supports.

        The panel is every household out of poverty after the assessment of the last supported
        year (``support_end_year``); year 0 is the first year supports are cut. Per cohort
        (year of first exit) and year: households, mean income per person, and the share poor
        again (``poor_share``) and ever poor again since the end of supports
        (``relapsed_share``).
        """
        cols = list(CLIFF_COLUMNS)
        k_end = self._support_end - self.first_year
        if not 0 <= k_end < self.n_assessed:  # the last supported year was not assessed
            return _empty(CLIFF_COLUMNS)
        panel = (~self.poor_at[k_end] & (self.first_exit != NO_YEAR)).nonzero()[0]
        # one grouped pass per year over the panel, cohorts by year of first exit (small
        # integers: the year less the first one is the group, no sort needed)
        exit_year = self.first_exit[panel]
        first = int(exit_year.min()) if len(panel) else 0
        code = exit_year - first
        size = np.bincount(code)
        present = size.nonzero()[0]
        n_c = len(size)
        since = np.zeros(len(panel), dtype=bool)  # poor again in some year since supports ended
        folded = k_end  # the last year folded into ``since``
        years = []  # per year, its rows as columns
        for r in range(span[0], span[1] + 1):
            k = k_end + 1 + r
            if not 0 <= k < self.n_assessed:  # before the first or after the last assessment
                continue
            if k > folded:
                since |= self.poor_at[folded + 1 : k + 1, panel].any(axis=0)
                folded = k
            income = np.bincount(code, weights=self.income_in(k)[panel], minlength=n_c)
            poor = np.bincount(code[self.poor_at[k, panel]], minlength=n_c)
            relapsed = np.bincount(code[since], minlength=n_c)
            n = size[present]
            years.append(
                {
                    "exit_year": first + present,
                    "years_relative_to_support_end": np.full(len(present), r, dtype=np.int64),
                    "year": np.full(len(present), self.first_year + k, dtype=np.int64),
                    "n_households": n,
                    "mean_income_per_person": income[present] / n,
                    "poor_share": poor[present] / n,
                    "relapsed_share": relapsed[present] / n,
                }
            )
        if not years or not len(present):
            return _empty(CLIFF_COLUMNS)
        return pd.DataFrame({c: np.concatenate([year[c] for year in years]) for c in cols})
