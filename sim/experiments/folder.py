"""The experiment folder: paths, atomic writes, and finished replicates on disk.

Layout (read by the briefing code; keep it)::

    <exp>/experiment.json                      what was run: scenarios, seeds, version
    <exp>/replicates/<scenario>/rep_<i:04d>/   a run folder written by RunResult.save
    <exp>/summary.parquet                      one row per (scenario, replicate)
    <exp>/failures.json                        replicates that raised, with seed and error

A replicate is finished when its folder holds ``summary.json``: ``RunResult.save`` writes a
temporary folder and renames it, so a folder is either complete or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim.config import ROOT
from sim.experiments.spec import ExperimentError, Scenario
from sim.results import (
    OutputError,
    check_writable,
    git_revision,
    package_version,
    prepare_folder,
    write_parquet,
)


def default_out(kind: str, payload: Any) -> Path:
    """Default experiment folder ``experiments/<kind>-<hash>``.

    The same command (up to ``--n``) gets the same folder, so re-running it resumes.
    """
    return ROOT / "experiments" / f"{kind}-{digest(payload)[:10]}"


def digest(payload: Any) -> str:
    """Hash of a JSON-like value, such as a resolved configuration (equal values, equal hashes)."""
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def replicate_dir(out: Path, label: str, i: int) -> Path:
    """Folder of replicate ``i`` of scenario ``label``."""
    return Path(out) / "replicates" / label / f"rep_{i:04d}"


def version() -> str:
    """Installed package version, or the source tree's ``sim.__version__``."""
    v = package_version()
    return sim.__version__ if v == "unknown" else v


def experiment_record(
    out: Path,
    root_seed: int,
    scenarios: list[Scenario],
    seeds: list,
    command: str = "replicates",
    tables: list[str] | None = None,
    design: dict[str, Any] | None = None,
) -> dict:
    """Content of ``experiment.json``.

    ``tables`` (kept per replicate) and ``design`` (the command's settings that define its
    runs, e.g. the sensitivity methods) are compared with a re-run's (``check_resume``).
    """
    return {
        "name": Path(out).name,
        "root_seed": int(root_seed),
        "n_replicates": len(seeds),
        "scenarios": {s.label: s.record() for s in scenarios},
        "replicate_seeds": [[int(s.entropy), *map(int, s.spawn_key)] for s in seeds],
        "version": version(),
        "git_revision": git_revision(),
        "command": command,  # a folder of another command is refused (``claim``)
        "tables": list(tables or []),
        "design": dict(design or {}),
    }


#: How ``check_resume`` names what differs (the command-line option to change).
OPTION = {
    "root_seed": "--seed",
    "ensemble": "--ensemble",
    "tables": "--tables",
    "parameters": "--params/--kind/--levers",
    "ranges": "--range",
    "methods": "--method",
    "trajectories": "--trajectories",
    "levels": "--levels",
    "sobol_n": "--sobol-n",
    "points": "--points",
    "population": "--population",
    "generations": "--generations",
    "scenarios": "set of scenarios",
}


