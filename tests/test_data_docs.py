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


def test_shipped_example_runs_as_the_synthetic_county_it_was_written_from():
    from sim import load_config, run

    cfg = load_config(
        "baseline",
        ["county=files", f"county.path={ROOT / 'examples' / 'county'}", "horizon.months=12"],
    )
    assert (cfg.county.n_households, cfg.county.n_villages, cfg.horizon.start) == (
        400,
        12,
        "2019-01",
    )
    money = ["fund.initial=6000000", "guarantee.provincial_net_assets=4000000"]
    money.append("guarantee.county_net_assets=6000000")
    synthetic = load_config("baseline", [*EXAMPLE, "horizon.months=12", *money])
    imported = load_config(
        "baseline",
        [
            "county=files",
            f"county.path={ROOT / 'examples' / 'county'}",
            "horizon.months=12",
            *money,
        ],
    )
    seed = int(synthetic.run.seed)
    assert run(synthetic, seed).summary == run(imported, seed).summary
