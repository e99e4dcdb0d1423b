"""Bad county files are refused: every problem at once, each naming file, row and column."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from data_fixtures import SALT, tiny_tables, write_folder

from sim import build_model, load_config
from sim.config import ROOT, ConfigError
from sim.data import DataError
from sim.data.county_files import read_county
from sim.results import OUTPUTS_VAR


@pytest.fixture(autouse=True)
def salt(monkeypatch):
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)


def problems(folder) -> list[str]:
    with pytest.raises(DataError) as info:
        load_config("baseline", ["county=files", f"county.path={folder}"])
    return info.value.lines


def refused(tmp_path, change) -> list[str]:
    tables = tiny_tables()
    change(tables)
    return problems(write_folder(tmp_path / "county", tables))


def test_valid_folder_is_accepted(tmp_path):
    cfg = load_config(
        "baseline", ["county=files", f"county.path={write_folder(tmp_path, tiny_tables())}"]
    )
    assert cfg.county.n_households == 9


def test_missing_column(tmp_path):
    def change(t):
        t["households"] = t["households"].drop(columns=["家庭人口"])

    lines = refused(tmp_path, change)
    assert lines == [
        "households.csv, row 1, column size / 家庭人口: missing column; add it (docs/data.md)"
    ]


def test_unknown_village(tmp_path):
    def change(t):
        t["households"].loc[4, "行政村"] = "不存在村"

    lines = refused(tmp_path, change)
    # the household's row 6 (header + 5th record) and the village now one household short
    assert (
        "households.csv, row 6, column 行政村: unknown village: not in the villages file" in lines
    )
    assert any(x.startswith("villages.csv, row 3, column 建档立卡户数: says 3") for x in lines)


def test_negative_balance(tmp_path):
    def change(t):
        t["loans"].loc[2, "贷款余额"] = -100

    assert refused(tmp_path, change) == ["loans.csv, row 4, column 贷款余额: must not be negative"]


def test_maturity_before_start(tmp_path):
    def change(t):
        t["loans"].loc[1, "到期日期"] = "2021-06"  # started 2021-12

    lines = refused(tmp_path, change)
    assert "loans.csv, row 3, column 到期日期: not after the start" in lines


def test_duplicate_loan(tmp_path):
    def change(t):
        t["loans"].loc[4, "贷款编号"] = "D4"  # both 邮储银行's

    lines = refused(tmp_path, change)
    assert lines == [
        "loans.csv, row 6, column 贷款编号: same bank and loan number as loans.csv row 5"
    ]


def test_duplicate_loan_across_two_bank_ledgers(tmp_path):
    tables = tiny_tables()
    loans = tables.pop("loans")
    folder = write_folder(tmp_path / "county", tables)
    loans.iloc[:4].to_csv(folder / "loans_农商银行.csv", index=False)
    loans.iloc[3:].to_csv(folder / "loans_邮储银行.csv", index=False)
    # D4 is the same 邮储银行 loan in both files
    assert problems(folder) == [
        "loans_邮储银行.csv, row 2, column 贷款编号: same bank and loan number as "
        "loans_农商银行.csv row 5"
    ]


def test_two_banks_may_use_the_same_loan_numbers(tmp_path):
    # each bank numbers its contracts from 001: 农商银行 D1-D3 and E1, 邮储银行 D4-D5
    tables = tiny_tables()
    loans = tables.pop("loans")
    loans["贷款编号"] = ["001", "002", "003", "001", "002", "004"]
    folder = write_folder(tmp_path / "county", tables)
    loans[loans["贷款银行"] == "农商银行"].to_csv(folder / "loans_农商银行.csv", index=False)
    loans[loans["贷款银行"] == "邮储银行"].to_csv(folder / "loans_邮储银行.csv", index=False)
    cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
    m = build_model(cfg, seed=1)
    assert m.loans.active.sum() == 5 and m.enterprise_loans.active.sum() == 1
    assert m.ledger.opening_loans.sum() == 235000.0, "every loan of both banks is in the book"
    # within one bank a number still names one loan
    loans.loc[4, "贷款编号"] = "001"
    loans[loans["贷款银行"] == "邮储银行"].to_csv(folder / "loans_邮储银行.csv", index=False)
    assert problems(folder) == [
        "loans_邮储银行.csv, row 3, column 贷款编号: same bank and loan number as "
        "loans_邮储银行.csv row 2"
    ]


def test_borrower_not_on_the_roster(tmp_path):
    def change(t):
        t["loans"].loc[3, "身份证号码"] = "411722199912319999"
        t["loans"].loc[3, "借款人姓名"] = "查无此人"

    lines = refused(tmp_path, change)
    assert lines == ["loans.csv, row 5, column 身份证号码: borrower not on the household roster"]


def test_csv_files_saved_as_gbk_by_excel_are_read_as_utf_8_ones(tmp_path):
    # Excel on Chinese Windows saves "CSV" in GBK ("ANSI")
    utf8 = write_folder(tmp_path / "utf8", tiny_tables())
    gbk = write_folder(tmp_path / "gbk", tiny_tables(), encoding="gbk")
    assert (gbk / "households.csv").read_bytes() != (utf8 / "households.csv").read_bytes()
    cfg = load_config("baseline")
    a, b = read_county(utf8, cfg), read_county(gbk, cfg)
    pd.testing.assert_frame_equal(a.households, b.households)
    pd.testing.assert_frame_equal(a.loans.drop(columns="_file"), b.loans.drop(columns="_file"))
    assert a.village_names == b.village_names == ["前楼村", "后楼村", "河口村"]


def test_gbk_text_whose_first_row_is_not_the_header_is_refused(tmp_path):
    # a title row above the header: the GBK reading cannot be confirmed by the column names
    folder = write_folder(tmp_path / "county", tiny_tables())
    body = tiny_tables()["households"].to_csv(index=False)
    (folder / "households.csv").write_bytes(("上蔡县建档立卡户名册\n" + body).encode("gbk"))
    lines = problems(folder)
    assert len(lines) == 1
    assert lines[0].startswith("households.csv, row 1, column 1: the file is not UTF-8 text")
    assert "save it as 'CSV UTF-8'" in lines[0]


def test_utf_16_text_from_excel_is_named_as_such(tmp_path):
    folder = write_folder(tmp_path / "county", tiny_tables())
    tiny_tables()["villages"].to_csv(
        folder / "villages.csv", index=False, sep="\t", encoding="utf-16"
    )
    assert problems(folder) == [
        "villages.csv: the file is UTF-16 text (Excel's 'Unicode Text', tab-separated), not a "
        "CSV file: save it as 'CSV UTF-8' or as .xlsx"
    ]


def test_wrong_encoding_in_a_data_row_names_row_and_column(tmp_path):
    folder = write_folder(tmp_path / "county", tiny_tables())
    text = (folder / "villages.csv").read_text(encoding="utf-8").splitlines()
    head = "\n".join(text[:1]).encode("utf-8")
    rest = "\n".join(text[1:]).encode("gbk")
    (folder / "villages.csv").write_bytes(head + b"\n" + rest + b"\n")
    lines = problems(folder)
    assert lines[0].startswith("villages.csv, row 2, column 乡镇: the file is not UTF-8 text")


def test_every_problem_at_once(tmp_path):
    def change(t):
        t["households"].loc[0, "家庭人口"] = 0
        t["households"].loc[1, "劳动能力"] = "很强"
        t["loans"].loc[0, "年利率"] = 4.35
        t["loans"]["逾期天数"] = t["loans"]["逾期天数"].astype(object)
        t["loans"].loc[1, "逾期天数"] = "abc"

    lines = refused(tmp_path, change)
    assert lines == [
        "households.csv, row 3, column 劳动能力: not one of: full, weak, none, 有劳动力, 强劳动力, "
        "普通劳动力, 弱劳动力, 半劳动力, 无劳动力, 丧失劳动力",
        "households.csv, row 2, column 家庭人口: give a size from 1 to 100 persons",
        "loans.csv, row 3, column 逾期天数: not a whole number",
        "loans.csv, row 2, column 年利率: give the yearly rate as a decimal, e.g. 0.0435",
    ]


def test_cli_exits_2_and_writes_nothing(tmp_path):
    tables = tiny_tables()
    tables["loans"].loc[2, "贷款余额"] = -1
    folder = write_folder(tmp_path / "county", tables)
    out = tmp_path / "run"
    env = {"PATH": "/usr/bin:/bin", "MICROCREDIT_SALT": SALT, "HOME": str(tmp_path)}
    env[OUTPUTS_VAR] = os.environ[OUTPUTS_VAR]  # the suite's outputs folder (conftest)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "county=files",
            f"county.path={folder}",
            f"run.out_dir={out}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert "loans.csv, row 4, column 贷款余额: must not be negative" in proc.stderr
    assert not out.exists()


def test_no_salt_with_personal_columns(tmp_path, monkeypatch):
    monkeypatch.delenv("MICROCREDIT_SALT")
    lines = problems(write_folder(tmp_path / "county", tiny_tables()))
    assert any("households.csv, column 姓名, 身份证号码: the files hold names" in x for x in lines)


def test_salt_from_a_file(tmp_path, monkeypatch):
    monkeypatch.delenv("MICROCREDIT_SALT")
    salt_file = tmp_path / "salt.txt"
    salt_file.write_text(SALT, encoding="utf-8")
    monkeypatch.setenv("MICROCREDIT_SALT_FILE", str(salt_file))
    folder = write_folder(tmp_path / "county", tiny_tables())
    cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
    assert cfg.county.n_households == 9
    assert SALT not in str(cfg)
    assert not [k for k in cfg.county if "salt" in k], "the salt is never configuration"


def test_roster_keys_without_personal_data_need_no_salt(tmp_path, monkeypatch):
    monkeypatch.delenv("MICROCREDIT_SALT")
    t = tiny_tables()
    t["households"] = t["households"].drop(columns=["姓名", "身份证号码"])
    t["households"].insert(0, "户编号", [f"H{i}" for i in range(9)])
    t["loans"] = t["loans"].drop(columns=["身份证号码", "借款人姓名"])
    t["loans"].insert(2, "户编号", ["H0", "H1", "H3", "H6", "H7", None])
    folder = write_folder(tmp_path / "county", t)
    assert (
        load_config("baseline", ["county=files", f"county.path={folder}"]).county.n_households == 9
    )
    assert isinstance(pd.read_csv(folder / "loans.csv"), pd.DataFrame)


def test_a_problem_on_many_rows_is_counted_not_repeated(tmp_path):
    from sim.data.read import MAX_ROWS_PER_PROBLEM

    def change(t):
        t["households"] = pd.concat([t["households"]] * 5, ignore_index=True)
        t["households"]["家庭人口"] = 0
        t["villages"]["建档立卡户数"] = 15

    lines = refused(tmp_path, change)
    size = [x for x in lines if "家庭人口" in x]
    assert len(size) == MAX_ROWS_PER_PROBLEM + 1
    assert size[-1] == (
        f"households.csv, column 家庭人口: {45 - MAX_ROWS_PER_PROBLEM} more rows: "
        "give a size from 1 to 100 persons"
    )


def test_county_files_without_a_folder_is_refused():
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match="county.path: no folder given"):
        load_config("baseline", ["county=files"])
    with pytest.raises(ConfigError, match="county.path=/no/such/folder: no such folder"):
        load_config("baseline", ["county=files", "county.path=/no/such/folder"])


def test_a_row_with_too_many_fields_is_named(tmp_path):
    folder = write_folder(tmp_path / "county", tiny_tables())
    with (folder / "villages.csv").open("a", encoding="utf-8") as f:
        f.write("西湖镇,新村,1,邮储银行,多余,多余\n")
    assert problems(folder) == ["villages.csv, row 5: 6 fields where the header has 4"]


def test_id_numbers_mangled_by_a_spreadsheet_are_refused(tmp_path):
    def change(t):
        t["loans"].loc[1, "身份证号码"] = "4.11722E+17"

    assert refused(tmp_path, change) == [
        "loans.csv, row 3, column 身份证号码: ID number in scientific notation (digits lost): "
        "format the column as text",
    ]


def test_roster_key_and_id_number_of_a_loan_must_agree(tmp_path):
    def change(t):
        t["households"].insert(0, "户编号", [f"H{i}" for i in range(9)])
        t["loans"].insert(2, "户编号", ["H0", "H1", "H3", "H6", "H8", None])  # H8 is not IDS[7]

    assert refused(tmp_path, change) == [
        "loans.csv, row 6, column 身份证号码: the ID number is another household's",
        "loans.csv, row 6, column 借款人姓名: the name differs from the roster entry of this borrower",
    ]


def test_rows_are_numbered_as_in_the_file_around_blank_lines(tmp_path):
    folder = write_folder(tmp_path / "county", tiny_tables())
    path = folder / "households.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    size = lines[0].split(",").index("家庭人口")
    cells = lines[9].split(",")  # the 9th household
    cells[size] = "x"
    lines[9] = ",".join(cells)
    separators = "," * lines[0].count(",")
    # two blank lines under the header, a blank line and a row of separators (as Excel
    # writes them) between records, and separators at the end
    lines = [lines[0], "", "", *lines[1:5], "", separators, *lines[5:], separators, separators]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # file lines: header 1, blank 2-3, records 4-7, blank 8-9, records 10-14 (the 9th is 14)
    assert problems(folder) == ["households.csv, row 14, column 家庭人口: not a whole number"]


def test_blank_lines_and_rows_of_separators_are_skipped(tmp_path):
    folder = write_folder(tmp_path / "county", tiny_tables())
    for name in ("villages", "loans"):
        path = folder / f"{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        separators = "," * lines[0].count(",")
        lines = ["", lines[0], "", *lines[1:], separators, "  ", separators]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
    assert cfg.county.n_villages == 3 and cfg.horizon.start == "2022-06"
    # a blank line above the header moves the header to row 2, and every row with it
    lines = (folder / "villages.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",3,", ",0,", 1)  # the first village, file line 4
    (folder / "villages.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert problems(folder) == [
        "villages.csv, row 4, column 建档立卡户数: says 0 but the roster has 3 households in "
        "this village"
    ]


def test_blank_excel_rows_are_skipped_and_rows_keep_their_number(tmp_path):
    import openpyxl

    tables = tiny_tables()
    folder = write_folder(tmp_path / "county", {k: v for k, v in tables.items() if k != "villages"})
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(tables["villages"].columns))
    ws.append([None] * 4)
    for record in tables["villages"].itertuples(index=False):
        ws.append(list(record))
    ws.append(["", "", "", ""])
    ws.cell(row=4, column=3, value=-1)  # the second village, sheet row 4
    wb.save(folder / "villages.xlsx")
    lines = problems(folder)
    assert "villages.xlsx, row 4, column 建档立卡户数: must not be negative" in lines
    assert len(lines) == 1


def test_household_loan_above_the_largest_credit_line(tmp_path):
    def change(t):
        t["loans"].loc[1, ["贷款金额", "贷款余额"]] = 1e16
        t["loans"].loc[3, "贷款金额"] = 1e9

    limit = (
        "more than 50,000 yuan, the policy's cap per household (credit.loan_cap): correct it, "
        "or raise credit.loan_cap if the county lent more"
    )
    assert refused(tmp_path, change) == [
        f"loans.csv, row 3, column 贷款金额: {limit}",
        f"loans.csv, row 5, column 贷款金额: {limit}",
        f"loans.csv, row 3, column 贷款余额: {limit}",
    ]


def test_amounts_written_in_wan_yuan_as_plain_numbers_are_refused(tmp_path):
    def change(t):
        t["loans"].loc[0, ["贷款金额", "贷款余额"]] = 5  # 5 万元, read as 5 yuan
        t["loans"]["贷款余额"] = t["loans"]["贷款余额"].astype(float)
        t["loans"].loc[3, "贷款余额"] = 4.5  # the balance alone in 万元
        t["loans"].loc[4, "贷款余额"] = 0  # repaid: no amount at all, not a small one

    wan = (
        "less than 100 yuan: amounts are in yuan and this looks like 万元; write it in yuan "
        "(50000) or with its unit (5万元)"
    )
    assert refused(tmp_path, change) == [
        f"loans.csv, row 2, column 贷款金额: {wan}",
        f"loans.csv, row 2, column 贷款余额: {wan}",
        f"loans.csv, row 5, column 贷款余额: {wan}",
    ]


def test_a_repaid_loan_and_amounts_from_100_yuan_are_read(tmp_path):
    def change(t):
        t["loans"].loc[4, "贷款余额"] = 0
        t["loans"].loc[3, "贷款余额"] = 100

    tables = tiny_tables()
    change(tables)
    folder = write_folder(tmp_path / "county", tables)
    cf = read_county(folder, load_config("baseline"))
    assert cf.loans["balance"].tolist() == [50000, 30000, 40000, 100, 50000]


def test_the_household_limit_follows_the_configuration(tmp_path):
    tables = tiny_tables()
    tables["loans"].loc[1, ["贷款金额", "贷款余额"]] = 80000
    folder = write_folder(tmp_path / "county", tables)
    lines = problems(folder)
    assert lines and all("50,000 yuan" in x for x in lines)
    raised = ["credit.loan_cap=100000"]
    cfg = load_config("baseline", ["county=files", f"county.path={folder}", *raised])
    assert cfg.county.n_households == 9
    # tighter lines for new loans do not refuse loans already signed under the cap
    tight = "rating.grade_credit_lines=[30000,30000,30000,20000,0]"
    load_config(
        "baseline", ["county=files", f"county.path={folder}", "credit.loan_cap=100000", tight]
    )


def test_enterprise_loan_above_any_link_and_non_finite_amounts(tmp_path):
    def change(t):
        t["loans"].loc[5, ["贷款金额", "贷款余额"]] = 1e9  # 9 households x 50,000 at most
        t["loans"]["年利率"] = t["loans"]["年利率"].astype(object)
        t["loans"].loc[0, "年利率"] = "inf"
        t["households"]["信用评分"] = [0.1] * 8 + ["inf"]

    assert refused(tmp_path, change) == [
        "households.csv, row 10, column 信用评分: not a number",
        "loans.csv, row 2, column 年利率: not a number",
    ]

    def change_amount(t):
        t["loans"].loc[5, ["贷款金额", "贷款余额"]] = 1e9

    limit = (
        "more than 450,000 yuan, enterprise.amount_per_household (50,000) for every household "
        "of the roster: correct it, or raise enterprise.amount_per_household"
    )
    assert refused(tmp_path / "2", change_amount) == [
        f"loans.csv, row 7, column 贷款金额: {limit}",
        f"loans.csv, row 7, column 贷款余额: {limit}",
    ]


def test_unknown_township_is_named_as_the_township(tmp_path):
    def change(t):
        t["households"].loc[4, "乡镇"] = "北山乡"  # no such township
        t["households"].loc[7, "乡镇"] = "东岗乡"  # 河口村 is in 西湖镇
        t["enterprises"].loc[0, "乡镇"] = "北山乡"

    lines = refused(tmp_path, change)
    assert "households.csv, row 6, column 乡镇: unknown township: not in the villages file" in lines
    assert (
        "households.csv, row 9, column 乡镇 / 行政村: the villages file has this village in "
        "another township"
    ) in lines
    assert (
        "enterprises.csv, row 2, column 乡镇: unknown township: not in the villages file" in lines
    )
    assert not [x for x in lines if "unknown village" in x]


def test_days_past_due_beyond_the_age_of_the_loan(tmp_path):
    def change(t):
        t["loans"].loc[4, "逾期天数"] = 999999  # signed 2022-01, not yet due
        t["loans"].loc[1, "逾期天数"] = 217  # signed 2021-12: 7 months to the end of 2022-06

    assert refused(tmp_path, change) == [
        "loans.csv, row 6, column 逾期天数: more days past due than days since the start: "
        "correct the days or the start",
    ]


def test_term_longer_than_from_start_to_maturity(tmp_path):
    def change(t):
        t["loans"]["贷款期限"] = [12, 12, 24, 36, 13, 36]  # 13: a 2022-01-01 to 2022-12-31 loan
        t["loans"].loc[0, "贷款期限"] = 9999

    assert refused(tmp_path, change) == [
        "loans.csv, row 2, column 贷款期限: longer than from start to maturity: give the "
        "original term in months",
    ]


def test_exit_year_after_the_ledger_month(tmp_path):
    def change(t):
        t["households"].loc[2, "脱贫年度"] = 2050
        t["households"].loc[3, "脱贫年度"] = 2022  # the year of the ledgers: possible

    assert refused(tmp_path, change) == [
        "households.csv, row 4, column 脱贫年度: exited after the month of the ledgers: give a "
        "year up to 2022, or the poverty status poor",
    ]


def ledgers_of_2018(t):
    """The tiny county a year and a half earlier: ledgers of 2018-12, exits up to 2018."""
    t["loans"]["数据日期"] = "2018-12"
    t["loans"]["放款日期"] = ["2018-03", "2018-06", "2017-04", "2017-09", "2018-07", "2017-07"]
    t["loans"]["到期日期"] = ["2019-03", "2019-06", "2019-04", "2020-09", "2019-07", "2020-07"]
    t["households"]["脱贫年度"] = [2016, 2017, 2018, 2018, 2015, 2016, 2017, 2018, None]


def test_ledgers_before_2019_are_refused_naming_the_ledger_month(tmp_path):
    tables = tiny_tables()
    ledgers_of_2018(tables)
    loans = tables.pop("loans")
    folder = write_folder(tmp_path / "county", tables)
    loans.iloc[:3].to_csv(folder / "loans_农商银行.csv", index=False)
    loans.iloc[3:].to_csv(folder / "loans_邮储银行.csv", index=False)
    fix = (
        "a ledger month before 2019-01, the first year of the model's poverty lines "
        "(poverty.line_years) and of the policy it models: give the ledgers of a month from "
        "2019-01 on"
    )
    lines = problems(folder)
    assert lines == [
        f"loans_农商银行.csv, row 2, column 数据日期: {fix}",
        f"loans_邮储银行.csv, row 2, column 数据日期: {fix}",
    ]
    assert not any("exit_cohort" in x for x in lines)


def test_the_earliest_ledger_month_follows_the_poverty_lines(tmp_path):
    tables = tiny_tables()
    ledgers_of_2018(tables)
    folder = write_folder(tmp_path / "county", tables)
    # poverty lines from 2018: the ledgers are read, and the synthetic exit cohorts (up to
    # 2018, the year of the first simulated month) do not apply to a roster of its own
    cfg = load_config(
        "baseline",
        [
            "county=files",
            f"county.path={folder}",
            "poverty.line_years=[2018,2019,2020,2021,2022,2023,2024,2025,2026,2027,2028]",
            "poverty.line_yuan=[2995,3218,4000,4100,4200,4300,4400,4500,4600,4700,4800]",
            "poverty.floor_yuan=[3300,3540,4400,4510,4620,4730,4840,4950,5060,5170,5280]",
        ],
    )
    assert cfg.horizon.start == "2018-12"
    assert list(cfg.poverty.exit_cohort_years)[-1] == 2018
    m = build_model(cfg, seed=1)
    assert m.poverty.last_exit[:3].tolist() == [2016, 2017, 2018], "the roster's exit years"
    assert m.loans.ti_start[0] == -9


def test_ledgers_without_loans_are_refused_in_one_line(tmp_path):
    def change(t):
        t["loans"] = t["loans"].iloc[:0]

    assert refused(tmp_path, change) == [
        "loans.csv: no loans, so no ledger month: the run starts at the month of the ledgers "
        "(as_of); give the county's loans (docs/data.md)",
    ]


def test_an_empty_ledger_of_one_bank_is_fine_and_repaid_loans_date_the_ledgers(tmp_path):
    tables = tiny_tables()
    loans = tables.pop("loans")
    folder = write_folder(tmp_path / "county", tables)
    loans.iloc[:0].to_csv(folder / "loans_邮储银行.csv", index=False)
    repaid = loans.iloc[[0]].assign(贷款余额=0, 到期日期="2022-03")  # matured and repaid
    repaid.to_csv(folder / "loans_农商银行.csv", index=False)
    cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
    assert cfg.horizon.start == "2022-06"


def test_sizes_and_counts_beyond_what_the_model_stores(tmp_path):
    """A household of 200 would wrap round in 8 bits, a count of 40,000 in 16: both refused."""

    def change(t):
        t["households"].loc[0, "家庭人口"] = 200
        t["loans"].loc[0, "续贷次数"] = 40000

    lines = refused(tmp_path, change)
    assert "households.csv, row 2, column 家庭人口: give a size from 1 to 100 persons" in lines
    assert "loans.csv, row 2, column 续贷次数: give a count from 0 to 100" in lines


@pytest.mark.parametrize("long_keys", [False, True])
def test_numeric_household_keys_in_a_workbook(tmp_path, long_keys):
    """Roster keys typed as numbers are fine, unless they have the 16+ digits Excel drops."""
    tables = tiny_tables()
    base = 41172210010100000 if long_keys else 0  # 17-digit codes, or 1..9
    keys = [base + k + 1 for k in range(9)]
    households = tables["households"].drop(columns=["姓名", "身份证号码"])
    households.insert(0, "户编号", keys)
    loans = tables["loans"].drop(columns=["借款人姓名"])
    rows = [0, 1, 3, 6, 7]  # the households of loans D1..D5 (E1 is an enterprise's)
    loans["身份证号码"] = [keys[i] for i in rows] + [None]
    loans = loans.rename(columns={"身份证号码": "户编号"})
    folder = write_folder(tmp_path / "county", {**tables, "households": households, "loans": loans})
    (folder / "households.csv").unlink()
    (folder / "loans.csv").unlink()
    households.to_excel(folder / "households.xlsx", index=False)
    loans.to_excel(folder / "loans.xlsx", index=False)
    if not long_keys:
        cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
        assert cfg.county.n_households == 9
        return
    text = (
        "a number of 16 digits or more, which Excel does not keep: format the column as text "
        "and enter these cells again"
    )
    lines = problems(folder)
    assert [x for x in lines if "户编号" in x] == [
        *(f"households.xlsx, row {r}, column 户编号: {text}" for r in range(2, 11)),
        *(f"loans.xlsx, row {r}, column 户编号: {text}" for r in range(2, 7)),
    ]


def test_blank_rows_above_an_excel_header_keep_the_rows_numbered_as_in_the_sheet(tmp_path):
    tables = tiny_tables()
    tables["households"].loc[2, "家庭人口"] = 0  # the third household
    folder = write_folder(tmp_path / "county", tables)
    (folder / "households.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # two blank rows, then the header in row 3
    ws.append([])
    frame = tables["households"].astype(object)
    ws.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        ws.append([None if pd.isna(x) else x for x in record])
    wb.save(folder / "households.xlsx")
    # header in row 3: the third household is in row 6
    assert problems(folder) == [
        "households.xlsx, row 6, column 家庭人口: give a size from 1 to 100 persons"
    ]


def test_a_ledger_in_a_format_not_read_is_refused_not_left_out(tmp_path):
    # one bank's ledger saved as an Excel 97-2003 workbook next to the other's CSV: leaving it
    # out would open the book without that bank's loans
    folder = write_folder(tmp_path / "county", tiny_tables())
    loans = pd.read_csv(folder / "loans.csv", dtype=str)
    loans.iloc[:3].to_csv(folder / "loans_农商银行.csv", index=False)
    (folder / "loans_邮储银行.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "loans.csv").unlink()
    (folder / "households.csv").rename(folder / "households.xls")
    assert problems(folder) == [
        "households.xls: not read: save it as .xlsx or 'CSV UTF-8' (docs/data.md)",
        "loans_邮储银行.xls: not read: save it as .xlsx or 'CSV UTF-8' (docs/data.md)",
    ]


def test_file_names_are_matched_whatever_their_case(tmp_path):
    folder = write_folder(tmp_path / "county", tiny_tables())
    loans = pd.read_csv(folder / "loans.csv", dtype=str)
    loans.iloc[:3].to_csv(folder / "loans_农商银行.csv", index=False)
    loans.iloc[3:].to_csv(folder / "Loans_邮储银行.CSV", index=False)
    (folder / "loans.csv").unlink()
    (folder / "villages.csv").rename(folder / "Villages.csv")
    cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
    assert cfg.county.n_villages == 3
    m = build_model(cfg, seed=1)
    assert m.ledger.opening_loans.sum() == 235000.0, "both banks' ledgers are read"


def test_rows_longer_than_the_header_are_refused_not_shifted(tmp_path):
    # a separator at the end of every data row: pandas would take the first field of each row
    # as an index and shift every column by one
    folder = write_folder(tmp_path / "county", tiny_tables())
    lines = (folder / "loans.csv").read_text(encoding="utf-8").splitlines()
    text = "\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n"
    (folder / "loans.csv").write_text(text, encoding="utf-8")
    assert problems(folder) == [
        "loans.csv, row 2: 17 fields where the header has 16: give every column a header and "
        "remove separators at the ends of the rows"
    ]


def test_a_run_without_the_enterprise_channel_cannot_leave_out_the_ledgers_enterprise_loans(
    tmp_path,
):
    folder = write_folder(tmp_path / "county", tiny_tables())
    with pytest.raises(ConfigError) as info:
        load_config(
            "baseline", ["county=files", f"county.path={folder}", "enterprise.enabled=false"]
        )
    assert str(info.value) == (
        "enterprise.enabled=false: the ledgers hold 1 enterprise-channel loans (50,000 yuan "
        "outstanding) that a run without the enterprise channel would leave out; keep "
        "enterprise.enabled=true with these files"
    )
    # without enterprise loans in the ledgers, the channel may be switched off
    tables = tiny_tables()
    tables["loans"] = tables["loans"].iloc[:5]
    folder = write_folder(tmp_path / "no_firm_loans", tables)
    cfg = load_config(
        "baseline", ["county=files", f"county.path={folder}", "enterprise.enabled=false"]
    )
    assert build_model(cfg, seed=1).ledger.opening_loans.sum() == 185000.0


def test_numbers_that_could_be_read_two_ways_are_refused(tmp_path):
    def change(t):
        t["loans"]["贷款金额"] = t["loans"]["贷款金额"].astype(object)
        t["loans"].loc[0, "贷款金额"] = "50,00"  # not groups of three: no thousands separator
        t["loans"].loc[1, "贷款金额"] = "3万元整"
        t["households"]["家庭人口"] = t["households"]["家庭人口"].astype(object)
        t["households"].loc[0, "家庭人口"] = "3万"  # 万 is read in yuan columns only

    assert refused(tmp_path, change) == [
        "households.csv, row 2, column 家庭人口: not a whole number",
        "loans.csv, row 2, column 贷款金额: not a number",
        "loans.csv, row 3, column 贷款金额: not a number",
    ]


def test_an_excel_date_number_in_a_month_column_is_named_as_such(tmp_path):
    def change(t):
        t["loans"]["放款日期"] = t["loans"]["放款日期"].astype(object)
        t["loans"].loc[1, "放款日期"] = "44531"  # 2021-12-01 as Excel counts days
        t["loans"].loc[2, "放款日期"] = "2020-13"

    assert refused(tmp_path, change) == [
        "loans.csv, row 3, column 放款日期: looks like an Excel date number: format the column "
        "as a date, or write the month as YYYY-MM (2019-03)",
        "loans.csv, row 4, column 放款日期: not a month; write YYYY-MM",
    ]


def test_a_village_without_households_says_to_remove_the_row(tmp_path):
    def change(t):
        extra = pd.DataFrame(
            {"乡镇": ["西湖镇"], "行政村": ["空村"], "建档立卡户数": [0], "合作银行": ["邮储银行"]}
        )
        t["villages"] = pd.concat([t["villages"], extra], ignore_index=True)

    assert refused(tmp_path, change) == [
        "villages.csv, row 5, column 行政村: no household of the roster lives here: remove the "
        "row (the file lists the villages with registered poor households, each a village of "
        "the model), or add the village's households to the roster"
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_title_row_above_the_header_is_named_in_one_line(tmp_path, suffix):
    tables = tiny_tables()
    folder = write_folder(tmp_path / "county", tables)
    (folder / "households.csv").unlink()
    frame = tables["households"].astype(object)
    rows = [
        ["上蔡县建档立卡户名册", *[None] * (frame.shape[1] - 1)],  # Excel pads a CSV row
        [None] * frame.shape[1],
        list(frame.columns),
        *([None if pd.isna(x) else x for x in r] for r in frame.itertuples(index=False)),
    ]
    if suffix == ".csv":
        pd.DataFrame(rows).to_csv(folder / "households.csv", index=False, header=False)
    else:
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(folder / "households.xlsx")
    assert problems(folder) == [
        f"households{suffix}, row 1: row 1 was taken as the header and names no column of "
        "docs/data.md; the column names are in row 3: delete the title rows above them"
    ]


def test_a_title_alone_on_its_line_is_named_with_the_field_count(tmp_path):
    folder = write_folder(tmp_path / "county", tiny_tables())
    body = (folder / "villages.csv").read_text(encoding="utf-8")
    (folder / "villages.csv").write_text("行政村名单\n" + body, encoding="utf-8")
    lines = problems(folder)
    assert len(lines) == 1
    assert lines[0].startswith("villages.csv, row 2: 4 fields where the header has 1 (row 1")
    assert "delete the title rows above the column names" in lines[0]
