"""Experiments: replicates, comparison, fund sizing, sensitivity, scenario discovery, frontier.

Every experiment runs its scenarios on one list of replicate seeds spawned from a root seed
(common random numbers), fans the replicates out with joblib (local processes or a Dask
cluster), writes each replicate into the experiment folder as it finishes, and resumes
when re-run. See ``docs/experiments.md`` for the folder layout and the command line.
"""

from sim.experiments.compare import compare
from sim.experiments.discover import discover
from sim.experiments.frontier import frontier
from sim.experiments.fund_sizing import size_fund
from sim.experiments.replicates import Experiment, run_replicates
from sim.experiments.sensitivity import sensitivity
from sim.experiments.spec import ExperimentError, Scenario

__all__ = [
    "Experiment",
    "ExperimentError",
    "Scenario",
    "compare",
    "discover",
    "frontier",
    "run_replicates",
    "sensitivity",
    "size_fund",
]
