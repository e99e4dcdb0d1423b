"""Experiment throughput and parent memory: replicates of the default county, saved to disk.

    python benchmarks/bench_experiment.py                 # 1,000 replicates, jobs=2 (~3 min)
    python benchmarks/bench_experiment.py --n 50          # a quick look
    python benchmarks/bench_experiment.py --scaling 20,200   # parent peak RSS at two n

Prints wall time, replicates per second and the parent's peak resident memory
(``resource.getrusage``), then one JSON line. ``--scaling`` runs each n in a fresh process,
so each peak is that run's own: equal peaks show the parent's memory does not grow with n
(workers save each replicate and return only its summary row). The JSON line also says whether
``psutil`` is installed: without it, loky's workers run a full garbage collection every second
(``sim.experiments.worker.settle_worker`` makes that cheap).

Unless ``--no-probe``, ``jobs`` fresh processes time replicates at the same time, run and
saved as a worker runs them, just before and just after the experiment
(``replicate_s_before`` and ``replicate_s_after``, the median of five each). This machine's
speed drifts by 5-15 % from one minute to the next; ``n / jobs`` times the probe is what the
experiment would take on the machine as it was (``machine_wall_s``, at the faster of the
two), so a slow run can be told from a slow machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def bench(n: int, jobs: int, seed: int, out: Path | None, overrides: list[str]) -> dict:
    """Run ``n`` replicates into ``out`` (a temporary folder if None) and measure."""
    from sim import load_config
    from sim.experiments import run_replicates

    cfg = load_config("baseline", overrides)
    baseline_mb = peak_rss_mb()
    folder = out or Path(tempfile.mkdtemp(prefix="bench_experiment_"))
    start = time.perf_counter()
    table = run_replicates(cfg, n, seed, jobs=jobs, out=folder, progress=sys.stderr.isatty())
    wall = time.perf_counter() - start
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    if out is None:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "n": n,
        "jobs": jobs,
        "overrides": overrides,
        "done": len(table),
        "wall_s": round(wall, 1),
        "replicates_per_s": round(len(table) / wall, 3),
        "parent_peak_rss_mb": round(peak_rss_mb(), 1),
        "parent_rss_before_run_mb": round(baseline_mb, 1),
        "disk_mb": round(size / 2**20, 1),
        "psutil": importlib.util.find_spec("psutil") is not None,
    }


PROBE = """
import multiprocessing, statistics, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from sim import load_config
from sim.config import to_container
from sim.experiments.worker import default_tables, run_replicate


def replicates(out):  # in a child process, which run_replicate settles as it settles a worker
    config, keep = to_container(load_config("baseline", sys.argv[3:])), default_tables()
    times = []
    with tempfile.TemporaryDirectory(prefix="bench_probe_") as folder:
        for seed in range(6):  # the first warms up
            start = time.perf_counter()
            run_replicate(config, [seed], str(Path(folder) / str(seed)), keep)
            times.append(time.perf_counter() - start)
    out.put(times[1:])


ctx = multiprocessing.get_context("fork")
out = ctx.Queue()
children = [ctx.Process(target=replicates, args=(out,)) for _ in range(int(sys.argv[2]))]
for child in children:
    child.start()
times = [t for _ in children for t in out.get()]
for child in children:
    child.join()
print(statistics.median(times))
"""


def probe(jobs: int, overrides: list[str]) -> float:
    """Seconds a replicate takes now, run and saved as a worker runs it, ``jobs`` at a time.

    ``jobs`` child processes each run a warm-up and five replicates at the same time, as the
    experiment's workers do (they share the machine's memory bandwidth and last-level
    cache); the median of their replicates is returned.
    """
    argv = [sys.executable, "-c", PROBE, str(ROOT), str(jobs), *overrides]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def scaling(ns: list[int], jobs: int, overrides: list[str]) -> None:
    """Each n in a fresh process; report the parent's peak for each."""
    for n in ns:
        argv = [sys.executable, __file__, "--n", str(n), "--jobs", str(jobs), *overrides]
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        print(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=20190218)
    p.add_argument("--out", type=Path, default=None, help="keep the experiment here")
    p.add_argument("--scaling", default=None, help="comma-separated n, each in a fresh process")
    p.add_argument("--no-probe", action="store_true", help="skip timing single replicates")
    p.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. horizon.months=24")
    args = p.parse_args()
    if args.scaling:
        scaling([int(v) for v in args.scaling.split(",")], args.jobs, args.overrides)
        return
    before = None if args.no_probe else probe(args.jobs, args.overrides)
    r = bench(args.n, args.jobs, args.seed, args.out, args.overrides)
    if before is not None:
        after = probe(args.jobs, args.overrides)
        r["replicate_s_before"], r["replicate_s_after"] = round(before, 3), round(after, 3)
        r["machine_wall_s"] = round(args.n / args.jobs * min(before, after), 1)
    print(f"{r['done']} replicates in {r['wall_s']:.0f} s with jobs={r['jobs']}: "
          f"{r['replicates_per_s']:.2f} replicates/s; parent peak RSS {r['parent_peak_rss_mb']:.0f} MB "
          f"({r['parent_rss_before_run_mb']:.0f} MB before the run); {r['disk_mb']:.0f} MB on disk")  # fmt: skip
    if "machine_wall_s" in r:
        print(f"a replicate took {r['replicate_s_before']:.3f} s just before and "
              f"{r['replicate_s_after']:.3f} s just after: {r['machine_wall_s']:.0f} s for "
              f"{args.n} on {args.jobs} workers at the faster of the two")  # fmt: skip
    print(json.dumps(r))


if __name__ == "__main__":
    main()
