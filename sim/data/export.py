"""Write the embedded synthetic county as county files (the import format of docs/data.md).

``python -m sim.county export DIR [scenario=NAME] [KEY=VALUE ...]`` builds the model of the
configuration at its start month (``run.seed``) and writes ``villages.csv``,
``households.csv``, ``enterprises.csv`` and ``loans.csv`` into ``DIR``: the roster with every
model input, and the ledgers of the loans outstanding at the start. Reading the folder back
(``county=files county.path=DIR``) reproduces the run of the embedded county exactly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.columns import FILES
from sim.data.read import month_index, month_label
from sim.guarantors import GUARANTOR_NAMES

LABOUR_NAMES = ("full", "weak", "none")
USAGE = """usage: python -m sim.county export DIR [--lang en|zh] [scenario=NAME] [KEY=VALUE ...]

Writes the embedded synthetic county (roster and loan ledgers at the start month) as county
files into DIR, which must not exist or be empty. Same KEY=VALUE overrides as python -m sim,
e.g. county=small run.seed=3. --lang zh writes Chinese headers (default English).
"""


def place_names(model) -> dict[str, list[str]]:
    """Township, village, bank and enterprise names of the synthetic county."""
    c = model.county
    if c.names is not None:
        return {**c.names, "enterprise": [f"企业{k + 1:02d}" for k in range(model.enterprises.n)]}
    return {
        "township": [f"乡镇{t + 1:02d}" for t in range(c.n_townships)],
        "village": [f"村{v + 1:03d}" for v in range(c.n_villages)],
        "bank": [f"银行{b + 1}" for b in range(int(c.township_bank.max()) + 1)],
        "enterprise": [f"企业{k + 1:02d}" for k in range(model.enterprises.n)],
    }


def county_tables(model) -> dict[str, pd.DataFrame]:
    """The four county files of a model at step 0, as DataFrames with English headers."""
    c, ent, cal, cfg = model.county, model.enterprises, model.calendar, model.cfg
    names = place_names(model)
    town = np.asarray(names["township"], dtype=object)
    vill = np.asarray(names["village"], dtype=object)
    bank = np.asarray(names["bank"], dtype=object)
    firm = np.asarray(names["enterprise"], dtype=object)
    as_of = month_index(cal.start_year, cal.start_month)
    n_v = c.n_villages
    villages = pd.DataFrame(
        {
            "township": town[c.village_township],
            "village": vill,
            "registered_households": np.bincount(c.hh_village, minlength=n_v),
            "bank": bank[c.village_bank],
            "health_shock": c.village_health_shock.astype(int),
        }
    )
    hv = c.hh_village
    pov = model.poverty
    households = pd.DataFrame(
        {
            "household": [f"H{i + 1:06d}" for i in range(c.n_households)],
            "township": town[c.village_township[hv]],
            "village": vill[hv],
            "size": c.hh_size.astype(int),
            "labour": np.asarray(LABOUR_NAMES, dtype=object)[c.hh_labour],
            "grade": np.asarray(cfg.rating.grade_names, dtype=object)[c.hh_grade],
            "age": c.hh_age.astype(int),
            "sector": np.asarray(cfg.county.sector_names, dtype=object)[c.hh_sector],
            "poverty_status": np.where(pov.poor, "poor", "exited"),
            "exit_year": pd.array(np.where(pov.poor, pd.NA, pov.last_exit), dtype="Int64"),
            "skills": c.hh_skills,
            "credit_score": c.hh_credit,
            "willing": c.hh_willing.astype(int),
            "rated_month": [month_label(as_of + int(t)) for t in c.ti_rated],
            "aware_month": [month_label(as_of + int(t)) for t in c.ti_aware],
            "enterprise": _names(firm, ent.hh_enterprise),
            "employer": _names(firm, ent.hh_employer),
        }
    )
    enterprises = pd.DataFrame(
        {
            "enterprise": firm,
            "township": town[ent.township],
            "village": vill[ent.village],
            "sector": np.asarray(cfg.county.sector_names, dtype=object)[ent.sector],
            "cash": ent.cash,
        }
    )
    rows = []
    for channel, book in (("household", model.loans), ("enterprise", model.enterprise_loans)):
        idx = np.flatnonzero(book.active)
        key = households["household"].to_numpy() if channel == "household" else firm
        rows.append(
            pd.DataFrame(
                {
                    "loan": [f"{channel[0].upper()}L{i + 1:06d}" for i in idx],
                    "as_of": month_label(as_of),
                    "borrower": key[idx] if channel == "household" else None,
                    "bank": bank[book.bank[idx]],
                    "channel": channel,
                    "enterprise": key[idx] if channel == "enterprise" else None,
                    "amount": book.principal[idx],
                    "start": [month_label(as_of + int(t)) for t in book.ti_start[idx]],
                    "maturity": [month_label(as_of + int(t)) for t in book.ti_maturity[idx]],
                    "term_months": book.term_m[idx].astype(int),
                    "rate": book.rate[idx],
                    "balance": book.balance[idx],
                    "dpd": (book.mpd[idx] * 30).astype(int),
                    "guarantor": [
                        "none" if g < 0 else GUARANTOR_NAMES[g] for g in book.guarantor[idx]
                    ],
                    "renewals": book.renewed[idx].astype(int),
                    "extensions": book.extended[idx].astype(int),
                }
            )
        )
    loans = pd.concat(rows, ignore_index=True)
    return {
        "villages": villages,
        "households": households,
        "enterprises": enterprises,
        "loans": loans,
    }


def _names(names: np.ndarray, index: np.ndarray) -> np.ndarray:
    out = np.full(len(index), None, dtype=object)
    out[index >= 0] = names[index[index >= 0]]
    return out


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, lang: str = "en") -> None:
    """Write the tables as UTF-8 CSV files into ``folder`` (headers in ``lang``)."""
    for name, frame in tables.items():
        if lang == "zh":
            zh = {c.name: c.zh for c in FILES[name]}
            frame = frame.rename(columns=zh)
        frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")


def main(argv: list[str]) -> int:
    """``export DIR [--lang en|zh] [KEY=VALUE ...]``; returns the exit status.

    Bad input (no folder, a ``KEY=VALUE`` where the folder belongs, a folder that holds
    files, is a file or cannot be written, a bad override) prints one line and returns 2
    before the county is built; the folder appears only once every file is written.
    """
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return 0
    if not argv or argv[0] != "export":
        print(USAGE, file=sys.stderr)
        return 2
    from sim import ConfigError, build_model, load_config
    from sim.__main__ import parse_args
    from sim.results import OutputError, atomic_folder, check_new_folder

    rest, lang = list(argv[1:]), "en"
    if "--lang" in rest:
        i = rest.index("--lang")
        lang = rest[i + 1] if i + 1 < len(rest) else ""
        del rest[i : i + 2]
        if lang not in ("en", "zh"):
            print("error: --lang: give en or zh", file=sys.stderr)
            return 2
    try:
        folder = Path(_folder_argument(rest[0] if rest else None))
        check_new_folder(folder, str(folder))
        scenario, overrides = parse_args(rest[1:])
        cfg = load_config(scenario, overrides)
    except (ConfigError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    model = build_model(cfg, seed=int(cfg.run.seed))
    tables = county_tables(model)
    try:
        with atomic_folder(folder) as tmp:
            write_tables(tables, tmp, lang)
    except OutputError as exc:  # the folder changed while the county was built
        print(f"error: {exc}", file=sys.stderr)
        return 2
    n = {k: len(v) for k, v in tables.items()}
    print(
        f"wrote {folder}: {n['villages']} villages, {n['households']} households, "
        f"{n['enterprises']} enterprises, {n['loans']} loans as of {cfg.horizon.start}"
    )
    return 0


def _folder_argument(arg: str | None) -> str:
    """The folder argument, or a ConfigError when it is missing, an option or an override."""
    from sim import ConfigError

    example = "e.g. python -m sim.county export my_county county=small"
    if arg is None:
        raise ConfigError(f"export: give the folder to write first, {example}")
    if arg.startswith("-"):
        raise ConfigError(f"{arg}: unknown option (only --lang en|zh); see --help")
    if "=" in arg and os.sep not in arg and "/" not in arg:
        raise ConfigError(
            f"{arg!r}: the folder to write comes first, before any KEY=VALUE, {example} "
            f"(a folder whose name holds '=' can be given as ./{arg})"
        )
    return arg
