"""Read saved results: a run folder or an experiment folder (see docs/briefing.md).

Only files are read; nothing here imports the model. Tables that a folder may lack
(``villages.parquet``, ``events.parquet``, an experiment's comparison or fund-sizing files)
come back as ``None`` so each output can be skipped when its data are absent. A file that is
there but cannot be used (unreadable, not a JSON object, a table without a column the pack
needs, a configuration without the breaker thresholds) is a :class:`SourceError` naming the
file, and the column or key, before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CLIFF_FILES = ("poverty.parquet", "cliff.parquet")
CLIFF_RULES = ("cliff_abrupt", "cliff_tapered", "cliff_profit_retention")
REPLICATE = re.compile(r"^rep_(\d+)$")
#: Columns the pack reads from each table, by file name (the model writes them all).
REQUIRED = {
    "timeseries.parquet": (
        "month",
        "t",
        "loan_balance",
        "new_loan_amount",
        "household_loan_rate",
        "npl_ratio",
        "fund_balance",
    ),
    "villages.parquet": (
        "month",
        "t",
        "township",
        "village",
        "bank",
        "n_households",
        "n_rated",
        "cum_borrowers",
        "new_loans",
        "new_loan_amount",
        "loan_balance",
        "overdue_balance",
        "npl_balance",
        "village_suspended",
        "township_suspended",
    ),
    "events.parquet": ("t", "event", "level", "index", "township"),
    "poverty.parquet": ("years_since_exit", "n_exited", "n_returned"),
    "cliff.parquet": ("years_relative_to_support_end", "mean_income_per_person"),
    "places.parquet": ("kind", "index", "name"),
    "summary.parquet": ("scenario",),
    "comparison.parquet": ("scenario", "outcome", "diff_mean", "diff_ci_low", "diff_ci_high"),
    "curve.parquet": (
        "fund_initial",
        "leverage",
        "p_exhausted",
        "p_exhausted_ci_low",
        "p_exhausted_ci_high",
        "mean_household_loan_rate",
    ),
}
#: What to do about a file the pack cannot use.
RESTORE = "restore the file as the program wrote it, or run again"
#: Configuration keys the pack needs (the circuit-breaker lines of the NPL chart).
REQUIRED_CONFIG = (("breaker", "township_npl"), ("breaker", "village_npl"))


class SourceError(ValueError):
    """A folder that cannot be briefed; the message is one line naming the path."""


@dataclass
class Run:
    """One saved replicate."""

    path: Path
    timeseries: pd.DataFrame
    villages: pd.DataFrame | None
    events: pd.DataFrame | None
    summary: dict[str, Any]
    config: dict[str, Any]
    seed: Any
    meta: dict[str, Any] = field(default_factory=dict)
    poverty: pd.DataFrame | None = None  # return to poverty by exit cohort (when recorded)
    cliff: pd.DataFrame | None = None  # income around the end of supports (when recorded)
    places: pd.DataFrame | None = None  # names of places of a county read from files

    @property
    def scenario(self) -> str:
        """Scenario name recorded with the run."""
        return str(self.meta.get("scenario") or self.config.get("scenario") or self.path.name)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot read JSON ({exc})") from None
    if not isinstance(data, dict):
        raise SourceError(f"{path}: not a JSON object; {RESTORE}")
    return data


def _parquet(path: Path) -> pd.DataFrame | None:
    """The table at ``path`` (None if there is no such file), its required columns checked.

    A column stored without a type (every value missing, or a table without rows) comes back
    as float NaN, not as Python ``None`` objects: a missing number stays a number.
    """
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot read Parquet ({exc})") from None
    missing = [c for c in REQUIRED.get(path.name, ()) if c not in table.column_names]
    if missing:
        raise SourceError(
            f"{path}: no column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; {RESTORE}"
        )
    frame = table.to_pandas()
    untyped = [f.name for f in table.schema if pa.types.is_null(f.type)]
    return frame.astype(dict.fromkeys(untyped, "float64")) if untyped else frame


def _config(path: Path) -> dict[str, Any]:
    """The resolved configuration saved with a run (``config.json``), checked for its keys."""
    file = path / "config.json"
    if not file.is_file():
        raise SourceError(
            f"{path}: run folder without config.json (the configuration saved with the run); "
            f"{RESTORE}"
        )
    config = _json(file).get("config")
    for section, key in REQUIRED_CONFIG:
        value = config.get(section) if isinstance(config, dict) else None
        value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SourceError(f"{file}: no number at config.{section}.{key}; {RESTORE}")
    return config


def read_run(path: str | Path) -> Run:
    """Read a run folder (``summary.json``, ``config.json``, ``timeseries.parquet``, ...)."""
    path = Path(path)
    for name in ("summary.json", "timeseries.parquet"):
        if not (path / name).is_file():
            raise SourceError(f"{path}: not a run folder (no {name})")
    summary = _json(path / "summary.json")
    if not isinstance(summary.get("summary"), dict):
        raise SourceError(f"{path / 'summary.json'}: no summary of results; {RESTORE}")
    config = _config(path)
    meta = {k: v for k, v in summary.items() if k not in ("summary", "seed")}
    return Run(
        path=path,
        timeseries=_parquet(path / "timeseries.parquet"),
        villages=_parquet(path / "villages.parquet"),
        events=_parquet(path / "events.parquet"),
        summary=summary["summary"],
        config=config,
        seed=summary.get("seed"),
        meta=meta,
        poverty=_parquet(path / CLIFF_FILES[0]),
        cliff=_parquet(path / CLIFF_FILES[1]),
        places=_parquet(path / "places.parquet"),
    )


@dataclass
class Experiment:
    """An experiment folder: scenarios x replicates plus the tables computed from them."""

    path: Path
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        """Experiment name (the folder name when experiment.json has none)."""
        return str(self.meta.get("name") or self.path.name)

    @cached_property
    def scenarios(self) -> list[str]:
        """Scenario names: those in experiment.json first, then any other replicate folder."""
        listed = list(self.meta.get("scenarios", {}))
        root = self.path / "replicates"
        found = (
            sorted(p.name for p in root.iterdir() if _has_replicates(p)) if root.is_dir() else []
        )
        return [s for s in listed if s in found] + [s for s in found if s not in listed]

    @property
    def baseline(self) -> str:
        """The reference scenario of the comparison.

        The first scenario of ``comparison.parquet`` (its differences are to that one), else
        the first scenario of ``experiment.json``.
        """
        if self.comparison is not None and len(self.comparison):
            first = str(self.comparison["scenario"].iloc[0])
            if first in self.scenarios:
                return first
        return self.scenarios[0]

    def replicate_dirs(self, scenario: str) -> list[Path]:
        """Replicate folders of ``scenario`` in replicate order."""
        root = self.path / "replicates" / scenario
        dirs = [p for p in root.iterdir() if p.is_dir() and REPLICATE.match(p.name)]
        return sorted(dirs, key=lambda p: int(REPLICATE.match(p.name).group(1)))

    def runs(self, scenario: str) -> list[Run]:
        """Every replicate of ``scenario`` (read once, then cached)."""
        cache = self.__dict__.setdefault("_runs", {})
        if scenario not in cache:
            cache[scenario] = [read_run(p) for p in self.replicate_dirs(scenario)]
        return cache[scenario]

    def timeseries(self, scenario: str) -> pd.DataFrame:
        """Replicates' monthly series stacked, with a ``replicate`` column (cached)."""
        cache = self.__dict__.setdefault("_stacked", {})
        if scenario not in cache:
            frames = [
                r.timeseries.assign(replicate=_replicate_number(r.path))
                for r in self.runs(scenario)
            ]
            cache[scenario] = pd.concat(frames, ignore_index=True)
        return cache[scenario]

    def representative(self) -> Run:
        """First baseline replicate with a village panel (else the first baseline replicate)."""
        runs = self.runs(self.baseline)
        return next((r for r in runs if r.villages is not None), runs[0])

    @cached_property
    def summary(self) -> pd.DataFrame | None:
        """One row per (scenario, replicate) with every summary key."""
        return _parquet(self.path / "summary.parquet")

    @cached_property
    def comparison(self) -> pd.DataFrame | None:
        """One row per (scenario, outcome): quantiles and the difference from baseline."""
        return _parquet(self.path / "comparison.parquet")

    @cached_property
    def fund_curve(self) -> pd.DataFrame | None:
        """One row per candidate fund size."""
        return _parquet(self.path / "fund_sizing" / "curve.parquet")

    @cached_property
    def fund_answer(self) -> dict[str, Any] | None:
        """The smallest fund meeting the target, or None when fund sizing was not run."""
        path = self.path / "fund_sizing" / "answer.json"
        return _json(path) if path.is_file() else None

    @cached_property
    def discovery(self) -> dict[str, Any] | None:
        """PRIM results (``trajectory``, ``boxes``, ``result``), or None when not run."""
        folder = self.path / "discovery"
        if not (folder / "discovery.json").is_file():
            return None
        return {
            "trajectory": _parquet(folder / "trajectory.parquet"),
            "boxes": _parquet(folder / "boxes.parquet"),
            "result": _json(folder / "discovery.json"),
        }

    @cached_property
    def frontier(self) -> dict[str, Any] | None:
        """Frontier results (``candidates``, ``result``), or None when not run."""
        folder = self.path / "frontier"
        if not (folder / "frontier.json").is_file():
            return None
        return {
            "candidates": _parquet(folder / "candidates.parquet"),
            "result": _json(folder / "frontier.json"),
        }

    def cliff_tables(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """Stacked ``poverty`` and ``cliff`` tables, or None when no replicate has them.

        Only the withdrawal-rule scenarios (``cliff_*``) when the experiment has them, else
        every scenario with the files.
        """
        rules = [s for s in self.scenarios if s in CLIFF_RULES]
        poverty, cliff = [], []
        for scenario in rules or self.scenarios:
            for d in self.replicate_dirs(scenario):
                if all((d / f).is_file() for f in CLIFF_FILES):
                    keys = {"scenario": scenario, "replicate": _replicate_number(d)}
                    poverty.append(_parquet(d / CLIFF_FILES[0]).assign(**keys))
                    cliff.append(_parquet(d / CLIFF_FILES[1]).assign(**keys))
        if not poverty:
            return None
        return _stack(poverty), _stack(cliff)


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Tables stacked; tables without rows (horizons too short for them) add nothing.

    When every table is empty, the first is returned: no rows, its columns kept.
    """
    rows = [f for f in frames if not f.empty]
    return pd.concat(rows, ignore_index=True) if rows else frames[0]


def _has_replicates(path: Path) -> bool:
    return path.is_dir() and any(REPLICATE.match(p.name) for p in path.iterdir() if p.is_dir())


def _replicate_number(path: Path) -> int:
    m = REPLICATE.match(path.name)
    return int(m.group(1)) if m else 0


def read_experiment(path: str | Path) -> Experiment:
    """Read an experiment folder (``experiment.json`` and ``replicates/``)."""
    path = Path(path)
    exp = Experiment(path=path, meta=_json(path / "experiment.json"))
    if not exp.scenarios or not any(exp.replicate_dirs(s) for s in exp.scenarios):
        raise SourceError(f"{path}: experiment folder without replicates (no replicates/*/rep_*)")
    return exp


def check_folder(path: str | Path) -> str:
    """``"experiment"`` or ``"run"``, by the files in ``path``; SourceError for anything else."""
    path = Path(path)
    if not path.is_dir():
        raise SourceError(f"{path}: no such folder")
    if (path / "experiment.json").is_file():
        return "experiment"
    if (path / "summary.json").is_file():
        return "run"
    raise SourceError(
        f"{path}: not a run folder (no summary.json) nor an experiment folder (no experiment.json)"
    )


def open_source(path: str | Path) -> Run | Experiment:
    """A run or an experiment, whichever the folder holds."""
    if check_folder(path) == "experiment":
        return read_experiment(path)
    return read_run(path)
