"""Axis helpers shared by the charts: time axes, money and percentage ticks, replicate bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter
from matplotlib.transforms import offset_copy

from analysis import fmt, series, style
from analysis.labels import Lang, label
from sim.experiments.stats import MIN_N


def time_axis(ax: Axes, x: pd.Index) -> None:
    """Ticks on a decimal-year axis: years on long horizons, half years ("YYYY-MM") on short."""
    lo, hi = float(np.min(x)), float(np.max(x))
    step = 1.0 if hi - lo > 3 else 0.5
    major = np.arange(np.ceil(lo / step) * step, hi + 1e-9, step)
    text = [f"{int(v)}" if step == 1 else f"{int(v)}-{1 + round((v % 1) * 12):02d}" for v in major]
    ax.set_xticks(major, text)
    ax.set_xlim(lo - 1 / 24, hi + 1 / 24)


def money_axis(ax: Axes, values: np.ndarray | pd.Series, lang: Lang, axis: str = "y") -> str:
    """Tick labels in 万元/亿元 (zh) or million/billion yuan (en); returns the unit label."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    divisor, unit = fmt.money_unit(top, lang)
    formatter = FuncFormatter(lambda v, _pos: tick_text(v / divisor))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)
    return unit


def tick_text(v: float) -> str:
    """A tick value with separators and only the decimals it needs (1.25, 2,500, 0.3)."""
    return format(round(v, 9) + 0.0, ",.10g")


def share_axis(ax: Axes, axis: str = "y", decimals: int | None = None) -> None:
    """Percent tick labels for a 0-1 share."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))


def with_unit(key: str, unit: str, lang: Lang) -> str:
    """Axis title ``label (unit)`` with the language's brackets."""
    return f"{label(key, lang)}（{unit}）" if lang == "zh" else f"{label(key, lang)} ({unit})"


def line_or_band(
    ax: Axes, data: pd.DataFrame, column: str, lang: Lang, color: str | None = None
) -> Line2D:
    """The series of a run, or the replicates' median with a 5-95 % band; returns the line.

    With fewer than ``MIN_N`` replicates a 5-95 % range would be drawn from one or two
    values: each run is drawn as a thin line instead, under the median.
    """
    color = color or style.COLORS["main"]
    n = series.n_replicates(data)
    if n == 1:
        x = series.month_x(data["month"])
        (line,) = ax.plot(
            x, data[column].to_numpy(), color=color, lw=1.6, label=label(column, lang)
        )
        return line
    q = series.quantiles(data, column)
    if n < MIN_N:
        for i, (_, run) in enumerate(data.groupby("replicate", sort=True)):
            run = run.sort_values("month")
            ax.plot(
                series.month_x(run["month"]),
                run[column].to_numpy(),
                color=style.COLORS["band"],
                lw=1.0,
                label=label("each_run", lang) if i == 0 else None,
            )
        (line,) = ax.plot(
            q.index, q[0.5].to_numpy(), color=color, lw=1.6, label=label("median", lang)
        )
        return line
    ax.fill_between(
        q.index,
        q[0.05],
        q[0.95],
        color=style.COLORS["band"],
        alpha=0.6,
        lw=0,
        label=label("band_5_95", lang),
    )
    (line,) = ax.plot(q.index, q[0.5].to_numpy(), color=color, lw=1.6, label=label("median", lang))
    return line


def plain_axis(ax: Axes, axis: str = "y") -> None:
    """Tick labels with thousands separators."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _pos: tick_text(v)))


def value_axis(ax: Axes, values: np.ndarray | pd.Series, kind: str, lang: Lang, axis: str) -> str:
    """Format an axis by the kind of number it shows; returns the unit for its title."""
    if kind == "money":
        return money_axis(ax, values, lang, axis)
    if kind in ("share", "flag"):
        target = ax.yaxis if axis == "y" else ax.xaxis
        target.set_major_formatter(PercentFormatter(xmax=1.0, symbol=""))
        return label("unit_pp", lang)
    plain_axis(ax, axis)
    return label("unit_times", lang) if kind == "multiple" else ""


def legend_below(ax: Axes, ncol: int = 3, handles: list | None = None) -> None:
    """Legend under the axes and its labels, so it never hides a line."""
    kwargs = {"handles": handles} if handles is not None else {}
    fig = style.root_figure(ax)
    below = 18 + (16 if ax.get_xlabel() else 0)  # points: tick labels, then the axis title
    anchor = offset_copy(ax.transAxes, fig=fig, y=-below, units="points")
    ax.legend(loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=anchor, ncol=ncol, **kwargs)
