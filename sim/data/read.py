"""Reading one county file: headers, encoding, personal columns, types and value checks.

Every problem is collected (file, row, column, what to change) rather than raised at the
first one, so a user fixes a file in one pass. Messages name the row and the column, never
a value: a cell may hold personal data.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sim.data.columns import Col, lookup
from sim.data.personal import SaltError, hash_column, salt

SUFFIXES = (".csv", ".xlsx")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})?\s*日?)?(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_TRUE = {"1", "true", "yes", "y", "是"}
_FALSE = {"0", "false", "no", "n", "否", ""}


MAX_ROWS_PER_PROBLEM = 20  # then one line counts the further rows with the same problem


@dataclass
class Problems:
    """Problems found so far, one line each, and warnings that do not stop the run."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _seen: Counter = field(default_factory=Counter)

    def add(self, file: str, row: int | str | None, column: str | None, what: str) -> None:
        """Record a problem at ``file``, ``row`` (file row, header = 1) and ``column``."""
        kind = (file, column, what)
        self._seen[kind] += 1
        if self._seen[kind] > MAX_ROWS_PER_PROBLEM:
            return
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        self.lines.append(f"{', '.join(where)}: {what}")

    def report(self) -> list[str]:
        """Every problem line, and for a problem on many rows, how many more rows have it."""
        more = [
            f"{file}, column {column}: {n - MAX_ROWS_PER_PROBLEM} more rows: {what}"
            for (file, column, what), n in self._seen.items()
            if n > MAX_ROWS_PER_PROBLEM
        ]
        return self.lines + more


@dataclass
class Table:
    """A file read into canonical columns; ``row`` is the file row of each record."""

    file: str
    frame: pd.DataFrame
    header: dict[str, str]  # canonical name -> header as written in the file

    def col(self, name: str) -> str:
        """The header the file uses for canonical column ``name``."""
        return self.header.get(name, name)


