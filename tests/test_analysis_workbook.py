"""The workbook opens, has the expected sheets, and its cells are the results."""

from __future__ import annotations

import csv
import math

import analysis_fixtures as fx
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import tables
from analysis.labels import label
from analysis.localise import header
from analysis.source import read_experiment, read_run
from sim.config import scenario_label

RUN_SHEETS = ["summary", "monthly", "fiscal", "bulletin", "scorecard_township", "scorecard_bank"]
EXP_SHEETS = [
    "summary",
    "replicates",
    "monthly",
    "fiscal",
    "bulletin",
    "scorecard_township",
    "scorecard_bank",
    "comparison",
    "fund_sizing",
]


@pytest.fixture(scope="module")
def run_book(tmp_path_factory):
    pack = fx.run_pack(tmp_path_factory)
    return load_workbook(pack / "briefing.xlsx"), read_run(fx.small_run(tmp_path_factory)), pack


@pytest.fixture(scope="module")
def exp_book(tmp_path_factory):
    pack = fx.experiment_pack(tmp_path_factory)
    return load_workbook(pack / "briefing.xlsx"), read_experiment(fx.experiment(tmp_path_factory))


def rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_run_workbook_has_the_sheets_in_chinese(run_book):
    book, _, _ = run_book
    assert book.sheetnames == [label(f"sheet_{s}", "zh") for s in RUN_SHEETS]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", f"{ws.title}: header row not frozen"
        assert ws["A1"].font.bold, f"{ws.title}: header not bold"
        assert ws.column_dimensions["A"].width >= 6, f"{ws.title}: column A too narrow"


def test_summary_sheet_is_the_summary(run_book):
    book, run, _ = run_book
    values = {r[0]: r[1] for r in rows(book[label("sheet_summary", "zh")])[1:]}
    assert values[label("scenario", "zh")] == scenario_label(run.scenario, "zh")
    assert values[label("seed", "zh")] == fx.RUN_SEED
    for key, v in run.summary.items():
        cell = values[header(key, "zh")]
        if isinstance(v, bool):
            assert cell == label("yes" if v else "no", "zh"), key
        elif v is None or (isinstance(v, float) and math.isnan(v)):
            assert cell is None, f"{key}: a missing value must stay empty"
        else:
            assert cell == pytest.approx(v), f"{key}: workbook {cell} != summary {v}"


def test_monthly_sheet_is_the_timeseries_with_formats(run_book):
    book, run, _ = run_book
    ts = run.timeseries
    data = rows(book[label("sheet_monthly", "zh")])
    assert list(data[0]) == [header(c, "zh", unit=True) for c in ts.columns]
    assert header("loan_balance", "zh", unit=True) == "贷款余额（元）", "amounts say they are yuan"
    assert header("household_loan_rate", "zh", unit=True) == "户贷率", "a share is formatted as %"
    col = list(ts.columns).index("loan_balance")
    assert [r[col] for r in data[1:]] == pytest.approx(ts["loan_balance"].tolist())
    ws = book[label("sheet_monthly", "zh")]
    fmt_of = {c: ws.cell(row=2, column=j + 1).number_format for j, c in enumerate(ts.columns)}
    assert fmt_of["household_loan_rate"] == "0.00%"
    assert fmt_of["loan_balance"] == "#,##0"
    assert fmt_of["year"] == "0", "a year is not written 2,019"


def test_bulletin_sheet_matches_the_table(run_book):
    book, run, _ = run_book
    bulletin = tables.township_bulletin(run.villages)
    data = rows(book[label("sheet_bulletin", "zh")])
    assert len(data) == len(bulletin) + 1
    last = data[-1]
    expected = bulletin.iloc[-1]
    assert last[0] == expected["month"]
    assert last[1] == label("township_n", "zh").format(n=int(expected["township"]) + 1)
    assert last[tables.BULLETIN.index("npl_ratio")] == pytest.approx(expected["npl_ratio"])
    assert last[tables.BULLETIN.index("status")] == label(f"status_{expected['status']}", "zh")


def test_csv_files_sit_beside_the_workbook(run_book):
    book, run, pack = run_book
    for name in RUN_SHEETS:
        assert (pack / "csv" / f"{name}.csv").is_file(), f"{name}.csv missing"
    with open(pack / "csv" / "monthly.csv", encoding="utf-8-sig", newline="") as fh:
        head = next(csv.reader(fh))
    assert head == [header(c, "zh", unit=True) for c in run.timeseries.columns]
    frame = pd.read_csv(pack / "csv" / "monthly.csv", encoding="utf-8-sig")
    assert frame["贷款余额（元）"].tolist() == pytest.approx(
        run.timeseries["loan_balance"].tolist()
    )


def test_experiment_workbook_holds_comparison_and_sizing(exp_book):
    book, exp = exp_book
    assert book.sheetnames == [label(f"sheet_{s}", "en") for s in EXP_SHEETS]
    comp = rows(book[label("sheet_comparison", "en")])
    assert comp[0][:3] == ("Scenario", "Outcome", "Median")
    table = exp.comparison
    assert len(comp) == len(table) + 1
    for i, src in table.iterrows():
        expected = None if pd.isna(src["diff_mean"]) else pytest.approx(src["diff_mean"])
        assert comp[i + 1][6] == expected, f"diff_mean of {src['scenario']}, {src['outcome']}"
    assert comp[1][1] == label(table["outcome"].iloc[0], "en"), "outcomes are named, not keyed"
    curve = rows(book[label("sheet_fund_sizing", "en")])
    assert [r[0] for r in curve[1:]] == pytest.approx(fx.FUND_SIZES)
    assert [r[2] for r in curve[1:]] == pytest.approx(fx.P_EXHAUSTED)
    reps = rows(book[label("sheet_replicates", "en")])
    assert len(reps) == len(exp.summary) + 1, "one row per scenario and replicate"
