"""Exact regression baselines: small-county results on fixed seeds, stored in ``tests/baselines/``.

``python -m sim.regression check`` compares fresh runs with the stored files and lists every
difference; ``python -m sim.regression write`` regenerates them. A change that alters results
on purpose regenerates the baselines in the same commit and says why; any other difference is a
regression. Numbers are stored with 17 significant digits, so equal means equal to the last bit.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pandas as pd

from sim.cliparse import Parser
from sim.config import ROOT, load_config
from sim.runner import run

BASELINE_DIR = ROOT / "tests" / "baselines"
# (name, scenario, overrides, seed): the small county under the baseline, a stressed book
# that exercises claims, write-offs and the breaker, and the enterprise-heavy scenario.
CASES: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("baseline_small", "baseline", ("county=small",), 1),
    ("stressed_small", "baseline", ("county=small", "default.pd_annual=0.12"), 2),
    ("enterprise_heavy_small", "enterprise_heavy", ("county=small", "horizon.months=48"), 3),
)
FLOAT = "%.17g"


def compute(scenario: str, overrides: tuple[str, ...], seed: int) -> dict[str, str]:
    """The stored files of one case, as text: summary, monthly table and events."""
    res = run(load_config(scenario, list(overrides)), seed=seed)
    summary = json.dumps(res.summary, indent=1, sort_keys=True, default=_plain) + "\n"
    return {
        "summary.json": summary,
        "timeseries.csv": res.timeseries.to_csv(index=False, float_format=FLOAT),
        "events.csv": pd.DataFrame(res.events).to_csv(index=False, float_format=FLOAT),
    }


def _plain(obj):
    return obj.item() if hasattr(obj, "item") else str(obj)


def write(folder: Path = BASELINE_DIR) -> list[Path]:
    """Regenerate every case's files in ``folder``.

    Every case is computed first (the seconds it takes) and the files are written only then,
    each under a temporary name renamed over the old one: an interrupted run leaves the old
    baselines whole instead of some cases new and some old.
    """
    fresh = {name: compute(scenario, overrides, seed) for name, scenario, overrides, seed in CASES}
    written = []
    for name, files in fresh.items():
        case = folder / name
        case.mkdir(parents=True, exist_ok=True)
        for file, text in files.items():
            tmp = case / f".{file}.tmp"
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(case / file)
            written.append(case / file)
    return written


def differences(folder: Path = BASELINE_DIR, cases=CASES) -> list[str]:
    """Every file that differs from a fresh run, with its first differing line."""
    out = []
    for name, scenario, overrides, seed in cases:
        for file, text in compute(scenario, overrides, seed).items():
            path = folder / name / file
            if not path.exists():
                out.append(f"{name}/{file}: missing; run python -m sim.regression write")
                continue
            stored = path.read_text(encoding="utf-8")
            if stored != text:
                out.append(f"{name}/{file}: {_first_difference(stored, text, file)}")
    return out


def _first_difference(stored: str, fresh: str, file: str = "") -> str:
    """The first line that differs; in a CSV file its first differing column, by name."""
    old, new = stored.splitlines(), fresh.splitlines()
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if a == b:
            continue
        if file.endswith(".csv") and i > 0:
            header, was, now = (next(csv.reader([x])) for x in (old[0], a, b))
            for j, (x, y) in enumerate(zip(was, now, strict=False)):
                if x != y:
                    column = header[j] if j < len(header) else f"field {j + 1}"
                    return f"line {i + 1}, column {column}: was {x!r}, now {y!r}"
        k = next(
            (j for j, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        start = max(k - 40, 0)  # where they part, with some context
        return f"line {i + 1} was {a[start : k + 60]!r}, now {b[start : k + 60]!r}"
    return f"{len(old)} lines stored, {len(new)} now"


def main(argv: list[str] | None = None) -> int:
    """Command line: ``check`` (default) or ``write``."""
    parser = Parser(prog="python -m sim.regression", description=__doc__)
    parser.add_argument("action", nargs="?", choices=("check", "write"), default="check")
    args = parser.parse_args(argv)
    if args.action == "write":
        for path in write():
            print(path.relative_to(ROOT))
        return 0
    diffs = differences()
    for d in diffs:
        print(d)
    print("no differences" if not diffs else f"{len(diffs)} files differ")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
