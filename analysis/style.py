"""The one place that sets fonts, colours and figure sizes for every chart.

The Chinese font is Noto Sans SC (SIL Open Font License 1.1), shipped as a file inside the
PyPI package ``pylopdf-fonts-zh-cn`` that the project depends on; it is registered with
matplotlib from the package's own files when this module is imported, so no system font
install is needed. DejaVu Sans (bundled with matplotlib) is the fallback for any glyph the
Chinese font lacks.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import pylopdf_fonts_zh_cn
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

FONT_PATH = Path(pylopdf_fonts_zh_cn.sans_path())
DPI = 250  # print resolution for PNG output (200-300 dpi)
WIDTH = 7.5  # inches: fits an A4 page with margins

COLORS = {
    "main": "#1f4e79",
    "band": "#9dc3e6",
    "band_inner": "#5b9bd5",
    "second": "#c55a11",
    "third": "#548235",
    "township": "#c00000",
    "village": "#ed7d31",
    "answer": "#7030a0",
    "zero": "#595959",
    "grid": "#d9d9d9",
}
SERIES = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c", "#7f7f7f"]
BUDGET = ["#2e75b6", "#c55a11", "#548235", "#bf9000", "#7030a0", "#843c0c", "#7f7f7f"]


def _register_font() -> str:
    if not FONT_PATH.is_file():
        raise FileNotFoundError(
            f"{FONT_PATH}: Chinese font missing; reinstall the project (pip install -e .) "
            "to get the package pylopdf-fonts-zh-cn"
        )
    font_manager.fontManager.addfont(str(FONT_PATH))
    return font_manager.FontProperties(fname=str(FONT_PATH)).get_name()


FONT_NAME = _register_font()

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_NAME, "DejaVu Sans"],
    "axes.unicode_minus": False,  # the hyphen-minus of the tables and the page
    "axes.prop_cycle": mpl.cycler(color=SERIES),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,  # grid lines behind bars
    "grid.color": COLORS["grid"],
    "grid.linewidth": 0.6,
    "axes.titlesize": 11.5,
    "axes.titleweight": "normal",  # the packaged font has one weight
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "svg.fonttype": "path",  # SVGs show the same glyphs without the font installed
}
mpl.rcParams.update(RC)


def axes(ax: Axes | None = None, height: float = 3.6) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: the given ``ax``, or a new one-panel figure."""
    if ax is not None:
        return root_figure(ax), ax
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    return fig, fig.add_subplot()


def root_figure(ax: Axes) -> Figure:
    """The top-level figure of ``ax`` (matplotlib < 3.10 has no ``root`` argument)."""
    try:
        return ax.get_figure(root=True)
    except TypeError:
        return ax.figure


def panels(n: int, height: float = 2.6) -> tuple[Figure, list[Axes]]:
    """A new figure with ``n`` stacked panels sharing the x axis."""
    fig = Figure(figsize=(WIDTH, height * n), layout="constrained")
    return fig, list(fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0])


def footer(fig: Figure, text: str) -> None:
    """Small grey line under a figure naming where its data came from (scenario, seed)."""
    fig.supxlabel(text, x=0.0, ha="left", fontsize=6.5, color="#7f7f7f")
