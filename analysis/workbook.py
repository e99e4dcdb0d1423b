"""The Excel workbook (openpyxl) and the CSV files beside it.

One sheet per table, headers in the chosen language (bold, frozen), number formats by the
kind of each column (amounts stay in yuan with separators, so sums in Excel still work, and
their headers say 元 / yuan),
column widths from the content. Files are written under a temporary name and renamed.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis import kinds
from analysis.labels import Lang, label
from analysis.localise import localise

FORMATS = {
    "money": "#,##0",
    "share": "0.00%",
    "count": "#,##0",
    "multiple": "0.00",
    "number": "#,##0.00",
    "id": "0",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_WIDTH = 40


@dataclass
class Sheet:
    """A table for the workbook; ``name`` is the CSV file stem and ``sheet_<name>`` label key.

    ``kind_from`` names a column whose value (an outcome name) sets the number format of
    the row, for tables that hold different outcomes in one column.
    """

    name: str
    table: pd.DataFrame
    kind_from: str | None = None


def cell_value(value: object) -> object:
    """A value openpyxl can write: plain Python numbers, None for NaN and infinity."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _display_width(value: object) -> int:
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _format(ws: Worksheet, sheet: Sheet, local: pd.DataFrame) -> None:
    cols = list(sheet.table.columns)
    row_kinds = sheet.table[sheet.kind_from].map(kinds.kind) if sheet.kind_from else None
    for j, col in enumerate(cols, start=1):
        col_kind = kinds.kind(col)
        for i in range(len(local)):
            k = row_kinds.iloc[i] if row_kinds is not None and col_kind == "number" else col_kind
            k = "share" if k == "flag" and col_kind == "number" else k
            if k in FORMATS:
                ws.cell(row=i + 2, column=j).number_format = FORMATS[k]
        sample = [local.columns[j - 1], *local.iloc[:200, j - 1].tolist()]
        width = min(MAX_WIDTH, max(_display_width(v) for v in sample) + 2)
        ws.column_dimensions[get_column_letter(j)].width = width


def _fill(ws: Worksheet, sheet: Sheet, lang: Lang) -> None:
    local = localise(sheet.table, lang, units=True)
    ws.append(list(local.columns))
    for row in local.itertuples(index=False):
        ws.append([cell_value(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "A2"
    _format(ws, sheet, local)


def write_workbook(sheets: list[Sheet], path: Path, lang: Lang) -> Path:
    """Write ``sheets`` into one .xlsx file at ``path``."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        _fill(wb.create_sheet(title=label(f"sheet_{sheet.name}", lang)[:31]), sheet, lang)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def write_csvs(sheets: list[Sheet], folder: Path, lang: Lang) -> list[Path]:
    """One CSV per sheet (UTF-8 with BOM so Excel shows the Chinese headers)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet in sheets:
        path = folder / f"{sheet.name}.csv"
        tmp = path.with_name(f".{path.name}.tmp")
        local = localise(sheet.table, lang, units=True)
        local.to_csv(tmp, index=False, encoding="utf-8-sig")
        os.replace(tmp, path)
        paths.append(path)
    return paths
