"""The model as Mesa's own tools expect it: keyword parameters and a ``DataCollector``.

:class:`ShangcaiModel` is :class:`sim.model.MicrocreditModel` built from keyword arguments
named as configuration keys, with the county's monthly series in ``model.datacollector``::

    from sim import ShangcaiModel

    model = ShangcaiModel(scenario="strict_breaker", seed=1, county="small", **{"fund.leverage": 8})
    while model.running:
        model.step()
    model.datacollector.get_model_vars_dataframe()  # one row a month

    import mesa

    mesa.batch_run(ShangcaiModel, parameters={"fund.leverage": [5, 10]}, iterations=2, max_steps=12)

Configuration goes through :func:`sim.load_config`, so a bad key or value raises the same
:class:`sim.ConfigError` (naming the key) as the command line. The model stops at the end of
the horizon (``running`` turns false and further ``step()`` calls do nothing).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from sim.config import ConfigError, load_config
from sim.model import MicrocreditModel

# The monthly series the DataCollector holds (columns of the recorder's month-end row);
# the whole row is in ``model.timeseries()``.
SERIES = (
    "month",
    "t",
    "n_households_with_loan",
    "cum_borrower_households",
    "household_loan_rate",
    "n_applications",
    "n_blocked_suspended",
    "n_blocked_capacity",
    "new_loans",
    "new_loan_amount",
    "renewals",
    "extensions",
    "loan_balance",
    "loan_balance_household_channel",
    "loan_balance_enterprise_channel",
    "overdue_balance",
    "npl_balance",
    "npl_ratio",
    "n_villages_suspended",
    "n_townships_suspended",
    "new_losses",
    "cum_losses",
    "fund_balance",
    "fund_leverage",
    "lending_capacity",
    "cum_fund_payouts",
    "cum_interest_subsidy",
    "cum_fiscal_cost",
    "n_poor",
    "cum_returned_to_poverty",
)


def latest(key: str, model: ShangcaiModel) -> Any:
    """Model reporter: the value of ``key`` in the recorder's latest month-end row.

    Used as ``functools.partial(latest, key)``: a partial of a module function pickles, so
    models and their collectors go through Mesa's ``batch_run`` with several processes.
    """
    value = model.recorder.rows[-1][key]
    return value.item() if isinstance(value, np.generic) else value


def override(key: str, value: Any) -> str:
    """Hydra override text ``key=value`` of a Python value (bool, number, str, list, None)."""
    if not isinstance(key, str) or not key or any(c in key for c in " =,"):
        raise ConfigError(f"{key!r}: not a configuration key; use names such as fund.leverage")
    return f"{key}={_override_value(key, value)}"


def _override_value(key: str, value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.integer | np.floating):
        if not np.isfinite(value):
            raise ConfigError(f"{key}={value}: give a finite number")
        return repr(value.item() if isinstance(value, np.generic) else value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_override_value(key, v) for v in value) + "]"
    raise ConfigError(f"{key}: a {type(value).__name__} cannot be a configuration value")


class ShangcaiModel(MicrocreditModel):
    """Shangcai County microcredit, built from keyword arguments; one step is one month.

    Args:
        scenario: name of a file in ``scenarios/`` (default ``baseline``).
        seed: root seed of every random stream. Without one (``None``, Mesa's convention)
            the model takes ``run.seed`` when it is given as a keyword, else fresh entropy, so
            that ``batch_run`` iterations differ; the seed used is ``model.seed`` and the
            ``seed`` column of the collected data, so any run can be repeated exactly.
        rng: same as ``seed`` (an int, a ``SeedSequence`` or ``None``), for callers that
            pass Mesa's newer keyword; a ``numpy.random.Generator`` gives its next integer.
        county: the county configuration group (``shangcai`` or ``small``).
        **params: configuration keys and values, ``**{"fund.leverage": 8}``; a configuration
            group such as ``county`` may be given the same way.

    Raises:
        ConfigError: an unknown scenario, key or value, naming it and what to change.
    """

    def __init__(
        self,
        scenario: str = "baseline",
        seed: int | np.random.SeedSequence | None = None,
        rng: Any = None,
        county: str | None = None,
        **params: Any,
    ):
        import mesa

        overrides = [override(k, v) for k, v in params.items()]
        if county is not None:
            overrides.insert(0, override("county", county))
        cfg = load_config(str(scenario), overrides)
        root = _root_seed(seed, rng, cfg, "run.seed" in params)
        self.seed = root
        self.scenario_name = cfg.scenario  # (Mesa 3.5 has its own `scenario`)
        self.params = dict(params, **({"county": county} if county else {}))
        super().__init__(cfg, root)
        self.running = True
        self.datacollector = mesa.DataCollector(
            model_reporters={
                **{key: partial(latest, key) for key in SERIES},
                "seed": _seed_reporter,
            }
        )

    def step(self) -> None:
        """One month, then the month-end row into the DataCollector; stops at the horizon."""
        if self.t >= self.calendar.months:
            self.running = False
            return
        super().step()
        self.datacollector.collect(self)
        if self.t >= self.calendar.months:
            self.running = False

    def timeseries(self):
        """Every month-end row so far (all recorder columns) as a ``pandas.DataFrame``."""
        import pandas as pd

        return pd.DataFrame(self.recorder.rows)


def _seed_reporter(model: ShangcaiModel) -> int | str:
    seed = model.seed
    if isinstance(seed, np.random.SeedSequence):
        return str([int(seed.entropy), *map(int, seed.spawn_key)])
    return int(seed)


def _root_seed(seed: Any, rng: Any, cfg: Any, run_seed: bool) -> int | np.random.SeedSequence:
    """The root seed from ``seed``, else ``rng``, else ``run.seed`` if given, else fresh entropy."""
    for value in (seed, rng):
        if isinstance(value, np.random.Generator):
            return int(value.integers(2**63))
        if isinstance(value, np.random.SeedSequence):
            return value
        if isinstance(value, int | np.integer) and not isinstance(value, bool):
            if value < 0:
                raise ConfigError(f"seed={value}: give a non-negative integer")
            return int(value)
        if value is not None:
            raise ConfigError(
                f"seed={value!r}: give a non-negative integer, a numpy SeedSequence or None"
            )
    if run_seed:
        return int(cfg.run.seed)
    return int(np.random.SeedSequence().entropy % 2**63)  # recorded in model.seed
