"""Exact regression baselines: small-county results on fixed seeds, stored in ``tests/baselines/``.

``python -m sim.regression check`` compares fresh runs with the stored files and lists every
difference; ``python -m sim.regression write`` regenerates them. A change that alters results
on purpose regenerates the baselines in the same commit and says why; any other difference is a
regression. Numbers are stored with 17 significant digits, so equal means equal to the last bit.
"""

from __future__ import annotations

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
    """Regenerate every case's files in ``folder``."""
    written = []
    for name, scenario, overrides, seed in CASES:
        case = folder / name
        case.mkdir(parents=True, exist_ok=True)
        for file, text in compute(scenario, overrides, seed).items():
            (case / file).write_text(text, encoding="utf-8")
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
                out.append(f"{name}/{file}: {_first_difference(stored, text)}")
    return out


def _first_difference(stored: str, fresh: str) -> str:
    old, new = stored.splitlines(), fresh.splitlines()
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return f"line {i + 1} was {a[:120]!r}, now {b[:120]!r}"
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
