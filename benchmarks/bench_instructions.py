"""Machine instructions one replicate executes, counted by Valgrind's callgrind tool.

Wall time on a shared virtual machine drifts by 5-20 % from one run to the next, more than
most single changes to the model save. An instruction count does not drift: the same code,
inputs and libraries give the same count whatever else the machine is doing, so two versions
of the code can be compared by one run each. It is a proxy, not a time: it does not see memory
stalls or page faults, and it weighs instructions alike (a 128-bit multiply in the random
number generator counts as much as an add), so it decides between versions of the same code,
and the wall-time benchmarks report what users wait for.

The script runs itself under ``valgrind --tool=callgrind`` with counting off, runs one
warm-up replicate (imports, caches), then switches counting on for ``--reps`` replicates
(``callgrind_control``), exactly as an experiment worker runs them (``run_replicate``, tables
saved to a temporary folder). Needs ``valgrind`` on the PATH (Debian: ``apt-get install
valgrind``). About 30 s a replicate. Usage::

    python benchmarks/bench_instructions.py [--reps 1] [KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSIDE = "BENCH_INSTRUCTIONS_INSIDE"


def replicates(reps: int, overrides: list[str]) -> None:
    """Under callgrind: a warm-up replicate, then ``reps`` counted ones."""
    sys.path.insert(0, str(ROOT))
    from sim import load_config
    from sim.config import to_container
    from sim.experiments.worker import default_tables, run_replicate

    config = to_container(load_config("baseline", overrides))
    keep = default_tables()
    with tempfile.TemporaryDirectory(prefix="bench_instructions_") as folder:
        run_replicate(config, [1, 0], os.path.join(folder, "warm-up"), keep)
        switch = ["callgrind_control", "--instr=on", str(os.getpid())]
        subprocess.run(switch, check=True, capture_output=True)
        for i in range(reps):
            result = run_replicate(config, [20190218, i], os.path.join(folder, f"r{i}"), keep)
            if not result["ok"]:
                raise SystemExit(result["error"])
        switch[1] = "--instr=off"
        subprocess.run(switch, check=True, capture_output=True)


def main() -> None:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. county=small")
    args = p.parse_args()
    if os.environ.get(INSIDE):
        replicates(args.reps, args.overrides)
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit(
            "bench_instructions.py needs valgrind on the PATH (apt-get install valgrind)"
        )
    with tempfile.TemporaryDirectory(prefix="callgrind_") as folder:
        out = Path(folder) / "callgrind.out"
        cmd = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--reps",
            str(args.reps),
            *args.overrides,
        ]
        done = subprocess.run(
            cmd, env={**os.environ, INSIDE: "1"}, capture_output=True, text=True, check=False
        )
        counted = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
        if done.returncode != 0 or counted is None:
            raise SystemExit(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    total = int(counted.group(1))
    per = total / args.reps
    print(f"{per / 1e6:,.1f} M instructions per replicate ({args.reps} counted)")


if __name__ == "__main__":
    main()
