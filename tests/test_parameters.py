"""One declaration per parameter (sim/parameters.py), read by validation, levers and docs."""

from __future__ import annotations

import copy
import math
import re

import pytest

from sim import ConfigError, load_config
from sim.config import ROOT, from_container, to_container
from sim.experiments import levers
from sim.parameters import (
    BY_KEY,
    DECLARATIONS,
    KINDS,
    field_type,
    markdown,
    numeric_keys,
    problems,
    schema_leaves,
)

BASE = to_container(load_config("baseline", ["county=small"]))
SHOCK = {"year": 2020, "scope": "county", "name": "", "z": -1.0}


def test_every_numeric_field_is_declared_and_every_declaration_names_a_field():
    missing = [k for k in numeric_keys() if k not in BY_KEY]
    assert not missing, (
        f"numeric schema fields without a declaration in sim/parameters.py: {missing}"
    )
    leaves = schema_leaves()
    orphans = [d.key for d in DECLARATIONS if d.key not in leaves]
    assert not orphans, f"declarations naming no schema field: {orphans}"
    assert len(BY_KEY) == len(DECLARATIONS), "one declaration per key"


def test_declarations_are_well_formed():
    for d in DECLARATIONS:
        lo, hi, _, _ = d.bounds
        assert lo < hi, f"{d.key}: empty range {d.range}"
        assert d.kind in KINDS, f"{d.key}: kind {d.kind!r}"
        assert d.unit and d.source, f"{d.key}: unit and source are required"
        if field_type(d.key) is bool:
            assert d.range == "[0, 1]", f"{d.key}: a switch is explored over [0, 1]"
        for e in d.explore:
            assert e.low < e.high, f"{d.key}: explored range {e.low}..{e.high}"
            assert d.contains(e.low) and d.contains(e.high), (
                f"{d.key}: explored range {e.low}..{e.high} must lie inside {d.range}"
            )


def test_defaults_of_every_config_lie_in_their_ranges():
    for county in ("shangcai", "small"):
        data = to_container(load_config("baseline", [f"county={county}"]))
        assert problems(data) == [], f"county={county}"


def test_levers_are_read_from_the_declarations():
    explored = {
        (d.key if e.index is None else f"{d.key}[{e.index}]"): (e.low, e.high)
        for d in DECLARATIONS
        for e in d.explore
    }
    assert {p.key: (p.low, p.high) for p in levers.PARAMETERS} == explored
    for p in levers.PARAMETERS:
        key = p.key.split("[")[0]
        expected = {bool: "bool", int: "int"}.get(field_type(key), "float")
        assert p.dtype == expected, f"{p.key}: dtype {p.dtype} but the schema says {expected}"
    assert {p.kind for p in levers.PARAMETERS} == set(levers.KINDS)


def test_parameter_page_is_current():
    page = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert page == markdown(), "regenerate: python -m sim.parameters > docs/parameters.md"


def _with(data: dict, key: str, value) -> dict:
    data = copy.deepcopy(data)
    *path, name = key.split(".")
    if path[:2] == ["default", "shocks"]:
        data["default"]["shocks"] = [dict(SHOCK, **{name: value})]
        return data
    node = data
    for part in path:
        node = node[part]
    if isinstance(node[name], list):
        node[name][0] = value
    else:
        node[name] = value
    return data


def _outside(decl) -> list[float]:
    lo, hi, lo_in, hi_in = decl.bounds
    values = []
    for bound, included, step in ((lo, lo_in, -1), (hi, hi_in, +1)):
        if math.isinf(bound):
            continue
        if field_type(decl.key) is int:
            values.append(int(bound) + step if included else int(bound))
        else:
            values.append(bound + step * max(abs(bound), 1) * 1e-9 if included else bound)
    return values


@pytest.mark.parametrize("decl", [d for d in DECLARATIONS if field_type(d.key) is not bool])
def test_every_declared_bound_is_enforced(decl):
    """Just outside each finite bound (or at an excluded one) is refused, naming the key."""
    for value in _outside(decl):
        found = problems(_with(BASE, decl.key, value))
        assert any(re.sub(r"\[\d+\]", "", key) == decl.key for key, _, _ in found), (
            f"{decl.key}={value} lies outside {decl.range} but is not refused"
        )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("fund.leverage", float("nan")),
        ("fund.initial", float("inf")),
        ("uptake.amount_step", float("inf")),
        ("guarantee.leverage_limit", float("nan")),
        ("poverty.exit_margin", float("nan")),
        ("income.growth", float("nan")),
        ("rating.noise_sd", float("nan")),
        ("county.head_age_mean", float("nan")),
        ("income.growth", -2.0),
        ("run.seed", -1),
        ("default.shocks.z", float("-inf")),
        ("uptake.p_willing", float("nan")),
    ],
)
def test_validation_refuses_with_the_key_named(key, value):
    with pytest.raises(ConfigError) as info:
        from_container(_with(BASE, key, value))
    message = str(info.value)
    shown = key.replace("default.shocks.", "default.shocks[0].").replace(
        "uptake.p_willing", "uptake.p_willing[0]"
    )
    assert message.startswith(shown), f"the message starts with the key {shown}: {message}"
    assert "\n" not in message
