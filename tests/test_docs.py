"""Documentation stays in step with the code."""

from __future__ import annotations

import dataclasses
import re

import pytest

from sim.config import ROOT, Config, available_scenarios
from sim.model import MicrocreditModel

ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_odd_names_every_phase_in_order():
    positions = [ODD.find(f"**`{phase}`**") for phase in MicrocreditModel.PHASES]
    missing = [p for p, pos in zip(MicrocreditModel.PHASES, positions, strict=True) if pos < 0]
    assert not missing, f"ODD.md section 3 must describe phases {missing}"
    assert positions == sorted(positions), "ODD.md lists the phases in the order step() runs them"
    doc = MicrocreditModel.__doc__ or ""
    assert all(f"``{p}``" in doc for p in MicrocreditModel.PHASES), (
        "the step docstring lists every phase"
    )


def test_odd_names_every_config_group():
    groups = [f.name for f in dataclasses.fields(Config)]
    missing = [g for g in groups if not re.search(rf"`{g}[.`]", ODD)]
    assert not missing, f"ODD.md must name the config groups {missing}"


def test_scenario_table_lists_every_scenario():
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    missing = [s for s in available_scenarios() if f"`{s}`" not in text]
    assert not missing, f"docs/scenarios.md must list {missing}"


def test_readme_opens_with_the_two_commands_and_names_real_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:600]
    assert "make run" in head and "make test" in head, "the README opens with the two commands"
    for path in re.findall(
        r"`((?:sim|analysis|docs|configs|scenarios|benchmarks|tests)/[\w./-]+)`", readme
    ):
        assert (ROOT / path.rstrip("/")).exists(), f"README names {path}, which does not exist"


def test_odd_lists_every_random_stream_and_undeclared_ones_are_refused():
    from sim.rng import STREAMS, Streams

    missing = [name for name in STREAMS if f"`{name}`" not in ODD]
    assert not missing, f"docs/ODD.md must list the random streams {missing}"
    with pytest.raises(KeyError, match="not declared"):
        Streams(1)["a_new_decision"]


def test_odd_parameter_table_is_current():
    from sim.parameters import ODD_BEGIN, ODD_COMMAND, ODD_END, embed_odd_table, odd_table

    assert ODD.count(ODD_BEGIN) == 1 and ODD.count(ODD_END) == 1, (
        f"docs/ODD.md needs one {ODD_BEGIN} ... {ODD_END} block; run {ODD_COMMAND}"
    )
    table = odd_table()
    assert embed_odd_table(ODD, table) == ODD, (
        f"the parameter table in docs/ODD.md is out of date; run {ODD_COMMAND}"
    )
    # the table carries the defaults of the configuration, derived ones with their rule
    assert "| `fund.leverage` | 10 |" in table
    assert "| `fund.initial` | 80,000,000 (derived: 80,000,000 per 53,746 households" in table
    assert "| `poverty.line_years` | [2019–2028] (10 entries) |" in table


def test_odd_parameter_table_shows_a_changed_default_and_lists_compactly():
    from sim.parameters import DECLARATIONS, _value, embed_odd_table, odd_table

    rows = [line for line in odd_table().splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == [d.key for d in DECLARATIONS]
    stale = ODD.replace("| `fund.leverage` | 10 |", "| `fund.leverage` | 12 |")
    assert embed_odd_table(stale, odd_table()) == ODD, "regenerating restores the value"
    assert _value([3218, 4000, 4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800]) == (
        "[3218; 4000–4800 by 100] (10 entries)"
    )
    assert _value([0.5, 0.75, 1.0]) == "[0.5, 0.75, 1]"
