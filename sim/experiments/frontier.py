"""Policy frontier: lever settings no other setting beats on every objective at once.

Three objectives, as the county weighs them: the household loan rate (户贷率, maximise), the
probability that the risk-compensation fund runs out within the horizon (minimise) and the
county's fiscal cost (minimise). Optuna's NSGA-II sampler proposes lever settings
generation by generation (``population`` settings a generation); every setting, and the
configured policy itself, runs on the same ``n`` replicate seeds (common random numbers),
so two settings differ only through their levers. A setting is judged by its means over
the replicates: loan rate and fiscal cost with 95 % t intervals, the exhaustion probability
with its 95 % Wilson interval.

The frontier is the set of settings not dominated by any other setting evaluated (at least
as good on every objective and better on one), computed here over every candidate, the
configured policy included; ``configured`` in ``frontier.json`` says whether the configured
policy is dominated and by which settings. The means carry Monte Carlo error: a setting
dominated by a margin inside the intervals may be on the true frontier (raise ``--n``).

Default levers: fund size and leverage, the village and township breaker thresholds, the
renewal and extension rules and the loss-sharing arrangement (the fund's and the
guarantor's shares of a loss). Ranges are those declared in ``levers.py`` (for
``county=small`` give ``--range fund.initial=LOW:HIGH``).

Writes ``<exp>/frontier/``: ``candidates`` (every setting: generation, lever values,
outcomes with intervals, ``non_dominated``), ``frontier`` (the non-dominated rows) and
``frontier.json``. :func:`frontier` also takes a plain function instead of the model
(``model=f``, ``f(replicate=i, **levers) -> {outcome: value}``), as the tests do.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config import CONFIG_DIR
from sim.experiments import folder as fs
from sim.experiments import levers
from sim.experiments.replicates import Experiment
from sim.experiments.sensitivity import check_bounds, problem
from sim.experiments.spec import ExperimentError, Scenario, from_config, require, with_values
from sim.experiments.stats import wilson

OBJECTIVES = (
    ("final_household_loan_rate", "max"),
    ("fund_exhausted", "min"),
    ("cum_fiscal_cost", "min"),
)
DEFAULT_LEVERS = (
    "fund.initial",
    "fund.leverage",
    "breaker.village_npl",
    "breaker.township_npl",
    "maturity.renewal_after_campaign",
    "maturity.extension_enabled",
    "loss.claim_dpd",
    "sharing",
)
SHARING = "sharing"  # the loss-sharing arrangement: a choice among configs/sharing/
CONFIGURED = "configured"


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` is at least as good as ``b`` on every objective and better on one (all minimised)."""
    return bool(np.all(a <= b) and np.any(a < b))


def non_dominated(scores: np.ndarray) -> np.ndarray:
    """Mask of rows no other row dominates (``scores`` to minimise, one column an objective)."""
    keep = np.ones(len(scores), dtype=bool)
    for i in range(len(scores)):
        for j in range(len(scores)):
            if i != j and dominates(scores[j], scores[i]):
                keep[i] = False
                break
    return keep


def minimised(table: pd.DataFrame) -> np.ndarray:
    """Objective means turned into minimisation scores (maximised ones negated)."""
    cols = [
        (-1.0 if d == "max" else 1.0) * table[f"mean_{k}"].to_numpy(float) for k, d in OBJECTIVES
    ]
    return np.column_stack(cols)


def outcome_stats(rows: pd.DataFrame) -> dict[str, float]:
    """Means of the objectives over replicates with their 95 % intervals."""
    from scipy import stats

    out: dict[str, float] = {"n": len(rows)}
    for key, _ in OBJECTIVES:
        x = rows[key].astype(float).to_numpy()
        mean = float(x.mean())
        if key == "fund_exhausted":
            lo, hi = wilson(int(x.sum()), len(x))
        elif len(x) > 1:
            half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
            lo, hi = mean - half, mean + half
        else:
            lo = hi = math.nan
        out |= {f"mean_{key}": mean, f"ci_low_{key}": lo, f"ci_high_{key}": hi}
    return out


def distributions(params: list[levers.Parameter], prob: dict) -> dict:
    """Optuna search space: floats, integers and on/off switches."""
    import optuna

    dists = {}
    for p, (lo, hi) in zip(params, prob["bounds"], strict=True):
        if p.dtype == "bool":
            dists[p.key] = optuna.distributions.CategoricalDistribution((0, 1))
        elif p.dtype == "int":
            dists[p.key] = optuna.distributions.IntDistribution(math.ceil(lo), math.floor(hi))
        else:
            dists[p.key] = optuna.distributions.FloatDistribution(lo, hi)
    return dists


def frontier(
    cfg: DictConfig | dict | Scenario | None = None,
    n: int = 20,
    seed: int = 0,
    *,
    model: Callable[..., dict[str, Any]] | None = None,
    configured: dict[str, float] | None = None,
    params: list[str] | list[levers.Parameter] | None = None,
    ranges: dict | None = None,
    population: int = 16,
    generations: int = 4,
    jobs: int | None = 1,
    backend: str = "loky",
    out=None,
    scheduler: str | None = None,
    **options,
) -> dict:
    """Search the levers with NSGA-II and return the non-dominated settings.

    Args:
        cfg: the base configuration (its lever values are the configured policy).
        n: replicate seeds per setting (the same for every setting).
        seed: root seed of the replicates and of the sampler.
        model: a plain function ``f(replicate=i, **levers) -> {outcome: value}`` used
            instead of the simulation (with ``configured`` lever values).
        configured: the configured policy's lever values (with ``model`` only).
        params: lever keys from ``levers.py`` (or ``Parameter`` objects); default
            ``DEFAULT_LEVERS``.
        ranges: ``{key: (low, high)}`` replacing declared ranges.
        population: settings per NSGA-II generation.
        generations: NSGA-II generations (``population * generations`` settings in all).
        jobs: worker processes (loky) or Dask workers (None/-1: all).
        backend: ``"loky"`` or ``"dask"``.
        scheduler: Dask scheduler address (None with ``backend="dask"``: a LocalCluster).
        out: experiment folder (default ``experiments/frontier-<hash>``).
        **options: ``tables``, ``progress``, ``save_on`` (see :class:`Experiment`).

    Returns:
        ``{"candidates", "frontier"}`` tables and ``"result"`` (``frontier.json``).
    """
    require("optuna", "optuna", "frontier")
    import optuna

    if population < 2 or generations < 1 or n < 1:
        raise ExperimentError(
            f"population={population}, generations={generations}, n={n}: give a population of "
            "at least 2, one generation and one replicate"
        )
    keys = [p if isinstance(p, str) else p.key for p in (params or DEFAULT_LEVERS)]
    with_sharing = SHARING in keys
    chosen = _parameters([p for p in (params or DEFAULT_LEVERS) if p != SHARING])
    prob = problem(chosen, ranges)
    dists = distributions(chosen, prob)
    if with_sharing:
        dists[SHARING] = optuna.distributions.CategoricalDistribution(tuple(arrangements()))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(population_size=population, seed=seed)
    directions = ["maximize" if d == "max" else "minimize" for _, d in OBJECTIVES]
    study = optuna.create_study(directions=directions, sampler=sampler)
    if model is None:
        if cfg is None:
            raise ExperimentError("frontier: give a configuration or a model function")
        base = cfg if isinstance(cfg, Scenario) else from_config(cfg)
        check_bounds(base, prob)
        configured = {p.key: _current(base, p) for p in chosen}
        if with_sharing:
            configured[SHARING] = str(base.config["sharing"]["name"])
        out = out or fs.default_out(
            "frontier", [base.label, base.overrides, prob, seed, population, generations]
        )
        design = {
            "parameters": keys,
            "ranges": dict(zip(prob["names"], prob["bounds"], strict=True)),
            "population": population,
            "generations": generations,
        }
        exp = Experiment(
            out,
            seed,
            n,
            jobs=jobs,
            backend=backend,
            scheduler=scheduler,
            design=design,
            growing=True,  # settings are added generation by generation
            **options,
        )
        evaluate = _model_evaluator(exp, base)
    else:
        if configured is None:
            raise ExperimentError("frontier with a model function: give the configured levers")
        exp = None
        out = Path(out or fs.default_out("frontier", ["function", prob, seed, population]))
        evaluate = _function_evaluator(model, n)
    rows = []
    with exp if exp is not None else nullcontext():
        rows.append({"candidate": CONFIGURED, "generation": -1, **configured,
                     **evaluate({CONFIGURED: configured})[CONFIGURED]})  # fmt: skip
        for g in range(generations):
            trials = [study.ask(dists) for _ in range(population)]
            settings = {f"cand_{t.number:04d}": dict(t.params) for t in trials}
            results = evaluate(settings)
            for t, (label, values) in zip(trials, settings.items(), strict=True):
                r = results[label]
                study.tell(t, [r[f"mean_{k}"] for k, _ in OBJECTIVES])
                rows.append({"candidate": label, "generation": g, **values, **r})
    folder = Path(exp.out if exp is not None else out)
    return write_results(folder / "frontier", pd.DataFrame(rows), chosen, configured, n)


def write_results(
    target: Path, table: pd.DataFrame, chosen: list[levers.Parameter], configured: dict, n: int
) -> dict:
    """Mark the non-dominated settings and write the tables and ``frontier.json``."""
    scores = minimised(table)
    table["non_dominated"] = non_dominated(scores)
    front = table[table["non_dominated"]].reset_index(drop=True)
    i = int(np.flatnonzero(table["candidate"].to_numpy() == CONFIGURED)[0])
    by = [
        str(table["candidate"].iloc[j])
        for j in range(len(table))
        if j != i and dominates(scores[j], scores[i])
    ]
    conf = table.iloc[i]
    result = {
        "objectives": [{"outcome": k, "direction": d} for k, d in OBJECTIVES],
        "levers": [p.key for p in chosen] + ([SHARING] if SHARING in configured else []),
        "replicates_per_setting": n,
        "n_candidates": int(len(table)),
        "n_frontier": int(len(front)),
        "configured": {
            "levers": {k: _plain(v) for k, v in configured.items()},
            "outcomes": {
                k: _plain(conf[k]) for k in table.columns if k.startswith(("mean_", "ci_"))
            },
            "dominated": bool(by),
            "dominated_by": by,
        },
        "message": _message(table, front, by, n),
    }
    for name, t in (("candidates", table), ("frontier", front)):
        fs.write_table(t, target / f"{name}.parquet", csv=True)
    fs.write_json(target / "frontier.json", result)
    return {"candidates": table, "frontier": front, "result": result}


def _message(table: pd.DataFrame, front: pd.DataFrame, by: list[str], n: int) -> str:
    text = (
        f"{len(front)} of {len(table)} lever settings are non-dominated (household loan rate up, "
        f"P(fund exhausted) and fiscal cost down; means over {n} common replicate seeds)."
    )
    if by:
        rows = table.set_index("candidate").loc[by]
        best = rows.sort_values("mean_final_household_loan_rate").iloc[-1]
        text += (
            f" The configured policy is dominated by {len(by)} of them, e.g. {best.name}: loan "
            f"rate {best['mean_final_household_loan_rate']:.1%}, P(exhausted) "
            f"{best['mean_fund_exhausted']:.2f}, fiscal cost {best['mean_cum_fiscal_cost']:,.0f} yuan."
        )
    else:
        text += " The configured policy is on the frontier (no setting evaluated dominates it)."
    return text


def _parameters(params) -> list[levers.Parameter]:
    if params and all(isinstance(p, levers.Parameter) for p in params):
        return list(params)
    return levers.parameters(list(params or DEFAULT_LEVERS))


def _current(base: Scenario, p: levers.Parameter) -> float:
    from sim.experiments.spec import KEY

    m = KEY.match(p.key)
    node: Any = base.config
    for part in m.group(1).split("."):
        node = node[part]
    value = node[int(m.group(2))] if m.group(2) is not None else node
    return int(value) if isinstance(value, bool) else value


def _model_evaluator(exp: Experiment, base: Scenario):
    def evaluate(settings: dict[str, dict]) -> dict[str, dict]:
        specs = [_with_setting(base, label, values) for label, values in settings.items()]
        summary = exp.run(specs)
        out = {}
        for s in specs:
            rows = summary[summary["scenario"] == s.label]
            if len(rows) == 0:
                raise ExperimentError(
                    f"{s.label}: every replicate failed; see {exp.out}/failures.json"
                )
            out[s.label] = outcome_stats(rows)
        return out

    return evaluate


def arrangements() -> list[str]:
    """Names of the loss-sharing arrangements (``configs/sharing/*.yaml``)."""
    return sorted(p.stem for p in (CONFIG_DIR / "sharing").glob("*.yaml"))


def _with_setting(base: Scenario, label: str, values: dict[str, Any]) -> Scenario:
    """``base`` with numeric lever ``values`` and, if given, another sharing arrangement."""
    values = dict(values)
    name = values.pop(SHARING, None)
    if name is not None and name != base.config["sharing"]["name"]:
        from omegaconf import OmegaConf

        data = copy.deepcopy(base.config)
        data["sharing"] = OmegaConf.to_container(
            OmegaConf.load(CONFIG_DIR / "sharing" / f"{name}.yaml")
        )
        base = Scenario(base.label, base.scenario, [*base.overrides, f"sharing={name}"], data)
    return with_values(base, label, values, False)


def _function_evaluator(model, n: int):
    def evaluate(settings: dict[str, dict]) -> dict[str, dict]:
        out = {}
        for label, values in settings.items():
            rows = pd.DataFrame([model(replicate=i, **values) for i in range(n)])
            out[label] = outcome_stats(rows)
        return out

    return evaluate


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


logging.getLogger("optuna").setLevel(logging.WARNING)
