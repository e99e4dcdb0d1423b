"""Scenario comparison on common random numbers: bands and paired differences to the baseline.

Every scenario runs on the same replicate seeds, so replicate ``i`` of a scenario and of the
baseline differ only through the policy; the paired difference removes the shared noise and
its confidence interval is far narrower than the bands would suggest.
"""

from __future__ import annotations

import pandas as pd

from sim.experiments import folder as fs
from sim.experiments.replicates import KEYS, Experiment
from sim.experiments.spec import ExperimentError, Scenario, check_labels, resolve
from sim.experiments.stats import band, paired_difference

COLUMNS = [
    "scenario",
    "outcome",
    "median",
    "p05",
    "p95",
    "mean",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "n",
]


def outcomes(summary: pd.DataFrame) -> list[str]:
    """Numeric and boolean summary columns (whatever keys the model reports)."""
    return [
        c
        for c in summary.columns
        if c not in KEYS
        and (pd.api.types.is_numeric_dtype(summary[c]) or pd.api.types.is_bool_dtype(summary[c]))
    ]


def comparison_table(summary: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """One row per (scenario, outcome); differences are to ``labels[0]``, paired by replicate.

    ``n`` is the number of replicate pairs in the difference (fewer than ``n_replicates``
    only when replicates failed, see ``failures.json``). Booleans count as 0/1, so the mean
    of ``fund_exhausted`` is the probability of exhaustion.
    """
    rows = []
    base = summary[summary["scenario"] == labels[0]].set_index("replicate")
    for label in labels:
        x = summary[summary["scenario"] == label].set_index("replicate")
        common = x.index.intersection(base.index)
        for o in outcomes(summary):
            xo, bo = x[o].astype(float), base[o].astype(float)
            diff = paired_difference(xo.loc[common].to_numpy(), bo.loc[common].to_numpy())
            rows.append({"scenario": label, "outcome": o, **band(xo.to_numpy()), **diff})
    return pd.DataFrame(rows, columns=COLUMNS)


def compare(
    scenarios: list,
    n: int,
    seed: int,
    jobs: int | None = 1,
    backend: str = "loky",
    out=None,
    scheduler: str | None = None,
    overrides: list[str] | None = None,
    **options,
) -> pd.DataFrame:
    """Run scenarios on common seeds and compare each with the first (the baseline).

    Args:
        scenarios: scenario names and/or ``(label, scenario, overrides)`` entries, or
            :class:`Scenario` objects; the first is the baseline.
        n: replicates per scenario.
        seed: root seed; replicate seeds are ``SeedSequence(seed).spawn(n)`` for every scenario.
        jobs: worker processes (loky) or Dask workers (None/-1: all).
        backend: ``"loky"`` or ``"dask"``.
        scheduler: Dask scheduler address (None with ``backend="dask"``: a LocalCluster).
        out: experiment folder (default ``experiments/compare-<hash>``).
        overrides: applied to every scenario before its own (e.g. ``["county=small"]``).
        **options: ``tables``, ``progress``, ``save_on``, ``ensemble`` (see :class:`Experiment`).

    Returns:
        The comparison table, also written to ``comparison.parquet`` and ``comparison.csv``.
    """
    if not scenarios:
        raise ExperimentError("scenarios: give at least one scenario (the baseline first)")
    if all(isinstance(s, Scenario) for s in scenarios):
        specs = list(scenarios)
    else:
        specs = resolve(list(scenarios), overrides)
    check_labels(specs)
    labels = [s.label for s in specs]
    out = out or fs.default_out(
        "compare", [[(s.label, s.scenario, s.overrides) for s in specs], seed]
    )
    exp = Experiment(
        out, seed, n, jobs=jobs, backend=backend, scheduler=scheduler, kind="compare", **options
    )
    exp.check(specs)  # before the folder is made
    with exp:
        summary = exp.run(specs)
    table = comparison_table(summary, labels)
    fs.write_table(table, exp.out / "comparison.parquet", csv=True)
    return table
