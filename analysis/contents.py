"""What goes into a briefing pack for one run: charts, sheets, sentences.

:mod:`analysis.contents_exp` does the same for an experiment; :mod:`analysis.pack` writes
either to disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from analysis import (
    charts_breaker,
    charts_cliff,
    charts_fiscal,
    charts_fund,
    charts_lending,
    charts_risk,
    fiscal,
    narrative,
    series,
    tables,
)
from analysis.charts_cliff import scenario_label
from analysis.labels import Lang, label
from analysis.source import Run
from analysis.workbook import Sheet


@dataclass
class Chart:
    """One chart of the pack: file stem, caption and where its data came from."""

    name: str
    caption: str
    figure: Figure
    source: str


@dataclass
class Contents:
    """Everything a pack shows, already in the chosen language."""

    title: str
    provenance: str
    sentences: list[str]
    charts: list[Chart] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)
    bulletin: pd.DataFrame | None = None


def fund_cap(config: dict) -> float | None:
    """The configured leverage multiple (lending capacity per yuan of fund)."""
    value = config.get("fund", {}).get("leverage")
    return float(value) if value is not None else None


def suspension_levels(run: Run) -> pd.DataFrame | None:
    """Township x month suspension levels from the village panel, else from the events."""
    if run.villages is not None:
        return series.suspension_matrix(run.villages)
    if run.events is not None and not run.events.empty:
        return series.suspension_matrix_from_events(run.events, list(run.timeseries["month"]))
    return None


def series_charts(data: pd.DataFrame, config: dict, lang: Lang, src: str) -> list[Chart]:
    """Lending, NPL, fund and fiscal charts of a timeseries (one run or stacked replicates)."""
    return [
        Chart(
            "lending", label("cap_lending", lang), charts_lending.lending_overview(data, lang), src
        ),
        Chart(
            "npl_ratio", label("cap_npl", lang), charts_risk.plot_npl_ratio(data, config, lang), src
        ),
        Chart(
            "fund",
            label("cap_fund", lang),
            charts_fund.fund_overview(data, fund_cap(config), lang),
            src,
        ),
        Chart(
            "fiscal",
            label("cap_fiscal", lang),
            charts_fiscal.plot_fiscal_cost(fiscal.fiscal_by_year(data), lang),
            src,
        ),
    ]


def township_charts(run: Run, lang: Lang, src: str) -> list[Chart]:
    """NPL heatmap and suspension timeline by township (when the data allow)."""
    out, levels = [], suspension_levels(run)
    if run.villages is not None:
        limit = charts_risk.thresholds(run.config)["township_npl"]
        fig = charts_breaker.plot_npl_heatmap(
            series.npl_matrix(run.villages), levels, lang, threshold=limit
        )
        out.append(Chart("npl_heatmap", label("cap_heatmap", lang), fig, src))
    if levels is not None:
        fig = charts_breaker.plot_suspension_timeline(levels, lang)
        out.append(Chart("suspensions", label("cap_suspensions", lang), fig, src))
    return out


def cliff_notes(run: Run, lang: Lang) -> dict[str, str]:
    """What the cliff charts say when the simulated period holds none of their figures.

    ``"return"`` for the return-to-poverty chart, ``"end"`` for the income charts around the
    end of supports, ``"after"`` for relapse since that end; each names the simulated months
    of ``run`` (and the last year of full supports, from its configuration).
    """
    ts = run.timeseries
    period = {"start": ts["month"].iloc[0], "end": ts["month"].iloc[-1]}
    year = run.config.get("poverty", {}).get("support_end_year")
    notes = {"return": label("no_cliff_return", lang).format(**period)}
    for key in ("end", "after"):
        if year is None:
            notes[key] = label(f"no_cliff_{key}_plain", lang).format(**period)
        else:
            notes[key] = label(f"no_cliff_{key}", lang).format(year=year, **period)
    return notes


def cliff_charts(
    poverty: pd.DataFrame,
    cliff: pd.DataFrame,
    lang: Lang,
    src: str,
    notes: dict[str, str] | None = None,
) -> list[Chart]:
    """The cliff charts: return to poverty and income around the end of supports.

    Relapse since the end of supports and income by exit cohort are added when the cliff
    table has exit cohorts (model output; older or synthetic tables do not). A chart whose
    figures the horizon does not reach shows ``notes`` (:func:`cliff_notes`) in its frame.
    """
    notes = notes or {}
    end = notes.get("end")
    return [
        Chart(
            "cliff_return",
            label("cap_cliff_return", lang),
            charts_cliff.plot_return_rate(poverty, lang, empty=notes.get("return")),
            src,
        ),
        Chart(
            "cliff_income",
            label("cap_cliff_income", lang),
            charts_cliff.plot_cliff_income(cliff, lang, empty=end),
            src,
        ),
    ] + (
        [
            Chart(
                "cliff_relapse",
                label("cap_cliff_relapse", lang),
                charts_cliff.plot_cliff_relapse(cliff, lang, empty=notes.get("after")),
                src,
            ),
            Chart(
                "cliff_cohorts",
                label("cap_cliff_cohorts", lang),
                charts_cliff.plot_cliff_cohorts(cliff, lang, empty=end),
                src,
            ),
        ]
        if charts_cliff.by_cohort(cliff) and "relapsed_share" in cliff.columns
        else []
    )


def run_cliff_tables(run: Run) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The run's poverty and cliff tables tagged as one replicate of its scenario, or None.

    None when the run did not record them; tables without rows (a horizon too short for
    them) are kept, so that the charts say what is missing.
    """
    if run.poverty is None or run.cliff is None:
        return None
    keys = {"scenario": run.scenario, "replicate": 0}
    return run.poverty.assign(**keys), run.cliff.assign(**keys)


