"""The cliff (悬崖效应, §2): return to poverty after exit under each withdrawal rule.

Expects an experiment whose scenarios ``cliff_abrupt``, ``cliff_tapered`` and
``cliff_profit_retention`` saved, per replicate, ``poverty.parquet`` (``exit_year,
years_since_exit, n_exited, n_returned, return_rate``) and ``cliff.parquet``
(``years_relative_to_support_end, mean_income_per_person``, and from the model also
``exit_year, year, n_households, poor_share, relapsed_share`` per exit cohort); the stacked
tables carry
``scenario`` and ``replicate`` columns (:meth:`analysis.source.Experiment.cliff_tables`).

A horizon can end before these figures exist: no exit cohort a full year out of poverty, no
assessment around the end of supports, or a last year not yet assessed (its income missing).
Missing figures stay missing (never zero), and a chart with nothing to draw says so in its
frame (``empty``: the sentence to show) instead of drawing an empty or flat line.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis import fmt, style, ticks
from analysis.labels import Lang, label
from analysis.source import CLIFF_RULES as RULES
from sim import config
from sim.experiments.search import parse_label
from sim.experiments.stats import MIN_N


def scenario_label(name: str, lang: Lang) -> str:
    """Display name of a scenario, as its file in ``scenarios/`` declares it (``label``).

    A fund-sizing candidate reads as its fund or multiple (补偿金 600 万元, 放大倍数 8 倍); any
    other name without a scenario file (an experiment folder renamed by hand) is shown as is.
    """
    shown = config.scenario_label(name, lang)
    found = parse_label(name) if shown == name else None
    if found is None:
        return shown
    axis, value = found
    if axis == "fund":
        return label("candidate_fund", lang).format(fund=fmt.money(value, lang))
    return label("candidate_leverage", lang).format(leverage=f"{value:g}")


def ordered(names: pd.Series) -> list[str]:
    """Scenario names in rule order (abrupt, tapered, retention), then any others.

    Fund-sizing candidates come after the others, by size.
    """
    present = list(dict.fromkeys(names))
    others = [n for n in present if n not in RULES]
    size = {n: found for n in others if (found := parse_label(n))}
    others = [n for n in others if n not in size] + sorted(size, key=size.__getitem__)
    return [r for r in RULES if r in present] + others


def _decimals(top: float) -> int:
    """Decimals of a share axis: one below 5 %, two below 0.5 % (so that ticks never repeat)."""
    return 2 if top < 0.005 else 1 if top < 0.05 else 0


def support_end(ax: Axes, lang: Lang) -> None:
    """Mark the end of supports between year -1 (the last supported) and 0, named in the legend."""
    ax.axvline(-0.5, color=style.COLORS["zero"], ls=":", lw=1, gid="support_end",
               label=label("support_end_marker", lang))  # fmt: skip


def no_data(ax: Axes, text: str) -> None:
    """Write ``text`` in the middle of an empty frame: the chart has nothing to draw."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            color=style.COLORS["zero"], linespacing=1.6, gid="no_data")  # fmt: skip


def assessed(cliff: pd.DataFrame) -> pd.DataFrame:
    """The cliff table with the figures the run did not measure set missing.

    A year the run did not assess (its ``mean_income_per_person`` is missing: the horizon ends
    before that year's assessment) records nobody poor, which is no measurement: its
    ``poor_share`` and ``relapsed_share`` are missing too, not zero. The table's panel (the
    households out of poverty after the last supported year's assessment, year -1) exists
    only once that year is assessed, so a replicate without an income in year -1 has no
    figure at all.
    """
    income = cliff["mean_income_per_person"]
    keys = [cliff[k] for k in ("scenario", "replicate") if k in cliff.columns]
    at_end = income.where(cliff["years_relative_to_support_end"] == -1).notna()
    panel = at_end.groupby(keys).transform("any") if keys else at_end.any()
    unknown = income.isna() | ~panel
    if not unknown.any():
        return cliff
    cols = [c for c in ("mean_income_per_person", "poor_share", "relapsed_share") if c in cliff]
    return cliff.assign(**{c: cliff[c].where(~unknown) for c in cols})


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
    return pd.DataFrame(
        {"median": g.median(), "p05": g.quantile(0.05), "p95": g.quantile(0.95), "n": g.count()}
    )


