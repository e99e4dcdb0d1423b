"""The unit of work: (resolved config dict, seed record) -> one replicate's tables.

Pure: it reads no file and depends on nothing but its arguments, so a replicate gives the
same tables in any process, on any machine, under any backend. It runs where the backend
puts it (a loky process or a Dask worker) and returns only the small summary dict; the
tables go straight to disk.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

from omegaconf import DictConfig

from sim import results
from sim.config import from_container
from sim.experiments.folder import read_summary
from sim.experiments.seeds import seed_from_record
from sim.results import RunResult
from sim.runner import run

#: Tables not kept for each replicate unless asked for. The village panel (months x villages
#: rows, about 1 MB a replicate on the full county) is dropped: experiments compare county
#: outcomes, and 1,000 panels would fill a gigabyte. Every other table (timeseries, events,
#: and whatever the model adds) is kept; ``summary.json`` and ``config.json`` always are.
DEFAULT_DROP = ("villages",)


def default_tables() -> tuple[str, ...]:
    """Tables kept by default: all of ``sim.results.TABLES`` except ``DEFAULT_DROP``."""
    return tuple(t for t in results.TABLES if t not in DEFAULT_DROP)


_CONFIGS: dict[str, DictConfig] = {}


def config_of(config: dict[str, Any]) -> DictConfig:
    """The validated config of a dict, rebuilt once per worker process and scenario.

    ``from_container`` (OmegaConf merge + validation) costs more than a short replicate, and a
    worker runs many replicates of the same scenario; the result is read-only, so reusing it
    cannot change a replicate.
    """
    key = json.dumps(config)
    cfg = _CONFIGS.get(key)
    if cfg is None:
        if len(_CONFIGS) >= 16:
            _CONFIGS.pop(next(iter(_CONFIGS)))
        cfg = _CONFIGS[key] = from_container(config)
    return cfg


def trim(res: RunResult, keep: tuple[str, ...]) -> RunResult:
    """Drop the tables not in ``keep``.

    Optional tables become None and are not written; a required one keeps its columns with
    zero rows, so ``load_run`` still works.
    """
    optional = getattr(results, "OPTIONAL_TABLES", ())
    for name in results.TABLES:
        if name not in keep and getattr(res, name, None) is not None:
            setattr(res, name, None if name in optional else getattr(res, name).iloc[:0])
    return res


def run_replicate(
    config: dict[str, Any], record: list[int], folder: str | None, keep: tuple[str, ...]
) -> dict:
    """Run one replicate and save it into ``folder`` (or return it when ``folder`` is None).

    Args:
        config: a resolved configuration dict (``sim.config.to_container``).
        record: the replicate seed as ``[entropy, *spawn_key]``.
        folder: absolute path of the replicate's run folder, or None to return the result
            (for clusters whose workers cannot write to the experiment folder).
        keep: names of the tables to keep (see ``sim.results.TABLES``).

    Returns:
        ``{"ok": True, "summary": {...}}`` as read back from ``summary.json`` (so a fresh
        and a resumed replicate give identical rows), ``{"ok": True, "result": RunResult}``
        without a folder, or ``{"ok": False, "error": "...", "traceback": "..."}``.
    """
    try:
        res = trim(run(config_of(config), seed_from_record(record), tables=keep), keep)
        if folder is None:
            return {"ok": True, "result": res}
        res.save(folder)
        del res
        return {"ok": True, "summary": read_summary(folder)}
    except Exception as exc:  # one failed replicate must not stop the experiment
        return {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
