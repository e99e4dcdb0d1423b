"""Ensembles of accepted parameter sets: the file, the draw per replicate, the application.

The calibration (:mod:`sim.calibrate_search`) writes every parameter set it accepted into one
JSON file. Experiments given ``--ensemble FILE`` run each replicate on one of those sets, drawn
from the replicate's own seed (stream ``"ensemble"`` of :mod:`sim.rng`), so that

- the answer carries parameter uncertainty as well as chance;
- the draw is the same whatever the number of workers or the backend, and the same in every
  scenario of a comparison (common random numbers extend to the parameters).

File format (``"format": "shangcai-ensemble/1"``)::

    {"format": ..., "parameters": ["income.base_sd", "uptake.p_willing[0]", ...],
     "sets": [{"id": 0, "values": {"income.base_sd": 0.55, ...}, "distance": 0.0}, ...],
     "central": {...}, "meta": {...}}

A parameter is a dotted configuration key, with ``[i]`` for an element of a list.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import ConfigError
from sim.rng import Streams

FORMAT = "shangcai-ensemble/1"
_KEY = re.compile(r"^([A-Za-z_]\w*)(\.[A-Za-z_]\w*)+(\[\d+\])?$")


@dataclass
class Ensemble:
    """Accepted parameter sets of one calibration."""

    parameters: list[str]
    sets: list[dict[str, float]]  # one {parameter: value} per accepted set
    distances: list[float] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # the file it was read from, for messages (not part of the digest)

    def __len__(self) -> int:
        return len(self.sets)

    def central(self) -> dict[str, float]:
        """Median of each parameter over the accepted sets."""
        return {p: float(np.median([s[p] for s in self.sets])) for p in self.parameters}

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        dist = self.distances or [float("nan")] * len(self.sets)
        return {
            "format": FORMAT,
            "parameters": list(self.parameters),
            "sets": [
                {"id": i, "values": dict(s), "distance": float(d)}
                for i, (s, d) in enumerate(zip(self.sets, dist, strict=True))
            ],
            "central": self.central() if self.sets else {},
            "meta": self.meta,
        }

    def digest(self) -> str:
        """Short hash of the parameter sets (names experiment folders)."""
        text = json.dumps([self.parameters, self.sets], sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def save(self, path) -> Path:
        """Write the file atomically (never half-written); refuse to overwrite another file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.to_json(), f, indent=1, ensure_ascii=False)
                f.write("\n")
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; the file is shared with other readers
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def draw(self, record) -> int:
        """Index of the set that the replicate with seed ``record`` runs on."""
        return draw_index(record, len(self.sets))

    def apply(self, config: dict[str, Any], index: int) -> dict[str, Any]:
        """A copy of the resolved ``config`` dict with set ``index`` applied."""
        return apply_values(config, self.sets[index])


def draw_index(record, k: int) -> int:
    """One of ``k`` sets, drawn from the replicate seed (``[entropy, *spawn_key]`` or int)."""
    from sim.experiments.seeds import seed_from_record

    seed = seed_from_record(record) if isinstance(record, list | tuple) else int(record)
    return int(Streams(seed)["ensemble"].integers(k))


def _path(key: str) -> tuple[list[str], int | None]:
    m = re.match(r"^(.*?)(?:\[(\d+)\])?$", key)
    return m.group(1).split("."), (int(m.group(2)) if m.group(2) is not None else None)


def get_value(config: dict[str, Any], key: str) -> Any:
    """Value of ``key`` (dotted, optional ``[i]``) in a nested config dict."""
    parts, index = _path(key)
    node: Any = config
    for p in parts:
        node = node[p]
    return node if index is None else node[index]


