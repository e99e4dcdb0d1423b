"""Run one replicate: configuration + seed -> :class:`sim.results.RunResult`."""

from __future__ import annotations

import copy
from collections.abc import Collection

import mesa
import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config import from_container
from sim.model import MicrocreditModel
from sim.outputs import check_summary
from sim.results import RunResult, git_revision, package_version, poverty_summary, summarise
from sim.rng import Seed

ENTERPRISE_COLUMNS = [
    "year",
    "enterprise",
    "township",
    "sector",
    "status",
    "loan_balance",
    "n_linked",
    "n_workers",
    "cash",
    "paid_fraction",
    "in_rectification",
    "blacklisted",
]


def build_model(cfg: DictConfig | dict, seed: Seed, village_panel: bool = True) -> MicrocreditModel:
    """A model at step 0 (for inspection or stepping by hand).

    ``village_panel=False`` skips recording the months x villages panel (the ``villages``
    table is then empty); nothing else the model does or records depends on it.
    """
    if isinstance(cfg, dict):
        cfg = from_container(cfg)
    return MicrocreditModel(cfg, seed, village_panel=village_panel)


def run(cfg: DictConfig | dict, seed: Seed, tables: Collection[str] | None = None) -> RunResult:
    """Simulate ``cfg.horizon.months`` months with ``seed`` and return the tables.

    Args:
        cfg: a configuration from :func:`sim.load_config` (or its plain-dict form).
        seed: a non-negative int or a ``numpy.random.SeedSequence``.
        tables: names of the tables wanted (``sim.results.TABLES``); None for all. Without
            ``villages`` the village panel is not recorded and that table has no rows.
    """
    model = build_model(cfg, seed, village_panel=tables is None or "villages" in tables)
    try:
        for _ in range(model.calendar.months):
            model.step()
        return _collect(model, seed)
    finally:
        # Mesa 3.3 keeps every finished model alive through Agent._ids; release it.
        getattr(mesa.Agent, "_ids", {}).pop(model, None)
        model.release()


def seed_record(seed: Seed) -> int | list[int]:
    """JSON-friendly record of a seed: the int, or [entropy, *spawn_key] of a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return [int(seed.entropy), *map(int, seed.spawn_key)]
    return int(seed)


def places_table(names: dict[str, list[str]] | None) -> pd.DataFrame | None:
    """Township, village and bank names of a county read from files (None: synthetic county)."""
    if names is None:
        return None
    rows = [(kind, i, name) for kind, values in names.items() for i, name in enumerate(values)]
    return pd.DataFrame(rows, columns=["kind", "index", "name"])


def collect(model: MicrocreditModel, seed: Seed) -> RunResult:
    """The result tables of ``model`` over the months it has run so far (all, once finished)."""
    if model.t == 0:
        raise ValueError("the model has not run a month yet; step it before collecting results")
    return _collect(model, seed)


def _repeat_labels(labels: list[str], times: int) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Each label repeated ``times`` times, with the dtype pandas gives ``np.repeat(labels)``.

    The labels are converted to pandas strings once and then taken by position, instead of
    converting every one of the ``len(labels) x times`` repeated strings.
    """
    if not labels:
        return np.repeat(labels, times)
    return pd.Series(labels).array.take(np.repeat(np.arange(len(labels)), times))


def _collect(model: MicrocreditModel, seed: Seed) -> RunResult:
    rec, c, cal = model.recorder, model.county, model.calendar
    ts = pd.DataFrame(rec.rows)
    kept = model.t if rec.village_panel else 0  # months of the panel to return
    months = [cal.label(t) for t in range(kept)]
    n_v = c.n_villages
    villages = pd.DataFrame(
        {
            "month": _repeat_labels(months, n_v),
            "t": np.repeat(np.arange(kept), n_v),
            "township": np.tile(c.village_township, kept).astype(np.int32),
            "village": np.tile(np.arange(n_v), kept).astype(np.int32),
            "bank": np.tile(c.village_bank, kept).astype(np.int32),
            "n_households": np.tile(np.bincount(c.hh_village, minlength=n_v), kept).astype(
                np.int32
            ),
            "n_rated": rec.village_rated[:kept].ravel(),
            "n_with_loan": rec.village_with_loan[:kept].ravel(),
            "cum_borrowers": rec.village_borrowers[:kept].ravel(),
            "loan_balance": rec.village_balance[:kept].ravel(),
            "overdue_balance": rec.village_overdue[:kept].ravel(),
            "npl_balance": rec.village_npl[:kept].ravel(),
            "npl_ratio": rec.village_ratio()[:kept].ravel(),
            "suspended": rec.village_suspended[:kept].ravel(),
            "village_suspended": rec.village_own_suspended[:kept].ravel(),
            "township_suspended": rec.township_suspended[:kept, c.village_township].ravel(),
            "new_loans": rec.village_new_loans[:kept].ravel(),
            "new_loan_amount": rec.village_new_amount[:kept].ravel(),
        }
    )
    events = pd.DataFrame(rec.events, columns=["month", "t", "event", "level", "index", "township"])
    cfg = copy.deepcopy(model.config_dict)
    pov = model.poverty
    poverty = pov.cohort_table(pov.first_year + pov.n_assessed - 1)  # the years assessed
    cliff = model.poverty.cliff_table(model.cfg.poverty)
    summary = summarise(ts, events, float(model.cfg.fund.initial))
    summary["opening_loan_balance"] = float(model.ledger.opening_loans.sum())
    summary["opening_book_exceeds_capacity"] = bool(model.opening_over_capacity)
    summary.update(poverty_summary(poverty, cliff))
    summary.update(rec.fund_required.summary())
    summary["mean_income_per_person_campaign_end"] = model.poverty.mean_income(
        cal.year(cal.campaign_end_t)
    )
    check_summary(summary)  # every key declared in sim/outputs.py
    return RunResult(
        timeseries=ts,
        villages=villages,
        events=events,
        summary=summary,
        config=cfg,
        enterprises=pd.DataFrame(rec.enterprise_rows, columns=ENTERPRISE_COLUMNS),
        poverty=poverty,
        cliff=cliff,
        places=places_table(c.names),
        seed=seed_record(seed),
        metadata={
            "scenario": cfg["scenario"],
            "version": package_version(),
            "git_revision": git_revision(),
        },
    )
