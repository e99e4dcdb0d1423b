"""What goes into a briefing pack for an experiment (scenarios x replicates)."""

from __future__ import annotations

import pandas as pd

from analysis import (
    charts_compare,
    charts_discovery,
    charts_frontier,
    charts_sizing,
    narrative,
    narrative_exp,
    series,
    tables,
)
from analysis.charts_cliff import scenario_label
from analysis.contents import (
    Chart,
    Contents,
    cliff_charts,
    cliff_notes,
    fiscal_sheet,
    series_charts,
    township_charts,
    township_sheets,
)
from analysis.labels import Lang, label
from analysis.narrative import seed_text
from analysis.source import Experiment
from analysis.workbook import Sheet

BAND_VARIABLES = (
    "loan_balance",
    "new_loan_amount",
    "household_loan_rate",
    "npl_ratio",
    "fund_balance",
    "leverage",
    "cum_fiscal_cost",
)


def outcome_quantiles(summary: pd.DataFrame) -> pd.DataFrame:
    """Median, 5 %, 95 %, mean and count of every numeric outcome per scenario."""
    skip = {"scenario", "replicate", "seed"}
    cols = [c for c in summary.columns if c not in skip]
    numeric = summary[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    long = numeric.assign(scenario=summary["scenario"]).melt("scenario", var_name="outcome")
    g = long.groupby(["scenario", "outcome"], sort=False)["value"]
    out = pd.DataFrame(
        {
            "median": g.median(),
            "p05": g.quantile(0.05),
            "p95": g.quantile(0.95),
            "mean": g.mean(),
            "n": g.count(),
        }
    )
    return out.reset_index()


def bands(exp: Experiment) -> pd.DataFrame:
    """Per scenario, month and variable: 5 %, median and 95 % across replicates."""
    frames = []
    for scenario in exp.scenarios:
        data = series.with_leverage(exp.timeseries(scenario))
        for var in (v for v in BAND_VARIABLES if v in data.columns):
            q = data.groupby("month")[var].quantile([0.05, 0.5, 0.95]).unstack()
            q.columns = ["p05", "median", "p95"]
            frames.append(q.reset_index().assign(scenario=scenario, variable=var))
    table = pd.concat(frames, ignore_index=True)
    return table[["scenario", "month", "variable", "p05", "median", "p95"]]


def fiscal_by_scenario(exp: Experiment) -> pd.DataFrame:
    """Mean yearly budget lines per scenario."""
    frames = [fiscal_sheet(exp.timeseries(s)).assign(scenario=s) for s in exp.scenarios]
    table = pd.concat(frames, ignore_index=True)
    return table[["scenario", *[c for c in table.columns if c != "scenario"]]]


def experiment_charts(exp: Experiment, lang: Lang) -> list[Chart]:
    """Baseline bands, township charts of one replicate, comparison, sizing and cliff."""
    base, rep = exp.baseline, exp.representative()
    meta = {"name": exp.name, "root_seed": seed_text(exp.meta.get("root_seed", "–"))}
    name = scenario_label(base, lang)
    src = label("src_exp", lang).format(scenario=name, n=len(exp.runs(base)), **meta)
    src_rep = label("src_exp_rep", lang).format(
        scenario=name, replicate=rep.path.name, seed=seed_text(rep.seed), name=exp.name
    )
    src_all = label("src_exp_all", lang).format(n_scenarios=len(exp.scenarios), **meta)
    charts = series_charts(exp.timeseries(base), rep.config, lang, src)
    charts[2:2] = township_charts(rep, lang, src_rep)
    if exp.comparison is not None and exp.comparison["scenario"].nunique() > 1:
        fig = charts_compare.comparison_overview(exp.comparison, baseline=base, lang=lang)
        charts.append(Chart("comparison", label("cap_comparison", lang), fig, src_all))
    if exp.fund_curve is not None and not exp.fund_curve.empty:
        fig = charts_sizing.plot_fund_sizing(exp.fund_curve, exp.fund_answer, lang)
        charts.append(Chart("fund_sizing", label("cap_fund_sizing", lang), fig, src_all))
    if exp.discovery is not None:
        d = exp.discovery
        fig = charts_discovery.plot_discovery(d["trajectory"], d["boxes"], d["result"], lang)
        charts.append(Chart("discovery", label("cap_discovery", lang), fig, src_all))
    if exp.frontier is not None:
        fig = charts_frontier.plot_frontier(
            exp.frontier["candidates"], exp.frontier["result"], lang
        )
        charts.append(Chart("frontier", label("cap_frontier", lang), fig, src_all))
    cliff = exp.cliff_tables()
    if cliff is not None:
        charts += cliff_charts(*cliff, lang, src_all, cliff_notes(rep, lang))
    return charts


def experiment_sheets(exp: Experiment) -> list[Sheet]:
    """Summary, replicates, bands, fiscal, township tables, comparison and fund sizing."""
    summary = narrative_exp.replicate_summary(exp)
    sheets = [
        Sheet("summary", outcome_quantiles(summary), kind_from="outcome"),
        Sheet("replicates", summary),
        Sheet("monthly", bands(exp), kind_from="variable"),
        Sheet("fiscal", fiscal_by_scenario(exp)),
        *township_sheets(exp.representative().villages),
    ]
    if exp.comparison is not None:
        sheets.append(Sheet("comparison", exp.comparison, kind_from="outcome"))
    if exp.fund_curve is not None:
        sheets.append(Sheet("fund_sizing", exp.fund_curve))
    if exp.discovery is not None and exp.discovery["trajectory"] is not None:
        sheets.append(Sheet("discovery", exp.discovery["trajectory"]))
        sheets.append(Sheet("discovery_boxes", exp.discovery["boxes"]))
    if exp.frontier is not None:
        sheets.append(Sheet("frontier", exp.frontier["candidates"]))
    return sheets


def experiment_sentences(exp: Experiment, lang: Lang) -> list[str]:
    """Every sentence of an experiment briefing, in reading order."""
    cliff = exp.cliff_tables()
    out = [
        narrative_exp.source(exp, lang),
        *narrative_exp.scenario_lines(narrative_exp.replicate_summary(exp), lang),
    ]
    if exp.comparison is not None:
        out += narrative_exp.differences(exp.comparison, exp.baseline, lang)
    out += narrative_exp.sizing(
        exp.fund_answer, exp.fund_curve, lang, n=exp.meta.get("n_replicates")
    )
    out += narrative_exp.discovery(exp.discovery, lang)
    out += narrative_exp.frontier(exp.frontier, lang)
    out += narrative.cliff(cliff[0] if cliff else None, lang, table=cliff[1] if cliff else None)
    return out


def experiment_contents(exp: Experiment, lang: Lang) -> Contents:
    """Charts, sheets and sentences of an experiment briefing."""
    rep = exp.representative()
    latest = None
    if rep.villages is not None:
        latest = tables.latest_bulletin(tables.township_bulletin(rep.villages))
    provenance = label("src_exp_all", lang).format(
        n_scenarios=len(exp.scenarios),
        name=exp.name,
        root_seed=seed_text(exp.meta.get("root_seed", "–")),
    )
    return Contents(
        label("page_title", lang),
        provenance,
        experiment_sentences(exp, lang),
        experiment_charts(exp, lang),
        experiment_sheets(exp),
        latest,
    )
