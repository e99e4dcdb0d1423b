"""Names and ID numbers never leave the import: not in any output, log or error text."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from data_fixtures import IDS, NAMES, SALT, tiny_tables, write_folder

from analysis.briefing import main as briefing_main
from sim import load_config
from sim.__main__ import main as sim_main
from sim.config import ROOT, ConfigError
from sim.data.columns import HOUSEHOLDS
from sim.data.personal import hash_column
from sim.data.read import Problems, read_file
from sim.results import OUTPUTS_VAR

SECRETS = [*NAMES, *IDS, SALT]


def leaks(text: str) -> list[str]:
    """Every secret (name, ID number, its last 8 characters, the salt) found in ``text``."""
    found = [s for s in SECRETS if s in text]
    found += [i[-8:] for i in IDS if i[-8:] in text]
    return found


def file_texts(path: Path) -> list[str]:
    """All text a file holds: cells of tables and workbooks, text of everything else."""
    raw = path.read_bytes()
    texts = [raw.decode("utf-8", errors="ignore"), raw.decode("gbk", errors="ignore")]
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        texts += [frame.to_csv(), " ".join(map(str, frame.columns))]
    elif path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            texts += [z.read(n).decode("utf-8", errors="ignore") for n in z.namelist()]
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            texts += [str(c) for row in ws.iter_rows(values_only=True) for c in row]
    return texts


def scan_folder(folder: Path) -> dict[str, list[str]]:
    out = {}
    for path in folder.rglob("*"):
        if path.is_file():
            found = sorted({s for t in file_texts(path) for s in leaks(t)})
            if found:
                out[str(path.relative_to(folder))] = found
    return out


def cli(*args: str, env_salt: bool = True, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "MPLBACKEND": "Agg"}
    env[OUTPUTS_VAR] = os.environ[OUTPUTS_VAR]  # the suite's outputs folder (conftest)
    if env_salt:
        env["MICROCREDIT_SALT"] = SALT
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, env=env
    )


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return write_folder(tmp_path_factory.mktemp("personal") / "county", tiny_tables())


def test_run_and_briefing_packs_hold_no_personal_data(county, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    proc = cli("sim", "county=files", f"county.path={county}", f"run.out_dir={out}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "columns ignored" in proc.stderr, "the unknown column is listed, by its header"
    assert leaks(proc.stdout + proc.stderr) == []
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    assert briefing_main([str(out)]) == 0
    printed = capsys.readouterr()
    assert leaks(printed.out + printed.err) == []
    produced = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(produced) > 20, "the run folder and both packs were written"
    assert scan_folder(tmp_path) == {}
    # the places are there, as in the data (place names are not personal data)
    md = (out / "briefing" / "briefing.md").read_text(encoding="utf-8")
    assert "县级数据" in md
    bulletin = pd.read_csv(out / "briefing" / "csv" / "bulletin.csv")
    assert set(bulletin.iloc[:, 1]) == {"东岗乡", "西湖镇"}, "townships named as in the data"
    banks = pd.read_csv(out / "briefing" / "csv" / "scorecard_bank.csv")
    assert set(banks.iloc[:, 1]) == {"农商银行", "邮储银行"}
    assert "乡镇1" not in md and "Township 1" not in md
    places = pd.read_parquet(out / "places.parquet")
    assert places["name"].tolist()[:2] == ["东岗乡", "西湖镇"]
    assert pd.read_parquet(out / "villages.parquet").shape[0] == 3 * 79  # 2022-06 .. 2028-12


def bad_tables() -> list[tuple[str, dict]]:
    """Folders with problems in rows that hold names and ID numbers."""
    cases = []

    def case(what, change):
        t = tiny_tables()
        change(t)
        cases.append((what, t))

    def not_a_size(t):
        t["households"]["家庭人口"] = t["households"]["家庭人口"].astype(object)
        t["households"].loc[2, "家庭人口"] = NAMES[2]

    def id_unknown(t):
        t["loans"].loc[0, "身份证号码"] = IDS[0][:-1] + "Y"

    def name_differs(t):
        t["loans"].loc[1, "借款人姓名"] = NAMES[5]

    def id_twice(t):
        t["households"].loc[4, "身份证号码"] = IDS[3]

    def name_as_village(t):
        t["households"].loc[5, "行政村"] = NAMES[5]

    def id_as_loan_key(t):
        # two loans of one bank (邮储银行) under one number: refused without quoting it
        t["loans"].loc[4, "贷款编号"] = IDS[2]
        t["loans"].loc[3, "贷款编号"] = IDS[2]

    for what, change in [
        ("a name where the size goes", not_a_size),
        ("an ID number not on the roster", id_unknown),
        ("a name that differs from the roster", name_differs),
        ("an ID number twice in the roster", id_twice),
        ("a name where the village goes", name_as_village),
        ("an ID number as a loan number", id_as_loan_key),
    ]:
        case(what, change)
    return cases


@pytest.mark.parametrize("what, tables", bad_tables(), ids=[w for w, _ in bad_tables()])
def test_error_texts_name_rows_not_people(what, tables, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    folder = write_folder(tmp_path / "county", tables)
    with pytest.raises(ConfigError) as info:
        load_config("baseline", ["county=files", f"county.path={folder}"])
    text = "".join(traceback.format_exception(info.value)) + repr(info.value)
    assert "row" in str(info.value), what
    assert leaks(text) == [], what
    status = sim_main(["county=files", f"county.path={folder}", f"run.out_dir={tmp_path / 'run'}"])
    out = capsys.readouterr()
    assert status == 2 and "row" in out.err
    assert leaks(out.out + out.err) == [], what
    assert not (tmp_path / "run").exists()


def test_gbk_roster_and_missing_salt_errors_hold_no_personal_data(tmp_path, monkeypatch, capsys):
    folder = write_folder(tmp_path / "county", tiny_tables())
    # a UTF-8 header above rows of names in GBK: neither reading holds, the decoder stops at a name
    head, rows = tiny_tables()["households"].to_csv(index=False).split("\n", 1)
    (folder / "households.csv").write_bytes(head.encode("utf-8") + b"\n" + rows.encode("gbk"))
    unsalted = write_folder(tmp_path / "county2", tiny_tables())
    for path, salted in ((folder, True), (folder, False), (unsalted, False)):
        if salted:
            monkeypatch.setenv("MICROCREDIT_SALT", SALT)
        else:
            monkeypatch.delenv("MICROCREDIT_SALT", raising=False)
        assert sim_main(["county=files", f"county.path={path}"]) == 2
        printed = capsys.readouterr()
        assert leaks(printed.out + printed.err) == []
        if path == unsalted:
            assert "MICROCREDIT_SALT" in printed.err


def test_raw_columns_are_dropped_on_reading(county, monkeypatch):
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    table = read_file(county / "households.csv", HOUSEHOLDS, Problems())
    assert leaks(table.frame.to_csv()) == []
    # the kept key is a salted hash: another salt gives other keys, the same salt the same
    names = pd.Series(NAMES)
    assert hash_column(names, b"one-salt!").tolist() != hash_column(names, b"two-salt!").tolist()
    assert table.frame["name"].tolist() == hash_column(names, SALT.encode()).tolist()


def test_exporting_an_imported_county_writes_no_personal_data_and_the_same_county(
    county, tmp_path, monkeypatch
):
    from sim import run
    from sim.data.export import main as export_main

    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    out = tmp_path / "again"
    # drawn attributes the data lack (skills, sector, ...) are exported as the run on seed 3 drew them
    args = ["export", str(out), "county=files", f"county.path={county}", "run.seed=3"]
    assert export_main(args) == 0
    assert scan_folder(out) == {}
    assert "张" not in (out / "households.csv").read_text(encoding="utf-8")
    # the written roster has no personal columns and needs no salt; the run is the same
    monkeypatch.delenv("MICROCREDIT_SALT")
    a = run(load_config("baseline", ["county=files", f"county.path={out}"]), seed=3)
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    b = run(load_config("baseline", ["county=files", f"county.path={county}"]), seed=3)
    for name in ("timeseries", "villages", "events", "enterprises", "poverty", "places"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_numeric_id_and_name_cells_of_a_workbook_are_refused_without_their_value(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    tables = tiny_tables()
    folder = write_folder(
        tmp_path / "county", {k: v for k, v in tables.items() if k not in ("households", "loans")}
    )
    # what Excel keeps of 18-digit ID numbers typed into a number cell: 15 digits, then zeros
    truncated = [int(i[:15] + "000") for i in IDS]
    truncated[1] = truncated[0] = 411722196003130000  # two of them now coincide
    for name, id_col, numeric_rows in (
        ("households", "身份证号码", [0, 1, 4]),
        ("loans", "身份证号码", [0, 1]),
    ):
        frame = tables[name]
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(list(frame.columns))
        for k, record in enumerate(frame.astype(object).itertuples(index=False)):
            cells = [None if pd.isna(x) else x for x in record]
            if k in numeric_rows:
                ids = IDS if name == "households" else list(frame["身份证号码"])
                cells[list(frame.columns).index(id_col)] = truncated[IDS.index(ids[k])]
            ws.append(cells)
        if name == "households":
            ws.cell(row=8, column=1, value=12345)  # a name cell holding a number
        wb.save(folder / f"{name}.xlsx")
    with pytest.raises(ConfigError) as info:
        load_config("baseline", ["county=files", f"county.path={folder}"])
    text = (
        "a number, not text (Excel keeps 15 digits): format the column as text "
        "and enter these cells again"
    )
    assert info.value.lines == [
        f"households.xlsx, row 8, column 姓名: {text}",
        f"households.xlsx, row 2, column 身份证号码: {text}",
        f"households.xlsx, row 3, column 身份证号码: {text}",
        f"households.xlsx, row 6, column 身份证号码: {text}",
        f"loans.xlsx, row 2, column 身份证号码: {text}",
        f"loans.xlsx, row 3, column 身份证号码: {text}",
    ]
    message = "".join(traceback.format_exception(info.value))
    assert leaks(message) == []
    assert not [str(t) for t in truncated if str(t)[:12] in message]


def test_a_workbook_with_id_numbers_as_text_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    tables = tiny_tables()
    folder = write_folder(
        tmp_path / "county", {k: v for k, v in tables.items() if k not in ("households", "loans")}
    )
    for name in ("households", "loans"):
        tables[name].to_excel(folder / f"{name}.xlsx", index=False)
    cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
    assert cfg.county.n_households == 9
