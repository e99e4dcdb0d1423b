"""A county read from its own files: villages, household roster, enterprises, loan ledgers.

:func:`read_county` reads and checks every file of a folder (all problems at once, each
naming file, row and column; see ``docs/data.md``) and returns a :class:`CountyFiles`;
:meth:`CountyFiles.build` turns it into the model's :class:`sim.county.County` and
:class:`sim.enterprises.EnterpriseTable`; :func:`sim.data.book.apply_ledger` opens the loan
book. Names and ID numbers are hashed on reading (:mod:`sim.data.personal`) and used only to
join roster and ledgers.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sim.config import ConfigError
from sim.county import LABOUR_FULL, LABOUR_NONE, LABOUR_WEAK, County, _grades
from sim.data import read as rd
from sim.data.columns import ENTERPRISES, HOUSEHOLDS, LOANS, VILLAGES
from sim.enterprises import ACTIVE, EnterpriseTable
from sim.loans import NEVER
from sim.parameters import MIN_YUAN

log = logging.getLogger("sim.data")
LABOUR_CODES = {"full": LABOUR_FULL, "weak": LABOUR_WEAK, "none": LABOUR_NONE}


class DataError(ConfigError):
    """County files that cannot be run; one line per problem (file, row, column, fix)."""

    def __init__(self, folder: Path | str, lines: list[str]):
        self.lines = lines
        head = f"county files in {folder}: {len(lines)} problem(s), nothing was run"
        super().__init__("\n  ".join([head, *lines]))


@dataclass(frozen=True)
class Limits:
    """The largest loan amounts the configuration allows (``docs/data.md``, Checks).

    A household-channel loan (amount and balance) is at most ``credit.loan_cap``, the
    policy's 50,000 yuan per household (§3). The credit lines by grade are not used: they are
    rules for new loans, which a scenario may tighten, while the ledgers hold loans already
    signed; and a grade is often drawn, or given after the loan was signed.

    The configuration has no cap per enterprise loan, only ``enterprise.amount_per_household``,
    the amount lent per linked registered household. A roster need not list the links, so an
    enterprise-channel loan is refused only where no link could explain it: above
    ``enterprise.amount_per_household`` times every household of the roster (as if all of
    them were linked to that one enterprise).

    Ledgers are dated from the first year of ``poverty.line_years`` (2019, the year of the
    county's policy): the model has no poverty line or assistance standard before it.
    """

    household: float  # yuan, credit.loan_cap
    enterprise_per_household: float  # yuan, enterprise.amount_per_household
    first_year: int  # poverty.line_years[0]: the earliest year of a ledger

    @classmethod
    def of(cls, cfg) -> Limits:
        """The limits of a configuration."""
        return cls(
            household=float(cfg.credit.loan_cap),
            enterprise_per_household=float(cfg.enterprise.amount_per_household),
            first_year=min(cfg.poverty.line_years, default=0),
        )


#: The smallest loan amount or outstanding balance read as yuan, 100 yuan. The programme lends
#: thousands of yuan (up to ``credit.loan_cap``, 50,000 yuan per household; the model's
#: smallest loan is ``uptake.amount_step``, 1,000 yuan): a positive amount below 100 is an
#: amount written in 万元 as a plain number (5 for 50,000 yuan), which would be read as 5 yuan.
#: A balance of 0 (a repaid loan) is not below it.
MIN_LOAN_YUAN = float(MIN_YUAN)  # the line the configuration's amounts are held to


def _nonneg(error: str = "must not be negative") -> pa.Check:
    return pa.Check.ge(0, error=error, ignore_na=True)


def _col(*checks: pa.Check, unique: bool = False) -> pa.Column:
    return pa.Column(None, list(checks), nullable=True, required=False, unique=unique)


SCHEMAS = {
    "villages": pa.DataFrameSchema({"registered_households": _col(_nonneg())}),
    "households": pa.DataFrameSchema(
        {
            "household": _col(unique=True),
            # at most 100: the model keeps household sizes in 8 bits
            "size": _col(pa.Check.in_range(1, 100, error="give a size from 1 to 100 persons")),
            "age": _col(pa.Check.in_range(16, 120, error="give an age from 16 to 120")),
            "skills": _col(pa.Check.in_range(0, 1, error="give a score from 0 to 1")),
            "exit_year": _col(pa.Check.in_range(2000, 2100, error="give a year such as 2019")),
        }
    ),
    "enterprises": pa.DataFrameSchema(
        {"enterprise": _col(unique=True), "cash": _col(pa.Check.notin([np.inf, -np.inf]))}
    ),
    "loans": pa.DataFrameSchema(
        {
            "amount": _col(pa.Check.gt(0, error="must be more than 0", ignore_na=True)),
            "balance": _col(_nonneg()),
            "rate": _col(
                pa.Check.in_range(
                    0, 1, include_max=False, error="give the yearly rate as a decimal, e.g. 0.0435"
                )
            ),
            "dpd": _col(_nonneg()),
            "term_months": _col(pa.Check.gt(0, error="must be more than 0", ignore_na=True)),
            # renewals and extensions granted so far (kept in 16 bits; 100 is far above any loan's)
            "renewals": _col(pa.Check.in_range(0, 100, error="give a count from 0 to 100")),
            "extensions": _col(pa.Check.in_range(0, 100, error="give a count from 0 to 100")),
        }
    ),
}


@dataclass
class CountyFiles:
    """The checked content of a county folder, in model order and without personal data.

    Villages are ordered by bank, then township, then file order (the model keeps banks and
    townships contiguous); households by village, then file order.
    """

    folder: Path
    as_of: int  # month index of the ledgers (sim.data.read.month_index)
    township_names: list[str]
    village_names: list[str]
    bank_names: list[str]
    township_bank: np.ndarray
    village_township: np.ndarray
    village_health_shock: np.ndarray
    households: pd.DataFrame  # one row per household, model row order
    enterprises: pd.DataFrame  # one row per enterprise, model row order
    loans: pd.DataFrame  # one row per loan, see sim.data.book.apply_ledger
    warnings: list[str]
    digest: str = ""  # SHA-256 over the files read, in name order

    @property
    def start(self) -> str:
        """``YYYY-MM`` of the ledgers: the first simulated month."""
        return rd.month_label(self.as_of)

    def build(self, cfg, rng: np.random.Generator) -> tuple[County, EnterpriseTable]:
        """The model's county and enterprise table.

        Model inputs a roster does not hold are drawn from ``rng`` (the ``county`` stream) as
        the synthetic county draws them, in a fixed order, so a folder gives the same county
        whatever else changes; the drawn values are used only where a cell is empty.
        """
        h, c = self.households, cfg.county
        n = len(h)
        labour = h["labour"].map(LABOUR_CODES).to_numpy(np.int8)

        def fill(name, draw, dtype):
            col = h[name] if name in h else pd.Series(np.nan, index=h.index)
            empty = col.isna().to_numpy()
            if not empty.any():
                return col.to_numpy().astype(dtype)
            values = np.asarray(draw(), dtype=float)
            return np.where(empty, values, col.to_numpy(dtype=float, na_value=np.nan)).astype(dtype)

        a, b = c.skills_beta
        age = fill(
            "age",
            lambda: np.clip(
                np.round(rng.normal(c.head_age_mean, c.head_age_sd, n)),
                c.head_age_min,
                c.head_age_max,
            ),
            np.int16,
        )
        skills = fill("skills", lambda: rng.beta(a, b, n), float)
        credit = fill("credit_score", lambda: rng.standard_normal(n), float)
        sectors = {s: i for i, s in enumerate(c.sector_names)}
        h = h.assign(_sector=h["sector"].map(sectors) if "sector" in h else np.nan)
        sector = fill(
            "_sector",
            lambda: rng.choice(len(c.sector_names), size=n, p=np.asarray(c.sector_shares)),
            np.int8,
        )
        p_willing = np.array([*cfg.uptake.p_willing, 0.0])
        willing = fill("willing", lambda: rng.random(n) < p_willing[labour], bool)
        grade_code = (
            h["grade"].map({g: i for i, g in enumerate(cfg.rating.grade_names)})
            if "grade" in h
            else np.nan
        )
        h = h.assign(_grade=grade_code)
        grade = fill("_grade", lambda: _grades(rng, cfg.rating, credit, skills, a, b), np.int8)
        county = County(
            township_bank=self.township_bank.copy(),
            village_township=self.village_township.copy(),
            village_health_shock=self.village_health_shock.copy(),
            hh_village=h["_village"].to_numpy(np.int32, copy=True),
            hh_size=h["size"].to_numpy(np.int8),
            hh_age=age,
            hh_labour=labour,
            hh_skills=skills,
            hh_credit=credit,
            hh_sector=sector,
            hh_willing=willing,
            hh_grade=grade,
            ti_rated=self._ti(h, "rated_month"),
            ti_aware=self._ti(h, "aware_month"),
        )
        county.names = {
            "township": list(self.township_names),
            "village": list(self.village_names),
            "bank": list(self.bank_names),
        }
        return county, self._enterprise_table(cfg, h)

    def _ti(self, h: pd.DataFrame, name: str) -> np.ndarray:
        if name not in h:
            return np.zeros(len(h), dtype=np.int32)
        months = h[name].to_numpy(dtype=float, na_value=float(self.as_of))
        return (months - self.as_of).astype(np.int32)

    def _enterprise_table(self, cfg, h: pd.DataFrame) -> EnterpriseTable:
        e = self.enterprises if cfg.enterprise.enabled else self.enterprises.iloc[:0]
        n_e, n_h = len(e), len(h)
        link = h["_enterprise"].to_numpy(np.int64, copy=True) if n_e else np.full(n_h, -1, np.int64)
        employer = (
            h["_employer"].to_numpy(np.int64, copy=True) if n_e else np.full(n_h, -1, np.int64)
        )
        sector = e["sector"].map({s: i for i, s in enumerate(cfg.county.sector_names)})
        return EnterpriseTable(
            township=e["_township"].to_numpy(np.int64, copy=True),
            village=e["_village"].to_numpy(np.int64, copy=True),
            sector=sector.to_numpy(np.int64),
            cash=np.zeros(n_e),  # set with the ledgers (sim.data.book.apply_ledger)
            status=np.full(n_e, ACTIVE, dtype=np.int8),
            blacklisted=np.zeros(n_e, dtype=bool),
            ti_rectify=np.full(n_e, NEVER, dtype=np.int64),
            paid_fraction=np.ones(n_e),
            n_workers=np.bincount(employer[employer >= 0], minlength=n_e).astype(np.int64),
            hh_enterprise=link,
            hh_employer=employer,
        )


def _place_keys(f: pd.DataFrame) -> pd.Series:
    return f["township"].fillna("") + "\x1f" + f["village"].fillna("")


def read_county(folder: str | os.PathLike, cfg) -> CountyFiles:
    """Read and check a county folder; raise :class:`DataError` listing every problem.

    Args:
        folder: the folder of county files (docs/data.md).
        cfg: a configuration; its ``rating.grade_names`` and ``county.sector_names`` are the
            allowed grades and sectors.
    """
    return _read(
        Path(folder),
        tuple(cfg.rating.grade_names),
        tuple(cfg.county.sector_names),
        Limits.of(cfg),
    )


def _read(
    folder: Path, grades: tuple[str, ...], sectors: tuple[str, ...], limits: Limits
) -> CountyFiles:
    folder = folder.expanduser()
    if not folder.is_dir():
        raise ConfigError(
            f"county.path={folder}: no such folder; give the folder holding villages.csv, "
            "households.csv and loans*.csv (docs/data.md)"
        )
    p = rd.Problems()
    enums = {"grade": {g: g for g in grades}, "sector": {s: s for s in sectors}}
    tables: dict[str, list[rd.Table]] = {}
    read_paths: dict[str, list[Path]] = {}
    for stem, cols in (
        ("villages", VILLAGES),
        ("households", HOUSEHOLDS),
        ("enterprises", ENTERPRISES),
        ("loans", LOANS),
    ):
        paths = rd.find_files(folder, stem)
        unread = rd.unread_files(folder, stem)
        for x in unread:
            p.add(x.name, None, None, "not read: save it as .xlsx or 'CSV UTF-8' (docs/data.md)")
        if stem != "loans" and len(paths) > 1:
            p.add(
                ", ".join(x.name for x in paths), None, None, f"give one {stem} file, not several"
            )
        if not paths and not unread and stem != "enterprises":
            p.add(f"{stem}.csv", None, None, "missing file (CSV or .xlsx; docs/data.md)")
        tables[stem] = []
        read_paths[stem] = paths[: None if stem == "loans" else 1]
        for path in read_paths[stem]:
            t = rd.read_file(path, cols, p)
            if t is None:
                continue
            rd.coerce(t, cols, p, enums)
            rd.check(t, SCHEMAS[stem], p)
            if stem == "loans":
                _check_loan_rows(t, limits, p)
            tables[stem].append(t)
    if tables["loans"] and not any(len(t.frame) for t in tables["loans"]):
        p.add(
            ", ".join(t.file for t in tables["loans"]),
            None,
            None,
            "no loans, so no ledger month: the run starts at the month of the ledgers "
            "(as_of); give the county's loans (docs/data.md)",
        )
    if p.lines or not tables["villages"] or not tables["households"] or not tables["loans"]:
        raise DataError(folder, p.report() or ["nothing readable"])
    try:
        cf = _assemble(folder, tables, p, limits)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        # the text of an unexpected error may quote a cell: name only its type
        raise DataError(
            folder,
            [
                *p.report(),
                f"the files do not fit together ({type(exc).__name__}); see docs/data.md",
            ],
        ) from None
    if p.lines:
        raise DataError(folder, p.report())
    digest = hashlib.sha256()
    for path in sorted(x for paths in read_paths.values() for x in paths):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    cf.digest = digest.hexdigest()
    for w in p.warnings:
        log.warning(w)
    return cf


def _check_loan_rows(t: rd.Table, limits: Limits, p: rd.Problems) -> None:
    """Checks of a ledger row against itself and the configuration's loan limits."""
    f = t.frame

    def bad(mask: pd.Series, column: str, what: str) -> None:
        for row in f.index[mask.fillna(False).to_numpy(bool)]:
            p.add(t.file, row, t.col(column), what)

    def num(column: str) -> pd.Series:
        if column not in f:
            return pd.Series(np.nan, index=f.index)
        return pd.to_numeric(f[column], errors="coerce").astype(float)

    if "channel" in f:
        hh = f["channel"] == "household"
        for column in ("amount", "balance"):
            bad(
                hh & (num(column) > limits.household),
                column,
                f"more than {limits.household:,.0f} yuan, the policy's cap per household "
                "(credit.loan_cap): correct it, or raise credit.loan_cap if the county lent more",
            )
    for column in ("amount", "balance"):
        bad(
            (num(column) > 0) & (num(column) < MIN_LOAN_YUAN),
            column,
            f"less than {MIN_LOAN_YUAN:,.0f} yuan: amounts are in yuan and this looks like 万元; "
            "write it in yuan (50000) or with its unit (5万元)",
        )
    start, maturity, as_of = num("start"), num("maturity"), num("as_of")
    # the original term: renewals and extensions only move the maturity later (one month of
    # slack for dates such as 2021-09-01 to 2022-08-31)
    bad(
        num("term_months") > maturity - start + 1,
        "term_months",
        "longer than from start to maturity: give the original term in months",
    )
    # days past due cannot exceed the days since the loan was made (31 a month, the ledger
    # month counted in full)
    bad(
        (start <= as_of) & (num("dpd") > 31 * (as_of - start + 1)),
        "dpd",
        "more days past due than days since the start: correct the days or the start",
    )


def _place_problems(t: rd.Table, f: pd.DataFrame, v: pd.DataFrame, p: rd.Problems) -> None:
    """Name what does not match for rows whose township and village are not in the villages file."""
    towns = set(v["township"].dropna())
    villages = set(v["village"].dropna())
    unmatched = f["_village"].isna()
    town_unknown = ~f["township"].isin(towns)
    village_unknown = ~f["village"].isin(villages)
    for row in f.index[unmatched & town_unknown]:
        p.add(t.file, row, t.col("township"), "unknown township: not in the villages file")
    for row in f.index[unmatched & village_unknown]:
        p.add(t.file, row, t.col("village"), "unknown village: not in the villages file")
    for row in f.index[unmatched & ~town_unknown & ~village_unknown]:
        p.add(
            t.file,
            row,
            f"{t.col('township')} / {t.col('village')}",
            "the villages file has this village in another township",
        )


def _assemble(
    folder: Path, tables: dict[str, list[rd.Table]], p: rd.Problems, limits: Limits
) -> CountyFiles:
    vt = tables["villages"][0]
    v = vt.frame
    # -- villages: order banks, townships and villages; one bank per township -------------
    v["_key"] = _place_keys(v)
    for row in v.index[v["_key"].duplicated()]:
        p.add(vt.file, row, vt.col("village"), "this township and village appear twice")
    v = v[~v["_key"].duplicated()]
    banks = list(dict.fromkeys(v["bank"].dropna()))
    towns = list(dict.fromkeys(v["township"].dropna()))
    town_bank = v.groupby("township", sort=False)["bank"].first()
    for row in v.index[v["bank"] != v["township"].map(town_bank)]:
        p.add(vt.file, row, vt.col("bank"), "another bank than the township's other villages")
    towns.sort(key=lambda t: banks.index(town_bank[t]) if town_bank[t] in banks else 0)
    town_index = {t: i for i, t in enumerate(towns)}
    v = v.assign(_t=v["township"].map(town_index)).sort_values("_t", kind="stable")
    village_index = {k: i for i, k in enumerate(v["_key"])}
    # -- households --------------------------------------------------------------------------
    ht = tables["households"][0]
    h = ht.frame
    h["_village"] = _place_keys(h).map(village_index)
    _place_problems(ht, h, v, p)
    keyed = h["household"].notna() if "household" in h else pd.Series(False, index=h.index)
    has_id = h["id_number"].notna() if "id_number" in h else pd.Series(False, index=h.index)
    for row in h.index[~keyed & ~has_id]:
        p.add(ht.file, row, "household / id_number", "give a roster key or an ID number")
    if "id_number" in h:
        for row in h.index[h["id_number"].notna() & h["id_number"].duplicated(keep=False)]:
            p.add(ht.file, row, ht.col("id_number"), "this ID number appears twice in the roster")
    exited = h.get("poverty_status", pd.Series(None, index=h.index)) == "exited"
    no_year = h["exit_year"].isna() if "exit_year" in h else pd.Series(True, index=h.index)
    for row in h.index[exited & no_year]:
        p.add(ht.file, row, "exit_year / 脱贫年度", "exited households need their exit year")
    counts = h["_village"].value_counts()
    for row, key in v["_key"].items():
        have = int(counts.get(village_index[key], 0))
        want = v.at[row, "registered_households"]
        if pd.notna(want) and have != int(want):
            p.add(
                vt.file,
                row,
                vt.col("registered_households"),
                f"says {int(want)} but the roster has {have} households in this village",
            )
        if have == 0:
            p.add(
                vt.file,
                row,
                vt.col("village"),
                "no household of the roster lives here: remove the row (the file lists the "
                "villages with registered poor households, each a village of the model), or add "
                "the village's households to the roster",
            )
    h = h[h["_village"].notna()].sort_values("_village", kind="stable")
    h["_village"] = h["_village"].astype(np.int64)
    # -- enterprises --------------------------------------------------------------------------
    e = (
        tables["enterprises"][0].frame
        if tables["enterprises"]
        else pd.DataFrame(columns=[c.name for c in ENTERPRISES])
    )
    if tables["enterprises"]:
        et = tables["enterprises"][0]
        e["_village"] = _place_keys(e).map(village_index)
        _place_problems(et, e, v, p)
    else:
        e["_village"] = pd.Series(dtype=float)
    e = e[e["_village"].notna()]
    e["_village"] = e["_village"].astype(np.int64)
    e["_township"] = v["_t"].to_numpy()[e["_village"].to_numpy()] if len(e) else []
    ent_index = {name: i for i, name in enumerate(e["enterprise"])}
    for link in ("enterprise", "employer"):
        col = h[link] if link in h else pd.Series(None, index=h.index, dtype=object)
        h["_" + link] = col.map(ent_index).fillna(-1).astype(np.int64)
        for row in h.index[col.notna() & (h["_" + link] < 0)]:
            p.add(ht.file, row, ht.col(link), "unknown enterprise: not in the enterprises file")
    # -- ledgers ------------------------------------------------------------------------------
    loans = _assemble_loans(tables["loans"], v, h, e, p, limits)
    if "exit_year" in h and "poverty_status" in h:
        year = int(loans.attrs["as_of"]) // 12
        late = (h["poverty_status"] == "exited") & (h["exit_year"] > year)
        for row in h.index[late]:
            p.add(
                ht.file,
                row,
                ht.col("exit_year"),
                f"exited after the month of the ledgers: give a year up to {year}, "
                "or the poverty status poor",
            )
    bank_of_township = np.array([banks.index(town_bank[t]) for t in towns], dtype=np.int16)
    cf = CountyFiles(
        folder=folder,
        as_of=int(loans.attrs["as_of"]),
        township_names=towns,
        village_names=v["village"].tolist(),
        bank_names=banks,
        township_bank=bank_of_township,
        village_township=v["_t"].to_numpy(np.int16),
        village_health_shock=v["health_shock"].fillna(False).to_numpy(bool)
        if "health_shock" in v
        else np.zeros(len(v), dtype=bool),
        households=h.reset_index(drop=True),
        enterprises=e.reset_index(drop=True),
        loans=loans,
        warnings=p.warnings,
    )
    return cf


def _assemble_loans(
    tables: list[rd.Table],
    v: pd.DataFrame,
    h: pd.DataFrame,
    e: pd.DataFrame,
    p: rd.Problems,
    limits: Limits,
) -> pd.DataFrame:
    frames = []
    for t in tables:
        f = t.frame.copy()
        f["_file"], f["_row"] = t.file, f.index
        f["_header"] = [t.header] * len(f)
        frames.append(f)
    loans = pd.concat(frames, ignore_index=True)

    def bad(mask, column, what):
        for _, r in loans[mask].iterrows():
            # a borrower is named by roster key or by ID number: name the column the file has
            header = r["_header"].get(column) or r["_header"].get(f"{column}_id", column)
            p.add(r["_file"], r["_row"], header, what)

    # banks number their contracts separately: a loan is its bank and its loan number
    key = loans["bank"] + "\x1f" + loans["loan"]
    first = loans.assign(_key=key).drop_duplicates("_key", keep="first").set_index("_key")
    dup = key.notna() & key.duplicated(keep="first")
    for k, r in loans[dup].iterrows():
        where = f"{first.at[key[k], '_file']} row {first.at[key[k], '_row']}"
        p.add(
            r["_file"],
            r["_row"],
            r["_header"].get("loan", "loan"),
            f"same bank and loan number as {where}",
        )
    loans = loans[~dup]  # a second copy of a loan is reported once, not checked again
    as_of = int(loans["as_of"].mode().iloc[0])  # every row has one; a ledger has a row
    loans.attrs["as_of"] = as_of
    bad(loans["as_of"].notna() & (loans["as_of"] != as_of), "as_of", "another month than the rest")
    if as_of < rd.month_index(limits.first_year, 1):
        # named once per file, at its first row: every row has the month
        for _, r in loans[loans["as_of"] == as_of].drop_duplicates("_file").iterrows():
            p.add(
                r["_file"],
                r["_row"],
                r["_header"].get("as_of", "as_of"),
                f"a ledger month before {limits.first_year}-01, the first year of the model's "
                "poverty lines (poverty.line_years) and of the policy it models: give the "
                f"ledgers of a month from {limits.first_year}-01 on",
            )
    bad(loans["start"] > as_of, "start", "after the month of the ledger")
    bad(loans["maturity"] <= loans["start"], "maturity", "not after the start")
    bad(loans["balance"] > loans["amount"], "balance", "more than the amount lent")
    zero = loans["balance"] == 0
    matured = (loans["maturity"] <= as_of) & (loans["dpd"] == 0) & ~zero
    bad(matured, "maturity", "matured but not overdue: give the days past due or the new maturity")
    if zero.any():
        p.warnings.append(f"{int(zero.sum())} loans with balance 0 left out (repaid)")
    village_bank = v["bank"].to_numpy()
    # -- household channel: borrower by roster key or by hashed ID number ----------------------
    hh = loans["channel"] == "household"
    slot = pd.Series(np.nan, index=loans.index)
    if "borrower" in loans and "household" in h:
        by_key = pd.Series(np.arange(len(h)), index=h["household"].to_numpy())
        by_key = by_key[by_key.index.notna()]
        slot = slot.fillna(loans["borrower"].map(by_key))
    if "borrower_id" in loans and "id_number" in h:
        ids = h["id_number"].to_numpy()
        by_id = pd.Series(np.arange(len(h)), index=ids)[pd.notna(ids)]
        by_id = by_id[~by_id.index.duplicated()]
        via_id = loans["borrower_id"].map(by_id)
        both = slot.notna() & via_id.notna()
        bad(both & (slot != via_id), "borrower_id", "the ID number is another household's")
        slot = slot.fillna(via_id)
    given = pd.Series(False, index=loans.index)
    for c in ("borrower", "borrower_id"):
        if c in loans:
            given |= loans[c].notna()
    bad(hh & ~given, "borrower", "give the borrower's roster key or ID number")
    bad(hh & given & slot.isna(), "borrower", "borrower not on the household roster")
    if "borrower_name" in loans and "name" in h:
        names = h["name"].to_numpy()
        ok = slot.notna() & loans["borrower_name"].notna()
        roster_name = pd.Series(None, index=loans.index, dtype=object)
        roster_name[ok] = names[slot[ok].astype(int)]
        bad(
            ok & roster_name.notna() & (roster_name != loans["borrower_name"]),
            "borrower_name",
            "the name differs from the roster entry of this borrower",
        )
    found = hh & slot.notna()
    own_bank = pd.Series(None, index=loans.index, dtype=object)
    own_bank[found] = village_bank[h["_village"].to_numpy()[slot[found].astype(int)]]
    bad(
        found & (own_bank != loans["bank"]),
        "bank",
        "not the partner bank of the borrower's village",
    )
    twice = found & slot.duplicated(keep=False) & ~zero
    bad(twice, "borrower", "this household has another household-channel loan in the ledgers")
    # -- enterprise channel ----------------------------------------------------------------
    ent = loans["channel"] == "enterprise"
    most = limits.enterprise_per_household * len(h)
    for column in ("amount", "balance"):
        bad(
            ent & (loans[column] > most),
            column,
            f"more than {most:,.0f} yuan, enterprise.amount_per_household "
            f"({limits.enterprise_per_household:,.0f}) for every household of the roster: "
            "correct it, or raise enterprise.amount_per_household",
        )
    ent_index = {name: i for i, name in enumerate(e["enterprise"])}
    col = loans["enterprise"] if "enterprise" in loans else pd.Series(None, index=loans.index)
    eslot = col.map(ent_index)
    bad(ent & eslot.isna(), "enterprise", "unknown enterprise: not in the enterprises file")
    efound = ent & eslot.notna()
    ebank = pd.Series(None, index=loans.index, dtype=object)
    ebank[efound] = village_bank[e["_village"].to_numpy()[eslot[efound].astype(int)]]
    bad(
        efound & (ebank != loans["bank"]),
        "bank",
        "not the partner bank of the enterprise's village",
    )
    bad(
        efound & eslot.duplicated(keep=False) & ~zero,
        "enterprise",
        "a second loan of this enterprise",
    )
    loans["slot"] = np.where(ent, eslot, slot)
    cash = e["cash"] if "cash" in e else pd.Series(np.nan, index=e.index)
    loans["cash"] = np.nan
    loans.loc[efound, "cash"] = cash.to_numpy(dtype=float, na_value=np.nan)[
        eslot[efound].astype(int)
    ]
    loans = loans[~zero].drop(columns=["borrower_id", "borrower_name", "_header"], errors="ignore")
    loans.attrs["as_of"] = as_of
    return loans.reset_index(drop=True)


def _stamp(folder: Path) -> tuple:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in rd.SUFFIXES + rd.UNREAD)
    stats = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    salt = (
        os.environ.get("MICROCREDIT_SALT", "") + "\0" + os.environ.get("MICROCREDIT_SALT_FILE", "")
    )
    return stats, hashlib.sha256(salt.encode()).hexdigest()


@functools.lru_cache(maxsize=4)
def _cached(
    folder: Path, stamp: tuple, grades: tuple, sectors: tuple, limits: Limits
) -> CountyFiles:
    """One reading per folder, file versions, salt, allowed values and limits (the key)."""
    return _read(folder, grades, sectors, limits)


def load(cfg) -> CountyFiles:
    """:func:`read_county` of ``cfg.county.path``, read once per process and file version.

    The model is built from the returned object without changing it (``CountyFiles.build``
    copies what the model may change), so replicates in one process share one reading.
    """
    folder = Path(cfg.county.path).expanduser().resolve()
    if not folder.is_dir():
        return read_county(folder, cfg)  # raises the one-line error
    grades, sectors = tuple(cfg.rating.grade_names), tuple(cfg.county.sector_names)
    return _cached(folder, _stamp(folder), grades, sectors, Limits.of(cfg))
