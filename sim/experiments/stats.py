"""Monte Carlo statistics over replicates: bands, paired differences, binomial intervals."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054  # two-sided 95 % normal quantile
# Fewest replicates (replicate pairs, for a difference) from which a 5-95 % band or a 95 %
# interval is quoted in words. With one there is no interval at all; with two the t interval
# has one degree of freedom (t = 12.7) and common seeds often give two equal differences,
# hence an interval of width zero: neither says anything about the spread of outcomes.
MIN_N = 3


def band(x: np.ndarray) -> dict[str, float]:
    """Median, 5-95 % band (linear interpolation between order statistics) and mean."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return {"median": math.nan, "p05": math.nan, "p95": math.nan, "mean": math.nan}
    p05, median, p95 = np.percentile(x, [5, 50, 95])
    return {"median": float(median), "p05": float(p05), "p95": float(p95), "mean": float(x.mean())}


def paired_difference(x: np.ndarray, base: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean of ``x - base`` over replicates sharing a seed, with a t confidence interval.

    ``mean ± t_{(1+level)/2, n-1} · sd / √n``; pairs with a missing value are dropped. With
    identical inputs every difference is exactly zero and so is the interval. The sign is
    scenario minus baseline. The interval is for the *mean* difference (it narrows as
    ``1/√n``), not a range of outcomes; with one pair it is NaN, and with fewer than
    :data:`MIN_N` pairs the briefing does not quote it.
    """
    d = np.asarray(x, dtype=float) - np.asarray(base, dtype=float)
    d = d[np.isfinite(d)]
    n = len(d)
    if n == 0:
        return {"diff_mean": math.nan, "diff_ci_low": math.nan, "diff_ci_high": math.nan, "n": 0}
    mean = float(d.mean())
    if n == 1:
        return {"diff_mean": mean, "diff_ci_low": math.nan, "diff_ci_high": math.nan, "n": 1}
    from scipy import stats  # here, not at the top: worker processes never need SciPy

    half = float(stats.t.ppf((1 + level) / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
    return {"diff_mean": mean, "diff_ci_low": mean - half, "diff_ci_high": mean + half, "n": n}


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n`` (95 % by default).

    Unlike the normal interval it stays inside [0, 1] and is not empty at k = 0 or k = n,
    which is where a fund-sizing answer sits.
    """
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)  # exact ends: no rounding residue
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi
