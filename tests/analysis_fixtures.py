"""Small saved results for the analysis tests, built once per session and shared.

- ``small_run``: one baseline run of the small county (36 months) saved as a run folder.
- ``experiment``: an experiment folder in the layout of docs/briefing.md: two scenarios
  (baseline and a fund so small that it runs out in some replicates) x 4 replicates of
  ``county=small horizon.months=24`` on common seeds, with summary, comparison and
  fund-sizing tables computed here the way the experiment runner defines them.
  Its replicates have no ``poverty.parquet`` / ``cliff.parquet`` (the pack must skip the
  cliff charts), and only baseline replicate 0 keeps its village panel.
- ``cliff_experiment``: a copy of ``experiment`` plus the three withdrawal-rule scenarios
  with synthetic ``poverty.parquet`` / ``cliff.parquet`` files whose answer is known.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from sim import load_config, run

SMALL = ["county=small", "horizon.months=24"]
SCENARIOS = {"baseline": [], "small_fund": ["fund.initial=60000", "fund.leverage=500"]}
N_REPLICATES = 4
ROOT_SEED = 2019
RUN_SEED = 11
CLIFF_RULES = ("cliff_abrupt", "cliff_tapered", "cliff_profit_retention")
_CACHE: dict[str, Path] = {}


def replicate_seeds() -> list[np.random.SeedSequence]:
    """One child per replicate, shared by every scenario (common random numbers)."""
    return np.random.SeedSequence(ROOT_SEED).spawn(N_REPLICATES)


def seed_record(seed: np.random.SeedSequence) -> list[int]:
    return [int(seed.entropy), *map(int, seed.spawn_key)]


def small_run(factory) -> Path:
    if "run" not in _CACHE:
        # supports end after 2019, so that 36 months show two years after the cliff
        short = ["county=small", "horizon.months=36", "poverty.support_end_year=2019"]
        cfg = load_config("baseline", short)
        _CACHE["run"] = run(cfg, seed=RUN_SEED).save(factory.mktemp("analysis_run") / "run")
    return _CACHE["run"]


def experiment(factory) -> Path:
    if "exp" not in _CACHE:
        _CACHE["exp"] = _build_experiment(factory.mktemp("analysis_exp") / "exp")
    return _CACHE["exp"]


def _build_experiment(root: Path) -> Path:
    seeds, rows, configs = replicate_seeds(), [], {}
    for name, overrides in SCENARIOS.items():
        cfg = load_config("baseline", [*SMALL, *overrides])
        for i, seed in enumerate(seeds):
            res = run(cfg, seed=seed)
            if (name, i) != ("baseline", 0):  # experiments keep villages only on request
                res.villages = None
            res.poverty = res.cliff = None  # as if not recorded: the pack must skip the cliff
            res.save(root / "replicates" / name / f"rep_{i:04d}")
            record = json.dumps(seed_record(seed))
            rows.append({"scenario": name, "replicate": i, "seed": record, **res.summary})
            configs[name] = {"overrides": [*SMALL, *overrides], "config": res.config}
    meta = {
        "name": "test_exp",
        "root_seed": ROOT_SEED,
        "n_replicates": N_REPLICATES,
        "scenarios": configs,
        "replicate_seeds": [seed_record(s) for s in seeds],
    }
    (root / "experiment.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    summary = pd.DataFrame(rows)
    summary.to_parquet(root / "summary.parquet", index=False)
    comparison(summary).to_parquet(root / "comparison.parquet", index=False)
    _fund_sizing(root / "fund_sizing")
    return root


def comparison(summary: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """Per scenario and outcome: bands and the paired difference from baseline (t interval).

    The experiment runner's own table (``sim.experiments.compare``), so the pack is tested on
    what ``compare`` writes.
    """
    from sim.experiments.compare import comparison_table

    labels = [baseline, *(s for s in summary["scenario"].unique() if s != baseline)]
    return comparison_table(summary, labels)


FUND_SIZES = [1e6, 2e6, 4e6, 8e6, 16e6]
P_EXHAUSTED = [0.9, 0.55, 0.2, 0.04, 0.0]


def _fund_sizing(folder: Path) -> None:
    folder.mkdir(parents=True)
    p = np.array(P_EXHAUSTED)
    curve = pd.DataFrame(
        {
            "fund_initial": FUND_SIZES,
            "leverage": 10.0,  # sizing the fund keeps the multiple
            "p_exhausted": p,
            "p_exhausted_ci_low": np.clip(p - 0.1, 0, 1),
            "p_exhausted_ci_high": np.clip(p + 0.1, 0, 1),
            "mean_cum_fund_payouts": [900e3, 950e3, 1e6, 1e6, 1e6],
            "p95_cum_fund_payouts": [1.4e6, 1.5e6, 1.5e6, 1.5e6, 1.5e6],
            "mean_household_loan_rate": [0.20, 0.27, 0.31, 0.33, 0.33],
            "mean_cum_fiscal_cost": [3.1e6, 3.3e6, 3.4e6, 3.4e6, 3.4e6],
        }
    )
    curve.to_parquet(folder / "curve.parquet", index=False)
    answer = {
        "alpha": 0.05,
        "fund_initial": 8e6,
        "leverage": 10.0,
        "p_exhausted": 0.04,
        "ci": [0.0, 0.14],
        "household_loan_rate": 0.33,
        "feasible": True,
        "message": "8,000,000 yuan keeps P(exhausted) at or below 5 %",
    }
    (folder / "answer.json").write_text(json.dumps(answer), encoding="utf-8")


def poverty_table(rule_index: int, replicate: int) -> pd.DataFrame:
    """Synthetic returns to poverty: abrupt withdrawal returns most, retention least."""
    rows = []
    for exit_year in (2019, 2020):
        for k in range(1, 6):
            exited = 1000 + 100 * replicate
            rate = (0.18, 0.09, 0.03)[rule_index] * min(k, 3) / 3 + 0.002 * replicate
            rows.append(
                {
                    "exit_year": exit_year,
                    "years_since_exit": k,
                    "n_exited": exited,
                    "n_returned": round(exited * rate),
                    "return_rate": round(exited * rate) / exited,
                }
            )
    return pd.DataFrame(rows)


def cliff_table(rule_index: int, replicate: int) -> pd.DataFrame:
    drop = (1500.0, 600.0, 150.0)[rule_index]
    years = np.arange(-3, 4)
    income = 5000 + 300 * years - np.where(years >= 0, drop, 0.0) + 10 * replicate
    return pd.DataFrame({"years_relative_to_support_end": years, "mean_income_per_person": income})


def cliff_experiment(factory) -> Path:
    if "cliff" not in _CACHE:
        root = factory.mktemp("analysis_cliff") / "exp"
        shutil.copytree(experiment(factory), root)
        base = root / "replicates" / "baseline"
        for r, rule in enumerate(CLIFF_RULES):
            for i, rep in enumerate(sorted(base.iterdir())):
                target = root / "replicates" / rule / rep.name
                shutil.copytree(rep, target)
                poverty_table(r, i).to_parquet(target / "poverty.parquet", index=False)
                cliff_table(r, i).to_parquet(target / "cliff.parquet", index=False)
        _CACHE["cliff"] = root
    return _CACHE["cliff"]


def run_pack(factory) -> Path:
    """The Chinese pack of ``small_run``, made by the command line into its default folder."""
    if "run_pack" not in _CACHE:
        from analysis.briefing import main

        folder = small_run(factory)
        assert main([str(folder)]) == 0, "python -m analysis.briefing failed on a run folder"
        _CACHE["run_pack"] = folder / "briefing"
    return _CACHE["run_pack"]


def experiment_pack(factory) -> Path:
    """The English pack of ``experiment`` (written with --out)."""
    if "exp_pack" not in _CACHE:
        from analysis.pack import write_pack

        out = factory.mktemp("analysis_exp_pack") / "pack"
        _CACHE["exp_pack"] = write_pack(experiment(factory), "en", out)
    return _CACHE["exp_pack"]
