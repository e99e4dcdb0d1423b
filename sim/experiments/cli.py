"""Command line: ``python -m sim.experiments COMMAND [options] [scenario=NAME] [KEY=VALUE ...]``.

Options and overrides may come in any order. Bad input exits with status 2 and one line
naming what to change, before any folder is made; an experiment in which some replicates
failed exits with status 1 after writing everything else, and one in which none finished
exits with status 2 and one line naming ``failures.json``.
"""

from __future__ import annotations

import argparse
import sys

from sim.cliparse import Parser
from sim.experiments.spec import ExperimentError

PROG = "python -m sim.experiments"
COMMANDS = {
    "replicates": "replicates of one scenario",
    "compare": "scenarios against the first, on common seeds",
    "size-fund": "smallest fund (or largest leverage) with P(fund exhausted) <= alpha",
    "sensitivity": "Morris screening and Sobol indices of outcomes to parameters",
    "discover": "PRIM boxes of the conditions under which an outcome happens",
    "frontier": "non-dominated lever settings (loan rate, fund exhaustion, fiscal cost)",
}
USAGE = (
    f"""usage: {PROG} COMMAND [options] [scenario=NAME] [KEY=VALUE ...]

commands:
"""
    + "".join(f"  {k:<12} {v}\n" for k, v in COMMANDS.items())
    + f"""
Overrides are Hydra overrides for every scenario, e.g. county=small fund.leverage=8.
Re-running the same command resumes. {PROG} COMMAND --help lists the options;
docs/experiments.md explains the experiment folder."""
)


def _common(p: argparse.ArgumentParser, n: int) -> None:
    add = p.add_argument
    add("items", nargs="*", metavar="scenario=NAME|KEY=VALUE", help="scenario and overrides")
    add("--n", type=int, default=n, help=f"replicates per scenario (default {n})")
    add("--seed", type=int, default=None, help="root seed (default: run.seed of the config)")
    add("--jobs", type=int, default=None, help="workers (loky default 1; dask default all)")
    add("--backend", choices=["loky", "dask"], default="loky")
    add("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    add("--out", default=None, help="experiment folder (default experiments/<command>-<hash>)")
    add("--tables", default=None, help="tables kept per replicate, or all (default: no villages)")
    add("--save-on", choices=["worker", "client"], default="worker",
        help="who writes replicate folders (client: workers cannot reach the folder)")  # fmt: skip
    add("--no-progress", action="store_true", help="no progress bar")


def command_parser(command: str) -> Parser:
    """The parser of one sub-command."""
    p = Parser(prog=f"{PROG} {command}", description=COMMANDS[command])
    add = p.add_argument
    _common(
        p, {"size-fund": 200, "sensitivity": 1, "discover": 1, "frontier": 20}.get(command, 100)
    )
    if command in ("replicates", "compare", "size-fund"):
        add("--ensemble", default=None, metavar="FILE",
            help="accepted parameter sets; each replicate runs on one, drawn from its seed")  # fmt: skip
    if command == "compare":
        add("--variant", action="append", default=[], metavar="'LABEL=SCENARIO KEY=VALUE ...'",
            help="a scenario with its own overrides (repeatable)")  # fmt: skip
    elif command == "size-fund":
        add("--alpha", type=float, default=0.05, help="target P(fund exhausted)")
        add("--solve-for", choices=["fund", "leverage"], default="fund")
        add("--method", choices=["one-pass", "grid"], default="one-pass",
            help="one-pass: quantile of each replicate's fund_required, verified (default)")  # fmt: skip
        add("--grid", default=None, help="starting candidates, comma-separated (yuan or x)")
        add("--tolerance", type=float, default=0.02, help="bisection stops at this share")
        add("--check-n", type=int, default=None, help="fresh-seed replicates (default --n)")
        add("--check-seed", type=int, default=None, help="root seed of the check (seed+1)")
    elif command == "sensitivity":
        add("--method", default="morris", help="morris, sobol or morris,sobol")
        add("--params", default=None, help="parameter keys from levers.py, comma-separated")
        add("--kind", default=None, help="lever, uncertainty, inert or all")
        add("--outcomes", default=None, help="summary keys, comma-separated")
        add("--range", action="append", default=[], metavar="KEY=LOW:HIGH")
        add("--trajectories", type=int, default=10, help="Morris trajectories")
        add("--levels", type=int, default=4, help="Morris levels")
        add("--sobol-n", type=int, default=64, help="Sobol base sample (a power of 2)")
    elif command == "discover":
        add("--outcome", default="fund_exhausted",
            help="fund_exhausted, township_suspended_6m, fiscal_cost_above or a summary key")  # fmt: skip
        add("--threshold", type=float, default=None, help="the outcome happens above this")
        add("--points", type=int, default=200, help="Latin-hypercube sample points")
        add("--params", default=None, help="parameter keys from levers.py, comma-separated")
        add("--levers", action="store_true", help="sample the declared levers too")
        add("--range", action="append", default=[], metavar="KEY=LOW:HIGH")
        add("--prim-threshold", type=float, default=0.8, help="PRIM density threshold")
        add("--peel-alpha", type=float, default=0.05, help="share peeled at each step")
        add("--max-boxes", type=int, default=3, help="boxes to look for")
    elif command == "frontier":
        add("--params", default=None, help="lever keys from levers.py, comma-separated")
        add("--range", action="append", default=[], metavar="KEY=LOW:HIGH")
        add("--population", type=int, default=16, help="NSGA-II population per generation")
        add("--generations", type=int, default=4, help="NSGA-II generations")
    return p


def parse(argv: list[str]) -> argparse.Namespace:
    """The command and its options (options and overrides intermixed)."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        raise SystemExit(0 if argv else 2)
    if argv[0] not in COMMANDS:
        Parser(prog=PROG).error(f"invalid choice: {argv[0]!r} (choose from {', '.join(COMMANDS)})")
    args = command_parser(argv[0]).parse_intermixed_args(argv[1:])
    args.command = argv[0]
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    from sim.config import ConfigError
    from sim.experiments import commands
    from sim.results import OutputError

    try:
        return commands.run(args)
    except (ConfigError, ExperimentError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
