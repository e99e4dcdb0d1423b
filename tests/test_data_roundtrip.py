"""Export the embedded county, read it back: the run must be the embedded run, exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import build_model, load_config, run
from sim.data.county_files import read_county
from sim.data.export import main as export_main
from sim.experiments import run_replicates

SEED = 5
# the county is drawn from the seed: export and run on the same one
SMALL = ["county=small", f"run.seed={SEED}"]
# the fund and the guarantors' capital are configuration, not county files: same as county=small
SAME_MONEY = [
    "fund.initial=6000000",
    "guarantee.provincial_net_assets=4000000",
    "guarantee.county_net_assets=6000000",
]
TABLES = ("timeseries", "villages", "events", "enterprises", "poverty", "cliff")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "county"
    assert export_main(["export", str(folder), *SMALL]) == 0
    return folder


def files_config(folder, *more):
    return load_config("baseline", ["county=files", f"county.path={folder}", *SAME_MONEY, *more])


def test_round_trip_reproduces_the_embedded_run_exactly(exported):
    embedded = run(load_config("baseline", SMALL), seed=SEED)
    cfg = files_config(exported)
    assert cfg.horizon.start == "2019-01"
    imported = run(cfg, seed=SEED)
    for name in TABLES:
        pd.testing.assert_frame_equal(
            getattr(embedded, name), getattr(imported, name), check_exact=True, obj=name
        )
    assert embedded.summary == imported.summary
    assert imported.places is not None and embedded.places is None
    assert (imported.places["kind"] == "village").sum() == 40


def test_start_follows_the_ledgers_and_runs_to_the_configured_end(exported):
    cfg = files_config(exported)
    assert (cfg.horizon.start, cfg.horizon.months) == ("2019-01", 120), "2019-01 .. 2028-12"
    assert cfg.county.n_households == 4000 and cfg.county.n_villages == 40
    assert cfg.county.files_digest and cfg.county.path == str(exported.resolve())


def same_start(a, b) -> None:
    for key, value in vars(a.county).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, getattr(b.county, key), err_msg=key)
    for key in ("balance", "ti_start", "ti_maturity", "mpd", "guarantor", "renewed", "extended"):
        np.testing.assert_array_equal(getattr(a.loans, key), getattr(b.loans, key), err_msg=key)
    np.testing.assert_array_equal(a.enterprise_loans.ti_start, b.enterprise_loans.ti_start)


def test_chinese_headers_read_back_to_the_same_county(exported, tmp_path):
    zh = tmp_path / "zh"
    assert export_main(["export", str(zh), "--lang", "zh", *SMALL]) == 0
    assert "建档立卡户数" in (zh / "villages.csv").read_text(encoding="utf-8").splitlines()[0]
    same_start(
        build_model(files_config(exported), seed=SEED), build_model(files_config(zh), seed=SEED)
    )


def test_excel_files_read_as_their_csv(tmp_path, monkeypatch):
    from data_fixtures import SALT, tiny_tables, write_folder

    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    csv = write_folder(tmp_path / "csv", tiny_tables())
    xl = tmp_path / "xlsx"
    xl.mkdir()
    for name, frame in tiny_tables().items():
        frame.to_excel(xl / f"{name}.xlsx", index=False)
    cfgs = [load_config("baseline", ["county=files", f"county.path={d}"]) for d in (csv, xl)]
    assert cfgs[0].horizon.start == cfgs[1].horizon.start == "2022-06"
    same_start(build_model(cfgs[0], seed=SEED), build_model(cfgs[1], seed=SEED))


def test_export_refuses_a_non_empty_folder(exported, capsys):
    before = sorted(p.name for p in exported.iterdir())
    stamp = (exported / "loans.csv").stat().st_mtime_ns
    assert export_main(["export", str(exported), *SMALL]) == 2
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in exported.iterdir()) == before
    assert (exported / "loans.csv").stat().st_mtime_ns == stamp


def test_export_writes_exactly_the_columns_the_reader_knows(exported):
    from sim.data.columns import FILES

    for name, cols in FILES.items():
        header = pd.read_csv(exported / f"{name}.csv", nrows=0).columns
        known = {c.name for c in cols}
        assert set(header) <= known, f"{name}: {set(header) - known}"
        assert {c.name for c in cols if c.required} <= set(header), name
    cf = read_county(exported, load_config("baseline", SMALL))
    assert cf.warnings == [], "an exported folder has no unknown column"


def test_experiments_run_on_a_county_from_files_whatever_the_workers(exported, tmp_path):
    cfg = files_config(exported, "horizon.months=12")
    one = run_replicates(cfg, 2, 9, jobs=1, out=tmp_path / "one", progress=False)
    two = run_replicates(cfg, 2, 9, jobs=2, out=tmp_path / "two", progress=False)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    # replicates draw their own seeds: the households are the files', the draws differ
    assert one["final_household_loan_rate"].nunique() == 2


@pytest.mark.parametrize("name", ["上蔡县台账", "扶贫 台账(2022)", "a,b=c [1]", "it's"])
def test_folders_named_in_chinese_or_with_brackets_are_read_as_written(exported, tmp_path, name):
    # Hydra's grammar takes such text for lists, functions or nothing it knows: paths are
    # passed to it quoted
    folder = tmp_path / name
    folder.mkdir()
    for path in exported.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / f"{name} 结果"
    cfg = files_config(folder, f"run.out_dir={out}")
    assert cfg.county.path == str(folder)
    assert cfg.run.out_dir == str(out)
    assert cfg.county.files_digest == files_config(exported).county.files_digest
