"""The county-file documentation and the shipped example stay in step with the code."""

from __future__ import annotations

import filecmp

from sim.config import ROOT
from sim.data.columns import markdown
from sim.data.export import main as export_main

# the command that generated examples/county/ (docs/data.md)
EXAMPLE = [
    "county=small",
    "county.n_townships=3",
    "county.n_villages=12",
    "county.n_households=400",
    "county.n_health_shock_villages=1",
    "county.n_banks=2",
    "enterprise.n_enterprises=2",
]


def test_docs_list_every_column_with_both_headers():
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert markdown() in text, "regenerate the column tables of docs/data.md from sim.data.columns"
    assert "python -m sim.county export examples/county " + " ".join(EXAMPLE) in text


def test_shipped_example_is_what_the_export_command_writes(tmp_path):
    out = tmp_path / "county"
    assert export_main(["export", str(out), *EXAMPLE]) == 0
    names = sorted(p.name for p in (ROOT / "examples" / "county").iterdir())
    assert names == sorted(p.name for p in out.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(
        ROOT / "examples" / "county", out, names, shallow=False
    )
    assert not mismatch and not errors, f"regenerate examples/county: {mismatch or errors}"
