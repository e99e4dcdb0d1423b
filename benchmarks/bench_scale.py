"""A Henan-scale county in one replicate: wall time and peak memory.

2.5 million registered poor households in 20,000 villages and 1,000 townships (about Henan's
size; the other sizes, such as the fund and the number of enterprises, scale with the
households as ``sim/derive.py`` says), stepped over the default horizon with the default
mechanisms. Prints construction, stepping and result-table seconds, the total, and the peak
resident memory of the process; the targets are 20 s and 2 GB. Usage::

    python benchmarks/bench_scale.py [--households 2500000] [--villages 20000]
                                     [--townships 1000] [KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_config  # noqa: E402
from sim.runner import build_model, collect  # noqa: E402


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2_500_000)
    parser.add_argument("--villages", type=int, default=20_000)
    parser.add_argument("--townships", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    sizes = [
        f"county.n_households={args.households}",
        f"county.n_villages={args.villages}",
        f"county.n_townships={args.townships}",
    ]
    cfg = load_config("baseline", [*sizes, *args.overrides])
    clock = time.perf_counter
    start = clock()
    model = build_model(cfg, args.seed)
    built = clock()
    for _ in range(model.calendar.months):
        model.step()
    stepped = clock()
    result = collect(model, args.seed)
    done = clock()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"households {args.households:,}, villages {args.villages:,}, townships "
        f"{args.townships:,}, months {cfg.horizon.months}"
    )
    print(
        f"  construction {built - start:.1f} s, months {stepped - built:.1f} s, "
        f"result tables {done - stepped:.1f} s"
    )
    print(
        f"  total {done - start:.1f} s (target 20 s); peak memory {peak_mb:,.0f} MB "
        f"(target 2,048 MB)"
    )
    print(
        f"  households with a loan at the end: {result.timeseries['n_households_with_loan'].iat[-1]:,}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
