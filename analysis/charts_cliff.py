"""The cliff (悬崖效应, §2): return to poverty after exit under each withdrawal rule.

Expects an experiment whose scenarios ``cliff_abrupt``, ``cliff_tapered`` and
``cliff_profit_retention`` saved, per replicate, ``poverty.parquet`` (``exit_year,
years_since_exit, n_exited, n_returned, return_rate``) and ``cliff.parquet``
(``years_relative_to_support_end, mean_income_per_person``, and from the model also
``exit_year, year, n_households, poor_share, relapsed_share`` per exit cohort); the stacked
tables carry
``scenario`` and ``replicate`` columns (:meth:`analysis.source.Experiment.cliff_tables`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis import style, ticks
from analysis.labels import Lang, label
from analysis.source import CLIFF_RULES as RULES
from sim import config


def scenario_label(name: str, lang: Lang) -> str:
    """Display name of a scenario, as its file in ``scenarios/`` declares it (``label``).

    A name without a scenario file (an experiment folder renamed by hand) is shown as is.
    """
    return config.scenario_label(name, lang)


def ordered(names: pd.Series) -> list[str]:
    """Scenario names in rule order (abrupt, tapered, retention), then any others."""
    present = list(dict.fromkeys(names))
    return [r for r in RULES if r in present] + [n for n in present if n not in RULES]


def _decimals(top: float) -> int:
    """Decimals of a share axis: one below 5 % (ticks of whole per cent would repeat)."""
    return 1 if top < 0.05 else 0


def return_rates(poverty: pd.DataFrame) -> pd.DataFrame:
    """Return-to-poverty rate by rule and years since exit, pooled over exit cohorts.

    Per replicate the rate is returned / exited over all exit years (with a ``supported``
    column, only the windows that lie while supports continue, when there are any); the table holds the median and
    the 5-95 % range of that rate across replicates.
    """
    keys = ["scenario", "replicate", "years_since_exit"]
    if "supported" in poverty.columns and poverty["supported"].astype(bool).any():
        poverty = poverty[poverty["supported"].astype(bool)]  # windows while supports continue
    pooled = poverty.groupby(keys, as_index=False)[["n_returned", "n_exited"]].sum()
    pooled["rate"] = pooled["n_returned"] / pooled["n_exited"].where(pooled["n_exited"] > 0)
    g = pooled.groupby(["scenario", "years_since_exit"])["rate"]
    return pd.DataFrame({"median": g.median(), "p05": g.quantile(0.05), "p95": g.quantile(0.95)})


def plot_return_rate(poverty: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Return-to-poverty rate by years since exit, one line per withdrawal rule."""
    fig, ax = style.axes(ax)
    rates = return_rates(poverty)
    for i, name in enumerate(ordered(poverty["scenario"])):
        r = rates.loc[name]
        color = style.SERIES[i % len(style.SERIES)]
        ax.fill_between(r.index, r["p05"], r["p95"], color=color, alpha=0.15, lw=0)
        ax.plot(
            r.index,
            r["median"].to_numpy(),
            marker="o",
            ms=3,
            color=color,
            label=scenario_label(name, lang),
            gid=name,
        )
    ticks.share_axis(ax, decimals=_decimals(rates["p95"].max()))
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("years_since_exit", lang))
    ax.set_ylabel(label("return_rate", lang))
    ax.set_title(label("title_return_rate", lang))
    ticks.legend_below(ax)
    return fig


def by_cohort(cliff: pd.DataFrame) -> bool:
    """Whether the cliff table has one row per exit cohort (with household counts)."""
    return {"exit_year", "n_households"} <= set(cliff.columns)


def pooled(cliff: pd.DataFrame, col: str, keys: list[str]) -> pd.DataFrame:
    """``col`` per replicate and ``keys``, pooled over cohorts weighted by households."""
    if not by_cohort(cliff):
        return cliff[[*keys, "replicate", col]]
    w = cliff.assign(_wx=cliff[col] * cliff["n_households"])
    g = w.groupby([*keys, "replicate"], as_index=False)[["_wx", "n_households"]].sum()
    return g.assign(**{col: g["_wx"] / g["n_households"]})[[*keys, "replicate", col]]


def bands(table: pd.DataFrame, col: str, keys: list[str]) -> pd.DataFrame:
    """Median, mean and 5-95 % range of ``col`` across replicates."""
    g = table.groupby(keys)[col]
    return pd.DataFrame(
        {"median": g.median(), "mean": g.mean(), "p05": g.quantile(0.05), "p95": g.quantile(0.95)}
    )


