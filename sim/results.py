"""Tidy result tables of one run, a scalar summary, and saving with metadata."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import ROOT

TABLES = ("timeseries", "villages", "events", "enterprises", "poverty", "cliff", "places")
OPTIONAL_TABLES = ("villages", "events", "enterprises", "poverty", "cliff", "places")


@functools.cache
def package_version() -> str:
    """Installed version of this package (or "unknown" when run from a bare checkout)."""
    try:
        return metadata.version("shangcai-microcredit")
    except metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def git_revision() -> str:
    """Git commit of the working tree, with "+dirty" when it has uncommitted changes."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


@dataclass
class RunResult:
    """Outputs of one replicate."""

    timeseries: pd.DataFrame
    villages: pd.DataFrame | None
    events: pd.DataFrame
    summary: dict[str, Any]
    config: dict[str, Any]
    seed: int | list[int]
    metadata: dict[str, Any] = field(default_factory=dict)
    enterprises: pd.DataFrame | None = None  # one row per enterprise per year
    poverty: pd.DataFrame | None = (
        None  # return-to-poverty rate by exit cohort and years since exit
    )
    cliff: pd.DataFrame | None = None  # mean income per person around the year supports end
    places: pd.DataFrame | None = None  # kind, index, name of the places of a county from files

    def save(self, path: str | os.PathLike) -> Path:
        """Write Parquet tables, ``summary.json`` and ``config.json`` into folder ``path``.

        The folder is written under a temporary name and renamed at the end, so a failed
        save leaves nothing half-written. An existing folder is replaced only if it holds
        nothing but the files a run writes (an earlier save of a run); a folder with any
        other file, or a file at ``path``, is refused with :class:`OutputError`.
        """
        with atomic_folder(path, known=RUN_FILES) as tmp:
            for name in TABLES:
                table = getattr(self, name)
                if table is not None:
                    write_parquet(table, tmp / f"{name}.parquet")
            meta = {"seed": self.seed, **self.metadata}
            _write_json(tmp / "summary.json", {"summary": self.summary, **meta})
            _write_json(tmp / "config.json", {"config": self.config, **meta})
        return Path(path)


#: Every file a run folder holds; :meth:`RunResult.save` replaces only folders of these.
RUN_FILES = frozenset({*(f"{t}.parquet" for t in TABLES), "summary.json", "config.json"})


class OutputError(ValueError):
    """An output location that cannot be written; the message names it and what to change."""


#: Environment variable naming the folder of run folders and of the ``latest`` link.
OUTPUTS_VAR = "MICROCREDIT_OUTPUTS"


