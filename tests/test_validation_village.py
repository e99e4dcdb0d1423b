"""Small villages: failure counts follow the finite binomial mixture, and so do breaker trips.

Scenario ``validation_village``: every village is its own township with its own factor, and all
its N loans (50,000 yuan each) start in January 2019. The 2019 failures show in January 2020 and
are non-performing (over 90 days) from May, while the other loans have renewed, so the village
NPL ratio at the end of May 2020 is exactly K/N, with K ~ ∫ Binomial(N, p(z)) φ(z) dz. Villages
are independent draws (factors per township), so the number of villages with K ≤ k is exactly
Binomial(villages, P(K ≤ k)). Each check uses exact binomial tails at a false-failure budget of
10⁻⁶ per assertion. The village breaker (7 %) trips when K > 0.07 N, the township breaker (5 %,
the same single village) when K > 0.05 N ([S40] in docs/sources.md: about 40 % of years for 50 loans at 5 %
PD). Power: the large-pool Vasicek law, wrong for villages this small, must be rejected.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest
from joblib import Parallel, delayed

from sim import load_config, run
from sim.config import to_container
from tests.test_validation_oracles import (
    ALPHA,
    cdf_checks,
    count_pvalues,
    describe,
    miss_probability,
    mixture_cdf,
    vasicek_cdf,
)

ROOT_SEED = 20190218
JOBS = min(2, os.cpu_count() or 1)
LOAN = 50_000.0  # every loan in the scenario (uptake.amount_step)
SHARES = np.array([0.01, 0.02, 0.05, 0.07, 0.10, 0.15, 0.20])  # fixed points of K/N
MONTH = "2020-05"  # first month-end at which the 2019 failures are non-performing
HOUSEHOLDS = 20_000
VILLAGES = [(50, 0.05, 0.10, 5), (200, 0.02, 0.10, 20)]  # N, PD, ρ, replicates: 2,000 villages


def may_2020(config: dict, seed: np.random.SeedSequence) -> np.ndarray:
    """Per village: loans N, failures K, village and township suspended, at the end of May 2020."""
    res = run(config, seed)
    v = res.villages[res.villages["month"] == MONTH]
    started = res.timeseries.loc[res.timeseries["year"] == 2019, "cohort_loan_years"].max()
    assert started == res.timeseries["n_households"].iloc[0], "every household borrows in 2019"
    return np.stack(
        [
            np.rint(v["loan_balance"].to_numpy() / LOAN),
            np.rint(v["npl_balance"].to_numpy() / LOAN),
            v["village_suspended"].to_numpy(),
            v["township_suspended"].to_numpy(),
        ]
    ).astype(np.int64)


@functools.cache
def villages(n: int, pd: float, rho: float, replicates: int) -> np.ndarray:
    """Rows N, K, village trip, township trip; one column per village and replicate."""
    cfg = load_config(
        "validation_village",
        [
            f"county.n_villages={HOUSEHOLDS // n}",
            f"county.n_townships={HOUSEHOLDS // n}",
            f"county.min_village_households={n}",
            f"county.n_households={HOUSEHOLDS}",
            f"default.pd_annual={pd}",
            f"default.rho_township={rho}",
            "horizon.months=17",  # to the end of May 2020
            "run.household_agents=false",
        ],
    )
    seeds = np.random.SeedSequence(ROOT_SEED).spawn(replicates)
    parts = Parallel(n_jobs=JOBS)(delayed(may_2020)(to_container(cfg), s) for s in seeds)
    return np.concatenate(parts, axis=1)


def thresholds(n: np.ndarray) -> np.ndarray:
    return np.floor(SHARES[:, None] * n[None, :] + 1e-9).astype(np.int64)


@pytest.mark.slow
@pytest.mark.parametrize(("n", "pd", "rho", "replicates"), VILLAGES)
def test_village_failures_follow_the_finite_mixture(n, pd, rho, replicates):
    loans, k, _, _ = villages(n, pd, rho, replicates)
    assert (loans == n).all(), f"every village holds its {n} loans in May 2020"
    rows = cdf_checks(k, loans, thresholds(loans), pd, rho)
    assert all(r["ok"] for r in rows), (
        f"{n}-loan villages at PD {pd}, ρ {rho}: counts of K ≤ ⌊xN⌋ outside the 10⁻⁶ band\n"
        + describe(rows, SHARES)
    )


@pytest.mark.slow
@pytest.mark.parametrize(("n", "pd", "rho", "replicates"), VILLAGES)
def test_breaker_trips_by_chance_as_often_as_the_mixture_says(n, pd, rho, replicates):
    loans, k, village, township = villages(n, pd, rho, replicates)
    assert (village == (k > 0.07 * loans)).all(), "a village trips exactly when K/N > 7 %"
    assert (township == (k > 0.05 * loans)).all(), "its township trips exactly when K/N > 5 %"
    for level, tripped, share in (("village", village, 0.07), ("township", township, 0.05)):
        p_trip = 1.0 - float(mixture_cdf(int(np.floor(share * n + 1e-9)), n, pd, rho))
        p_lo, p_hi = count_pvalues(int(tripped.sum()), len(tripped), p_trip, p_trip)
        assert min(p_lo, p_hi) >= ALPHA / 2, (
            f"{level} breaker ({share:.0%}) tripped in {tripped.sum()} of {len(tripped)} "
            f"{n}-loan villages; the mixture says {p_trip:.3f} (p = {min(p_lo, p_hi):.1e})"
        )


@pytest.mark.slow
@pytest.mark.parametrize(("n", "pd", "rho", "replicates"), VILLAGES)
def test_large_pool_law_is_rejected_for_small_villages(n, pd, rho, replicates):
    """The same check against the large-pool Vasicek CDF must fail: villages are not large."""
    loans, k, _, _ = villages(n, pd, rho, replicates)
    large = vasicek_cdf(SHARES, pd, rho)
    hits = [(k <= kk).sum() for kk in thresholds(loans)]
    true = mixture_cdf(thresholds(loans)[:, 0], n, pd, rho)
    misses = [miss_probability(len(k), t, t, w, w) for t, w in zip(true, large, strict=True)]
    assert min(misses) < ALPHA, f"{len(k)} villages cannot tell the laws apart: {misses}"
    pvalues = [min(count_pvalues(int(h), len(k), w, w)) for h, w in zip(hits, large, strict=True)]
    rejected = [p < ALPHA / 2 for p in pvalues]
    assert any(rejected), f"{n}-loan villages passed the large-pool law: hits {hits}, law {large}"