def township_sheets(villages: pd.DataFrame | None) -> list[Sheet]:
    """Bulletin and scorecards (none without a village panel)."""
    if villages is None:
        return []
    return [
        Sheet("bulletin", tables.township_bulletin(villages)),
        Sheet("scorecard_township", tables.scorecard(villages)),
        Sheet("scorecard_bank", tables.scorecard(villages, by="bank")),
    ]


def fiscal_sheet(data: pd.DataFrame) -> pd.DataFrame:
    """Yearly budget lines with ``budget_*`` column names (labelled headers)."""
    table = fiscal.fiscal_by_year(data)
    return table.rename(columns=lambda c: f"budget_{c}").reset_index()


def summary_sheet(run: Run, lang: Lang) -> pd.DataFrame:
    """Scenario, seed and every summary value (true/false as yes/no)."""
    seed = run.seed if isinstance(run.seed, int) else narrative.seed_text(run.seed)
    rows = [("scenario", scenario_label(run.scenario, lang)), ("seed", seed)]
    for key, value in run.summary.items():
        rows.append(
            (key, label("yes" if value else "no", lang) if isinstance(value, bool) else value)
        )
    return pd.DataFrame(rows, columns=["outcome", "value"])


def run_contents(run: Run, lang: Lang) -> Contents:
    """Charts, sheets and sentences of a single-run briefing."""
    src = label("src_run", lang).format(
        scenario=scenario_label(run.scenario, lang), seed=narrative.seed_text(run.seed)
    )
    charts = series_charts(run.timeseries, run.config, lang, src)
    charts[2:2] = township_charts(run, lang, src)
    cliff = run_cliff_tables(run)
    if cliff is not None:
        charts += cliff_charts(*cliff, lang, src, cliff_notes(run, lang))
    sheets = [
        Sheet("summary", summary_sheet(run, lang), kind_from="outcome"),
        Sheet("monthly", run.timeseries),
        Sheet("fiscal", fiscal_sheet(run.timeseries)),
        *township_sheets(run.villages),
    ]
    latest = None
    if run.villages is not None:
        latest = tables.latest_bulletin(tables.township_bulletin(run.villages))
    sentences = narrative.run_sentences(run, lang)
    if cliff is not None:
        sentences += narrative.cliff(cliff[0], lang, table=cliff[1])
    return Contents(label("page_title", lang), src, sentences, charts, sheets, latest)
