"""Turn internal tables into reader tables: translated headers and text values.

Numbers stay numbers (the workbook formats them); text codes such as township indices,
status codes, scenario and outcome names become words in the chosen language. A column
the label table does not know keeps its own name as header, so new model outputs still
appear (add a label for them in :mod:`analysis.labels`).
"""

from __future__ import annotations

import pandas as pd

from analysis import kinds, places
from analysis.charts_cliff import scenario_label
from analysis.labels import Lang, has_label, label, label_or


def header(column: str, lang: Lang, unit: bool = False) -> str:
    """Column header in ``lang`` (the column name itself when unlabelled).

    With ``unit``, an amount's header names its unit, 元 / yuan: a workbook or CSV cell holds
    the bare number.
    """
    text = label(column, lang) if has_label(column) else column
    if not unit or kinds.kind(column) != "money":
        return text
    yuan = label("unit_yuan", lang)
    return f"{text}（{yuan}）" if lang == "zh" else f"{text} ({yuan})"


def outcome_label(key: str, lang: Lang) -> str:
    """Display name of a summary outcome."""
    return label_or(key, lang, "outcome_named", name=key)


def _values(column: str, values: pd.Series, lang: Lang) -> pd.Series:
    if column == "township":
        return values.map(lambda i: places.name("township", int(i), lang))
    if column == "bank":
        return values.map(lambda i: places.name("bank", int(i), lang))
    if column == "status":
        return values.map(lambda c: label(f"status_{c}", lang))
    if column == "scenario":
        return values.map(lambda s: scenario_label(str(s), lang))
    if column in ("outcome", "variable"):
        return values.map(lambda k: outcome_label(str(k), lang))
    if kinds.kind(column) == "flag" or values.dtype == bool:
        return values.map(lambda b: label("yes" if bool(b) else "no", lang))
    return values


def localise(table: pd.DataFrame, lang: Lang, units: bool = False) -> pd.DataFrame:
    """A copy with translated text values and headers (amounts' headers in yuan with ``units``)."""
    out = pd.DataFrame({c: _values(c, table[c], lang) for c in table.columns})
    out.columns = [header(c, lang, units) for c in table.columns]
    return out
