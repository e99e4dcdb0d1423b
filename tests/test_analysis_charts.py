"""Every chart renders with real glyphs, and what it draws is the data it was given."""

from __future__ import annotations

import io

import analysis_fixtures as fx
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.figure import Figure

from analysis import (
    charts_breaker,
    charts_cliff,
    charts_compare,
    charts_fiscal,
    charts_fund,
    charts_lending,
    charts_risk,
    charts_sizing,
    fiscal,
    series,
    style,
)
from analysis.source import read_experiment, read_run

# a Chinese character drawn in a font without it is a chart nobody can read
pytestmark = pytest.mark.filterwarnings("error:Glyph:UserWarning")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return read_run(fx.small_run(tmp_path_factory))


@pytest.fixture(scope="module")
def exp(tmp_path_factory):
    return read_experiment(fx.experiment(tmp_path_factory))


def render(fig: Figure) -> Figure:
    """Draw the figure (glyph lookup happens here) at a low resolution."""
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    return fig


def main_line(fig: Figure, index: int = 0):
    return fig.axes[index].get_lines()[0]


def test_missing_glyphs_would_be_caught():
    fig = Figure()
    fig.add_subplot().set_title("户贷率", fontfamily="DejaVu Sans")
    with pytest.raises(UserWarning, match="Glyph"):
        render(fig)


def test_chinese_text_uses_the_packaged_font():
    from matplotlib import font_manager

    found = font_manager.findfont(font_manager.FontProperties(family=style.RC["font.sans-serif"]))
    assert found == str(style.FONT_PATH), f"charts would use {found}, not the packaged font"
    assert "pylopdf_fonts_zh_cn" in str(style.FONT_PATH), "the font must come from the package"


@pytest.mark.parametrize(
    ("plot", "column", "lang"),
    [
        (charts_lending.plot_loan_balance, "loan_balance", "zh"),
        (charts_lending.plot_new_lending, "new_loan_amount", "en"),
        (charts_lending.plot_household_loan_rate, "household_loan_rate", "zh"),
    ],
)
def test_lending_lines_are_the_run_series(run, plot, column, lang):
    ts = run.timeseries
    line = main_line(render(plot(ts, lang)))
    y = line.get_ydata()
    assert y[-1] == ts[column].iloc[-1], f"last point of {column} is not the last month's value"
    np.testing.assert_array_equal(y, ts[column].to_numpy(), err_msg=f"{column} line differs")


def test_money_axis_reads_wan_in_chinese_and_millions_in_english(run):
    for lang, unit, tick in (("zh", "万元", "500"), ("en", "million yuan", "5")):
        ax = charts_lending.plot_loan_balance(run.timeseries, lang).axes[0]
        assert unit in ax.get_ylabel(), f"{lang}: axis title {ax.get_ylabel()!r} lacks {unit}"
        assert ax.yaxis.get_major_formatter()(5e6, 0) == tick, f"{lang}: 5,000,000 yuan tick"


def test_band_is_the_median_of_the_replicates(exp):
    long = exp.timeseries("baseline")
    fig = render(charts_lending.lending_overview(long, "zh"))
    expected = long.groupby("month")["loan_balance"].median().to_numpy()
    np.testing.assert_allclose(main_line(fig, 0).get_ydata(), expected)
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert band.max() == pytest.approx(long.groupby("month")["loan_balance"].quantile(0.95).max())


def test_npl_thresholds_come_from_the_saved_config(run):
    ts, cfg = run.timeseries, run.config
    stricter = {**cfg, "breaker": {**cfg["breaker"], "township_npl": 0.03, "village_npl": 0.05}}
    for config, expected in ((cfg, {0.05, 0.07}), (stricter, {0.03, 0.05})):
        ax = render(charts_risk.plot_npl_ratio(ts, config, "zh")).axes[0]
        lines = ax.get_lines()
        np.testing.assert_array_equal(lines[0].get_ydata(), ts["npl_ratio"].to_numpy())
        flat = {round(float(ln.get_ydata()[0]), 6) for ln in lines[1:]}
        assert flat == expected, f"threshold lines at {flat}, config says {expected}"


