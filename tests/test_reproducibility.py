"""Same configuration and seed, same results; saved runs carry their provenance."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim import load_config, load_run, run
from tests.conftest import SMALL


def test_same_seed_identical_different_seed_not():
    cfg = load_config("baseline", [*SMALL, "horizon.months=36"])
    a, b, c = run(cfg, 9), run(cfg, 9), run(cfg, 10)
    for name in ("timeseries", "villages", "events"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.summary == b.summary
    assert not a.timeseries["loan_balance"].equals(c.timeseries["loan_balance"]), (
        "another seed, another path"
    )


def test_a_shorter_horizon_is_the_start_of_a_longer_one_on_the_same_seed():
    """No draw depends on the horizon: months 1..30 are the same in a 30- and a 42-month run.

    A stressed book, so that the yearly township and sector factors decide failures, claims and
    suspensions. Only the last month's cohort columns differ: they report the year so far when
    a run ends before December.
    """
    over = [*SMALL, "default.pd_annual=0.12"]
    short = run(load_config("baseline", [*over, "horizon.months=30"]), 4)
    long = run(load_config("baseline", [*over, "horizon.months=42"]), 4)
    year_end = ["default_fraction", "cohort_loan_years"]
    head = long.timeseries.iloc[:30]
    pd.testing.assert_frame_equal(
        short.timeseries.drop(columns=year_end), head.drop(columns=year_end)
    )
    pd.testing.assert_frame_equal(short.timeseries.iloc[:-1], head.iloc[:-1])
    villages = long.villages[long.villages["t"] < 30].reset_index(drop=True)
    pd.testing.assert_frame_equal(short.villages, villages)
    events = long.events[long.events["t"] < 30].reset_index(drop=True)
    pd.testing.assert_frame_equal(short.events, events)
    assert short.timeseries["cum_losses"].iloc[-1] > 0 and len(short.events), "factors mattered"


def test_seed_sequence_child_is_a_valid_seed():
    cfg = load_config("baseline", [*SMALL, "horizon.months=12"])
    child = np.random.SeedSequence(42).spawn(3)[1]
    a, b = run(cfg, child), run(cfg, np.random.SeedSequence(42).spawn(3)[1])
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert a.seed == [42, 1], "the seed record names the root entropy and spawn key"


def test_save_and_load_round_trip(tmp_path):
    res = run(load_config("baseline", [*SMALL, "horizon.months=12"]), 3)
    path = res.save(tmp_path / "run")
    back = load_run(path)
    pd.testing.assert_frame_equal(back.timeseries, res.timeseries)
    pd.testing.assert_frame_equal(back.villages, res.villages)
    meta = json.loads((path / "summary.json").read_text())
    assert meta["seed"] == 3 and meta["scenario"] == "baseline" and meta["git_revision"]
    cfg = json.loads((path / "config.json").read_text())["config"]
    assert cfg["county"]["n_households"] == 4000 and cfg["horizon"]["months"] == 12
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], (
        "no temporary folder is left"
    )


def test_a_finished_replicate_frees_its_model_without_the_cycle_collector():
    """Workers run replicate after replicate: a finished model must not wait for gc."""
    import gc

    from sim.model import MicrocreditModel

    def models() -> set[int]:
        return {id(o) for o in gc.get_objects() if isinstance(o, MicrocreditModel)}

    cfg = load_config("baseline", ["county=small", "horizon.months=12"])
    gc.collect()
    before = models()  # models other tests keep on purpose
    gc.disable()
    try:
        for seed in range(3):
            run(cfg, seed)
        left = models() - before
    finally:
        gc.enable()
    assert not left, f"{len(left)} finished models still held"


def test_without_the_villages_table_the_panel_is_skipped_and_nothing_else_moves():
    """Recording only what the outputs need changes no other table: the panel is not an input."""
    cfg = load_config("baseline", [*SMALL, "horizon.months=36", "default.pd_annual=0.12"])
    full = run(cfg, 4)
    lean = run(cfg, 4, tables=("timeseries", "events", "enterprises", "poverty", "cliff"))
    assert len(full.villages) == 36 * cfg.county.n_villages
    assert len(lean.villages) == 0 and list(lean.villages.columns) == list(full.villages.columns)
    for name in ("timeseries", "events", "enterprises", "poverty", "cliff"):
        pd.testing.assert_frame_equal(getattr(lean, name), getattr(full, name), check_exact=True)
    assert lean.summary == full.summary
    # the panel adds up to the county row it is a breakdown of
    by_month = full.villages.groupby("t")[["loan_balance", "npl_balance", "new_loans"]].sum()
    ts = full.timeseries.set_index("t")
    np.testing.assert_allclose(by_month["npl_balance"], ts["npl_balance"], rtol=1e-12)
    np.testing.assert_array_equal(by_month["new_loans"], ts["new_loans"])


def test_parquet_tables_read_back_as_pandas_writes_them(tmp_path):
    """Tables are written column by column (``write_parquet``), not by ``DataFrame.to_parquet``:
    every kind of column a result table holds reads back as pandas' own writer gives it."""
    from sim.results import write_parquet

    res = run(load_config("baseline", [*SMALL, "horizon.months=12"]), 4)
    frames = {name: getattr(res, name) for name in ("timeseries", "villages", "events", "cliff")}
    frames["empty events"] = pd.DataFrame([], columns=["month", "t", "event", "level"])
    frames["odd columns"] = pd.DataFrame(
        {
            "name": pd.Series(["a", None, "c"], dtype="str"),
            "kind": pd.Categorical(["x", "y", "x"]),
            "small": np.array([1, 2, 3], dtype=np.int8),
            "share": [0.5, np.nan, 1.0],
            "flag": [True, False, True],
            "mixed": pd.Series([1, "b", None], dtype=object),
        },
        index=[7, 8, 9],
    )
    for name, frame in frames.items():
        ours, theirs = tmp_path / f"{name}.ours.parquet", tmp_path / f"{name}.pandas.parquet"
        write_parquet(frame, ours)
        frame.to_parquet(theirs, index=False)
        back = pd.read_parquet(ours)
        pd.testing.assert_frame_equal(back, pd.read_parquet(theirs), obj=name)
        if name != "odd columns":  # (its index is not written, by design)
            pd.testing.assert_frame_equal(back, frame, obj=name)
    for bad in (pd.DataFrame({0: [1.0]}), pd.DataFrame([[1, 2]], columns=["a", "a"])):
        with pytest.raises(ValueError, match="distinct strings"):
            write_parquet(bad, tmp_path / "bad.parquet")
    assert not (tmp_path / "bad.parquet").exists()
