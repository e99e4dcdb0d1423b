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
