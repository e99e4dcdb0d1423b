"""What an experiment runs: named scenarios, each a resolved configuration dict.

Workers receive only these plain dicts (never file names), so the repository's ``configs/``
and ``scenarios/`` folders are read on the client alone.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig

from sim.config import ConfigError, load_config, to_container

#: Run settings every experiment applies: household agent views are for inspecting one run
#: and cost 0.3-0.5 s a replicate when all are built; results do not depend on them.
EXPERIMENT_SETTINGS = {"run.household_agents": False}

LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
KEY = re.compile(r"^([A-Za-z_][\w.]*?)(?:\[(\d+)\])?$")


class ExperimentError(ValueError):
    """An experiment that cannot be run as asked; the message says what to change."""


@dataclass
class Scenario:
    """One arm of an experiment: a label, the scenario file, overrides and the resolved config."""

    label: str
    scenario: str
    overrides: list[str]
    config: dict[str, Any] = field(repr=False)

    def record(self) -> dict[str, Any]:
        """The entry of ``experiment.json["scenarios"]``."""
        return {"overrides": list(self.overrides), "config": self.config}


def require(module: str, package: str, command: str) -> None:
    """Fail with a one-line ExperimentError when an optional package is not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ExperimentError(
            f"{command} needs {package}: pip install 'shangcai-microcredit[discovery]' "
            "(or make .venv/.installed, which installs the dev extra)"
        )


def check_label(label: str) -> str:
    """A label becomes a folder name: letters, digits and ``_.+-`` only."""
    if not isinstance(label, str) or not LABEL.match(label):
        raise ExperimentError(f"scenario label {label!r}: use letters, digits and _.+- only")
    return label


def from_config(cfg: DictConfig | dict, label: str | None = None, overrides=None) -> Scenario:
    """A Scenario from an already loaded configuration.

    Its overrides are recorded as given, or else as the differences to the scenario's defaults.
    """
    data = to_container(cfg) if isinstance(cfg, DictConfig) else copy.deepcopy(dict(cfg))
    name = data.get("scenario")
    if overrides is None:
        overrides = config_diff(to_container(load_config(name)), data)
    return _for_experiments(Scenario(check_label(label or name), name, list(overrides), data))


def load(label: str, scenario: str, overrides: list[str]) -> Scenario:
    """Compose ``scenario`` with ``overrides`` (Hydra syntax) into a Scenario."""
    cfg = load_config(scenario, list(overrides))
    return _for_experiments(
        Scenario(check_label(label), scenario, list(overrides), to_container(cfg))
    )


def _for_experiments(s: Scenario) -> Scenario:
    """Apply ``EXPERIMENT_SETTINGS`` (those the model knows), recorded as overrides."""
    for key, value in EXPERIMENT_SETTINGS.items():
        group, name = key.split(".")
        node = s.config.get(group)
        if isinstance(node, dict) and name in node and node[name] != value:
            node[name] = value
            s.overrides.append(f"{key}={format_value(value)}")
    return s


def resolve(entries: list, common: list[str] | None = None) -> list[Scenario]:
    """Scenarios from names and/or ``(label, scenario, overrides)`` entries.

    ``common`` overrides (e.g. ``county=small``) apply to every entry, before its own.
    """
    common = list(common or [])
    out: list[Scenario] = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(load(entry, entry, common))
        elif isinstance(entry, tuple | list) and len(entry) == 3:
            label, scenario, overrides = entry
            out.append(load(label, scenario, [*common, *overrides]))
        else:
            raise ExperimentError(
                f"scenario entry {entry!r}: give a name or (label, scenario, overrides)"
            )
    check_labels(out)
    return out


def check_labels(scenarios: list[Scenario]) -> None:
    """Raise ExperimentError naming the first label given twice.

    Replicates are stored and summarised by label, so two arms with one label would be
    merged into one scenario with twice the replicates.
    """
    seen: set[str] = set()
    for s in scenarios:
        if s.label in seen:
            raise ExperimentError(
                f"scenario {s.label!r} is given twice; give each scenario once "
                f"(a variant of it needs its own label: --variant 'LABEL={s.scenario} KEY=VALUE')"
            )
        seen.add(s.label)


def with_values(
    base: Scenario, label: str, values: dict[str, Any], validate: bool = True
) -> Scenario:
    """A copy of ``base`` with parameter ``values`` set (``key`` or ``key[i]``).

    With ``validate`` the result is checked on the client (about 0.1 s), so that a bad value
    fails here with its label rather than on every worker.
    """
    data = copy.deepcopy(base.config)
    overrides = list(base.overrides)
    for key, value in values.items():
        path, leaf = _set(data, key, value)
        overrides.append(f"{path}={format_value(leaf)}")
    if validate:
        check_config(label, data)
    return Scenario(check_label(label), base.scenario, overrides, data)


def check_config(label: str, data: dict[str, Any]) -> None:
    """Raise ExperimentError (naming ``label``) unless ``data`` is a valid configuration."""
    from sim.config import from_container

    try:
        from_container(data)
    except ConfigError as exc:
        raise ExperimentError(f"{label}: {exc}") from None


def set_value(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` (``group.name`` or ``group.name[i]``) in a config dict, keeping its type."""
    _set(data, key, value)


def _set(data: dict[str, Any], key: str, value: Any) -> tuple[str, Any]:
    m = KEY.match(key)
    if not m:
        raise ExperimentError(f"{key}: not a configuration key (write group.name or group.name[i])")
    path, index = m.group(1), m.group(2)
    *parents, name = path.split(".")
    node = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            raise ExperimentError(f"{key}: unknown configuration key; see sim/config.py")
    if not isinstance(node, dict) or name not in node:
        raise ExperimentError(f"{key}: unknown configuration key; see sim/config.py")
    if index is None:
        node[name] = coerce(node[name], value, key)
        return path, node[name]
    items = node[name]
    if not isinstance(items, list) or int(index) >= len(items):
        raise ExperimentError(f"{key}: {path} is not a list with an entry {index}")
    items[int(index)] = coerce(items[int(index)], value, key)
    return path, items


def coerce(old: Any, value: Any, key: str) -> Any:
    """``value`` in the type of the value it replaces (bool, int or float)."""
    if isinstance(old, bool):
        return bool(value >= 0.5) if isinstance(value, float) else bool(value)
    if isinstance(old, int):
        return int(round(float(value)))
    if isinstance(old, float):
        return float(value)
    raise ExperimentError(f"{key}: only numeric and boolean parameters can be varied")


def format_value(value: Any) -> str:
    """A value in Hydra override syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    if value is None:
        return "null"
    return repr(value)


def config_diff(base: dict[str, Any], data: dict[str, Any], prefix: str = "") -> list[str]:
    """Overrides that turn ``base`` into ``data`` (leaves that differ, in Hydra syntax)."""
    out: list[str] = []
    for key, value in data.items():
        if key == "scenario" and not prefix:
            continue
        old = base.get(key) if isinstance(base, dict) else None
        if isinstance(value, dict) and isinstance(old, dict):
            out += config_diff(old, value, f"{prefix}{key}.")
        elif value != old:
            out.append(f"{prefix}{key}={format_value(value)}")
    return out
