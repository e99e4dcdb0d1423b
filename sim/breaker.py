"""NPL ratios by village and township and the circuit breaker (风险熔断, §6).

At each month end the NPL ratio (substandard + doubtful + loss balance / total balance) of
every village and township is computed. A township above ``breaker.township_npl`` or a
village above ``breaker.village_npl`` is suspended: its bank issues no new loans there in
the following month. It resumes once the ratio is back at or below the threshold, through
repayment or loss recognition. Every suspension and resumption is recorded as an event.
"""

from __future__ import annotations

import numpy as np
from omegaconf import DictConfig

from sim.county import County


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where the denominator is 0 (no loans, no NPL)."""
    out = np.zeros_like(num, dtype=float)
    np.divide(num, den, out=out, where=den > 0)
    return out


class Breaker:
    """Suspension state of villages and townships."""

    def __init__(self, cfg: DictConfig, county: County):
        self.enabled = bool(cfg.enabled)
        self.township_npl = float(cfg.township_npl)
        self.village_npl = float(cfg.village_npl)
        self.county = county
        self.village_suspended = np.zeros(county.n_villages, dtype=bool)
        self.township_suspended = np.zeros(county.n_townships, dtype=bool)

    def blocked_village(self) -> np.ndarray:
        """Villages where lending is suspended, directly or through their township."""
        return self.village_suspended | self.township_suspended[self.county.village_township]

    def blocked_household(self, idx: np.ndarray) -> np.ndarray:
        """Whether the places of households ``idx`` are suspended."""
        return self.blocked_village()[self.county.hh_village[idx]]

    def update(
        self, village_npl_ratio: np.ndarray, township_npl_ratio: np.ndarray
    ) -> list[tuple[str, str, int]]:
        """Apply the month-end rule; return (event, level, index) for each change."""
        if not self.enabled:
            return []
        new_v = village_npl_ratio > self.village_npl
        new_t = township_npl_ratio > self.township_npl
        events: list[tuple[str, str, int]] = []
        for level, old, new in (
            ("township", self.township_suspended, new_t),
            ("village", self.village_suspended, new_v),
        ):
            events += [("suspension", level, int(i)) for i in (new & ~old).nonzero()[0]]
            events += [("resumption", level, int(i)) for i in (old & ~new).nonzero()[0]]
        self.village_suspended = new_v
        self.township_suspended = new_t
        return events
