"""Throughput of one replicate of the default county (53,746 households, 84 months).

Prints household-months per second, wall time per replicate (construction included) and
the peak resident memory of this process. Usage::

    python benchmarks/bench_replicate.py [--reps 5] [KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

from sim import load_config, run


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    cfg = load_config("baseline", args.overrides)
    run(cfg, seed=0)  # warm-up: imports, caches
    times = []
    for rep in range(args.reps):
        start = time.perf_counter()
        run(cfg, seed=rep + 1)
        times.append(time.perf_counter() - start)
    hh_months = cfg.county.n_households * cfg.horizon.months
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = statistics.median(times)
    print(
        f"households {cfg.county.n_households}, months {cfg.horizon.months}, replicates {args.reps}"
    )
    print(
        f"wall time per replicate: median {med:.3f} s (min {min(times):.3f}, max {max(times):.3f})"
    )
    print(f"household-months per second: {hh_months / med:,.0f}")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