def township_truth(villages: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """NPL ratio and suspension level per township-month, computed here from the panel."""
    g = villages.groupby(["township", "month"])
    sums = g[["npl_balance", "loan_balance"]].sum()
    ratio = (sums["npl_balance"] / sums["loan_balance"]).where(sums["loan_balance"] > 0, 0.0)
    level = np.where(g["township_suspended"].any(), 2, np.where(g["village_suspended"].any(), 1, 0))
    return ratio.unstack(), pd.Series(level, index=sums.index).unstack()


def test_heatmap_is_township_npl_with_suspensions_marked(run):
    ratio, level = township_truth(run.villages)
    fig = render(
        charts_breaker.plot_npl_heatmap(
            series.npl_matrix(run.villages), series.suspension_matrix(run.villages), "zh"
        )
    )
    mesh = next(c for c in fig.axes[0].collections if isinstance(c, QuadMesh))
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(ratio.shape), ratio.to_numpy())
    marks = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    assert sum(len(m.get_offsets()) for m in marks) == int((level > 0).to_numpy().sum()), (
        "one mark per township-month with a suspension"
    )


def test_timeline_covers_exactly_the_suspended_months(run):
    _, level = township_truth(run.villages)
    assert (level > 0).to_numpy().any(), "the test run should have suspensions to draw"
    fig = render(charts_breaker.plot_suspension_timeline(series.suspension_matrix(run.villages)))
    bars = [c for c in fig.axes[0].collections if str(c.get_gid()).startswith("level")]
    drawn = np.zeros(level.shape[0])
    for bar in bars:
        for path in bar.get_paths():
            x0, y0 = path.vertices.min(axis=0)
            x1, _ = path.vertices.max(axis=0)
            drawn[int(y0)] += x1 - x0
    np.testing.assert_allclose(drawn, (level > 0).sum(axis=1).to_numpy())


def test_events_rebuild_the_same_township_suspensions(run):
    from_panel = series.suspension_matrix(run.villages)
    months = list(run.timeseries["month"])
    from_events = series.suspension_matrix_from_events(run.events, months)
    rows = from_events.index
    assert ((from_events > 0) == (from_panel.loc[rows, months] > 0)).to_numpy().all()


def exhaustion_table() -> pd.DataFrame:
    """Four replicates: shortfall from month 3; empty fund in month 5 only; two never."""
    months = [f"2019-{m:02d}" for m in range(1, 9)]
    rows = []
    for rep in range(4):
        for t, month in enumerate(months):
            short = 1.0 if rep == 0 and t >= 3 else 0.0
            fund = 0.0 if rep == 1 and t == 5 else 1e6
            rows.append(
                {
                    "replicate": rep,
                    "t": t,
                    "month": month,
                    "fund_balance": fund,
                    "loan_balance": 5e6,
                    "cum_fund_shortfall": short,
                }
            )
    return pd.DataFrame(rows)


def test_exhaustion_probability_counts_replicates_ever_exhausted():
    table = exhaustion_table()
    prob = series.exhaustion_probability(table)
    # replicate 1's fund touches zero without failing a claim: not exhausted, as in the summary
    np.testing.assert_allclose(prob.to_numpy(), [0, 0, 0, 0.25, 0.25, 0.25, 0.25, 0.25])
    summary = table.groupby("replicate")["cum_fund_shortfall"].max() > 0  # fund_exhausted
    assert prob.iloc[-1] == summary.mean()
    without = exhaustion_table().drop(columns="cum_fund_shortfall")
    assert series.exhaustion_probability(without).iloc[-1] == 0.25, "balance alone still counts"


def test_fund_panels_show_median_leverage_and_exhaustion(exp):
    long = exp.timeseries("small_fund")
    fig = render(charts_fund.fund_overview(long, cap=200, lang="zh"))
    median = long.groupby("month")["fund_balance"].median().to_numpy()
    np.testing.assert_allclose(main_line(fig, 0).get_ydata(), median)
    lev = long["loan_balance"] / long["fund_balance"].where(long["fund_balance"] > 0)
    np.testing.assert_allclose(
        main_line(fig, 1).get_ydata(), lev.groupby(long["month"]).median().to_numpy()
    )
    ever = (long["cum_fund_shortfall"] > 0) | (long["fund_balance"] <= 0)
    final = ever.groupby(long["replicate"]).any().mean()
    assert main_line(fig, 2).get_ydata()[-1] == pytest.approx(final)
    assert final > 0, "the small fund should run out in some replicates"


