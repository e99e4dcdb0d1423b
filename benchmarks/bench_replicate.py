"""One replicate of the default county against a trivial Mesa loop on the same household-months.

Prints, measured in the same process:

* the wall time of one replicate of the default county (construction and the result tables
  included), household-months per second and the peak resident memory;
* the wall time of Mesa stepping a trivial one-line agent rule (``self.wealth += 1``) over the
  same number of agents and months, agents created included, activated in random order each
  month (``AgentSet.shuffle_do``, Mesa's replacement for ``RandomActivation``) and in fixed
  order (``AgentSet.do``);
* the ratio of the two (the target is a replicate at no more than a tenth of the shuffled loop).

Then, unless ``--default-only``, the replicate again with every ``Household`` agent built at
construction (``run.household_agents=true``). Usage::

    python benchmarks/bench_replicate.py [--reps 10] [--default-only] [KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import mesa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_config, run  # noqa: E402


class Trivial(mesa.Agent):
    """An agent whose rule is one line."""

    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.wealth = 0

    def step(self) -> None:
        self.wealth += 1


class TrivialModel(mesa.Model):
    """``n`` trivial agents, all stepped each month."""

    def __init__(self, n: int, shuffle: bool, seed: int = 0):
        super().__init__(seed=seed)
        self.shuffle = shuffle
        for _ in range(n):
            Trivial(self)

    def step(self) -> None:
        if self.shuffle:
            self.agents.shuffle_do("step")
        else:
            self.agents.do("step")


def trivial_loop(n: int, months: int, shuffle: bool) -> float:
    """Seconds to create ``n`` trivial agents and step them ``months`` times."""
    start = time.perf_counter()
    model = TrivialModel(n, shuffle)
    for _ in range(months):
        model.step()
    elapsed = time.perf_counter() - start
    return elapsed


def replicate_times(overrides: list[str], reps: int) -> tuple[object, list[float]]:
    """Wall time of ``reps`` replicates (after one warm-up)."""
    cfg = load_config("baseline", overrides)
    run(cfg, seed=0)  # warm-up: imports, caches
    times = []
    for rep in range(reps):
        start = time.perf_counter()
        run(cfg, seed=rep + 1)
        times.append(time.perf_counter() - start)
    return cfg, times


def report(label: str, cfg, times: list[float]) -> float:
    """Print the figures of one configuration; return the median seconds."""
    hh_months = cfg.county.n_households * cfg.horizon.months
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = statistics.median(times)
    print(label)
    print(
        f"  households {cfg.county.n_households}, months {cfg.horizon.months}, "
        f"replicates {len(times)}"
    )
    print(
        f"  wall time per replicate: median {med:.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f})"
    )
    print(f"  household-months per second: {hh_months / med:,.0f}")
    print(f"  peak memory of the process so far (max RSS): {peak_mb:.0f} MB")
    return med


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--loop-reps", type=int, default=3, help="trivial-loop repetitions")
    parser.add_argument(
        "--default-only", action="store_true", help="skip the run with every agent built"
    )
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    cfg, times = replicate_times(args.overrides, args.reps)
    med = report(f"replicate, overrides: {' '.join(args.overrides) or '(none)'}", cfg, times)
    n, months = int(cfg.county.n_households), int(cfg.horizon.months)
    loops = {}
    for shuffle in (True, False):
        loops[shuffle] = statistics.median(
            trivial_loop(n, months, shuffle) for _ in range(args.loop_reps)
        )
    print(f"trivial Mesa loop, {n} agents x {months} months (mesa {mesa.__version__}):")
    print(f"  shuffle_do: {loops[True]:.3f} s   do: {loops[False]:.3f} s")
    print(
        f"ratio replicate / trivial loop: {med / loops[True]:.3f} (shuffle_do), "
        f"{med / loops[False]:.3f} (do); target <= 0.100 against shuffle_do"
    )
    if not args.default_only:
        cfg, times = replicate_times([*args.overrides, "run.household_agents=true"], args.reps)
        report("replicate with every Household agent built", cfg, times)


if __name__ == "__main__":
    main(sys.argv[1:])
