"""Shared fixtures: small configurations keep the suite fast."""

from __future__ import annotations

import functools

import pytest

from sim import load_config, run

SMALL = ("county=small",)


@functools.cache
def cached_run(scenario: str, overrides: tuple[str, ...], seed: int):
    """Run once per (scenario, overrides, seed) for the whole session; results are read-only."""
    return run(load_config(scenario, list(overrides)), seed=seed)


@pytest.fixture(scope="session")
def small_baseline():
    return cached_run("baseline", SMALL, 11)
