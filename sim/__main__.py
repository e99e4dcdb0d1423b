"""Command line: ``python -m sim [scenario=NAME] [key=value ...]``.

Composes the configuration with Hydra (defaults in ``configs/``, the scenario file from
``scenarios/``, then the overrides), validates it, runs one replicate and writes the tables
into a run folder (Hydra's ``outputs/<date>/<time>`` layout, with the scenario in the name,
or ``run.out_dir``, which must be new or empty). ``outputs/latest`` points at the newest
run; the environment variable ``MICROCREDIT_OUTPUTS`` moves the default run folders and that
link to another folder. Bad input, including an output folder that exists with files, is a
file or cannot be written, exits with status 2 and one line naming the key, variable or folder
before the simulation starts; nothing is written, and nothing that exists is overwritten or
deleted.
"""

from __future__ import annotations

import contextlib
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
outputs/latest points at the newest run; MICROCREDIT_OUTPUTS=DIR puts the default run
folders and that link in DIR instead of outputs/.
"""


def parse_args(argv: list[str]) -> tuple[str, list[str]]:
    """Split the scenario choice from the other Hydra overrides."""
    from sim.config import ConfigError

    scenario, overrides = "baseline", []
    for arg in argv:
        if arg.startswith("scenario="):
            scenario = arg.split("=", 1)[1]
        elif "=" not in arg:
            raise ConfigError(f"{arg!r} is not KEY=VALUE (see python -m sim --help)")
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
    from sim.results import OutputError, outputs_root

    try:
        scenario, overrides = parse_args(argv)
        cfg = load_config(scenario, overrides)
        root = outputs_root()
        out, created = output_folder(cfg, scenario, root)  # checked and reserved before the run
    except (ConfigError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        res = run(cfg, seed=int(cfg.run.seed))
        path = res.save(out)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if created:
            _release(out)
    _point_latest(root / "latest", path)
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


def output_folder(cfg, scenario: str, root: Path) -> tuple[Path, bool]:
    """The run folder, created empty now so that a bad location fails before the simulation.

    ``run.out_dir`` must be a new or empty folder (results are never overwritten); the
    default ``<root>/<date>/<time>_<scenario>`` (``root`` is ``outputs/`` or
    ``$MICROCREDIT_OUTPUTS``) gets a ``-2``, ``-3`` ... suffix when a run started in the same
    second already took it. Returns the folder and whether it was created here (a user's empty
    folder is never removed).
    """
    import os

    from sim.results import OUTPUTS_VAR, OutputError, prepare_folder, unique_folder

    if cfg.run.out_dir:
        existed = Path(cfg.run.out_dir).exists()
        return prepare_folder(cfg.run.out_dir, f"run.out_dir={cfg.run.out_dir}"), not existed
    now = datetime.now()
    parent = root / now.strftime("%Y-%m-%d")
    try:
        return unique_folder(parent, now.strftime("%H-%M-%S") + f"_{scenario}"), True
    except OutputError as exc:
        if os.environ.get(OUTPUTS_VAR, "").strip():  # name the setting that chose the place
            raise OutputError(f"{OUTPUTS_VAR}: {exc}") from None
        raise


def _release(out: Path) -> None:
    """Remove the reserved run folder if the run did not fill it (failed or interrupted)."""
    with contextlib.suppress(OSError):
        Path(out).rmdir()  # only succeeds while empty


def _point_latest(link: Path, target: Path) -> None:
    """Make ``latest`` point at ``target`` (replaced atomically; never a real folder).

    The results are written by then, so a link that cannot be made (a read-only project
    folder, say) only prints a note.
    """
    if link.exists() and not link.is_symlink():
        return  # a user's own file or folder named "latest" is left alone
    tmp = link.with_name(".latest.tmp")
    try:
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(Path(target).resolve())
        tmp.replace(link)
    except OSError as exc:
        print(f"note: {link} not updated ({exc.strerror or exc})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
