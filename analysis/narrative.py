"""Key numbers in sentences a county official would read.

Each sentence is a template from the label table filled with formatted numbers. A
sentence whose numbers are missing from the results is left out rather than printed with
a gap.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import fmt, places, tables
from analysis.charts_breaker import township_names
from analysis.charts_cliff import ordered, relapse_around_end, return_rates, scenario_label
from analysis.labels import Lang, label
from analysis.source import Run


def _has(d: dict[str, Any], *keys: str) -> bool:
    return all(k in d and not fmt.is_missing(d[k]) for k in keys)


def seed_text(seed: Any) -> str:
    """A seed as printed: the int, or entropy/spawn-key path of a SeedSequence record."""
    if isinstance(seed, list):
        return "/".join(str(s) for s in seed)
    return str(seed)


def run_source(run: Run, lang: Lang) -> str:
    """Which simulation the briefing comes from: scenario, seed, county, horizon."""
    county, ts = run.config.get("county", {}), run.timeseries
    horizon = {"start": ts["month"].iloc[0], "end": ts["month"].iloc[-1], "months": len(ts)}
    if not _has(county, "n_townships", "n_villages", "n_households"):
        return label("s_source_run_short", lang).format(
            scenario=scenario_label(run.scenario, lang), seed=seed_text(run.seed), **horizon
        )
    key = "s_source_run_files" if places.named() else "s_source_run"
    return label(key, lang).format(
        scenario=scenario_label(run.scenario, lang),
        seed=seed_text(run.seed),
        n_townships=fmt.count(county["n_townships"]),
        n_villages=fmt.count(county["n_villages"]),
        n_households=fmt.count(county["n_households"]),
        **horizon,
    )


def lending(s: dict[str, Any], lang: Lang) -> list[str]:
    """Loan balance, disbursement and household loan rate."""
    keys = (
        "final_loan_balance",
        "peak_loan_balance",
        "total_new_lending",
        "mean_new_loan_amount",
        "final_household_loan_rate",
    )
    if not _has(s, *keys):
        return []
    return [
        label("s_lending", lang).format(
            final_balance=fmt.money(s["final_loan_balance"], lang),
            peak_balance=fmt.money(s["peak_loan_balance"], lang),
            total_lending=fmt.money(s["total_new_lending"], lang),
            mean_loan=fmt.money(s["mean_new_loan_amount"], lang),
            loan_rate=fmt.pct(s["final_household_loan_rate"]),
        )
    ]


def risk(s: dict[str, Any], config: dict[str, Any], lang: Lang) -> list[str]:
    """NPL ratio against the thresholds and the suspensions it caused."""
    breaker = config.get("breaker", {})
    keys = (
        "peak_npl_ratio",
        "final_npl_ratio",
        "n_suspension_events",
        "months_with_suspension",
        "peak_villages_suspended",
    )
    if not _has(s, *keys) or not _has(breaker, "township_npl", "village_npl"):
        return []
    return [
        label("s_risk", lang).format(
            peak_npl=fmt.pct(s["peak_npl_ratio"]),
            final_npl=fmt.pct(s["final_npl_ratio"]),
            t_township=fmt.pct(breaker["township_npl"], 0),
            t_village=fmt.pct(breaker["village_npl"], 0),
            n_susp=fmt.count(s["n_suspension_events"]),
            months_susp=fmt.count(s["months_with_suspension"]),
            peak_villages=fmt.count(s["peak_villages_suspended"]),
        )
    ]


def fund(s: dict[str, Any], config: dict[str, Any], lang: Lang) -> list[str]:
    """Lowest fund balance, whether it ran out, and compensation paid."""
    initial = config.get("fund", {}).get("initial")
    if initial is None or not _has(s, "min_fund_balance", "fund_exhausted", "cum_fund_payouts"):
        return []
    key = "s_fund_exhausted" if s["fund_exhausted"] else "s_fund_ok"
    return [
        label(key, lang).format(
            initial=fmt.money(initial, lang),
            min_fund=fmt.money(s["min_fund_balance"], lang),
            payouts=fmt.money(s["cum_fund_payouts"], lang),
        )
    ]


def fiscal(s: dict[str, Any], lang: Lang) -> list[str]:
    """Cumulative fiscal cost and its main lines."""
    if not _has(s, "cum_fiscal_cost", "cum_interest_subsidy"):
        return []
    out = [
        label("s_fiscal", lang).format(
            fiscal=fmt.money(s["cum_fiscal_cost"], lang),
            subsidy=fmt.money(s["cum_interest_subsidy"], lang),
        )
    ]
    if s.get("cum_fund_topups", 0) > 0:
        out.append(label("s_topups", lang).format(topups=fmt.money(s["cum_fund_topups"], lang)))
    return out


def bulletin(villages: pd.DataFrame | None, lang: Lang) -> list[str]:
    """Highlights of the latest township bulletin and the latest yearly scorecards."""
    if villages is None or villages.empty:
        return []
    latest = tables.latest_bulletin(tables.township_bulletin(villages))
    worst = latest.loc[latest["npl_ratio"].idxmax()]
    key = "s_bulletin" if worst["npl_ratio"] > 0 else "s_bulletin_clean"
    out = [
        label(key, lang).format(
            month=worst["month"],
            township=township_names(pd.Index([worst["township"]]), lang)[0],
            npl=fmt.pct(worst["npl_ratio"]),
            n_susp=fmt.count((latest["status"] != "normal").sum()),
        )
    ]
    town, bank = tables.scorecard(villages), tables.scorecard(villages, by="bank")
    year = int(town["year"].max())
    best_town = town[(town["year"] == year)].iloc[0]["township"]
    best_bank = bank[(bank["year"] == year)].iloc[0]["bank"]
    out.append(
        label("s_scorecard", lang).format(
            year=year,
            township=places.name("township", int(best_town), lang),
            bank=places.name("bank", int(best_bank), lang),
        )
    )
    return out


def cliff(
    poverty: pd.DataFrame | None, lang: Lang, year: int = 3, table: pd.DataFrame | None = None
) -> list[str]:
    """Return-to-poverty rates under each withdrawal rule.

    With a cliff ``table`` by exit cohort (model output): the share poor again within ``year``
    years after supports end, and the return-to-poverty rate ``year`` years after exit. Without
    it: only the latter.
    """
    out = []
    if table is not None and not table.empty and "relapsed_share" in table.columns:
        bands = relapse_around_end(table)
        rates = bands["median"].dropna()  # years the horizon reached
        rel = rates.index.get_level_values("years_relative_to_support_end")
        if (rel >= 0).any():
            r = min(year - 1, int(rel.max()))
            at = rates.xs(r, level="years_relative_to_support_end").dropna()
            parts = [
                label("s_cliff_part", lang).format(
                    scenario=scenario_label(s, lang), rate=fmt.pct(at[s])
                )
                for s in ordered(pd.Series(at.index.astype(str)))
            ]
            sep = label("list_sep", lang)
            key = "s_cliff_end" if bands["n"].max() > 1 else "s_cliff_end_one"  # one run: no median
            out.append(label(key, lang).format(k=r + 1, parts=sep.join(parts)))
    return out + _cliff_after_exit(poverty, lang, year)


def _cliff_after_exit(poverty: pd.DataFrame | None, lang: Lang, year: int) -> list[str]:
    """Return-to-poverty rate ``year`` years after exit under each withdrawal rule."""
    if poverty is None or poverty.empty:
        return []
    rates = return_rates(poverty)["median"].dropna()
    if rates.empty:
        return []
    years = rates.index.get_level_values("years_since_exit")
    k = year if year in set(years) else int(years.max())
    at_k = rates.xs(k, level="years_since_exit").dropna()
    parts = [
        label("s_cliff_part", lang).format(scenario=scenario_label(s, lang), rate=fmt.pct(at_k[s]))
        for s in ordered(pd.Series(at_k.index.astype(str)))
    ]
    return [label("s_cliff", lang).format(k=k, parts=label("list_sep", lang).join(parts))]


def run_sentences(run: Run, lang: Lang) -> list[str]:
    """Every sentence of a single-run briefing, in reading order."""
    s, cfg = run.summary, run.config
    return [
        run_source(run, lang),
        *lending(s, lang),
        *risk(s, cfg, lang),
        *fund(s, cfg, lang),
        *fiscal(s, lang),
        *bulletin(run.villages, lang),
    ]
