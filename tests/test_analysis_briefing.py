"""The briefing pack: one command, files in place, a page an official can read, clean errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import analysis_fixtures as fx
import pandas as pd
import pytest
from PIL import Image

from analysis import narrative, narrative_exp
from analysis.briefing import main
from analysis.contents_exp import experiment_contents
from analysis.labels import label
from analysis.narrative import seed_text
from analysis.source import read_experiment

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDERS = ("TODO", "nan", "NaN", "None", "{", "}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def run_pack(tmp_path_factory) -> Path:
    return fx.run_pack(tmp_path_factory)


@pytest.fixture(scope="module")
def exp_pack(tmp_path_factory) -> Path:
    return fx.experiment_pack(tmp_path_factory)


def pages(pack: Path) -> dict[str, str]:
    return {n: (pack / n).read_text(encoding="utf-8") for n in ("briefing.md", "briefing.html")}


def test_run_pack_is_written_to_the_default_folder(run_pack, tmp_path_factory):
    assert run_pack == fx.small_run(tmp_path_factory) / "briefing"
    meta = json.loads((run_pack / "pack.json").read_text(encoding="utf-8"))
    for name in meta["charts"]:
        png, svg = run_pack / "charts" / f"{name}.png", run_pack / "charts" / f"{name}.svg"
        assert png.is_file() and svg.is_file(), f"{name}: PNG and SVG expected"
        dpi = Image.open(png).info["dpi"]
        assert 200 <= round(dpi[0]) <= 300, f"{name}.png at {dpi} dpi, not print resolution"
    expected = {
        "lending",
        "npl_ratio",
        "npl_heatmap",
        "suspensions",
        "fund",
        "fiscal",
        "cliff_return",
        "cliff_income",
        "cliff_relapse",
        "cliff_cohorts",
    }
    assert set(meta["charts"]) == expected, "a run with a village panel and poverty tables"
    assert (run_pack / "briefing.xlsx").is_file()
    leftovers = [p.name for p in run_pack.parent.iterdir() if p.name.startswith(".briefing")]
    assert not leftovers, f"temporary folders left behind: {leftovers}"


def test_page_names_scenario_and_seed_and_embeds_every_chart(run_pack):
    meta = json.loads((run_pack / "pack.json").read_text(encoding="utf-8"))
    for name, text in pages(run_pack).items():
        assert "「基准情景」" in text and str(fx.RUN_SEED) in text, f"{name}: scenario/seed"
        assert "baseline" not in text, f"{name}: the scenario by its display name, not its id"
        for chart in meta["charts"]:
            assert f"charts/{chart}.png" in text, f"{name}: {chart} not embedded"
        for bad in PLACEHOLDERS:
            assert bad not in text, f"{name} contains placeholder text {bad!r}"
        assert "户贷率" in text and "万元" in text, f"{name}: Chinese page with 万元 amounts"


def test_page_numbers_are_the_results(run_pack, tmp_path_factory):
    from analysis import fmt
    from analysis.source import read_run

    s = read_run(fx.small_run(tmp_path_factory)).summary
    text = pages(run_pack)["briefing.md"]
    for shown in (
        fmt.pct(s["final_household_loan_rate"]),
        fmt.money(s["cum_fiscal_cost"], "zh"),
        fmt.money(s["total_new_lending"], "zh"),
        fmt.pct(s["peak_npl_ratio"]),
    ):
        assert shown in text, f"{shown} (from summary.json) is not on the page"


def test_english_experiment_pack(exp_pack, tmp_path_factory):
    exp = read_experiment(fx.experiment(tmp_path_factory))
    meta = json.loads((exp_pack / "pack.json").read_text(encoding="utf-8"))
    assert {"comparison", "fund_sizing"} <= set(meta["charts"])
    assert not {"cliff_return", "cliff_income"} & set(meta["charts"]), (
        "no poverty.parquet/cliff.parquet: the cliff charts are skipped"
    )
    for name, text in pages(exp_pack).items():
        assert "'test_exp'" in text and f"root seed {fx.ROOT_SEED}" in text, name
        assert not CJK.search(text), f"{name}: the English page has Chinese text"
        for bad in PLACEHOLDERS:
            assert bad not in text, f"{name} contains placeholder text {bad!r}"
    sizing = exp.fund_answer
    assert "8.00 million yuan" in pages(exp_pack)["briefing.md"], "the sized fund is stated"
    assert sizing["feasible"]


def test_cliff_charts_appear_when_the_tables_exist(tmp_path_factory):
    exp = read_experiment(fx.cliff_experiment(tmp_path_factory))
    contents = experiment_contents(exp, "zh")
    names = [c.name for c in contents.charts]
    assert names[-2:] == ["cliff_return", "cliff_income"]
    cliff = [s for s in contents.sentences if s.startswith("脱贫后第 3 年")]
    assert cliff, "a sentence on return to poverty 3 years after exit"
    assert cliff[0].index("一次性退出") < cliff[0].index("企业留存收益"), "rules in order"


def test_missing_folder_fails_with_one_line_and_status_2(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main([str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(missing) in err


def test_folder_that_is_not_a_run_fails(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "not a run folder" in err
    assert not (tmp_path / "briefing").exists(), "nothing written on bad input"


def test_existing_folder_that_is_not_a_pack_is_not_replaced(run_pack, tmp_path, capsys):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "mine.txt").write_text("do not delete")
    assert main([str(run_pack.parent), "--out", str(keep)]) == 2
    assert (keep / "mine.txt").read_text() == "do not delete"
    assert str(keep) in capsys.readouterr().err


def _copy_run(tmp_path_factory, folder: Path) -> Path:
    shutil.copytree(
        fx.small_run(tmp_path_factory), folder, ignore=shutil.ignore_patterns("briefing")
    )
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize(
    "edit",
    [
        ("briefing.md", "我的批注：请核对第三季度数字。\n"),  # a note added to the summary page
        ("csv/bulletin.csv", "备注,由财政局补充\n"),  # a row added to a sheet
        ("charts/mine.png", "my own chart"),  # a file of the user's in the pack's folders
    ],
    ids=["page", "sheet", "own file"],
)
def test_a_pack_with_a_file_changed_since_it_was_written_is_never_replaced(
    edit, tmp_path, tmp_path_factory, capsys
):
    folder = _copy_run(tmp_path_factory, tmp_path / "run")
    assert main([str(folder)]) == 0
    pack = folder / "briefing"
    meta = json.loads((pack / "pack.json").read_text(encoding="utf-8"))
    assert set(meta["files"]) == set(_tree(pack)) - {"pack.json"}, "every file has a digest"
    name, text = edit
    with open(pack / name, "a", encoding="utf-8") as f:
        f.write(text)
    before = _tree(pack)
    capsys.readouterr()
    assert main([str(folder), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(pack / name) in err and "--out" in err, err
    assert _tree(pack) == before, "the pack, and the edit, are left exactly as they were"
    assert not [p for p in folder.iterdir() if p.name.startswith(".briefing")], "no leftovers"


def test_an_unchanged_pack_is_replaced_and_a_new_one_where_asked(tmp_path, tmp_path_factory):
    folder = _copy_run(tmp_path_factory, tmp_path / "run")
    assert main([str(folder)]) == 0
    pack = folder / "briefing"
    (pack / "charts" / "npl_ratio.svg").unlink()  # deleting a file loses nothing of the user's
    assert main([str(folder), "--lang", "en"]) == 0
    assert json.loads((pack / "pack.json").read_text(encoding="utf-8"))["lang"] == "en"
    assert (pack / "charts" / "npl_ratio.svg").is_file()
    with open(pack / "briefing.md", "a", encoding="utf-8") as f:
        f.write("edited\n")
    assert main([str(folder), "--out", str(tmp_path / "zh")]) == 0, "--out: a new pack"
    assert (pack / "briefing.md").read_text(encoding="utf-8").endswith("edited\n")


def _drop_columns(*columns: str):
    def damage(path: Path) -> None:
        pd.read_parquet(path).drop(columns=list(columns)).to_parquet(path)

    return damage


DAMAGES = {
    "no config": ("config.json", Path.unlink, "without config.json"),
    "empty config": ("config.json", lambda p: p.write_text("{}"), "config.breaker.township_npl"),
    "config not an object": ("config.json", lambda p: p.write_text("[]"), "not a JSON object"),
    "config without thresholds": (
        "config.json",
        lambda p: p.write_text(json.dumps({"config": {"breaker": {"township_npl": 0.05}}})),
        "config.breaker.village_npl",
    ),
    "summary without results": ("summary.json", lambda p: p.write_text("{}"), "no summary"),
    "timeseries without npl_ratio": (
        "timeseries.parquet",
        _drop_columns("npl_ratio"),
        "no column npl_ratio",
    ),
    "villages without two columns": (
        "villages.parquet",
        _drop_columns("bank", "npl_balance"),
        "no columns bank, npl_balance",
    ),
    "cliff without income": (
        "cliff.parquet",
        _drop_columns("mean_income_per_person"),
        "no column mean_income_per_person",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_run_folder_fails_with_one_line_naming_the_file(
    damage, tmp_path, tmp_path_factory, capsys
):
    name, spoil, says = DAMAGES[damage]
    folder = tmp_path / "run"
    shutil.copytree(
        fx.small_run(tmp_path_factory), folder, ignore=shutil.ignore_patterns("briefing")
    )
    spoil(folder / name)
    before = sorted(p.name for p in folder.iterdir())
    assert main([str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
    assert str(folder) in err and says in err, err
    if damage != "no config":
        assert str(folder / name) in err, f"the message names the file: {err}"
    assert sorted(p.name for p in folder.iterdir()) == before, "nothing written"


def test_damaged_replicate_fails_with_one_line_and_writes_nothing(tmp_path, tmp_path_factory):
    folder = tmp_path / "exp"
    shutil.copytree(fx.experiment(tmp_path_factory), folder)
    (folder / "replicates" / "small_fund" / "rep_0002" / "config.json").unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.briefing", str(folder), "--out", str(tmp_path / "pack")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "rep_0002" in proc.stderr and "config.json" in proc.stderr, proc.stderr
    assert not (tmp_path / "pack").exists(), "nothing written"


def test_command_line_entry_point_reports_bad_input(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.briefing", str(tmp_path / "x")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert label("page_title", "zh")  # the CLI and the label table load without the model


def test_seed_records_print_as_paths():
    assert seed_text([2019, 3]) == "2019/3"
    assert seed_text(7) == "7"


def _relapse_table(replicates: int) -> pd.DataFrame:
    years = list(range(-1, 3))
    return pd.DataFrame(
        [
            {
                "scenario": "baseline",
                "replicate": i,
                "exit_year": 2019,
                "years_relative_to_support_end": y,
                "n_households": 100,
                "mean_income_per_person": 8000.0,
                "relapsed_share": 0.04 * (y + 1) + 0.01 * i,
            }
            for i in range(replicates)
            for y in years
        ]
    )


def test_relapse_sentence_names_a_median_only_over_several_runs():
    (one,) = narrative.cliff(None, "zh", table=_relapse_table(1))
    assert one == "帮扶结束后 3 年内返贫的比例：「基准情景」12.0%。", "one run has no median"
    (many,) = narrative.cliff(None, "zh", table=_relapse_table(3))
    assert "（各次模拟的中位数）" in many and "13.0%" in many


def test_a_difference_in_months_says_months():
    comparison = pd.DataFrame(
        {
            "scenario": ["strict_breaker"],
            "outcome": ["months_with_suspension"],
            "diff_mean": [14.33],
            "diff_ci_low": [7.91],
            "diff_ci_high": [20.76],
            "n": [6],
        }
    )
    (zh,) = narrative_exp.differences(comparison, "baseline", "zh")
    assert "有暂停的月数平均变化 +14.3 个月（95% 置信区间 +7.9 至 +20.8）" in zh
    (en,) = narrative_exp.differences(comparison, "baseline", "en")
    assert "+14.3 months on average" in en


def test_bulletin_cells_keep_a_number_with_its_unit(run_pack):
    page = pages(run_pack)["briefing.html"]
    cells = re.findall(r'<td style="([^"]*)">([^<]*)</td>', page)
    with_unit = [style for style, text in cells if text.endswith(("万元", "个百分点"))]
    assert with_unit, "the bulletin shows amounts and changes with their units"
    assert all("white-space: nowrap" in s for s in with_unit), "1,757 万元 must not break"
