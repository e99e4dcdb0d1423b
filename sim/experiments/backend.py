"""Fan-out of replicates with joblib: loky processes locally, or a Dask cluster.

Either way the parent sees an iterator of ``(key, result)`` pairs in completion order; it
never holds more than the pending results of the tasks in flight. Results do not depend on
the backend or the number of workers because each task is pure (see ``worker.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from joblib import Parallel, delayed, parallel_config

from sim.experiments.spec import ExperimentError

BACKENDS = ("loky", "dask")
Task = tuple[Any, Callable, tuple]


def _keyed(key: Any, func: Callable, args: tuple) -> tuple[Any, Any]:
    """Run ``func(*args)`` and tag the result with its task key (results arrive unordered)."""
    return key, func(*args)


def check_backend(backend: str, jobs: int | None, scheduler: str | None) -> None:
    """Refuse combinations that cannot run, with a message that names the fix."""
    if backend not in BACKENDS:
        raise ExperimentError(f"backend={backend!r}: choose one of {', '.join(BACKENDS)}")
    if scheduler and backend != "dask":
        raise ExperimentError(f"scheduler={scheduler!r} needs backend='dask' (--backend dask)")
    if jobs is not None and (
        isinstance(jobs, bool) or not isinstance(jobs, int) or jobs == 0 or jobs < -1
    ):
        raise ExperimentError(f"jobs={jobs!r}: give a positive number of workers, or -1 for all")


@contextmanager
def worker_pool(backend: str = "loky", jobs: int | None = None, scheduler: str | None = None):
    """Yield ``map_unordered(tasks)`` running ``(key, func, args)`` tasks on the backend.

    Args:
        backend: ``"loky"`` (local processes) or ``"dask"``.
        jobs: workers; loky default 1 (run in this process), dask default all workers.
        scheduler: Dask scheduler address (``tcp://host:8786``); None starts a
            ``LocalCluster`` with ``jobs`` single-threaded worker processes.
    """
    check_backend(backend, jobs, scheduler)
    if backend == "loky":
        yield _mapper(jobs or 1, "loky")
        return
    with _dask_client(jobs, scheduler), parallel_config(backend="dask"):
        yield _mapper(jobs or -1, None)


def _mapper(n_jobs: int, backend: str | None) -> Callable[[Iterable[Task]], Iterator]:
    def map_unordered(tasks: Iterable[Task]) -> Iterator[tuple[Any, Any]]:
        parallel = Parallel(n_jobs=n_jobs, backend=backend, return_as="generator_unordered")
        yield from parallel(delayed(_keyed)(key, func, args) for key, func, args in tasks)

    return map_unordered


@contextmanager
def _dask_client(jobs: int | None, scheduler: str | None):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExperimentError(
            "backend='dask' needs dask.distributed: pip install 'shangcai-microcredit[dask]'"
        ) from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ExperimentError(
                f"--scheduler {scheduler!r}: cannot connect ({reason}); "
                "give the address a running Dask scheduler prints, e.g. tcp://10.0.0.5:8786"
            ) from None
        with client:
            yield client
        return
    workers = jobs if jobs and jobs > 0 else os.cpu_count() or 1
    # one thread per worker: the model is pure Python/NumPy and holds the GIL
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
