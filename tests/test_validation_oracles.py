"""Analytic oracles for the validation tests, and checks that the oracles themselves are right.

One-factor Gaussian (Vasicek) model: given the factor z, each of N loans fails independently with
p(z) = Φ((Φ⁻¹(PD) − √ρ z) / √(1 − ρ)). The failure count K of a pool is the binomial mixture
P(K ≤ k) = ∫ Binomial-CDF(k; N, p(z)) φ(z) dz, exact for any N; for N → ∞ the share K/N has the
Vasicek CDF F(x) = Φ((√(1 − ρ) Φ⁻¹(x) − Φ⁻¹(PD)) / √ρ).

Statistical checks compare the number of draws with K ≤ k at fixed points against the oracle's
probability with exact binomial tails, at a false-failure budget of ``ALPHA`` per assertion
(see :func:`count_pvalues` and docs/validation.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.special import bdtr, ndtr, ndtri
from scipy.stats import binom, norm

ALPHA = 1e-6  # false-failure budget of one assertion (two-sided; z ≈ 4.9 for a normal statistic)
Z_MAX = 9.0  # |z| beyond this carries < 1e-18 of the factor's probability
_U, _W = np.polynomial.legendre.leggauss(256)


def p_given_z(z, pd: float, rho: float):
    """Failure probability of one loan given the factor value ``z``."""
    return ndtr((ndtri(pd) - np.sqrt(rho) * z) / np.sqrt(1.0 - rho))


def vasicek_cdf(x, pd: float, rho: float):
    """Large-pool CDF of the default share."""
    return ndtr((np.sqrt(1.0 - rho) * ndtri(x) - ndtri(pd)) / np.sqrt(rho))


def vasicek_quantile(a, pd: float, rho: float):
    """Large-pool quantile of the default share at probability ``a``."""
    return ndtr((ndtri(pd) + np.sqrt(rho) * ndtri(a)) / np.sqrt(1.0 - rho))


def mixture_cdf(k, n, pd: float, rho: float) -> np.ndarray:
    """P(K ≤ k) for K ~ ∫ Binomial(n, p(z)) φ(z) dz, elementwise over integer arrays k, n."""
    k, n = np.broadcast_arrays(np.asarray(k, dtype=np.int64), np.asarray(n, dtype=np.int64))
    pairs, inverse = np.unique(np.stack([k.ravel(), n.ravel()]), axis=1, return_inverse=True)
    values = _mixture_cdf_pairs(pairs[0], pairs[1], pd, rho)
    return values[inverse.ravel()].reshape(k.shape)


def _mixture_cdf_pairs(k: np.ndarray, n: np.ndarray, pd: float, rho: float) -> np.ndarray:
    """Gauss-Legendre over the window of z where Binomial-CDF(k; n, p(z)) moves from 0 to 1.

    Below the window the binomial CDF is 0, above it 1 (to far below 1e-15: the window spans
    ±40 binomial standard deviations of k/n around p(z) = (k + ½)/n).
    """
    p = np.clip((k + 0.5) / n, 1e-12, 1.0 - 1e-12)  # k, n: int64 arrays
    z0 = (ndtri(pd) - np.sqrt(1.0 - rho) * ndtri(p)) / np.sqrt(rho)
    slope = norm.pdf(ndtri(p)) * np.sqrt(rho / (1.0 - rho))  # |dp/dz| at z0
    width = 40.0 * np.sqrt(p * (1.0 - p) / n) / slope
    lo = np.clip(z0 - width, -Z_MAX, Z_MAX)
    hi = np.clip(z0 + width, -Z_MAX, Z_MAX)
    half, mid = (hi - lo) / 2.0, (hi + lo) / 2.0
    z = mid[:, None] + half[:, None] * _U[None, :]
    kk = np.clip(k, 0, n)[:, None].astype(float)
    inside = bdtr(kk, n[:, None], p_given_z(z, pd, rho)) * norm.pdf(z)
    out = ndtr(-hi) + half * (inside @ _W)
    out = np.where(k < 0, 0.0, out)
    return np.clip(np.where(k >= n, 1.0, out), 0.0, 1.0)


def count_pvalues(hits: int, n: int, p_low: float, p_high: float) -> tuple[float, float]:
    """One-sided p-values of ``hits`` successes in ``n`` draws.

    Each draw succeeds with a probability between ``p_low`` and ``p_high`` given everything
    before it. A coupling with uniforms puts the count between Binomial(n, p_low) and
    Binomial(n, p_high) stochastically, so P(count ≤ hits) ≤ Binomial(n, p_low)-CDF(hits) and
    P(count ≥ hits) ≤ Binomial(n, p_high)-SF(hits − 1): rejecting when either is below α/2
    fails a true oracle with probability at most α.
    """
    return float(binom.cdf(hits, n, p_low)), float(binom.sf(hits - 1, n, p_high))


def acceptance(n: int, p_low: float, p_high: float, alpha: float = ALPHA) -> tuple[int, int]:
    """Smallest and largest count that :func:`count_pvalues` accepts at budget ``alpha``."""
    lo = int(binom.ppf(alpha / 2, n, p_low))
    lo += binom.cdf(lo, n, p_low) < alpha / 2  # ppf gives cdf(lo) ≥ α/2; keep lo accepted
    hi = int(binom.isf(alpha / 2, n, p_high))
    while binom.sf(hi, n, p_high) >= alpha / 2:
        hi += 1
    return lo, hi


def cdf_checks(k_obs, n_obs, ks, pd: float, rho: float) -> list[dict]:
    """At each row of thresholds ``ks`` (one per draw), count K ≤ threshold against the oracle.

    Returns one dict per threshold row: hits, draws, expected count, p-values, verdict.
    """
    rows = []
    for k in ks:
        probs = mixture_cdf(k, n_obs, pd, rho)
        hits, n = int((k_obs <= k).sum()), len(k_obs)
        p_lo, p_hi = count_pvalues(hits, n, probs.min(), probs.max())
        rows.append(
            {
                "hits": hits,
                "n": n,
                "expected": float(probs.sum()),
                "p_low": p_lo,
                "p_high": p_hi,
                "p_spread": float(probs.max() - probs.min()),
                "ok": min(p_lo, p_hi) >= ALPHA / 2,
            }
        )
    return rows


def miss_probability(n: int, true_low: float, true_high: float, p_low: float, p_high: float):
    """Upper bound on P(the check accepts) when draws succeed with probabilities in
    [``true_low``, ``true_high``] while the oracle says [``p_low``, ``p_high``] (1 − power).

    Accepting needs both count ≥ lo and count ≤ hi; the coupling bounds each.
    """
    lo, hi = acceptance(n, p_low, p_high)
    return float(min(binom.sf(lo - 1, n, true_high), binom.cdf(hi, n, true_low)))


def describe(rows: list[dict], labels) -> str:
    """Readable table of :func:`cdf_checks` rows for assertion messages."""
    return "\n".join(
        f"  {lab}: {r['hits']}/{r['n']} (expected {r['expected']:.1f}), "
        f"p_low={r['p_low']:.2e}, p_high={r['p_high']:.2e}"
        for lab, r in zip(labels, rows, strict=True)
    )


# -- the oracles themselves -------------------------------------------------------------------


def _quad_cdf(k: int, n: int, pd: float, rho: float) -> float:
    def f(z):
        return binom.cdf(k, n, p_given_z(z, pd, rho)) * norm.pdf(z)

    z0 = (ndtri(pd) - np.sqrt(1 - rho) * ndtri((k + 0.5) / n)) / np.sqrt(rho)
    return integrate.quad(f, -12, 12, points=[z0], limit=1000, epsabs=1e-13, epsrel=1e-12)[0]


@pytest.mark.parametrize(
    ("k", "n", "pd", "rho"),
    [(0, 50, 0.05, 0.10), (3, 50, 0.05, 0.10), (14, 200, 0.02, 0.10), (30, 200, 0.05, 0.15)]
    + [(440, 22000, 0.02, 0.05), (1100, 22000, 0.05, 0.15), (2600, 22000, 0.05, 0.15)],
)
def test_mixture_cdf_matches_adaptive_quadrature(k, n, pd, rho):
    ours, ref = float(mixture_cdf(k, n, pd, rho)), _quad_cdf(k, n, pd, rho)
    assert abs(ours - ref) < 1e-9, f"P(K ≤ {k} | N={n}): windowed rule {ours}, quad {ref}"


def test_mixture_cdf_matches_direct_simulation():
    """Draw (Z, K) directly with NumPy: an independent route to the same law."""
    n_draws, n, pd, rho = 400_000, 50, 0.05, 0.10
    rng = np.random.default_rng(20190218)
    k_sim = rng.binomial(n, p_given_z(rng.standard_normal(n_draws), pd, rho))
    for k in range(8):
        prob = float(mixture_cdf(k, n, pd, rho))
        p_lo, p_hi = count_pvalues(int((k_sim <= k).sum()), n_draws, prob, prob)
        assert min(p_lo, p_hi) >= ALPHA / 2, f"P(K ≤ {k}) = {prob:.5f} vs simulation"


def test_large_pool_limit_is_close_for_the_vasicek_pool_and_far_for_villages():
    x = vasicek_quantile(np.array([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]), 0.05, 0.15)

    def gap(n: int) -> float:
        finite = mixture_cdf(np.floor(x * n), n, 0.05, 0.15)
        return float(np.abs(finite - vasicek_cdf(x, 0.05, 0.15)).max())

    assert gap(20_000) < 0.01, f"20,000 loans: large-pool gap {gap(20_000):.4f}"
    assert gap(200) > 0.05, f"200 loans: large-pool gap only {gap(200):.4f}"


def test_oracle_reproduces_domain_chance_trip_rates():
    """[S40] (docs/sources.md): a 50-loan village exceeds 5 % NPL in ~40 % of years at 5 % PD, 10-12 % at 2 %."""
    at5 = 1 - float(mixture_cdf(2, 50, 0.05, 0.10))  # K/50 > 5 % means K ≥ 3
    at2 = 1 - float(mixture_cdf(2, 50, 0.02, 0.10))
    assert 0.38 <= at5 <= 0.42, f"P(NPL > 5 %) at 5 % PD, ρ 0.10: {at5:.3f}"
    assert 0.10 <= at2 <= 0.12, f"P(NPL > 5 %) at 2 % PD, ρ 0.10: {at2:.3f}"


def test_acceptance_region_holds_its_budget():
    n, p = 2000, 0.1
    lo, hi = acceptance(n, p, p)
    outside = binom.cdf(lo - 1, n, p) + binom.sf(hi, n, p)
    assert outside <= ALPHA, f"a true oracle is rejected with probability {outside:.2e}"
    assert binom.cdf(lo, n, p) >= ALPHA / 2 and binom.sf(hi - 1, n, p) >= ALPHA / 2