def income_around_end(cliff: pd.DataFrame) -> pd.DataFrame:
    """Mean income per person by rule and year relative to the end of supports (mean, 5-95 %).

    With one row per exit cohort, each replicate's cohorts are pooled (weighted by households)
    before the band is taken across replicates.
    """
    keys = ["scenario", "years_relative_to_support_end"]
    return bands(pooled(cliff, "mean_income_per_person", keys), "mean_income_per_person", keys)


def relapse_around_end(cliff: pd.DataFrame) -> pd.DataFrame:
    """Share poor again since the end of supports, by rule and year (median, 5-95 %)."""
    keys = ["scenario", "years_relative_to_support_end"]
    return bands(pooled(cliff, "relapsed_share", keys), "relapsed_share", keys)


def plot_cliff_relapse(cliff: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Cumulative return to poverty after supports end, one line (median, band) per rule."""
    fig, ax = style.axes(ax)
    rates = relapse_around_end(cliff)
    for i, name in enumerate(ordered(cliff["scenario"])):
        r = rates.loc[name]
        r = r[r.index >= -1]
        color = style.SERIES[i % len(style.SERIES)]
        ax.fill_between(r.index, r["p05"], r["p95"], color=color, alpha=0.15, lw=0)
        ax.plot(r.index, r["median"].to_numpy(), marker="o", ms=3, color=color,
                ls=("-", "--", ":")[i % 3], label=scenario_label(name, lang), gid=name)  # fmt: skip
    ax.axvline(-0.5, color=style.COLORS["zero"], ls=":", lw=1)
    ticks.share_axis(ax, decimals=_decimals(rates["p95"].max()))
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("years_relative_to_support_end", lang))
    ax.set_ylabel(label("relapsed_share", lang))
    ax.set_title(label("title_cliff_relapse", lang))
    ticks.legend_below(ax)
    return fig


def plot_cliff_cohorts(
    cliff: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None, min_share: float = 0.02
) -> Figure:
    """Income per person around the end of supports, one line per exit cohort (first rule).

    Cohorts holding less than ``min_share`` of the panel's households are left out (a few
    households that exit late move in and out of poverty; their mean is noise).
    """
    fig, ax = style.axes(ax)
    name = ordered(cliff["scenario"])[0]
    rows = cliff[cliff["scenario"] == name]
    size = rows.groupby("exit_year")["n_households"].sum()
    rows = rows[rows["exit_year"].isin(size.index[size >= min_share * size.sum()])]
    keys = ["exit_year", "years_relative_to_support_end"]
    income = bands(rows, "mean_income_per_person", keys)
    for i, year in enumerate(sorted(rows["exit_year"].unique())):
        r = income.loc[year]
        color = style.SERIES[i % len(style.SERIES)]
        ax.fill_between(r.index, r["p05"], r["p95"], color=color, alpha=0.12, lw=0)
        ax.plot(r.index, r["median"].to_numpy(), marker="o", ms=3, color=color,
                label=label("cohort_named", lang).format(year=int(year)), gid=str(year))  # fmt: skip
    ax.axvline(-0.5, color=style.COLORS["zero"], ls=":", lw=1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("years_relative_to_support_end", lang))
    ticks.plain_axis(ax)
    ax.set_ylabel(ticks.with_unit("mean_income_per_person", label("unit_yuan", lang), lang))
    ax.set_title(label("title_cliff_cohorts", lang).format(scenario=scenario_label(name, lang)))
    ticks.legend_below(ax)
    return fig


def plot_cliff_income(cliff: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None) -> Figure:
    """Income per person in the years around the end of supports, one line per rule."""
    fig, ax = style.axes(ax)
    income = income_around_end(cliff)
    for i, name in enumerate(ordered(cliff["scenario"])):
        r = income.loc[name]
        color = style.SERIES[i % len(style.SERIES)]
        ax.fill_between(r.index, r["p05"], r["p95"], color=color, alpha=0.15, lw=0)
        ax.plot(
            r.index,
            r["mean"].to_numpy(),
            marker="o",
            ms=3,
            color=color,
            label=scenario_label(name, lang),
            gid=name,
        )
    ax.axvline(0, color=style.COLORS["zero"], ls=":", lw=1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("years_relative_to_support_end", lang))
    ticks.plain_axis(ax)
    ax.set_ylabel(ticks.with_unit("mean_income_per_person", label("unit_yuan", lang), lang))
    ax.set_title(label("title_cliff_income", lang))
    ticks.legend_below(ax)
    return fig
