"""Named random streams derived from one seed.

Each random decision of the model draws from its own stream, keyed by a stable name, so
that a scenario differs from the baseline only through the policy (common random numbers):
changing how many households apply does not shift the draws that decide project failures.
Streams that decide something about every household draw one number per household per use,
whether or not the household is concerned, for the same reason.
"""

from __future__ import annotations

import zlib

import numpy as np

Seed = int | np.random.SeedSequence


def root_sequence(seed: Seed) -> np.random.SeedSequence:
    """The root ``SeedSequence`` of a replicate (an int or a spawned child)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed={seed!r}: give a non-negative integer")
    return np.random.SeedSequence(int(seed))


class Streams:
    """A lazily created ``numpy.random.Generator`` per stream name."""

    def __init__(self, seed: Seed):
        self.root = root_sequence(seed)
        self._gens: dict[str, np.random.Generator] = {}

    def child(self, name: str) -> np.random.SeedSequence:
        """The ``SeedSequence`` of stream ``name``; stable whatever other streams exist."""
        key = zlib.crc32(name.encode("utf-8"))
        return np.random.SeedSequence(self.root.entropy, spawn_key=(*self.root.spawn_key, key))

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._gens.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self.child(name)))
            self._gens[name] = gen
        return gen
