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

# Every random stream of the model, with the decision it drives (docs/ODD.md lists them).
# A name not declared here is refused, so a new decision cannot borrow another's stream.
STREAMS: dict[str, str] = {
    "mesa": "Mesa's own generator (agent shuffles; the model draws nothing from it)",
    "county": "the synthetic county: village sizes, households, grades, ages, sectors, ramps",
    "preferences": "each household's loan amount share and term",
    "initial_book": "loans outstanding at the start: who holds one and its age",
    "factors": "yearly county, township and sector risk factors",
    "household_event": "one uniform per household a month: apply, ask to renew, or cure",
    "outcome": "one uniform per household a month: project outcome, wilfulness, failure month",
    "leakage": "which new household loans are handed to an enterprise (户贷企用)",
    "enterprises": "enterprises: place, sector, linked households, workers",
    "enterprise_book": "enterprise loans outstanding at the start: their age",
    "enterprise_profit": "yearly enterprise profit noise and compliance breaches",
    "enterprise_rectify": "whether a breach persists when the rectification window closes",
    "enterprise_apply": "whether an enterprise without a loan applies this month",
    "income_level": "persistent household income levels",
    "income_shock": "yearly household income shocks",
    "life_course": "static draws at the start: 低保 coverage and who exited before the first year",
    "public_jobs": "yearly public-welfare jobs (公益岗位) for able poor households",
    "monitoring": "whether return-to-poverty monitoring catches a would-be relapse",
    "ensemble": "which accepted parameter set of a calibration ensemble a replicate runs on",
}


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
        if name not in STREAMS:
            raise KeyError(f"random stream {name!r} is not declared in sim.rng.STREAMS")
        gen = self._gens.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self.child(name)))
            self._gens[name] = gen
        return gen
