"""The yearly default share of a homogeneous pool follows the Vasicek law ([S38], docs/sources.md).

Scenario ``validation_vasicek``: one PD, one county-wide factor, 1-year loans, about 22,000
loan-years starting every calendar year. Given the factor Z of year y, the loan-years starting in
y fail independently with p(Z), so the failure count K of a cohort of N loan-years is exactly the
binomial mixture ∫ Binomial(N, p(z)) φ(z) dz (tests/test_validation_oracles.py). Each
(replicate, year) is one independent draw of Z; a 50-year horizon gives 49 draws per replicate
(2019 is left out: loans from before 2019 that fail within 2019 change who starts a second
2019 loan-year, so that cohort's size depends on its own factor).

Tolerance: at 7 fixed points x (the oracle's large-pool quantiles at 5 … 95 %) the number of
draws with K ≤ ⌊xN⌋ is checked against exact binomial tails at a false-failure budget of 10⁻⁶ per
point (the count is Binomial with the oracle's probability; a cohort's size depends on earlier
years only, and the coupling in ``count_pvalues`` absorbs the spread of the probability over the
observed sizes). Power: the same check on data made with ρ = 0.10 must reject the ρ = 0.15 law,
and the other way round; the number of draws is chosen so that it misses with probability < 10⁻⁶.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest
from joblib import Parallel, delayed

from sim import build_model, load_config, run
from sim.config import to_container
from tests.test_validation_oracles import (
    ALPHA,
    cdf_checks,
    describe,
    miss_probability,
    mixture_cdf,
    vasicek_quantile,
)

ROOT_SEED = 20190218
JOBS = min(2, os.cpu_count() or 1)
POOL = (
    "county=small",
    "county.n_households=24000",  # 21,000-24,000 loan-years a year (one every 13 months)
    "horizon.months=600",  # 2019-2068: 49 usable cohorts per replicate
    "run.household_agents=false",
    "run.check_books=false",  # the books are tested in test_books.py; this is about the law
)
LEVELS = np.array([0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95])
MIN_POOL = 20_000
REPLICATES = 34  # 34 x 49 = 1,666 draws: enough to tell ρ 0.10 from 0.15 (see the power test)


def cohorts(config: dict, seed: np.random.SeedSequence) -> np.ndarray:
    """(N, K) of every cohort of one replicate from 2020 on, from the timeseries."""
    ts = run(config, seed).timeseries
    rows = ts[(ts["cohort_loan_years"] > 0) & (ts["year"] > ts["year"].iloc[0])]
    n = rows["cohort_loan_years"].to_numpy(dtype=np.int64)
    share = rows["default_fraction"].to_numpy()
    k = np.rint(share * n).astype(np.int64)
    assert np.allclose(share * n, k, atol=1e-6), "default_fraction x cohort size is a count"
    return np.stack([n, k])


@functools.cache
def draws(pd: float, rho: float, replicates: int) -> tuple[np.ndarray, np.ndarray]:
    """Cohort sizes and failure counts over ``replicates`` replicates (same seeds for all)."""
    cfg = load_config(
        "validation_vasicek", [*POOL, f"default.pd_annual={pd}", f"default.rho_county={rho}"]
    )
    seeds = np.random.SeedSequence(ROOT_SEED).spawn(replicates)
    parts = Parallel(n_jobs=JOBS)(delayed(cohorts)(to_container(cfg), s) for s in seeds)
    n, k = np.concatenate(parts, axis=1)
    return n, k


def thresholds(n: np.ndarray, pd: float, rho: float) -> np.ndarray:
    """⌊x N⌋ for each fixed point x (rows) and cohort (columns)."""
    x = vasicek_quantile(LEVELS, pd, rho)
    return np.floor(x[:, None] * n[None, :]).astype(np.int64)


def check(pd: float, rho: float, data_pd: float, data_rho: float, replicates: int):
    """Data made with (data_pd, data_rho) checked against the law for (pd, rho)."""
    n, k = draws(data_pd, data_rho, replicates)
    assert n.min() >= MIN_POOL, f"a cohort of {n.min()} loan-years; the pool must stay ≥ 20,000"
    return n, k, cdf_checks(k, n, thresholds(n, pd, rho), pd, rho)


def miss_bound(n: np.ndarray, pd: float, true_rho: float, claimed_rho: float) -> float:
    """Bound on P(the check at the best fixed point accepts data made with ``true_rho``)."""
    bounds = []
    for kk in thresholds(n, pd, claimed_rho):
        claimed, true = mixture_cdf(kk, n, pd, claimed_rho), mixture_cdf(kk, n, pd, true_rho)
        bounds.append(
            miss_probability(len(n), true.min(), true.max(), claimed.min(), claimed.max())
        )
    return min(bounds)


def test_pool_is_homogeneous_and_one_factor():
    model = build_model(load_config("validation_vasicek", ["county=small"]), seed=1)
    d = model.defaults
    assert np.all(d.pd == model.cfg.default.pd_annual), "every project has PD = pd_annual"
    assert d.w_township == 0 and d.w_sector == 0, "only the county factor is shared"
    assert model.loans.active.all(), "every household starts with a loan (a full pool)"
    assert (model.loans.term_m == 12).all(), "1-year loans only: one loan-year per loan"


@pytest.mark.slow
@pytest.mark.parametrize(("pd", "rho", "replicates"), [(0.02, 0.05, 10), (0.05, 0.15, REPLICATES)])
def test_default_share_follows_vasicek(pd, rho, replicates):
    _, _, rows = check(pd, rho, pd, rho, replicates)
    assert all(r["ok"] for r in rows), (
        f"PD {pd}, ρ {rho}: counts of cohorts with K ≤ ⌊x N⌋ outside the 10⁻⁶ band\n"
        + describe(rows, LEVELS)
    )


@pytest.mark.slow
@pytest.mark.parametrize(("rho", "wrong_rho"), [(0.10, 0.15), (0.15, 0.10)])
def test_oracle_rejects_the_wrong_correlation(rho, wrong_rho):
    """Data made with ρ, tested against the law for ``wrong_rho``: the check must fail."""
    pd = 0.05
    n, k, rows = check(pd, wrong_rho, pd, rho, REPLICATES)
    miss = miss_bound(n, pd, rho, wrong_rho)
    assert miss < ALPHA, f"{len(n)} draws cannot tell ρ {rho} from {wrong_rho}: P(miss) {miss}"
    assert not all(r["ok"] for r in rows), (
        f"data with ρ = {rho} passed the ρ = {wrong_rho} law\n" + describe(rows, LEVELS)
    )
    correct = cdf_checks(k, n, thresholds(n, pd, rho), pd, rho)
    assert all(r["ok"] for r in correct), "the same data pass their own law\n" + describe(
        correct, LEVELS
    )


def test_failure_probability_is_the_copula_formula_for_every_household():
    """The yearly table of failure probabilities per (grade, labour, township, sector) cell
    gives each household exactly Phi((Phi^-1(PD x multiplier) - systematic) / w_idio) of its
    own factors, with and without a PD multiplier (the year after an extension)."""
    from scipy.special import ndtr, ndtri

    from sim.county import LABOUR_NONE
    from sim.defaults import PD_CAP

    model = build_model(load_config("baseline", ["county=small"]), seed=5)
    d, c, dc = model.defaults, model.county, model.cfg.default
    rows = np.arange(model.county.n_households)
    # each household's PD: pd_annual x its grade, labour (none counts as weak), sector multipliers
    labour = np.where(c.hh_labour == LABOUR_NONE, 1, c.hh_labour)
    own_pd = np.minimum(
        dc.pd_annual
        * np.asarray(dc.grade_pd_multipliers)[c.hh_grade]
        * np.asarray(dc.labour_pd_multipliers)[labour]
        * np.asarray(dc.sector_pd_multipliers)[c.hh_sector],
        PD_CAP,
    )
    assert np.array_equal(d.pd, own_pd)
    multiplier = np.ones(len(rows))
    multiplier[::7] = 1.5
    multiplier[::11] = 900.0  # capped below 1
    assert len(np.unique(d.pd)) > 5 and model.county.n_townships > 1, "cells differ"
    for year in range(d.first_year, d.first_year + len(d.z_county)):
        threshold = ndtri(np.minimum(d.pd * multiplier, PD_CAP))
        formula = ndtr((threshold - d.systematic(rows, year)) / d.w_idio)
        assert np.array_equal(d.conditional_pd(rows, year, multiplier), formula), year
        some = rows[::3]
        assert np.array_equal(d.conditional_pd(some, year, multiplier[::3]), formula[::3])
