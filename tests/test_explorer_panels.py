"""The explorer's content without a browser: charts, matrices, levers, summary, saving."""

from __future__ import annotations

import io
import statistics
import time

import numpy as np
import pytest
from PIL import Image

from analysis import fmt, series
from analysis.briefing import main as briefing
from explorer import live, panels
from sim import load_run
from sim.config import ConfigError

SMALL = {"county": "small", "seed": 4}


def _model(months: int = 0, **kwargs) -> panels.ExplorerModel:
    m = panels.ExplorerModel(**{**SMALL, **kwargs})
    for _ in range(months):
        m.step()
    return m


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


@pytest.mark.parametrize("kind", sorted(live.CHARTS))
def test_live_frame_equals_a_full_redraw(kind):
    # a high default risk makes the NPL line outgrow its first axis: the rescale path runs too
    m = _model(scenario="baseline", **{"default.pd_annual": 0.15})
    frames = []
    for _ in range(30):
        m.step()
        frames.append(live.frame(m, kind, "zh"))
    fresh = live.CHARTS[kind](m, "zh").full_png(m)
    a, b = _pixels(frames[-1]), _pixels(fresh)
    assert a.shape == b.shape
    differing = (np.abs(a - b).max(axis=2) > 48).mean()
    assert differing < 0.005, f"{differing:.2%} of pixels differ from a full redraw"
    assert _pixels(frames[0]).std() > 5, "the chart is not blank"
    assert not np.array_equal(_pixels(frames[0]), a), "the chart moves with the months"


def test_reference_lines_stay_in_view_and_the_axis_grows_past_them():
    """The breaker lines and the agreed multiple are what the reader compares with.

    In a quiet year the NPL ratio stays far below 5 %: the axis still reaches the 7 % line
    (it used to shrink to the data and drop both lines, every tick reading 0 %). Where the
    ratio passes the lines, the axis follows the data above them.
    """
    quiet = _model(12)
    npl = np.array([r["npl_ratio"] for r in quiet.recorder.rows])
    assert npl.max() < 0.02, "a quiet first year"
    chart = live.CHARTS["npl"](quiet, "zh")
    chart.full_png(quiet)
    assert chart.ax.get_ylim()[1] == pytest.approx(0.07 * live.HEADROOM)
    fund = live.CHARTS["fund"](quiet, "zh")
    fund.full_png(quiet)
    lev = np.array([r["fund_leverage"] for r in quiet.recorder.rows])
    top = max(quiet.cfg.fund.leverage, float(lev[np.isfinite(lev)].max()))
    assert fund.right.get_ylim()[1] == pytest.approx(top * live.HEADROOM)
    assert fund.ax.get_ylim()[1] >= quiet.cfg.fund.initial * live.HEADROOM - 1e-6

    without = _model(3, **{"fund_wan": 0})  # no fund at all: the panel still has an axis
    fund = live.CHARTS["fund"](without, "zh")
    fund.full_png(without)
    assert fund.ax.get_ylim()[1] > 0

    stressed = _model(30, **{"default.pd_annual": 0.3})
    npl = np.array([r["npl_ratio"] for r in stressed.recorder.rows])
    assert npl.max() > 0.07, "a ratio past both lines"
    chart = live.CHARTS["npl"](stressed, "zh")
    chart.full_png(stressed)
    assert chart.ax.get_ylim()[1] == pytest.approx(npl.max() * live.HEADROOM)


def test_heatmap_matrices_equal_the_saved_village_table(tmp_path):
    m = _model(20, scenario="strict_breaker")
    npl, level = panels.township_matrices(m)
    path = panels.save_run(m, tmp_path)
    villages = load_run(path).villages
    months = npl.columns[:20]
    np.testing.assert_allclose(npl[months].to_numpy(), series.npl_matrix(villages)[months])
    assert (level[months].to_numpy() == series.suspension_matrix(villages)[months].to_numpy()).all()
    assert npl[npl.columns[20:]].isna().to_numpy().all(), "months not yet run are empty"
    assert (level.to_numpy() > 0).any(), "the strict breaker suspends somewhere in 20 months"


def test_levers_start_at_the_model_values_and_rebuild_the_same_configuration():
    m = _model(scenario="strict_breaker", **{"fund.leverage": 7, "maturity.renewal_enabled": False})
    params = panels.levers(m, "en")
    values = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    assert values["fund.leverage"] == 7 and values["breaker.township_npl"] == 0.03
    assert values["maturity.renewal_enabled"] is False and values["scenario"] == "strict_breaker"
    assert params["fund.leverage"]["label"] == "Leverage multiple"
    for key, spec in params.items():
        if isinstance(spec, dict) and spec["type"].startswith("Slider"):
            assert spec["min"] <= spec["value"] <= spec["max"], key
    again = panels.ExplorerModel(**values)
    assert vars(again.cfg) == vars(m.cfg), "Reset with untouched levers gives the same run"


def test_summary_shows_the_latest_month():
    m = _model(9)
    rows = {key: value for key, _, value in panels.summary_rows(m, "zh")}
    last = m.recorder.rows[-1]
    assert rows["month"] == f"2019-09（第 9 / {m.calendar.months} 个月）"
    assert rows["household_loan_rate"] == fmt.pct(last["household_loan_rate"])
    assert rows["fund_balance"] == fmt.money(last["fund_balance"], "zh")
    assert rows["scenario"] == "基准情景"
    assert 'data-key="npl_ratio"' in panels.summary_html(m, "en")


def test_a_run_saved_midway_makes_a_briefing_pack_and_is_never_overwritten(tmp_path, capsys):
    m = _model(15, **{"fund.leverage": 6})
    first, second = panels.save_run(m, tmp_path), panels.save_run(m, tmp_path)
    assert first != second and first.exists() and second.exists()
    res = load_run(first)
    assert list(res.timeseries["month"]) == [m.calendar.label(t) for t in range(15)]
    assert res.config["fund"]["leverage"] == 6
    assert len(res.villages) == 15 * m.county.n_villages
    assert briefing([str(first), "--lang", "en"]) == 0
    page = (first / "briefing" / "briefing.md").read_text(encoding="utf-8")
    assert "Baseline" in page and "'baseline'" not in page, "the scenario by its display name"
    with pytest.raises(Exception, match="not run a month"):
        panels.save_run(_model(), tmp_path)


@pytest.mark.slow
def test_a_month_of_the_full_county_redraws_well_under_a_second():
    m = panels.ExplorerModel(scenario="baseline", seed=1)
    m.step()
    for kind in live.CHARTS:
        live.frame(m, kind, "zh")  # first drawing of each chart
    times = []
    for _ in range(6):
        start = time.perf_counter()
        m.step()
        for kind in live.CHARTS:
            live.frame(m, kind, "zh")
        panels.summary_html(m, "zh")
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.5, f"a month took {statistics.median(times):.2f} s"


def test_a_bad_explorer_county_is_refused_before_the_page_starts(capsys, monkeypatch):
    from explorer.__main__ import main

    assert panels.explorer_county(None) == "shangcai" and panels.explorer_county("small") == "small"
    for bad in ("nosuch", "SMALL", "", "files"):  # files need a folder: python -m sim county=files
        with pytest.raises(
            ConfigError, match=f"EXPLORER_COUNTY={bad}: choose one of shangcai, small"
        ):
            panels.explorer_county(bad)
        monkeypatch.setenv("EXPLORER_COUNTY", bad)
        assert main(["--check"]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: EXPLORER_COUNTY={bad}:") and err.count("\n") == 1
    monkeypatch.setenv("EXPLORER_COUNTY", "small")
    assert main(["--check"]) == 0