def outputs_root() -> Path:
    """Folder of the default run folders and of the ``latest`` link.

    ``$MICROCREDIT_OUTPUTS`` when it is set (relative to the working folder), otherwise
    ``outputs/`` in the project. Raises :class:`OutputError` naming the variable when the
    place it names, or a folder above it, is a file.
    """
    value = os.environ.get(OUTPUTS_VAR, "").strip()
    root = Path(value).expanduser().absolute() if value else ROOT / "outputs"
    what = f"{OUTPUTS_VAR}={value}" if value else str(root)
    blocking = next((p for p in (root, *root.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(
            f"{what}: {blocking} is a file, not a folder; name a folder for the run folders"
        )
    return root


def foreign_entries(path: Path, known: Collection[str]) -> list[str]:
    """Names in folder ``path`` that are not in ``known`` (what a replacement would delete)."""
    return sorted(p.name for p in Path(path).iterdir() if p.name not in known)


def check_writable(folder: Path, what: str) -> None:
    """Raise OutputError unless a folder can be created inside ``folder`` (tried, not guessed)."""
    try:
        Path(tempfile.mkdtemp(prefix=".write-check.", dir=folder)).rmdir()
    except OSError as exc:
        raise OutputError(
            f"{what}: cannot write in {folder} ({exc.strerror or exc}); choose a writable folder"
        ) from None


def _check_parents(path: Path, what: str) -> None:
    """Raise OutputError if a parent of ``path`` is a file or its nearest folder is read-only."""
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"{what}: {blocking} is a file, not a folder; check the path")
    check_writable(next(p for p in path.absolute().parents if p.is_dir()), what)


def check_new_folder(path: str | os.PathLike, what: str) -> Path:
    """Raise OutputError unless ``path`` is an empty folder or one that could be created there.

    Nothing is created: the check is for work that writes its folder only at the end (see
    :func:`atomic_folder`) and should fail before the work starts. Refused: a file at
    ``path``, a folder that holds anything, a parent that is a file, and a location whose
    nearest existing parent folder this process cannot write in (tried, not guessed).

    Args:
        path: the output folder.
        what: how the user named it, for the message.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{what}: is a file, not a folder; give a new folder")
    if path.is_dir() and any(path.iterdir()):
        raise OutputError(
            f"{what}: exists and is not empty; give a new or empty folder (nothing is overwritten)"
        )
    _check_parents(path, what)
    return path


def check_new_file(path: str | os.PathLike, what: str, example: str) -> Path:
    """Raise OutputError unless a file could be written at ``path``; nothing is created.

    For work that writes its file only at the end: the check fails before the work starts.
    Refused: a folder at ``path`` (or a path ending in a separator), a parent that is a
    file, and a location whose nearest existing parent folder this process cannot write in
    (tried, not guessed). Whether an existing file may be replaced is the caller's decision.

    Args:
        path: the output file.
        what: how the user named it, for the message.
        example: a file name to suggest when ``path`` is a folder.
    """
    text = os.fspath(path)
    path = Path(path)
    if path.is_dir() or text.endswith(("/", os.sep)) or path.name in ("", ".", ".."):
        raise OutputError(
            f"{what}: is a folder, not a file; give a file name such as {path / example}"
        )
    _check_parents(path, what)
    return path


def prepare_folder(path: str | os.PathLike, what: str) -> Path:
    """Create the empty output folder ``path`` now, before any work, or raise OutputError.

    Refused: a file at ``path``, a folder that already holds anything (results are never
    overwritten), a parent that is a file, a location this process cannot write. Missing
    parent folders are created. Creating the folder reserves it: a run started at the same
    moment with the same folder is refused instead of overwriting it.

    Args:
        path: the output folder.
        what: how the user named it, for the message (e.g. ``run.out_dir=...``).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{what}: is a file, not a folder; give a new folder")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"{what}: {blocking} is a file, not a folder; check the path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{what}: cannot create its parent folder ({exc.strerror or exc}); check the path"
        ) from None
    check_writable(path.parent, what)
    try:
        path.mkdir()
    except FileExistsError:
        if not path.is_dir() or any(path.iterdir()):
            raise OutputError(
                f"{what}: already holds files and results are never overwritten; "
                "give a new or empty folder"
            ) from None
    except OSError as exc:
        raise OutputError(f"{what}: cannot create it ({exc.strerror or exc})") from None
    return path


def unique_folder(parent: Path, stem: str) -> Path:
    """Create and return a new empty folder ``parent/stem`` (or ``stem-2``, ``stem-3``, ...).

    ``mkdir`` either creates the folder or fails, so two runs started in the same second
    get two folders.
    """
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create it ({exc.strerror or exc})") from None
    check_writable(parent, str(parent))
    for k in range(1, 10_000):
        path = parent / (stem if k == 1 else f"{stem}-{k}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise OutputError(f"{parent}: no free folder name for {stem}; clean up old runs")


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike, known: Collection[str] | None = None) -> Iterator[Path]:
    """Yield a temporary folder beside ``path`` that becomes ``path`` only if the block succeeds.

    An empty folder at ``path`` is replaced. A non-empty one is replaced only if every name
    in it is in ``known`` (files this writer makes); otherwise, or if ``path`` is a file,
    :class:`OutputError` is raised before the block runs and nothing is touched.
    """
    path = Path(path)
    _refuse_existing(path, known)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write there ({exc.strerror or exc}); choose a writable folder"
        ) from None
    tmp.chmod(0o755)  # mkdtemp makes 0700 folders; results are shared with other readers
    try:
        yield tmp
        _refuse_existing(path, known)  # again: something may have appeared meanwhile
        old = None
        if path.is_dir() and any(path.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            path.rename(old / path.name)
        tmp.rename(path)  # replaces an empty folder
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _refuse_existing(path: Path, known: Collection[str] | None) -> None:
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_dir() or path.is_symlink():
        raise OutputError(f"{path}: exists and is not a folder; choose another location")
    foreign = foreign_entries(path, known or ())
    if foreign:
        raise OutputError(
            f"{path}: holds files this program did not write ({', '.join(foreign[:3])}"
            f"{', ...' if len(foreign) > 3 else ''}); choose another folder"
        )


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write ``table``'s columns (not its index) to the Parquet file ``path``.

    ``pd.read_parquet`` gives the same frame back. Columns of NumPy dtypes are handed to Arrow
    as their arrays; pandas' own conversion (``DataFrame.to_parquet``) inspects each column in
    Python, about 35 µs a column, and cost an experiment's worker about 4 % of its time on a
    replicate's 92-column monthly table alone. Other columns (strings, categories) go through
    Arrow's pandas conversion, and only they are dictionary-encoded: numbers rarely repeat
    enough for a dictionary to pay. Column names must be distinct strings, as pandas requires.
    """
    names = list(table.columns)
    if not all(isinstance(name, str) for name in names) or table.columns.has_duplicates:
        raise ValueError(f"{path.name}: columns must be distinct strings to write to Parquet")
    arrays, coded = [], []
    for name, column in table.items():
        if isinstance(column.dtype, np.dtype) and column.dtype != object:
            arrays.append(pa.array(column.to_numpy()))
        else:
            arrays.append(pa.Array.from_pandas(column))
            coded.append(name)
    pq.write_table(pa.Table.from_arrays(arrays, names=names), path, use_dictionary=coded)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=_json_default), encoding="utf-8"
    )


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def load_run(path: str | os.PathLike) -> RunResult:
    """Read a folder written by :meth:`RunResult.save`."""
    path = Path(path)
    if not (path / "summary.json").exists():
        raise FileNotFoundError(
            f"{path}: not a run folder (no summary.json); give the folder printed by `python -m sim`"
        )
    tables = {
        name: pd.read_parquet(path / f"{name}.parquet")
        if (path / f"{name}.parquet").exists()
        else None
        for name in TABLES
    }
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    meta = {k: v for k, v in summary.items() if k not in ("summary", "seed")}
    return RunResult(
        **tables,
        summary=summary["summary"],
        config=config["config"],
        seed=summary["seed"],
        metadata=meta,
    )


def summarise(ts: pd.DataFrame, events: pd.DataFrame, fund_initial: float) -> dict[str, Any]:
    """Scalar outcomes of a run."""
    kinds = events["event"].to_numpy() if len(events) else np.array([], dtype=object)
    villages = ts["n_villages_suspended"].to_numpy()
    suspended_months = (villages > 0) | (ts["n_townships_suspended"].to_numpy() > 0)
    last = ts.iloc[-1]
    disbursed = ts["new_loan_amount"].sum()
    new_loans = ts["new_loans"].sum()
    return {
        "peak_npl_ratio": float(ts["npl_ratio"].max()),
        "final_npl_ratio": float(last["npl_ratio"]),
        "final_household_loan_rate": float(last["household_loan_rate"]),
        "final_loan_balance": float(last["loan_balance"]),
        "peak_loan_balance": float(ts["loan_balance"].max()),
        "total_new_lending": float(disbursed),
        "mean_new_loan_amount": float(disbursed / new_loans) if new_loans else 0.0,
        "n_suspension_events": int(np.count_nonzero(kinds == "suspension")),
        "months_with_suspension": int(suspended_months.sum()),
        "peak_villages_suspended": int(villages.max()),
        "min_fund_balance": float(min(ts["fund_balance"].min(), fund_initial)),
        # the county could not pay a claim from the fund as a whole
        "fund_exhausted": bool(np.any(kinds == "fund_exhausted"))
        or bool(last["cum_fund_shortfall"] > 0),
        # one partner bank's deposit ran dry (the others paid its claims)
        "bank_deposit_exhausted": bool(np.any(kinds == "bank_deposit_exhausted")),
        "cum_losses": float(last["cum_losses"]),
        "cum_fund_payouts": float(last["cum_fund_payouts"]),
        "cum_fund_topups": float(last["cum_fund_topups"]),
        "cum_interest_subsidy": float(last["cum_interest_subsidy"]),
        "peak_interest_arrears": float(ts["interest_arrears"].max()),
        "cum_renewals": int(ts["renewals"].sum()),
        "cum_extensions": int(ts["extensions"].sum()),
        "cum_fiscal_cost": float(last["cum_fiscal_cost"]),
        "final_enterprise_channel_share": float(
            last["loan_balance_enterprise_channel"] / last["loan_balance"]
            if last["loan_balance"] > 0
            else 0.0
        ),
        "cum_losses_household_channel": float(last["cum_losses_household_channel"]),
        "cum_losses_enterprise_channel": float(last["cum_losses_enterprise_channel"]),
        "cum_enterprise_defaults": int(last["cum_enterprise_defaults"]),
        "cum_guarantor_payouts": float(last["cum_guarantor_payouts"]),
        "cum_guarantee_fee_subsidy": float(last["cum_guarantee_fee_subsidy"]),
        "cum_enterprise_interest_subsidy": float(last["cum_enterprise_interest_subsidy"]),
        "cum_guarantor_reimbursed": float(last["cum_guarantor_reimbursed"]),
        "final_n_poor": int(last["n_poor"]),
        "final_n_exited": int(last["n_exited"]),
        "cum_returned_to_poverty": int(last["cum_returned_to_poverty"]),
    }


def poverty_summary(cohorts: pd.DataFrame, cliff: pd.DataFrame) -> dict[str, float | None]:
    """Return-to-poverty rates pooled over exit cohorts, relapse after supports end, the cliff.

    ``return_to_poverty_rate_{k}y``: share of the households exiting in the simulated years
    that were poor again within k years of exit, over the cohorts whose k years all had full
    supports (column ``supported``, when present). ``relapse_after_support_end_{k}y``: share of
    the households out of poverty when supports end that were poor again within k years.
    ``cliff_income_change``: mean income per person in the first year without full supports
    minus the year before (yuan). None (JSON null) where the horizon is too short.
    """
    out: dict[str, float | None] = {}
    since = cohorts["years_since_exit"].to_numpy()
    exited, returned = cohorts["n_exited"].to_numpy(), cohorts["n_returned"].to_numpy()
    full = cohorts["supported"].to_numpy().astype(bool) if "supported" in cohorts.columns else None
    for k in (1, 2, 3):
        rows = since == k
        if full is not None:
            rows &= full
        n = exited[rows].sum()
        out[f"return_to_poverty_rate_{k}y"] = float(returned[rows].sum() / n) if n else None

    relative = cliff["years_relative_to_support_end"].to_numpy()
    weight = cliff["n_households"].to_numpy(dtype=float)

    def pooled(r: int, col: str) -> float | None:
        rows = relative == r
        w = weight[rows]
        wx = w * cliff[col].to_numpy(dtype=float)[rows]
        wx[np.isnan(wx)] = 0.0  # NaN shares count as zero, as pandas sums them
        return float(wx.sum() / w.sum()) if len(w) and w.sum() > 0 else None

    for k in (1, 2, 3):
        out[f"relapse_after_support_end_{k}y"] = pooled(k - 1, "relapsed_share")
    before, at = pooled(-1, "mean_income_per_person"), pooled(0, "mean_income_per_person")
    out["cliff_income_change"] = at - before if before is not None and at is not None else None
    return out
