"""Shared fixtures: small configurations keep the suite fast."""

from __future__ import annotations

import functools

import pytest

from sim import load_config, run
from sim.results import OUTPUTS_VAR

SMALL = ("county=small",)


@pytest.fixture(scope="session", autouse=True)
def outputs_outside_the_project(tmp_path_factory):
    """Runs made by the suite go to a temporary folder, never to the project's ``outputs/``.

    The command line moves ``outputs/latest`` to its newest run; without this, every test
    that runs it would leave the user's link pointing into a temporary folder.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(OUTPUTS_VAR, str(tmp_path_factory.mktemp("outputs")))
        yield


@functools.cache
def cached_run(scenario: str, overrides: tuple[str, ...], seed: int):
    """Run once per (scenario, overrides, seed) for the whole session; results are read-only."""
    return run(load_config(scenario, list(overrides)), seed=seed)


@pytest.fixture(scope="session")
def small_baseline():
    return cached_run("baseline", SMALL, 11)
