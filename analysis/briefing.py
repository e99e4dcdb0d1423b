"""Command line: ``python -m analysis.briefing PATH [--lang zh|en] [--out DIR]``.

PATH is a run folder (written by ``python -m sim``) or an experiment folder. The pack
goes to ``PATH/briefing`` unless ``--out`` says otherwise. Bad input prints one line
naming the path and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys

from analysis.source import SourceError, check_folder
from sim.cliparse import Parser
from sim.results import OutputError


def parser() -> argparse.ArgumentParser:
    """Arguments of the command."""
    p = Parser(
        prog="python -m analysis.briefing",
        description="Charts, workbook and summary page from a saved run or experiment.",
    )
    p.add_argument("path", help="run folder or experiment folder")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    p.add_argument("--out", default=None, help="output folder (default PATH/briefing)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        check_folder(args.path)  # before loading the plotting stack: bad input fails fast
        from analysis.pack import write_pack

        out = write_pack(args.path, args.lang, args.out)
    except (SourceError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
