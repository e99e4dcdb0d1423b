"""A county's own files: import (roster, ledgers), personal-data protection, export.

``python -m sim county=files county.path=DIR`` runs the model on the county in ``DIR``
(``docs/data.md`` describes the files); ``python -m sim.county export DIR`` writes the
embedded synthetic county in the same format.
"""

from __future__ import annotations

from omegaconf import DictConfig

from sim.config import ConfigError
from sim.data.county_files import CountyFiles, DataError, load, read_county
from sim.data.read import month_index, month_label

__all__ = ["CountyFiles", "DataError", "for_model", "load", "read_county", "resolve_config"]


def _given(overrides: list[str]) -> set[str]:
    return {o.split("=", 1)[0].lstrip("+~") for o in overrides}


def resolve_config(cfg: DictConfig, overrides: list[str]) -> None:
    """Fill in what a county folder decides: counts, start month, horizon, file digest.

    ``horizon.start`` becomes the month of the ledgers; unless ``horizon.months`` is given,
    the run goes on to ``horizon.end``. The folder's path is made absolute so that worker
    processes find it, and the digest of its files is recorded so that a worker refuses
    files that changed since. Ledgers with enterprise-channel loans refuse a configuration
    without the enterprise channel, which would leave them out.
    """
    files = load(cfg)
    given = _given(overrides)
    h, c = cfg.horizon, cfg.county
    if "horizon.start" in given and h.start != files.start:
        raise ConfigError(
            f"horizon.start={h.start}: with county files the run starts at the month of the "
            f"ledgers ({files.start}); leave horizon.start out"
        )
    h.start = files.start
    if "horizon.months" not in given and h.end:
        y, m = (int(x) for x in str(h.end).split("-"))
        months = month_index(y, m) - files.as_of + 1
        if months < 1:
            raise ConfigError(
                f"horizon.end={h.end}: before the month of the ledgers ({files.start}); "
                "give a later end or horizon.months"
            )
        h.months = months
    c.path = str(files.folder.resolve())
    c.files_digest = files.digest
    c.n_townships = len(files.township_names)
    c.n_villages = len(files.village_names)
    c.n_banks = len(files.bank_names)
    c.n_households = len(files.households)
    c.n_health_shock_villages = int(files.village_health_shock.sum())
    sizes = files.households["_village"].value_counts()
    c.min_village_households = int(sizes.min())
    e = cfg.enterprise
    firm_loans = files.loans[files.loans["channel"] == "enterprise"]
    if len(firm_loans) and not e.enabled:
        # a run without the enterprise channel has no enterprise book: the loans would vanish
        raise ConfigError(
            f"enterprise.enabled=false: the ledgers hold {len(firm_loans)} enterprise-channel "
            f"loans ({firm_loans['balance'].sum():,.0f} yuan outstanding) that a run without "
            "the enterprise channel would leave out; keep enterprise.enabled=true with these files"
        )
    e.n_enterprises = len(files.enterprises)
    if not len(files.enterprises) and e.enabled:
        e.enabled = False
        e.leakage_share = 0.0
        e.able_link_share = 0.0


def for_model(cfg) -> CountyFiles:
    """The county files of a resolved configuration, checked against its recorded digest."""
    files = load(cfg)
    if cfg.county.files_digest and files.digest != cfg.county.files_digest:
        raise ConfigError(
            f"county.path={cfg.county.path}: the files changed since this configuration was "
            "made; run again from the files (python -m sim county=files county.path=DIR)"
        )
    if files.start != cfg.horizon.start:
        raise ConfigError(
            f"horizon.start={cfg.horizon.start}: the ledgers in county.path are dated "
            f"{files.start}; leave horizon.start to the files"
        )
    return files


def is_files(cfg) -> bool:
    """Whether the configuration reads its county from files."""
    return bool(cfg.county.path)


__all__ += ["is_files", "month_label"]
