"""The embedded synthetic county: townships, villages, partner banks and households.

Generated deterministically from the ``county`` stream, so that the same seed gives the same
county whatever the policy levers; the population depends only on ``county.*`` and
``rating.*`` parameters.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from omegaconf import DictConfig

from sim.segments import Segments

LABOUR_FULL, LABOUR_WEAK, LABOUR_NONE = 0, 1, 2


@dataclass
class County:
    """Static geography and household attributes (one entry per unit)."""

    township_bank: np.ndarray  # bank serving each township (分片包干)
    village_township: np.ndarray  # township of each village
    village_health_shock: np.ndarray  # village hit by the 1990s epidemic
    hh_village: np.ndarray
    hh_size: np.ndarray  # persons
    hh_age: np.ndarray  # age of the household head, years
    hh_labour: np.ndarray  # LABOUR_FULL / LABOUR_WEAK / LABOUR_NONE
    hh_skills: np.ndarray  # skills score in [0, 1]
    hh_credit: np.ndarray  # latent creditworthiness, standard normal
    hh_sector: np.ndarray  # index into county.sector_names
    hh_willing: np.ndarray  # willing to borrow if able
    hh_grade: np.ndarray  # credit grade the rating will give (index into rating.grade_names)
    ti_rated: np.ndarray  # step at which information collection reaches the household
    ti_aware: np.ndarray  # step at which the household learns of the policy
    # place names of a county read from files ({"township": [...], "village": [...], "bank": [...]})
    names: dict[str, list[str]] | None = None

    @property
    def n_households(self) -> int:
        """Number of registered poor households."""
        return len(self.hh_village)

    @property
    def n_villages(self) -> int:
        """Number of administrative villages."""
        return len(self.village_township)

    @property
    def n_townships(self) -> int:
        """Number of townships."""
        return len(self.township_bank)

    @functools.cached_property
    def hh_township(self) -> np.ndarray:
        """Township of each household (the county is static, so computed once)."""
        return self.village_township[self.hh_village]

    @functools.cached_property
    def villages(self) -> Segments:
        """Households grouped by village (households are stored village by village)."""
        return Segments(self.hh_village, self.n_villages)

    @functools.cached_property
    def banks(self) -> Segments:
        """Households grouped by partner bank (townships form contiguous bank blocks)."""
        return Segments(self.township_bank[self.hh_township], int(self.township_bank.max()) + 1)

    def village_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-household array over each village (booleans are counted)."""
        return self.villages.sum(values)

    def village_sum_rows(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Sum of ``values``, one per household of ``rows`` (increasing), over each village."""
        return self.villages.sum_rows(rows, values)

    @property
    def village_bank(self) -> np.ndarray:
        """Bank serving each village."""
        return self.township_bank[self.village_township]


def _split_counts(
    rng: np.random.Generator, total: int, n: int, minimum: int, sigma: float
) -> np.ndarray:
    """``n`` skewed counts of at least ``minimum`` that sum to ``total``."""
    weights = rng.lognormal(0.0, sigma, n) if sigma > 0 else np.ones(n)
    return minimum + rng.multinomial(total - n * minimum, weights / weights.sum())


def _ramp(rng: np.random.Generator, n: int, share_at_start: float, months: int) -> np.ndarray:
    """Step at which each of ``n`` units is reached: a share at 0, the rest uniform over the ramp."""
    ti = np.zeros(n, dtype=np.int32)
    later = rng.random(n) >= share_at_start
    if months > 0:
        ti[later] = rng.integers(1, months + 1, later.sum())
    return ti


def build_county(cfg: DictConfig, rng: np.random.Generator) -> County:
    """Generate the synthetic county from ``cfg.county`` and ``cfg.rating``."""
    c = cfg.county
    n_t, n_v, n_h = int(c.n_townships), int(c.n_villages), int(c.n_households)

    township_bank = np.concatenate(
        [
            np.full(len(block), b)
            for b, block in enumerate(np.array_split(np.arange(n_t), c.n_banks))
        ]
    ).astype(np.int16)
    villages_per_township = _split_counts(rng, n_v, n_t, 1, c.village_size_sigma)
    village_township = np.repeat(np.arange(n_t), villages_per_township).astype(np.int16)
    village_sizes = _split_counts(
        rng, n_h, n_v, int(c.min_village_households), c.village_size_sigma
    )
    hh_village = np.repeat(np.arange(n_v), village_sizes).astype(np.int32)

    shock_villages = rng.choice(n_v, size=int(c.n_health_shock_villages), replace=False)
    village_health_shock = np.zeros(n_v, dtype=bool)
    village_health_shock[shock_villages] = True

    sizes = np.arange(1, len(c.household_size_probs) + 1)
    hh_size = rng.choice(sizes, size=n_h, p=np.asarray(c.household_size_probs)).astype(np.int8)
    age = rng.normal(c.head_age_mean, c.head_age_sd, n_h)
    hh_age = np.clip(np.round(age), c.head_age_min, c.head_age_max).astype(np.int16)

    hh_labour = _draw_labour(rng, c, village_health_shock[hh_village])
    a, b = c.skills_beta
    hh_skills = rng.beta(a, b, n_h)
    hh_credit = rng.standard_normal(n_h)
    hh_sector = rng.choice(len(c.sector_names), size=n_h, p=np.asarray(c.sector_shares)).astype(
        np.int8
    )

    p_willing = np.array([*cfg.uptake.p_willing, 0.0])
    hh_willing = rng.random(n_h) < p_willing[hh_labour]

    hh_grade = _grades(rng, cfg.rating, hh_credit, hh_skills, a, b)
    r = cfg.rating
    ti_rated = _ramp(rng, n_h, r.coverage_start, int(r.months_to_full_coverage))
    ti_aware = _ramp(rng, n_h, r.awareness_start, int(r.months_to_full_awareness))
    return County(
        township_bank=township_bank,
        village_township=village_township,
        village_health_shock=village_health_shock,
        hh_village=hh_village,
        hh_size=hh_size,
        hh_age=hh_age,
        hh_labour=hh_labour,
        hh_skills=hh_skills,
        hh_credit=hh_credit,
        hh_sector=hh_sector,
        hh_willing=hh_willing,
        hh_grade=hh_grade,
        ti_rated=ti_rated,
        ti_aware=ti_aware,
    )


def _draw_labour(
    rng: np.random.Generator, c: DictConfig, in_shock_village: np.ndarray
) -> np.ndarray:
    """Labour capacity; households in epidemic villages lack labour more often."""
    full, weak, none = c.labour_shares
    p_none = np.where(in_shock_village, c.health_shock_no_labour_share, none)
    able_total = full + weak
    p_full = (1.0 - p_none) * (full / able_total if able_total > 0 else 0.0)
    u = rng.random(len(in_shock_village))
    labour = np.full(len(u), LABOUR_NONE, dtype=np.int8)
    labour[u < 1.0 - p_none] = LABOUR_WEAK
    labour[u < p_full] = LABOUR_FULL
    return labour


def _grades(
    rng, r: DictConfig, credit: np.ndarray, skills: np.ndarray, a: float, b: float
) -> np.ndarray:
    """Credit grade from a noisy, standardised score of creditworthiness and skills."""
    mean = a / (a + b)
    sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    z_skill = (skills - mean) / sd
    noise = rng.standard_normal(len(credit))
    w, s = r.skill_weight, r.noise_sd
    score = (credit + w * z_skill + s * noise) / np.sqrt(1.0 + w * w + s * s)
    thresholds = np.asarray(r.grade_thresholds)
    grade = np.zeros(len(score), dtype=np.int8)
    for t in thresholds:  # grade = number of thresholds above the score
        grade += score < t
    return grade