def bar_heights(fig: Figure) -> dict[str, np.ndarray]:
    ax = fig.axes[0]
    return {c.patches[0].get_gid(): np.array([p.get_height() for p in c]) for c in ax.containers}


def test_fiscal_bars_add_up_to_the_models_fiscal_cost(run):
    ts = run.timeseries
    bars = bar_heights(render(charts_fiscal.plot_fiscal_cost(fiscal.fiscal_by_year(ts), "zh")))
    by_year = ts.groupby("year")["new_interest_subsidy"].sum().to_numpy()
    np.testing.assert_allclose(bars["interest_subsidy"], by_year)
    spent = sum(v.sum() for k, v in bars.items() if k != "fund_topups")
    assert spent == pytest.approx(ts["cum_fiscal_cost"].iloc[-1], rel=1e-9), (
        "budget lines (top-ups apart) must add up to cum_fiscal_cost"
    )


def test_fiscal_uses_the_budget_columns_present(run):
    ts = run.timeseries.drop(columns=[c for c in fiscal.CUM_LINES.values() if c in run.timeseries])
    ts = ts.assign(cum_new_levy_subsidy=np.arange(len(ts)) * 10.0)
    table = fiscal.fiscal_by_year(ts)
    assert "guarantee_fee_subsidy" not in table.columns, "a missing column is not a line"
    assert table["new_levy_subsidy"].sum() == pytest.approx(10.0 * (len(ts) - 1))
    fig = render(charts_fiscal.plot_fiscal_cost(table, "zh"))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "其他财政支出（new_levy_subsidy）" in legend


def test_unpaid_refunds_are_no_budget_line(run):
    ts = run.timeseries.assign(cum_reimbursement_shortfall=np.arange(len(run.timeseries)) * 1e4)
    table = fiscal.fiscal_by_year(ts)
    assert "reimbursement_shortfall" not in table.columns, "a refund not paid is not spent"
    spent = table.drop(columns="fund_topups", errors="ignore").to_numpy().sum()
    assert spent == pytest.approx(ts["cum_fiscal_cost"].iloc[-1], rel=1e-9)


def test_cliff_lines_pool_cohorts_per_rule():
    poverty = pd.concat(
        [
            fx.poverty_table(r, i).assign(scenario=rule, replicate=i)
            for r, rule in enumerate(fx.CLIFF_RULES)
            for i in range(3)
        ]
    )
    fig = render(charts_cliff.plot_return_rate(poverty, "zh"))
    lines = {ln.get_gid(): ln for ln in fig.axes[0].get_lines()}
    assert list(lines) == list(fx.CLIFF_RULES)
    abrupt = poverty[poverty["scenario"] == "cliff_abrupt"]
    per_rep = abrupt.groupby(["replicate", "years_since_exit"])[["n_returned", "n_exited"]].sum()
    expected = (per_rep["n_returned"] / per_rep["n_exited"]).groupby("years_since_exit").median()
    np.testing.assert_allclose(lines["cliff_abrupt"].get_ydata(), expected.to_numpy())
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:3] == ["一次性退出", "逐步退出", "企业留存收益"]


def test_cliff_income_is_the_mean_around_the_end_of_support():
    cliff = pd.concat(
        [
            fx.cliff_table(r, i).assign(scenario=rule, replicate=i)
            for r, rule in enumerate(fx.CLIFF_RULES)
            for i in range(3)
        ]
    )
    fig = render(charts_cliff.plot_cliff_income(cliff, "en"))
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "cliff_tapered")
    expected = (
        cliff[cliff["scenario"] == "cliff_tapered"]
        .groupby("years_relative_to_support_end")["mean_income_per_person"]
        .mean()
    )
    np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())