def plot_return_rate(
    poverty: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None, empty: str | None = None
) -> Figure:
    """Return-to-poverty rate by years since exit, one line per withdrawal rule."""
    fig, ax = style.axes(ax)
    rates = return_rates(poverty)
    ax.set_xlabel(label("years_since_exit", lang))
    ax.set_ylabel(label("return_rate", lang))
    ax.set_title(label("title_return_rate", lang))
    if rates["median"].isna().all():
        no_data(ax, empty or label("no_data_period", lang))
        return fig
    for i, name in enumerate(ordered(poverty["scenario"])):
        r = rates.loc[name]
        color = style.SERIES[i % len(style.SERIES)]
        _range(ax, r, color, 0.15)
        ax.plot(
            r.index,
            r["median"].to_numpy(),
            marker="o",
            ms=3,
            color=color,
            label=scenario_label(name, lang),
            gid=name,
        )
    top = float(rates["p95"].max())
    ticks.share_axis(ax, decimals=_decimals(top))
    ax.set_ylim(0, top * 1.15 if top > 0 else None)
    years = rates.index.get_level_values("years_since_exit")
    ax.set_xticks(range(int(years.min()), int(years.max()) + 1))  # whole years, even one
    ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
    ticks.legend_below(ax)
    return fig


def by_cohort(cliff: pd.DataFrame) -> bool:
    """Whether the cliff table has one row per exit cohort (with household counts)."""
    return {"exit_year", "n_households"} <= set(cliff.columns)


def pooled(cliff: pd.DataFrame, col: str, keys: list[str]) -> pd.DataFrame:
    """``col`` per replicate and ``keys``, pooled over cohorts weighted by households.

    Only cohorts with a value count; where no cohort has one (a year not assessed), the
    pooled value is missing, not zero.
    """
    cliff = assessed(cliff)
    if not by_cohort(cliff):
        return cliff[[*keys, "replicate", col]]
    weight = cliff["n_households"].where(cliff[col].notna())
    w = cliff.assign(_wx=cliff[col] * weight, _w=weight)
    g = w.groupby([*keys, "replicate"], as_index=False)[["_wx", "_w"]].sum(min_count=1)
    return g.assign(**{col: g["_wx"] / g["_w"]})[[*keys, "replicate", col]]


def bands(table: pd.DataFrame, col: str, keys: list[str]) -> pd.DataFrame:
    """Median, mean and 5-95 % range of ``col`` across replicates, and their number ``n``."""
    g = table.groupby(keys)[col]
    return pd.DataFrame(
        {
            "median": g.median(),
            "mean": g.mean(),
            "p05": g.quantile(0.05),
            "p95": g.quantile(0.95),
            "n": g.count(),
        }
    )


def _range(ax: Axes, r: pd.DataFrame, color: str, alpha: float) -> None:
    """The 5-95 % range of ``r``, drawn only where it rests on at least ``MIN_N`` replicates."""
    if len(r) and r["n"].min() >= MIN_N:
        ax.fill_between(r.index, r["p05"], r["p95"], color=color, alpha=alpha, lw=0)


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


