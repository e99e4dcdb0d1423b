"""Numbers for readers: 万元 / 亿元 in Chinese, millions in English, separators, percentages."""

from __future__ import annotations

import math

from analysis.labels import Lang, label

WAN, YI = 1e4, 1e8


def money(x: float, lang: Lang) -> str:
    """An amount in yuan, scaled to 万元/亿元 (zh) or thousand/million yuan (en)."""
    if lang == "zh":
        if abs(x) >= YI:
            return f"{x / YI:,.2f} 亿元"
        if abs(x) >= WAN:
            return f"{x / WAN:,.{_decimals(x / WAN)}f} 万元"
        return f"{x:,.0f} 元"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.{_decimals(x / 1e6)}f} million yuan"
    return f"{x:,.0f} yuan"


def _decimals(scaled: float) -> int:
    """Decimals that keep about three significant figures of a scaled amount."""
    return 0 if abs(scaled) >= 100 else 1 if abs(scaled) >= 10 else 2


def pct(x: float, digits: int | None = None) -> str:
    """A share as a percentage; small shares get two decimals."""
    if digits is None:
        digits = 2 if abs(x) < 0.01 else 1
    return f"{x * 100:.{digits}f}%"


def pct_exact(x: float) -> str:
    """A share set by hand (a target such as alpha) as a percentage with all its digits."""
    return f"{x * 100:.10g}%"


def _unsigned_zero(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` decimals, a difference that rounds to zero as +0 (never -0)."""
    return round(x, digits) + 0.0


def pp(x: float, lang: Lang, unit: bool = True) -> str:
    """A difference of two shares in percentage points, with its sign."""
    return f"{_unsigned_zero(x * 100, 2):+.2f}" + (" " + label("unit_pp", lang) if unit else "")


def signed(x: float, kind: str, lang: Lang, unit: bool = True) -> str:
    """A difference with its sign, in percentage points for shares (unit left off on request)."""
    if kind in ("share", "flag"):
        return pp(x, lang, unit)
    if kind == "money":
        shown = money(abs(x), lang)
        return ("-" if x < 0 and shown != money(0.0, lang) else "+") + shown
    return f"{_unsigned_zero(x, 1):+,.1f}"


# what an outcome counted in its own unit counts (its differences are stated with the unit)
COUNT_UNITS = {
    "months_with_suspension": "unit_months",
    "months_capacity_bound": "unit_months",
    "n_suspension_events": "unit_events",
    "peak_villages_suspended": "unit_villages",
}


def count_unit(outcome: str, lang: Lang) -> str:
    """The unit of a counted outcome (months, events, villages), or "" when it has none."""
    key = COUNT_UNITS.get(outcome)
    return label(key, lang) if key else ""


def count(n: float) -> str:
    """A whole number with thousands separators."""
    return f"{round(n):,}"


def number(x: float) -> str:
    """A plain number with separators and at most two decimals."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def money_unit(values_max: float, lang: Lang) -> tuple[float, str]:
    """Divisor and unit label for a money axis whose largest absolute value is ``values_max``."""
    if lang == "zh":
        return (YI, label("unit_yi", lang)) if values_max >= YI else (WAN, label("unit_wan", lang))
    if values_max >= 1e9:
        return 1e9, label("unit_billion", lang)
    return 1e6, label("unit_million", lang)


def is_missing(x: object) -> bool:
    """True for None and NaN (values a page must never print)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def value(x: object, kind: str, lang: Lang) -> str:
    """Any table value for a reader, by its kind (see :mod:`analysis.kinds`)."""
    if is_missing(x):
        return "–"
    if isinstance(x, bool) or kind == "flag":
        return label("yes" if x else "no", lang)
    if isinstance(x, str):
        return x
    formats = {
        "money": lambda v: money(v, lang),
        "share": pct,
        "count": count,
        "id": lambda v: str(int(v)),
        "multiple": lambda v: f"{v:,.2f}" + label("unit_times_suffix", lang),
    }
    return formats.get(kind, number)(float(x))
