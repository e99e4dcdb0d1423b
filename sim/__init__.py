"""Agent-based model of Shangcai County's 2019 poverty-alleviation microcredit policy.

Typical use::

    from sim import load_config, run
    cfg = load_config("baseline", overrides=["fund.leverage=8"])
    res = run(cfg, seed=7)
    res.timeseries, res.villages, res.events, res.summary
    res.save("outputs/my_run")

The same model as Mesa's tools expect it (keyword parameters, a DataCollector)::

    from sim import ShangcaiModel
    model = ShangcaiModel(scenario="baseline", seed=1, **{"fund.leverage": 8})
"""

from sim.config import ConfigError, load_config
from sim.mesa_model import ShangcaiModel
from sim.results import RunResult, load_run
from sim.runner import build_model, run

__all__ = [
    "ConfigError",
    "RunResult",
    "ShangcaiModel",
    "build_model",
    "load_config",
    "load_run",
    "run",
]
__version__ = "0.1.0"
