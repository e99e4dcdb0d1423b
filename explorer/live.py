"""Charts that redraw a month in milliseconds: a still background and the moving data on top.

Each chart is drawn in full once (axes, ticks, labels, threshold lines; the whole horizon on
the time axis) and kept as a bitmap. A new month then only puts the data artists (lines,
bars, the heatmap's cells and marks) back over that bitmap, which skips the tick and text
layout that makes up most of a matplotlib drawing. When the data outgrow an axis, the axis
is rescaled and the background drawn again. :func:`frame` gives the PNG of the chart of a
model in a language; charts are kept per model and language while the model lives.
"""

from __future__ import annotations

import io
import weakref
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from analysis import charts_breaker, style, ticks
from analysis.labels import Lang, label
from analysis.series import month_x
from explorer.text import text
from sim.mesa_model import ShangcaiModel

SIZE = (6.0, 3.0)  # inches: two charts side by side on a laptop screen
DPI = 100
HEADROOM = 1.25  # an axis rescaled for the data leaves this much room above them
LENDING_FLOOR = 1e4  # yuan: a month without new lending shows an axis to 1 万元, not to 1 yuan


class LiveChart:
    """A chart whose ``dynamic`` artists are redrawn over a cached background."""

    def __init__(self, model: ShangcaiModel, lang: Lang, height: float = SIZE[1]):
        self.lang = lang
        self.fig = Figure(figsize=(SIZE[0], height), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.dynamic: list[Artist] = []
        self.background = None
        months = [model.calendar.label(t) for t in range(model.calendar.months)]
        self.months = months
        self.x = month_x(pd.Series(months)).to_numpy()
        self.build(model)

    def build(self, model: ShangcaiModel) -> None:
        """Draw the still parts and create the (empty) dynamic artists."""
        raise NotImplementedError

    def update(self, model: ShangcaiModel) -> bool:
        """Put the model's months so far into the dynamic artists; True if an axis changed."""
        raise NotImplementedError

    def png(self, model: ShangcaiModel) -> bytes:
        """The chart of the model's months so far, as PNG bytes."""
        if self.update(model) or self.background is None:
            for a in self.dynamic:
                a.set_visible(False)
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            for a in self.dynamic:
                a.set_visible(True)
        self.canvas.restore_region(self.background)
        for a in self.dynamic:
            self.fig.draw_artist(a)
        return self._encode()

    def full_png(self, model: ShangcaiModel) -> bytes:
        """The same chart drawn whole (no cached background), for checks."""
        self.update(model)
        self.canvas.draw()
        return self._encode()

    def _encode(self) -> bytes:
        w, h = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (w, h), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def axes(self, title: str, right: float = 0.87) -> Any:
        """One axes with fixed margins (a layout engine would redo the text layout each time)."""
        self.fig.subplots_adjust(left=0.13, right=right, top=0.88, bottom=0.12)
        ax = self.fig.add_subplot()
        ax.set_title(title, fontsize=10.5)
        ticks.time_axis(ax, pd.Index(self.x))
        return ax


def _with_unit(name: str, unit: str, lang: Lang) -> str:
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


_DATA_TOP: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # axes -> data top drawn


def _top(values: np.ndarray, floor: float) -> float:
    finite = values[np.isfinite(values)]
    top = max(floor, float(finite.max()) if finite.size else 0.0)
    return top if top > 0 else 1.0  # all zero (no fund, say): an axis of zero height is none


def _rescale(ax: Any, values: np.ndarray, floor: float) -> bool:
    """Set the axis top from the largest value so far, but not below ``floor``; True if changed.

    The top follows the data's maximum exactly (not the first value that passed an older
    top), so a chart built month by month ends as a chart drawn whole from the same data.
    ``floor`` keeps a reference line (a breaker threshold, the agreed multiple) in view.
    """
    top = _top(values, floor)
    if top == _DATA_TOP.get(ax):
        return False
    _DATA_TOP[ax] = top
    ax.set_ylim(0, top * HEADROOM)
    return True


class Lending(LiveChart):
    """New lending a month (bars) and the household loan rate (line, right axis)."""

    def build(self, model: ShangcaiModel) -> None:  # noqa: D102 - as LiveChart.build
        lang = self.lang
        ax = self.ax = self.axes(text("panel_lending", lang))
        self.bars = ax.bar(self.x, np.zeros(len(self.x)), width=1 / 14)
        for bar in self.bars:
            bar.set_color(style.COLORS["band_inner"])
        ax.set_ylim(0, 1)
        right = self.right = ax.twinx()
        (self.line,) = right.plot([], [], color=style.COLORS["second"], lw=1.8)
        right.set_ylim(0, 0.6)
        ticks.share_axis(right, decimals=0)
        right.set_ylabel(text("loan_rate", lang))
        right.grid(False)
        right.spines["right"].set_visible(True)
        self.dynamic = [*self.bars, self.line]

    def update(self, model: ShangcaiModel) -> bool:  # noqa: D102 - as LiveChart.update
        rows = model.recorder.rows
        n = len(rows)
        amounts = np.array([r["new_loan_amount"] for r in rows], dtype=float)
        for i, bar in enumerate(self.bars):
            bar.set_height(amounts[i] if i < n else 0.0)
        rate = np.array([r["household_loan_rate"] for r in rows], dtype=float)
        self.line.set_data(self.x[:n], rate)
        changed = _rescale(self.ax, amounts, LENDING_FLOOR)
        if changed:
            unit = ticks.money_axis(self.ax, np.array([self.ax.get_ylim()[1]]), self.lang)
            self.ax.set_ylabel(_with_unit(text("new_lending", self.lang), unit, self.lang))
        return _rescale(self.right, rate, 0.5) or changed


class Npl(LiveChart):
    """County NPL ratio against the township and village breaker lines."""

    def build(self, model: ShangcaiModel) -> None:  # noqa: D102 - as LiveChart.build
        lang, b = self.lang, model.cfg.breaker
        ax = self.ax = self.axes(text("panel_npl", lang), right=0.97)
        (self.line,) = ax.plot(
            [], [], color=style.COLORS["main"], lw=1.8, label=text("npl_county", lang)
        )
        for key, value, color in (
            ("threshold_township_npl", b.township_npl, style.COLORS["township"]),
            ("threshold_village_npl", b.village_npl, style.COLORS["village"]),
        ):
            ax.axhline(
                value, color=color, lw=1, ls="--", label=label(key, lang).format(value=value * 100)
            )
        ax.set_ylim(0, max(b.village_npl, b.township_npl) * HEADROOM)
        ticks.share_axis(ax, decimals=0)
        ax.set_ylabel(label("npl_ratio", lang) + " (%)")
        self.legend = ax.legend(
            loc="upper left", fontsize=7.5, frameon=True, framealpha=0.9, edgecolor="none"
        )
        self.dynamic = [self.line, self.legend]

    def update(self, model: ShangcaiModel) -> bool:  # noqa: D102 - as LiveChart.update
        npl = np.array([r["npl_ratio"] for r in model.recorder.rows], dtype=float)
        self.line.set_data(self.x[: len(npl)], npl)
        b = model.cfg.breaker  # the breaker lines stay in view however low the ratio is
        return _rescale(self.ax, npl, max(b.village_npl, b.township_npl))


class Fund(LiveChart):
    """Fund balance and the actual leverage against the agreed multiple (right axis)."""

    def build(self, model: ShangcaiModel) -> None:  # noqa: D102 - as LiveChart.build
        lang = self.lang
        ax = self.ax = self.axes(text("panel_fund", lang))
        initial = float(model.cfg.fund.initial)
        (self.fund,) = ax.plot(
            [], [], color=style.COLORS["third"], lw=1.8, label=text("fund_balance", lang)
        )
        ax.set_ylim(0, _top(np.zeros(0), initial) * HEADROOM)
        unit = ticks.money_axis(ax, np.array([initial]), lang)
        ax.set_ylabel(_with_unit(text("fund_balance", lang), unit, lang))
        right = self.right = ax.twinx()
        agreed = float(model.cfg.fund.leverage)
        (self.lev,) = right.plot(
            [], [], color=style.COLORS["main"], lw=1.4, label=text("leverage_actual", lang)
        )
        right.axhline(
            agreed,
            color=style.COLORS["township"],
            lw=1,
            ls="--",
            label=text("leverage_agreed", lang).format(value=agreed),
        )
        right.set_ylim(0, agreed * HEADROOM)
        right.set_ylabel(text("leverage_actual", lang))
        right.grid(False)
        right.spines["right"].set_visible(True)
        handles = ax.get_legend_handles_labels()
        more = right.get_legend_handles_labels()
        self.legend = right.legend(
            handles[0] + more[0], handles[1] + more[1], loc="lower left", fontsize=7.5
        )
        self.dynamic = [self.fund, self.lev, self.legend]

    def update(self, model: ShangcaiModel) -> bool:  # noqa: D102 - as LiveChart.update
        rows = model.recorder.rows
        n = len(rows)
        fund = np.array([r["fund_balance"] for r in rows], dtype=float)
        lev = np.array([r["fund_leverage"] for r in rows], dtype=float)
        lev[~np.isfinite(lev)] = np.nan
        self.fund.set_data(self.x[:n], fund)
        self.lev.set_data(self.x[:n], lev)
        # the opening fund and the agreed multiple stay in view, as the panel first shows them
        changed = _rescale(self.ax, fund, float(model.cfg.fund.initial))
        return _rescale(self.right, lev, float(model.cfg.fund.leverage)) or changed


class Heatmap(LiveChart):
    """Township x month NPL ratio, suspensions marked (the briefing pack's heatmap, live)."""

    def __init__(self, model: ShangcaiModel, lang: Lang):
        n = model.county.n_townships
        super().__init__(model, lang, height=max(3.0, 0.12 * n + 1.5))

    def build(self, model: ShangcaiModel) -> None:  # noqa: D102 - as LiveChart.build
        from explorer.panels import township_matrices

        lang, n = self.lang, model.county.n_townships
        height = self.fig.get_figheight()
        self.fig.subplots_adjust(left=0.14, right=0.9, top=1 - 0.35 / height, bottom=0.75 / height)
        ax = self.ax = self.fig.add_subplot()
        npl, _ = township_matrices(model)
        level = pd.DataFrame(
            np.tile([[2.0, 1.0]], (n, len(self.months) // 2 + 1))[:, : len(self.months)],
            index=npl.index,
            columns=npl.columns,
        )
        charts_breaker.plot_npl_heatmap(  # months to come may exceed the scale: always an arrow
            npl.fillna(0.0),
            level,
            lang,
            ax=ax,
            threshold=float(model.cfg.breaker.township_npl),
            extend="max",
        )
        ax.title.set_fontsize(10.5)
        ax.tick_params(axis="y", labelsize=6 if n > 12 else 8)
        self.mesh = ax.collections[0]
        self.marks = {2: ax.collections[1], 1: ax.collections[2]}  # township x, village dot
        self.marks[2].set_sizes([26])  # on a screen the x must stand out on dark cells
        self.marks[2].set_linewidths([1.2])
        self.dynamic = [self.mesh, *self.marks.values()]

    def update(self, model: ShangcaiModel) -> bool:  # noqa: D102 - as LiveChart.update
        from explorer.panels import township_matrices

        npl, level = township_matrices(model)
        self.mesh.set_array(np.ma.masked_invalid(npl.to_numpy(dtype=float)).ravel())
        lv = level.to_numpy()
        for code, marks in self.marks.items():
            rows, cols = np.nonzero(lv == code)
            marks.set_offsets(
                np.column_stack([cols + 0.5, rows + 0.5]) if len(rows) else np.empty((0, 2))
            )
        return False


CHARTS = {"lending": Lending, "npl": Npl, "fund": Fund, "heatmap": Heatmap}
_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def chart(model: ShangcaiModel, kind: str, lang: Lang) -> LiveChart:
    """The live chart ``kind`` of ``model`` in ``lang`` (made on first use, kept with the model)."""
    charts = _kept.setdefault(model, {})
    if (kind, lang) not in charts:
        charts[(kind, lang)] = CHARTS[kind](model, lang)
    return charts[(kind, lang)]


def frame(model: ShangcaiModel, kind: str, lang: Lang) -> bytes:
    """PNG of chart ``kind`` (lending, npl, fund, heatmap) of ``model`` at its current month."""
    return chart(model, kind, lang).png(model)