def plot_cliff_relapse(
    cliff: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None, empty: str | None = None
) -> Figure:
    """Cumulative return to poverty after supports end, one line (median, band) per rule."""
    fig, ax = style.axes(ax)
    rates = relapse_around_end(cliff)
    ax.set_xlabel(label("years_relative_to_support_end", lang))
    ax.set_ylabel(label("relapsed_share", lang))
    ax.set_title(label("title_cliff_relapse", lang))
    rel = rates.index.get_level_values("years_relative_to_support_end")
    if rates.loc[rel >= 0, "median"].isna().all():  # year -1 is the start, 0 by definition
        no_data(ax, empty or label("no_data_period", lang))
        return fig
    for i, name in enumerate(ordered(cliff["scenario"])):
        r = rates.loc[name]
        r = r[r.index >= -1]
        color = style.SERIES[i % len(style.SERIES)]
        _range(ax, r, color, 0.15)
        ax.plot(r.index, r["median"].to_numpy(), marker="o", ms=3, color=color,
                ls=("-", "--", ":")[i % 3], label=scenario_label(name, lang), gid=name)  # fmt: skip
    support_end(ax, lang)
    ticks.share_axis(ax, decimals=_decimals(rates["p95"].max()))
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ticks.legend_below(ax)
    return fig


def plot_cliff_cohorts(
    cliff: pd.DataFrame,
    lang: Lang = "zh",
    ax: Axes | None = None,
    min_share: float = 0.02,
    empty: str | None = None,
) -> Figure:
    """Income per person around the end of supports, one line per exit cohort (first rule).

    Cohorts holding less than ``min_share`` of the panel's households are left out (a few
    households that exit late move in and out of poverty; their mean is noise).
    """
    fig, ax = style.axes(ax)
    names = ordered(cliff["scenario"])
    name = names[0] if names else ""
    rows = assessed(cliff[cliff["scenario"] == name])
    size = rows.groupby("exit_year")["n_households"].sum()
    rows = rows[rows["exit_year"].isin(size.index[size >= min_share * size.sum()])]
    keys = ["exit_year", "years_relative_to_support_end"]
    income = bands(rows, "mean_income_per_person", keys)
    ax.set_xlabel(label("years_relative_to_support_end", lang))
    ax.set_ylabel(ticks.with_unit("mean_income_per_person", label("unit_yuan", lang), lang))
    if names:
        ax.set_title(label("title_cliff_cohorts", lang).format(scenario=scenario_label(name, lang)))
    else:  # no rows: no rule to name
        ax.set_title(label("title_cliff_cohorts_plain", lang))
    if income["median"].isna().all():
        no_data(ax, empty or label("no_data_period", lang))
        return fig
    for i, year in enumerate(sorted(rows["exit_year"].unique())):
        r = income.loc[year]
        color = style.SERIES[i % len(style.SERIES)]
        _range(ax, r, color, 0.12)
        ax.plot(r.index, r["median"].to_numpy(), marker="o", ms=3, color=color,
                label=label("cohort_named", lang).format(year=int(year)), gid=str(year))  # fmt: skip
    support_end(ax, lang)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ticks.plain_axis(ax)
    ticks.legend_below(ax)
    return fig


def plot_cliff_income(
    cliff: pd.DataFrame, lang: Lang = "zh", ax: Axes | None = None, empty: str | None = None
) -> Figure:
    """Income per person in the years around the end of supports, one line per rule."""
    fig, ax = style.axes(ax)
    income = income_around_end(cliff)
    ax.set_xlabel(label("years_relative_to_support_end", lang))
    ax.set_ylabel(ticks.with_unit("mean_income_per_person", label("unit_yuan", lang), lang))
    ax.set_title(label("title_cliff_income", lang))
    if income["mean"].isna().all():
        no_data(ax, empty or label("no_data_period", lang))
        return fig
    for i, name in enumerate(ordered(cliff["scenario"])):
        r = income.loc[name]
        color = style.SERIES[i % len(style.SERIES)]
        _range(ax, r, color, 0.15)
        ax.plot(
            r.index,
            r["mean"].to_numpy(),
            marker="o",
            ms=3,
            color=color,
            label=scenario_label(name, lang),
            gid=name,
        )
    support_end(ax, lang)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ticks.plain_axis(ax)
    ticks.legend_below(ax)
    return fig
