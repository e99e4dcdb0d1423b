"""Command line: ``python -m sim [scenario=NAME] [key=value ...]``.

Composes the configuration with Hydra (defaults in ``configs/``, the scenario file from
``scenarios/``, then the overrides), validates it, runs one replicate and writes the tables
into a run folder (Hydra's ``outputs/<date>/<time>`` layout, with the scenario in the name,
or ``run.out_dir``). ``outputs/latest`` points at the newest run. Bad input exits with
status 2 and one line naming the key; nothing is written.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

USAGE = """usage: python -m sim [scenario=NAME] [KEY=VALUE ...]

Runs one replicate of a scenario on the embedded synthetic county (or a county's own files)
and writes its tables.
  scenario=NAME     a file in scenarios/ (default: baseline)
  KEY=VALUE         any configuration key, e.g. fund.leverage=8 run.seed=3 county=small
  county=files county.path=DIR
                    the county's roster and loan ledgers in DIR (docs/data.md); the run
                    starts at the ledgers' month (salt for names/ID numbers: MICROCREDIT_SALT)
  run.out_dir=PATH  where to write (default: outputs/<date>/<time>_<scenario>)
"""


def parse_args(argv: list[str]) -> tuple[str, list[str]]:
    """Split the scenario choice from the other Hydra overrides."""
    scenario, overrides = "baseline", []
    for arg in argv:
        if arg.startswith("scenario="):
            scenario = arg.split("=", 1)[1]
        elif "=" not in arg:
            raise SystemExit(f"error: {arg!r} is not KEY=VALUE\n{USAGE}")
        else:
            overrides.append(arg)
    return scenario, overrides


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return 0
    from sim import ConfigError, load_config, run
    from sim.config import ROOT

    try:
        scenario, overrides = parse_args(argv)
        cfg = load_config(scenario, overrides)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = cfg.run.out_dir or ROOT / "outputs" / datetime.now().strftime("%Y-%m-%d") / (
        datetime.now().strftime("%H-%M-%S") + f"_{scenario}"
    )
    start = time.perf_counter()
    res = run(cfg, seed=int(cfg.run.seed))
    path = res.save(out)
    _point_latest(ROOT / "outputs" / "latest", path)
    s = res.summary
    print(
        f"scenario {scenario}, seed {cfg.run.seed}, {cfg.horizon.months} months from {cfg.horizon.start}"
        f" ({time.perf_counter() - start:.1f} s)"
    )
    print(f"  household loan rate at end   {s['final_household_loan_rate']:.1%}")
    print(f"  peak NPL ratio               {s['peak_npl_ratio']:.2%}")
    print(
        f"  suspension events            {s['n_suspension_events']} ({s['months_with_suspension']} months)"
    )
    print(
        f"  lowest fund balance          {s['min_fund_balance'] / 1e4:,.0f} 万元"
        f"{'  (exhausted)' if s['fund_exhausted'] else ''}"
    )
    print(f"  cumulative fiscal cost       {s['cum_fiscal_cost'] / 1e4:,.0f} 万元")
    if s["opening_book_exceeds_capacity"]:
        print(
            "note: the opening loan book already exceeds fund.initial x fund.leverage at some "
            "partner bank, so no new loan can be made there until it shrinks; raise fund.initial "
            "or fund.leverage if that is not intended",
            file=sys.stderr,
        )
    print(f"results: {path}")
    return 0


def _point_latest(link: Path, target: Path) -> None:
    """Make ``outputs/latest`` point at ``target`` (replaced atomically)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(".latest.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path(target).resolve())
    tmp.replace(link)


if __name__ == "__main__":
    sys.exit(main())
