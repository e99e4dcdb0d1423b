"""Project failure: a Gaussian copula with county, township and sector factors.

For a loan-year starting in calendar year ``y``, the project of household ``i`` fails when

    sqrt(rho_c) Z_c[y] + sqrt(rho_t) Z_t[y, township_i] + sqrt(rho_s) Z_s[y, sector_i]
        + sqrt(1 - rho_c - rho_t - rho_s) eps_i  <  Phi^-1(PD_i)

with independent standard normal factors drawn once per calendar year (the ``factors``
stream) and ``PD_i = pd_annual x grade x labour x sector multipliers`` (capped below 1).
With one factor this is the Vasicek model: the default fraction of a large homogeneous
cohort has CDF Phi((sqrt(1-rho) Phi^-1(x) - Phi^-1(PD)) / sqrt(rho)).
"""

from __future__ import annotations

import numpy as np
from omegaconf import DictConfig
from scipy.special import ndtr, ndtri

from sim.calendar import Calendar
from sim.county import LABOUR_NONE, County

PD_CAP = 0.999


class DefaultModel:
    """Yearly shared factors, each household's PD, and the year's failure probability per cell."""

    def __init__(self, cfg: DictConfig, county: County, rng: np.random.Generator, cal: Calendar):
        d = cfg.default
        self.w_county = np.sqrt(d.rho_county)
        self.w_township = np.sqrt(d.rho_township)
        self.w_sector = np.sqrt(d.rho_sector)
        self.w_idio = np.sqrt(1.0 - d.rho_county - d.rho_township - d.rho_sector)
        self.township = county.hh_township
        self.sector = county.hh_sector
        # households without labour capacity (enterprise channel only) use the weak multiplier
        labour = np.where(county.hh_labour == LABOUR_NONE, 1, county.hh_labour)
        # PD of each (grade, labour, sector) class; a household has its class's PD
        pd_class = np.minimum(
            d.pd_annual
            * np.asarray(d.grade_pd_multipliers)[:, None, None]
            * np.asarray(d.labour_pd_multipliers)[None, :, None]
            * np.asarray(d.sector_pd_multipliers)[None, None, :],
            PD_CAP,
        )
        self.pd = pd_class[county.hh_grade, labour, county.hh_sector]
        # a household's failure probability in a year depends only on its class and on the
        # factors of its township and sector: one table per year, read through ``_cell``
        self._class_threshold = ndtri(pd_class)
        n_g, n_l, n_s = pd_class.shape
        self._cell = np.ravel_multi_index(
            (county.hh_grade, labour, county.hh_township, county.hh_sector),
            (n_g, n_l, county.n_townships, n_s),
        ).astype(np.int32)
        self._year_pd: tuple[int, np.ndarray] | None = None
        self.first_year = cal.year(0)
        n_years = cal.year(cal.months - 1) - self.first_year + 1
        # one row of draws a year (county, then townships, then sectors): a year's factors are
        # the same whatever the horizon, so a shorter run is the start of a longer one
        n_t, n_s = county.n_townships, len(cfg.county.sector_names)
        z = rng.standard_normal((n_years, 1 + n_t + n_s))
        self.z_county = z[:, 0].copy()
        self.z_township = z[:, 1 : 1 + n_t].copy()
        self.z_sector = z[:, 1 + n_t :].copy()
        self._apply_shocks(d.shocks, list(cfg.county.sector_names))

    def _apply_shocks(self, shocks, sector_names: list[str]) -> None:
        for s in shocks:
            k = int(s.year) - self.first_year
            if not 0 <= k < len(self.z_county):
                continue  # a shock outside the horizon changes nothing
            if s.scope == "county":
                self.z_county[k] = s.z
            elif s.scope == "township":
                self.z_township[k, int(s.name)] = s.z
            else:
                self.z_sector[k, sector_names.index(s.name)] = s.z

    def systematic(self, idx: np.ndarray, year: int) -> np.ndarray:
        """Shared part of the latent outcome of households ``idx`` in a loan-year from ``year``."""
        k = year - self.first_year
        return (
            self.w_county * self.z_county[k]
            + self.w_township * self.z_township[k][self.township[idx]]
            + self.w_sector * self.z_sector[k][self.sector[idx]]
        )

    def conditional_pd(self, idx: np.ndarray, year: int, pd_multiplier: np.ndarray) -> np.ndarray:
        """Failure probability of each project in ``idx`` given the year's shared factors.

        The project fails when systematic + w_idio * Phi^-1(u) < threshold, that is when
        u < Phi((threshold - systematic) / w_idio), with threshold = Phi^-1(PD x multiplier).
        """
        p = self._pd_table(year)[self._cell[idx]]
        scaled = pd_multiplier != 1.0
        if scaled.any():
            s = idx[scaled]
            threshold = ndtri(np.minimum(self.pd[s] * pd_multiplier[scaled], PD_CAP))
            p[scaled] = ndtr((threshold - self.systematic(s, year)) / self.w_idio)
        return p

    def _pd_table(self, year: int) -> np.ndarray:
        """Conditional PD of every (grade, labour, township, sector) cell in ``year``, flat.

        The same expressions as :meth:`systematic` and :meth:`conditional_pd`, element by
        element, so a household reads exactly the number its own computation would give.
        """
        if self._year_pd is None or self._year_pd[0] != year:
            k = year - self.first_year
            shared = (
                self.w_county * self.z_county[k] + (self.w_township * self.z_township[k])[:, None]
            ) + (self.w_sector * self.z_sector[k])[None, :]
            table = ndtr((self._class_threshold[:, :, None, :] - shared) / self.w_idio)
            self._year_pd = (year, table.ravel())
        return self._year_pd[1]

    def fails(
        self, idx: np.ndarray, year: int, u: np.ndarray, pd_multiplier: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whether each project in ``idx`` fails in a loan-year starting in ``year``.

        ``u`` is the month's idiosyncratic uniform of every household. The project fails when
        its latent outcome is below the threshold, that is when ``u < p`` with ``p`` the
        conditional failure probability (returned too): given failure, ``u / p`` is uniform on
        [0, 1) and independent of everything else, which is used to decide wilfulness.
        """
        p = self.conditional_pd(idx, year, pd_multiplier)
        return u[idx] < p, p
