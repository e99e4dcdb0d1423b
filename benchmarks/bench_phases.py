"""Where a replicate's time goes: construction, each phase of ``step()``, collection.

Runs one warm-up replicate, then ``--reps`` replicates, timing construction, the month's
opening (``begin_month``), each of the phases in ``MicrocreditModel.PHASES`` and the
collection of the result tables, and prints the mean seconds per replicate and the share of
each. Usage::

    python benchmarks/bench_phases.py [--reps 5] [KEY=VALUE ...]

For the Henan-scale county, pass the sizes of ``bench_scale.py``, e.g.
``--reps 1 county.n_households=2500000 county.n_villages=20000 county.n_townships=1000``.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_config  # noqa: E402
from sim.model import MicrocreditModel  # noqa: E402
from sim.runner import collect  # noqa: E402


def one(cfg, seed: int, acc: collections.Counter) -> None:
    """One replicate, adding each part's seconds to ``acc``."""
    clock = time.perf_counter
    start = clock()
    model = MicrocreditModel(cfg, seed)
    acc["construction"] += clock() - start
    for _ in range(model.calendar.months):
        start = clock()
        model.begin_month()
        acc["begin_month"] += clock() - start
        for phase in model.PHASES:
            start = clock()
            getattr(model, phase)()
            acc[phase] += clock() - start
        model.t += 1
    start = clock()
    collect(model, seed)
    acc["collect"] += clock() - start
    model.release()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    cfg = load_config("baseline", args.overrides)
    if not args.no_warmup:
        one(cfg, 0, collections.Counter())
    acc: collections.Counter = collections.Counter()
    for rep in range(args.reps):
        one(cfg, rep + 1, acc)
    total = sum(acc.values())
    print(f"households {cfg.county.n_households}, months {cfg.horizon.months}, reps {args.reps}")
    print("| part | s per replicate | share |\n|---|---:|---:|")
    for part in ["construction", "begin_month", *MicrocreditModel.PHASES, "collect"]:
        print(f"| {part} | {acc[part] / args.reps:.4f} | {100 * acc[part] / total:.1f} % |")
    print(f"| total | {total / args.reps:.4f} | 100 % |")


if __name__ == "__main__":
    main(sys.argv[1:])