def stored_record(out: Path) -> dict[str, Any] | None:
    """``experiment.json`` of ``out`` as saved, or None (absent or unreadable: ``claim`` judges)."""
    try:
        record = json.loads((Path(out) / "experiment.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


def check_resume(
    out: Path, stored: dict[str, Any], asked: dict[str, Any], growing: bool = False
) -> None:
    """Refuse to resume the experiment ``stored`` (its ``experiment.json``) with another one.

    ``asked`` holds what the new command defines: ``command``, ``root_seed``, ``ensemble``
    (digest or None), ``tables``, ``design`` and ``scenarios`` (``{label: config}`` in order).
    Everything must be equal except what may change between runs (the number of replicates,
    workers, backend, progress); a mismatch raises one line naming the folder and the option.
    Scenarios must be the same labels in the same order (the first is the baseline), each
    with the same configuration; an experiment that adds scenarios as it goes (``growing``:
    fund-sizing candidates, frontier settings) only needs each label's configuration to match.
    Keys missing from an older ``experiment.json`` are not compared.
    """
    if stored.get("command", asked["command"]) != asked["command"]:
        return  # another command: ``claim`` refuses it, naming both
    old: dict[str, Any] = {
        "root_seed": stored.get("root_seed"),
        "ensemble": (stored.get("ensemble") or {}).get("digest"),
    }
    new: dict[str, Any] = {"root_seed": asked["root_seed"], "ensemble": asked["ensemble"]}
    if "tables" in stored:
        old["tables"], new["tables"] = stored["tables"], list(asked["tables"])
    if isinstance(stored.get("design"), dict):
        for key in [*stored["design"], *(k for k in asked["design"] if k not in stored["design"])]:
            old[key], new[key] = stored["design"].get(key), asked["design"].get(key)
    saved = stored.get("scenarios") if isinstance(stored.get("scenarios"), dict) else {}
    if not growing:
        old["scenarios"], new["scenarios"] = list(saved), list(asked["scenarios"])
    for key in old:
        if _canonical(old[key]) != _canonical(new[key]):
            raise ExperimentError(
                f"experiment folder {out}: was run with a different {OPTION.get(key, key)} "
                f"({_change(old[key], new[key])}); only --n, --jobs and the backend may change "
                "when resuming: use another --out (results are never overwritten)"
            )
    for label, config in asked["scenarios"].items():
        if label in saved and _canonical(saved[label].get("config")) != _canonical(config):
            key = _first_difference(config, saved[label].get("config"))
            raise ExperimentError(
                f"experiment folder {out}: scenario {label!r} was run with a different "
                f"configuration ({key}); use another --out (results are never overwritten)"
            )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=_plain)


def _change(old: Any, new: Any) -> str:
    """What changed, short: added and dropped names for lists of names, else both values."""
    names = lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)  # noqa: E731
    if names(old) and names(new):
        added = [x for x in new if x not in old]
        dropped = [x for x in old if x not in new]
        if not added and not dropped:
            return f"in another order: was {','.join(old)}, now {','.join(new)}"
        parts = [f"adds {','.join(added)}"] if added else []
        parts += [f"drops {','.join(dropped)}"] if dropped else []
        return "this command " + " and ".join(parts)

    def show(v: Any) -> str:
        text = "none" if v is None else _canonical(v)
        return text if len(text) <= 80 else text[:77] + "..."

    return f"was {show(old)}, now {show(new)}"


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_plain)
    _atomic(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_table(df: pd.DataFrame, path: Path, csv: bool = False) -> None:
    """Write ``df`` as Parquet (and CSV beside it) atomically."""
    path = Path(path)
    _atomic(path, lambda tmp: write_parquet(df, tmp))
    if csv:
        _atomic(path.with_suffix(".csv"), lambda tmp: df.to_csv(tmp, index=False))


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # a plain name rather than mkstemp, so the file gets the usual (umask) permissions
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def claim(out: Path, command: str) -> bool:
    """Check that ``out`` can hold an experiment of ``command``, creating it; else raise.

    Returns whether the folder was created here (so that a failure before anything is
    written can remove it again).

    A new or empty folder is taken; a folder that holds an experiment of the same command
    is resumed. Anything else is refused before any replicate runs, and nothing in it is
    touched: a file, a folder without ``experiment.json`` (not an experiment), an
    experiment of another command (``compare`` at a ``replicates`` folder), or a location
    that cannot be written.
    """
    out = Path(out)
    where = f"experiment folder {out}"
    created = not out.exists()
    try:
        if out.exists() and any(out.iterdir()):
            record = _experiment_json(out)
            found = record.get("command", command)
            if found != command:
                raise ExperimentError(
                    f"{where}: holds a {found!r} experiment, not {command!r}; "
                    "choose another --out (results are never overwritten)"
                )
        else:
            prepare_folder(out, where)
        check_writable(out, where)
    except OutputError as exc:
        raise ExperimentError(str(exc)) from None
    except NotADirectoryError:
        raise ExperimentError(f"{where}: is a file, not a folder; choose another --out") from None
    return created


def _experiment_json(out: Path) -> dict[str, Any]:
    path = out / "experiment.json"
    if not path.is_file():
        raise ExperimentError(
            f"experiment folder {out}: holds files but no experiment.json, so it is not an "
            "experiment folder; choose another --out (nothing there is overwritten)"
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ExperimentError(f"{path}: unreadable ({exc}); choose another --out") from None
    if not isinstance(record, dict):
        raise ExperimentError(f"{path}: not an experiment record; choose another --out")
    return record


def read_summary(folder: Path) -> dict[str, Any]:
    """The summary of a finished replicate, exactly as saved."""
    return json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))["summary"]


def finished(folder: Path, scenario: Scenario, record: list[int]) -> bool:
    """Whether replicate ``folder`` is finished; raise if it was run with another seed or config.

    Mixing replicates of different configurations would silently corrupt the comparison, so
    a mismatch is an error that names the fix. A replicate whose files cannot be read
    (a truncated ``summary.json`` or Parquet table) counts as not finished: it is run again
    and its folder replaced (``RunResult.save`` replaces only folders of run files).
    """
    folder = Path(folder)
    if not (folder / "summary.json").exists():
        return False
    try:
        saved = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        saved["summary"]  # noqa: B018 - the key must be there
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))["config"]
        for table in folder.glob("*.parquet"):
            pq.read_metadata(table)  # the footer: a truncated file fails here
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError, pa.ArrowException):
        return False  # unreadable (truncated, corrupted): treated as missing and run again
    if saved.get("seed") != record:
        raise ExperimentError(
            f"{folder}: run with seed {saved.get('seed')}, expected {record}; "
            "use another --out or the same --seed as before"
        )
    if config != scenario.config:
        key = _first_difference(scenario.config, config)
        raise ExperimentError(
            f"{folder}: run with a different configuration ({key}); "
            "use another --out, or delete that folder to rerun it"
        )
    return True


def _first_difference(a: Any, b: Any, prefix: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{prefix}{key}.")
    return prefix.rstrip(".") or "config"


def clean_temporaries(out: Path, label: str) -> None:
    """Remove half-written replicate folders left by a killed run (``.rep_*`` temporaries)."""
    parent = Path(out) / "replicates" / label
    if parent.is_dir():
        for tmp in parent.glob(".rep_*"):
            shutil.rmtree(tmp, ignore_errors=True)