def test_comparison_dots_and_whiskers_are_the_table(exp):
    comp = exp.comparison
    fig = render(charts_compare.comparison_overview(comp, baseline="baseline", lang="zh"))
    chosen = charts_compare.chosen_outcomes(comp)
    assert len(fig.axes) == len(chosen)
    for ax, outcome in zip(fig.axes, chosen, strict=True):
        row = comp[(comp["scenario"] == "small_fund") & (comp["outcome"] == outcome)].iloc[0]
        assert ax.get_lines()[0].get_xdata()[0] == pytest.approx(row["diff_mean"])
        segs = ax.collections[0].get_segments()[0][:, 0]
        assert sorted(segs) == pytest.approx([row["diff_ci_low"], row["diff_ci_high"]])
    units = {o: ax.get_xlabel() for ax, o in zip(fig.axes, chosen, strict=True)}
    assert units["months_with_suspension"] == "与基准情景之差（个月）", "months say they are months"
    assert units["final_household_loan_rate"] == "与基准情景之差（个百分点）"
    assert units["cum_fiscal_cost"].endswith("元）")


def test_fund_sizing_marks_target_and_answer(exp):
    fig = render(charts_sizing.plot_fund_sizing(exp.fund_curve, exp.fund_answer, "zh"))
    ax = fig.axes[0]
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["p_exhausted"].get_ydata(), fx.P_EXHAUSTED)
    np.testing.assert_allclose(lines["p_exhausted"].get_xdata(), fx.FUND_SIZES)
    assert lines["alpha"].get_ydata()[0] == exp.fund_answer["alpha"]
    assert lines["answer"].get_xdata()[0] == exp.fund_answer["fund_initial"]
    right = next(a for a in fig.axes if a is not ax)
    np.testing.assert_allclose(
        right.get_lines()[0].get_ydata(), exp.fund_curve["mean_household_loan_rate"]
    )


def test_fund_sizing_spaces_doubling_funds_evenly_with_a_tick_at_each(exp):
    """Funds from 1/16 to 2 times a size: a log axis, each candidate labelled in 万元."""
    ax = render(charts_sizing.plot_fund_sizing(exp.fund_curve, exp.fund_answer, "zh")).axes[0]
    assert ax.get_xscale() == "log"
    np.testing.assert_allclose(ax.get_xticks(), fx.FUND_SIZES)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["100", "200", "400", "800", "1,600"]
    gaps = np.diff(ax.transData.transform([(x, 0.5) for x in fx.FUND_SIZES])[:, 0])
    np.testing.assert_allclose(gaps, gaps[0], rtol=1e-6)  # equal steps on the page
    narrow = exp.fund_curve.assign(fund_initial=[4e6, 4.5e6, 5e6, 5.5e6, 6e6])
    ax = render(charts_sizing.plot_fund_sizing(narrow, None, "zh")).axes[0]
    assert ax.get_xscale() == "linear", "a narrow range stays linear"


def test_fund_sizing_by_leverage_when_the_fund_is_fixed(exp):
    curve = exp.fund_curve.assign(fund_initial=5e6, leverage=[2.0, 4.0, 6.0, 8.0, 10.0])
    ax = render(charts_sizing.plot_fund_sizing(curve, None, "en")).axes[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [2, 4, 6, 8, 10])
    assert "Leverage" in ax.get_xlabel()


def test_charts_draw_on_a_given_axes(run):
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert charts_lending.plot_loan_balance(run.timeseries, "zh", axes[0]) is fig
    assert charts_risk.plot_npl_ratio(run.timeseries, run.config, "zh", axes[1]) is fig
    render(fig)


def test_the_end_of_support_is_one_named_line_between_years_minus_one_and_zero():
    cliff = pd.DataFrame(
        [
            {
                "scenario": "baseline",
                "replicate": 0,
                "exit_year": exit_year,
                "years_relative_to_support_end": y,
                "n_households": 100,
                "mean_income_per_person": 8000.0 + 100 * y,
                "relapsed_share": 0.03 * max(y + 1, 0),
            }
            for exit_year in (2016, 2018)
            for y in range(-2, 3)
        ]
    )
    plots = (
        charts_cliff.plot_cliff_income,
        charts_cliff.plot_cliff_relapse,
        charts_cliff.plot_cliff_cohorts,
    )
    for plot in plots:
        ax = render(plot(cliff, "zh")).axes[0]
        (marker,) = [ln for ln in ax.get_lines() if ln.get_gid() == "support_end"]
        assert list(marker.get_xdata()) == [-0.5, -0.5], plot.__name__
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "帮扶结束（第 -1 年为最后一个帮扶年）" in legend, (plot.__name__, legend)