def month_index(year: int, month: int) -> int:
    """Months since year 0 (a month's position on a single axis)."""
    return year * 12 + month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` of a :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _parse_month(text: str) -> int | None:
    m = _MONTH.match(text) or _COMPACT.match(text)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return month_index(year, month) if 1 <= month <= 12 and 1900 <= year <= 2200 else None


def _excel_day(text: str) -> bool:
    """Whether ``text`` is a day as Excel counts them (43525 is 2019-03-01), from 1970 to 2099.

    A date cell of a spreadsheet saved or pasted without its date format shows this number.
    """
    return bool(re.fullmatch(r"\d{5}(?:\.\d*)?", text)) and 25569 <= float(text) < 73051


_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")  # 10,000 or 1,234.5


def _plain_number(text, unit: str):
    """A number as an office writes it, as plain text (anything else is returned as it is).

    Thousands separators (``10,000``); in a yuan column ``50000元``, ``5万`` and ``5万元``; in
    a column of yearly rates ``4.35%``. Other text is refused by the caller as no number.
    """
    if not isinstance(text, str) or not text:
        return text
    scale = None
    if unit == "yuan" and text.endswith(("万元", "万")):
        text, scale = text.removesuffix("元").removesuffix("万"), Decimal(10000)
    elif unit == "yuan" and text.endswith("元"):
        text = text.removesuffix("元")
    elif unit.startswith("per year") and text.endswith("%"):
        text, scale = text.removesuffix("%"), Decimal("0.01")
    text = text.strip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if scale is None:
        return text
    try:
        return str(Decimal(text) * scale)  # 4.35% is 0.0435 exactly as written
    except InvalidOperation:
        return text + "?"  # not a number


def _header_fits(text: str, cols: tuple[Col, ...]) -> bool:
    """Whether the first filled line of ``text`` names every required column of ``cols``."""
    line = next((x for x in text.splitlines() if x.strip(" \t,")), "")
    known = lookup(cols)
    found = {
        known[k].name for k in (h.strip().lower() for h in next(csv.reader([line]))) if k in known
    }
    return all(c.name in found for c in cols if c.required)


def _decode(path: Path, name: str, cols: tuple[Col, ...], problems: Problems) -> str | None:
    """Text of a CSV file: UTF-8 (with or without BOM), else GB18030 if its header fits.

    Excel on Chinese Windows saves "CSV" as GBK ("ANSI"), which GB18030 contains. Almost any
    bytes decode as GB18030, so that reading is taken only when its header row names every
    required column (a UTF-8 header would be garbled); otherwise a problem names the first
    row and column that are not UTF-8. UTF-16 ("Unicode Text" from Excel) is refused as such.
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in data[:200]:
        problems.add(
            name,
            None,
            None,
            "the file is UTF-16 text (Excel's 'Unicode Text', tab-separated), not a CSV file: "
            "save it as 'CSV UTF-8' or as .xlsx",
        )
        return None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _header_fits(text, cols):
        problems.warnings.append(f"{name}: read as GBK/GB18030 text (not UTF-8)")
        return text
    start = data.rfind(b"\n", 0, first.start) + 1
    row = data.count(b"\n", 0, first.start) + 1
    column = data.count(b",", start, first.start) + 1
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").split(",")
    col = header[column - 1].strip() if column <= len(header) and row > 1 else str(column)
    problems.add(
        name,
        row,
        col,
        "the file is not UTF-8 text (nor GBK/ANSI text whose first row names the columns "
        "of docs/data.md); save it as 'CSV UTF-8' and retry",
    )
    return None


def _blank(frame: pd.DataFrame) -> pd.Series:
    """Rows with no content: blank lines and rows of separators only (``,,,,``)."""
    if frame.shape[1] == 0:
        return pd.Series(True, index=frame.index)
    text = frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    return text.eq("").all(axis=1)


#: Roster keys, which may be long codes: as numbers, Excel keeps only 15 digits of them.
KEY_COLUMNS = frozenset({"household", "borrower"})


def _checked(col: Col | None) -> bool:
    """Whether an Excel column's numbers are checked: personal columns and roster keys."""
    return col is not None and (col.kind == "personal" or col.name in KEY_COLUMNS)


def _number_cells(typed: pd.DataFrame, known: dict[str, Col]) -> pd.DataFrame:
    """For the personal and key columns of an Excel sheet, which cells hold a lossy number.

    ``typed`` is the sheet with its cells as read (numbers as numbers). A personal cell (name,
    ID number) must be text: any number is flagged. A roster key may be a number, unless it
    has 16 digits or more, which Excel does not keep. Columns are named by their canonical
    name (the first of two headers for one column).
    """

    def number(v) -> bool:
        return isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))

    def long_number(v) -> bool:
        return number(v) and abs(float(v)) >= 1e15

    checked = [h for h in typed.columns if _checked(known.get(str(h).strip().lower()))]
    names = [known[str(h).strip().lower()].name for h in checked]
    numbers = pd.DataFrame(
        {
            k: typed[h].map(long_number if name in KEY_COLUMNS else number)
            for k, (h, name) in enumerate(zip(checked, names, strict=True))
        },
        index=typed.index,
    )
    numbers.columns = names
    return numbers.loc[:, ~numbers.columns.duplicated()]


def _blank_rows_on_top(path: Path) -> int:
    """How many rows of the first sheet are blank above its first filled one (read lazily)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for k, row in enumerate(book.worksheets[0].iter_rows(values_only=True)):
            if any(v is not None and str(v).strip() for v in row):
                return k
        return 0
    finally:
        book.close()


def read_file(path: Path, cols: tuple[Col, ...], problems: Problems) -> Table | None:
    """Read ``path`` (CSV in UTF-8 or GBK, or an Excel .xlsx sheet) into canonical text columns.

    Rows keep their number in the file (header = row 1, or below blank rows at the top of the
    file); blank rows and rows of separators only are counted, then skipped. Personal columns are hashed and dropped here, before
    anything else sees them; an Excel cell of a personal column holding a number instead of
    text is refused (an ID number stored as a number has lost its last digits).
    """
    name = path.name
    known = lookup(cols)
    numbers = None
    header_row = 1
    try:
        if path.suffix.lower() == ".csv":
            text = _decode(path, name, cols, problems)
            if text is None:
                return None
            import io

            lead = re.match(r"(?:[ \t]*\r?\n)*", text).group()  # blank lines above the header
            header_row += lead.count("\n")
            raw = pd.read_csv(
                io.StringIO(text[len(lead) :]),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
            )
            if not isinstance(raw.index, pd.RangeIndex):
                # pandas takes the leading fields of rows longer than the header as an index:
                # the columns would be shifted (a header cell missing, or a separator at the
                # end of each row)
                want, saw = raw.shape[1], raw.shape[1] + raw.index.nlevels
                fix = (
                    _TITLE.format(row=header_row)
                    if want == 1
                    else ": give every column a header and remove separators at the ends of the rows"
                )
                problems.add(
                    name, header_row + 1, None, f"{saw} fields where the header has {want}{fix}"
                )
                return None
        else:
            # read once with the cells as they are (numbers as numbers), then as text: the same
            # text as reading with dtype=str
            lead = _blank_rows_on_top(path)  # blank rows above the header, as in a CSV file
            header_row += lead
            typed = pd.read_excel(
                path, dtype=object, keep_default_na=False, engine="openpyxl", header=lead
            )
            numbers = _number_cells(typed, known)
            raw = typed.astype(str)
            del typed
    except Exception as exc:  # noqa: BLE001 - the message of a parser may quote a cell
        # the CSV tokenizer's own message gives only counts and a line number: keep those
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if fields:
            want, line, saw = fields.groups()
            row = int(line) + header_row - 1
            fix = _TITLE.format(row=header_row) if want == "1" else ""
            problems.add(name, row, None, f"{saw} fields where the header has {want}{fix}")
        else:
            problems.add(name, None, None, f"cannot be read as a table ({type(exc).__name__})")
        return None
    raw.index = raw.index + header_row + 1  # file rows
    keep = ~_blank(raw)
    raw = raw[keep]
    header: dict[str, str] = {}
    unknown: list[str] = []
    frame = pd.DataFrame(index=raw.index)
    for written in raw.columns:
        key = str(written).strip().lower()
        col = known.get(key)
        if col is None:
            if not key.startswith("unnamed:"):
                unknown.append(str(written).strip())
            continue
        if col.name in header:
            problems.add(name, header_row, str(written).strip(), f"a second header for {col.name}")
            continue
        header[col.name] = str(written).strip()
        frame[col.name] = raw[written].astype(str).str.strip()
    title = None if header else _title_above(raw, known, header_row)
    del raw
    if unknown:
        problems.warnings.append(
            f"{name}: columns ignored (not in docs/data.md): {', '.join(unknown)}"
        )
    personal = [c.name for c in cols if c.kind == "personal" and c.name in frame]
    if numbers is not None:
        numbers.index = numbers.index + header_row + 1
        numbers = numbers[keep.to_numpy()]
        for c in [*personal, *sorted(KEY_COLUMNS)]:
            if c not in numbers or c not in frame:
                continue
            lossy = numbers[c].to_numpy(bool)
            why = (
                "a number of 16 digits or more, which Excel does not keep"
                if c in KEY_COLUMNS
                else "a number, not text (Excel keeps 15 digits)"
            )
            for row in frame.index[lossy]:
                problems.add(
                    name,
                    row,
                    header[c],
                    f"{why}: format the column as text and enter these cells again",
                )
            frame.loc[lossy, c] = ""  # never joined on (numbers that lost digits may coincide)
    for c in personal:
        if c.endswith("id_number") or c == "borrower_id":
            # Excel shows long numbers as 4.11722E+17 and loses the digits when it saves
            mangled = frame[c].str.fullmatch(r"\d(\.\d+)?[eE]\+?\d+")
            for row in frame.index[mangled]:
                problems.add(
                    name,
                    row,
                    header[c],
                    "ID number in scientific notation (digits lost): format the column as text",
                )
    if personal and any(frame[c].ne("").any() for c in personal):
        try:
            key = salt()
        except SaltError as exc:
            problems.add(name, None, ", ".join(header[c] for c in personal), str(exc))
            key = b"\0" * 32  # keep checking the rest; nothing will be run
        for c in personal:
            frame[c] = hash_column(frame[c], key)
    elif personal:
        frame = frame.drop(columns=personal)
    if title is not None:
        problems.add(name, header_row, None, title)
        return Table(name, frame, header)
    for c in cols:
        if c.required and c.name not in frame:
            problems.add(
                name, header_row, f"{c.name} / {c.zh}", "missing column; add it (docs/data.md)"
            )
    return Table(name, frame, header)


#: A header of one cell above longer rows: most likely a title above the table.
_TITLE = (
    " (row {row}, taken as the header, holds one cell: a title?): delete the title rows above "
    "the column names"
)


def _title_above(raw: pd.DataFrame, known: dict[str, Col], header_row: int) -> str:
    """What to change when the first filled row, taken as the header, names no column.

    Usually a title above the table (上蔡县建档立卡户名册): the column names are then in one
    of the next rows, which is named if found.
    """
    below = next(
        (
            row
            for row, cells in raw.head(10).iterrows()
            if sum(str(x).strip().lower() in known for x in cells) >= 2
        ),
        None,
    )
    taken = f"row {header_row} was taken as the header and names no column of docs/data.md"
    if below is None:
        return f"{taken}: put the column names in the first row, and delete any title rows above"
    return f"{taken}; the column names are in row {below}: delete the title rows above them"


def coerce(table: Table, cols: tuple[Col, ...], problems: Problems, enums: dict) -> None:
    """Convert text columns to their kind in place; bad or missing cells become problems."""
    f = table.frame
    for c in cols:
        if c.name not in f or c.kind in ("personal",):
            continue
        s = f[c.name]
        empty = s.isna() | (s == "")
        if c.required and c.kind != "bool":
            for row in s.index[empty]:
                problems.add(table.file, row, table.col(c.name), "empty; give a value")
        if c.kind == "text":
            f[c.name] = s.where(~empty, None)
        elif c.kind in ("int", "float"):
            plain = s.map(lambda v, u=c.unit: _plain_number(v, u))
            num = pd.to_numeric(plain.where(~empty, None), errors="coerce")
            bad = (num.isna() & ~empty) | np.isinf(num)  # "inf" and 1e999 are no amounts
            if c.kind == "int":
                bad |= num.notna() & (num != np.round(num))
            for row in s.index[bad]:
                what = "not a whole number" if c.kind == "int" else "not a number"
                problems.add(table.file, row, table.col(c.name), what)
            f[c.name] = num.where(~bad)
        elif c.kind == "month":
            parsed = s.map(lambda v: _parse_month(v) if isinstance(v, str) and v else None)
            for row in s.index[parsed.isna() & ~empty]:
                what = (
                    "looks like an Excel date number: format the column as a date, "
                    "or write the month as YYYY-MM (2019-03)"
                    if _excel_day(s[row])
                    else "not a month; write YYYY-MM"
                )
                problems.add(table.file, row, table.col(c.name), what)
            f[c.name] = parsed.astype("Float64")
        elif c.kind == "bool":
            low = s.fillna("").str.lower()
            bad = ~low.isin(_TRUE | _FALSE)
            for row in s.index[bad]:
                problems.add(table.file, row, table.col(c.name), "write 1 or 0 (是/否)")
            f[c.name] = low.map(lambda v: True if v in _TRUE else (False if v else None))
        elif c.kind == "enum":
            values = enums.get(c.name, c.values)
            mapping = {k.lower(): v for k, v in values.items()}
            mapped = s.map(lambda v, m=mapping: m.get(v.lower()) if isinstance(v, str) else None)
            for row in s.index[mapped.isna() & ~empty]:
                allowed = ", ".join(dict.fromkeys(values))
                problems.add(table.file, row, table.col(c.name), f"not one of: {allowed}")
            f[c.name] = mapped


def check(table: Table, schema: pa.DataFrameSchema, problems: Problems) -> None:
    """Run a pandera schema lazily and record each failure with its row and column."""
    present = {k: v for k, v in schema.columns.items() if k in table.frame}
    try:
        schema.__class__(present, checks=schema.checks).validate(table.frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for _, r in fc.iterrows():
            row = None if pd.isna(r["index"]) else int(r["index"])
            column = None if pd.isna(r["column"]) else table.col(str(r["column"]))
            check = str(r["check"])
            what = "appears twice; each must be unique" if check == "field_uniqueness" else check
            problems.add(table.file, row, column, what)


#: Tables saved in a format that is not read: refused, rather than left out unnoticed.
UNREAD = (".xls", ".xlsm", ".xlsb", ".et", ".ods", ".tsv", ".txt", ".numbers")


def _named(folder: Path, stem: str, suffixes: tuple[str, ...]) -> list[Path]:
    """Files of ``folder`` named ``stem`` (``stem*`` for the ledgers), case ignored, by suffix."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in suffixes
        and not p.name.startswith((".", "~$"))
        and (p.stem.lower().startswith(stem) if stem == "loans" else p.stem.lower() == stem)
        and p.is_file()
    )


def find_files(folder: Path, stem: str) -> list[Path]:
    """Files ``stem.csv``/``stem.xlsx`` (and ``stem*`` for the ledgers) in ``folder``.

    Names are matched whatever their case (``Loans_A.CSV``); Excel's lock files (``~$...``)
    and hidden files are not county files.
    """
    return _named(folder, stem, SUFFIXES)


def unread_files(folder: Path, stem: str) -> list[Path]:
    """Files named as :func:`find_files` looks for, in a table format that is not read (.xls)."""
    return _named(folder, stem, UNREAD)
