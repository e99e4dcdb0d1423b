"""Replicate seeds: one root ``SeedSequence`` spawns one child per replicate.

Replicate ``i`` of every scenario of an experiment gets the same child (common random
numbers), so a scenario differs from the baseline only through its configuration. Children
are prefix-stable: ``SeedSequence(root).spawn(6)[:3]`` equals ``SeedSequence(root).spawn(3)``,
so an experiment extended from 3 to 6 replicates keeps its first three.
"""

from __future__ import annotations

import json

import numpy as np

from sim.experiments.spec import ExperimentError
from sim.runner import seed_record


def replicate_seeds(root_seed: int, n: int) -> list[np.random.SeedSequence]:
    """The ``n`` replicate seeds spawned from ``SeedSequence(root_seed)``."""
    if isinstance(root_seed, bool) or not isinstance(root_seed, int | np.integer) or root_seed < 0:
        raise ExperimentError(f"seed={root_seed!r}: give a non-negative integer root seed")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ExperimentError(f"n={n!r}: give at least 1 replicate")
    return np.random.SeedSequence(int(root_seed)).spawn(int(n))


def seed_from_record(record: list[int]) -> np.random.SeedSequence:
    """Rebuild a replicate seed from its JSON record ``[entropy, *spawn_key]``."""
    return np.random.SeedSequence(int(record[0]), spawn_key=tuple(int(k) for k in record[1:]))


def seed_text(seed: np.random.SeedSequence | list[int]) -> str:
    """The seed as it appears in ``summary.parquet``: its JSON record, e.g. ``"[20190218, 3]"``.

    Text, not an integer column: the entropy of a root seed can exceed 64 bits.
    """
    record = seed if isinstance(seed, list) else seed_record(seed)
    return json.dumps(record)