def apply_values(config: dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    """A deep copy of ``config`` with ``values`` set (integers stay integers)."""
    out = copy.deepcopy(config)
    _set_values(out, values, config)
    return out


def _set_values(target: Any, values: dict[str, float], like: dict[str, Any]) -> None:
    """Set ``values`` in ``target`` (a config dict or DictConfig), typed as in ``like``."""
    for key, value in values.items():
        parts, index = _path(key)
        node = target
        for p in parts[:-1]:
            node = node[p]
        new = _as_old(get_value(like, key), value)
        if index is None:
            node[parts[-1]] = new
        else:
            node[parts[-1]][index] = new


def _as_old(old: Any, value: float) -> Any:
    """``value`` as it replaces ``old``: integers stay integers."""
    return int(round(value)) if isinstance(old, int) and not isinstance(old, bool) else value


def check_sets(ens: Ensemble, config: dict[str, Any], where: str) -> None:
    """Refuse an ensemble with a set that does not give a valid configuration with ``config``.

    Each set is applied to the resolved ``config`` dict and checked as every configuration
    is (schema types, ranges of ``sim/parameters.py``, the rules of ``sim/validate.py``), so
    that a bad file fails at once in one line, not in every replicate. The configuration is
    built once and only the ensemble's keys change from set to set (about 5 ms a set).

    Raises:
        ConfigError: naming the file, the first bad set (its index in ``sets``), the key and
            ``where`` (the scenario).
    """
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from sim.config import from_container
    from sim.validate import translate_hydra_error, validate

    cfg = from_container(config)
    OmegaConf.set_readonly(cfg, False)
    bad: list[tuple[int, str]] = []
    for i, values in enumerate(ens.sets):
        try:
            _set_values(cfg, values, config)
            validate(cfg)
        except ConfigError as exc:
            bad.append((i, str(exc)))
        except OmegaConfBaseException as exc:  # a value of a type the schema refuses
            bad.append((i, str(translate_hydra_error(exc))))
    if bad:
        i, message = bad[0]
        others = f" ({len(bad)} of {len(ens.sets)} sets are refused)" if len(bad) > 1 else ""
        raise ConfigError(
            f"{_file(ens)}: set {i}{others}, in {where}: {message}; "
            "correct or remove the set, or run the calibration again"
        )


def _file(ens: Ensemble) -> str:
    return f"--ensemble {ens.source}" if ens.source else "ensemble"


def load(path) -> Ensemble:
    """Read an ensemble file; a bad file is a ConfigError naming it and what to change."""
    path = Path(path)
    where = f"--ensemble {path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{where}: no such file; give the file written by the calibration"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{where}: not a readable JSON ensemble ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f'{where}: not an ensemble file (expected "format": "{FORMAT}")')
    params, sets = data.get("parameters"), data.get("sets")
    if not isinstance(params, list) or not params or not all(isinstance(p, str) for p in params):
        raise ConfigError(f'{where}: "parameters" must be a non-empty list of config keys')
    bad = [p for p in params if not _KEY.match(p)]
    if bad:
        raise ConfigError(
            f"{where}: parameter {bad[0]!r} is not a key like group.name or group.name[0]"
        )
    if not isinstance(sets, list) or not sets:
        raise ConfigError(f'{where}: "sets" is empty; the calibration accepted no parameter set')
    values, distances = [], []
    for i, s in enumerate(sets):
        v = s.get("values") if isinstance(s, dict) else None
        if not isinstance(v, dict) or set(v) != set(params):
            raise ConfigError(
                f"{where}: set {i} must give a value for each parameter, and only those"
            )
        if not all(isinstance(x, int | float) and np.isfinite(x) for x in v.values()):
            raise ConfigError(f"{where}: set {i} has a value that is not a finite number")
        values.append({p: v[p] for p in params})
        distances.append(float(s.get("distance", float("nan"))))
    return Ensemble(params, values, distances, data.get("meta") or {}, source=str(path))


def check_against(ens: Ensemble, config: dict[str, Any], overrides: list[str], where: str) -> None:
    """Refuse an ensemble whose parameters are not in the config or are also overridden."""
    for p in ens.parameters:
        try:
            get_value(config, p)
        except (KeyError, IndexError, TypeError):
            raise ConfigError(f"{where}: parameter {p!r} is not in the configuration") from None
    given = {o.split("=", 1)[0].lstrip("+~") for o in overrides}
    clash = sorted(given & {p.split("[")[0] for p in ens.parameters})
    if clash:
        raise ConfigError(
            f"{where}: {clash[0]} is both overridden and drawn from the ensemble; drop the override"
        )
