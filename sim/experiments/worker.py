"""The unit of work: (resolved config dict, seed record) -> one replicate's tables.

Pure: it reads no file and depends on nothing but its arguments, so a replicate gives the
same tables in any process, on any machine, under any backend. It runs where the backend
puts it (a loky process or a Dask worker) and returns only the small summary dict; the
tables go straight to disk.
"""

from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing
import os
import platform
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


#: glibc ``mallopt`` parameters (malloc.h) and the values a worker sets: serve arrays up to
#: 32 MiB from the heap instead of fresh mappings, keep up to 128 MiB of freed memory, and grow
#: the heap 16 MiB at a time.
_MALLOPT = ((-3, 32 * 2**20), (-1, 128 * 2**20), (-2, 16 * 2**20))
_SETTLED = False  # this process has been settled (see settle_worker)


def settle_worker() -> bool:
    """Prepare a worker process for a long run of replicates (once per process).

    * ``gc.freeze``: a worker holds about 150,000 objects from its imports (pandas, Hydra,
      Mesa, SciPy), none of them garbage. A full collection walks them all, about 75 ms, and
      loky's workers run one every second when ``psutil`` is not installed (their memory-leak
      guard), about 7 % of an experiment's time. Frozen, they are out of the collector's reach.
    * glibc's allocator returns a replicate's monthly temporary arrays (430 KB each on the
      default county) to the system and faults them back in, about 1,100 page faults a
      replicate; the ``_MALLOPT`` settings keep them (about 3 % of an experiment's time, at
      the cost of up to 128 MiB kept per worker). Skipped where the C library is not glibc,
      and where the environment already sets the allocator (a ``MALLOC_*`` variable: Dask's
      nanny, for one, starts its workers with ``MALLOC_TRIM_THRESHOLD_`` to return memory
      early, and that choice is kept).

    Neither changes a result. The user's own process (``jobs=1``, a notebook) is left alone:
    only a child process of multiprocessing, loky or Dask is settled.

    Returns:
        Whether this call settled the process.
    """
    global _SETTLED
    if _SETTLED or multiprocessing.parent_process() is None:
        return False
    _SETTLED = True
    gc.freeze()
    if platform.libc_ver()[0] == "glibc" and not any(k.startswith("MALLOC_") for k in os.environ):
        mallopt = ctypes.CDLL(None).mallopt
        for param, value in _MALLOPT:
            mallopt(param, value)
    return True


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
    settle_worker()
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
