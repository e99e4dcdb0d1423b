"""Throughput of one replicate of the default county (53,746 households, 84 months).

Prints household-months per second, wall time per replicate (construction included) and
the peak resident memory of this process, first with the default run settings (a
``Household`` agent is created only when a household is inspected), then with every
``Household`` agent built at construction (``run.household_agents=true``). Usage::

    python benchmarks/bench_replicate.py [--reps 10] [--default-only] [KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_config, run  # noqa: E402


def measure(overrides: list[str], reps: int) -> None:
    """Time ``reps`` replicates (after one warm-up) and print the figures."""
    cfg = load_config("baseline", overrides)
    run(cfg, seed=0)  # warm-up: imports, caches
    times = []
    for rep in range(reps):
        start = time.perf_counter()
        run(cfg, seed=rep + 1)
        times.append(time.perf_counter() - start)
    hh_months = cfg.county.n_households * cfg.horizon.months
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = statistics.median(times)
    print(f"overrides: {' '.join(overrides) or '(none)'}")
    print(f"  households {cfg.county.n_households}, months {cfg.horizon.months}, replicates {reps}")
    print(
        f"  wall time per replicate: median {med:.3f} s (min {min(times):.3f}, max {max(times):.3f})"
    )
    print(f"  household-months per second: {hh_months / med:,.0f}")
    print(f"  peak memory of the process so far (max RSS): {peak_mb:.0f} MB")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument(
        "--default-only", action="store_true", help="skip the run with every agent built"
    )
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    measure(args.overrides, args.reps)
    if not args.default_only:
        measure([*args.overrides, "run.household_agents=true"], args.reps)


if __name__ == "__main__":
    main(sys.argv[1:])
