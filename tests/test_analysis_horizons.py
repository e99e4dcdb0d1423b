"""Experiments the program writes at short horizons make a briefing; missing figures stay missing.

Before 2025 (the end of supports) the cliff table has no rows, and before a cohort's first
full year out of poverty the return-to-poverty table has none either; the model writes such
tables with untyped (all-missing) columns. A horizon that ends between two assessments leaves
the last year unmeasured. The pack is made all the same, its charts say what the horizon does
not reach, and its tables show those figures as missing, not as zero.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis import charts_cliff
from analysis.briefing import main as briefing
from analysis.contents_exp import experiment_sentences, outcome_quantiles
from analysis.localise import header
from analysis.source import read_experiment, read_run
from sim.experiments.cli import main as experiments

CLIFF_CHARTS = ["cliff_return", "cliff_income", "cliff_relapse", "cliff_cohorts"]
COMMANDS = {
    "replicates": ["replicates"],
    "compare": ["compare", "baseline", "strict_breaker"],
}


def _experiment(factory, command: str, months: int):
    out = factory.mktemp(f"{command}_{months}") / "exp"
    argv = [*COMMANDS[command], "--n", "2", "--out", str(out), "--no-progress"]
    assert experiments([*argv, "county=small", f"horizon.months={months}"]) == 0
    return out


@pytest.fixture(scope="module", params=[("replicates", 24), ("compare", 6)], ids=str)
def short(request, tmp_path_factory):
    """An experiment folder at a short horizon and its Chinese pack (made by the command)."""
    command, months = request.param
    folder = _experiment(tmp_path_factory, command, months)
    assert briefing([str(folder)]) == 0, "the pack of an experiment the program wrote"
    return months, folder, folder / "briefing"


def test_the_pack_is_made_with_every_chart_and_sheet(short):
    _, folder, pack = short
    meta = json.loads((pack / "pack.json").read_text(encoding="utf-8"))
    assert meta["charts"][-4:] == CLIFF_CHARTS, "the cliff charts are there, not dropped"
    for name in meta["charts"]:
        for ext in ("png", "svg"):
            assert (pack / "charts" / f"{name}.{ext}").is_file(), f"{name}.{ext}"
    for name in meta["sheets"]:
        assert (pack / "csv" / f"{name}.csv").is_file(), name
    assert (pack / "briefing.xlsx").is_file() and (pack / "briefing.html").is_file()
    left = [p.name for p in folder.iterdir() if p.name.startswith(".briefing")]
    assert not left, f"temporary folders left behind: {left}"


def test_charts_without_figures_say_so(short):
    months, _, pack = short
    said = {
        name: 'id="no_data"' in (pack / "charts" / f"{name}.svg").read_text(encoding="utf-8")
        for name in CLIFF_CHARTS
    }
    # before 2025 nobody has come to the end of supports: no income or relapse around it
    assert said["cliff_income"] and said["cliff_relapse"] and said["cliff_cohorts"], said
    # 24 months: the 2019 exit cohort has one year out of poverty; 6 months: nobody has
    assert said["cliff_return"] == (months < 24), said
    if months >= 24:
        svg = (pack / "charts" / "cliff_return.svg").read_text(encoding="utf-8")
        assert 'id="baseline"' in svg, "the one measured year is drawn"


def test_the_note_names_the_period_and_the_end_of_supports(short):
    from analysis.contents import cliff_notes

    months, folder, _ = short
    exp = read_experiment(folder)
    notes = cliff_notes(exp.representative(), "en")
    end = exp.representative().timeseries["month"].iloc[-1]
    assert end == f"{2019 + (months - 1) // 12}-{(months - 1) % 12 + 1:02d}"
    assert end in notes["end"] and "2025" in notes["end"], notes["end"]
    fig = charts_cliff.plot_cliff_income(exp.cliff_tables()[1], "en", empty=notes["end"])
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "no_data"]
    assert texts == [notes["end"]], "the chart shows the note in its frame"


def test_missing_outcomes_are_missing_in_the_tables(short):
    months, folder, pack = short
    exp = read_experiment(folder)
    poverty, cliff = exp.cliff_tables()
    numeric = ["years_relative_to_support_end", "mean_income_per_person", "relapsed_share"]
    assert cliff.empty and all(pd.api.types.is_numeric_dtype(cliff[c]) for c in numeric), (
        "an empty table read back with number columns, not Python objects"
    )
    run = read_run(exp.replicate_dirs(exp.baseline)[0])
    assert pd.api.types.is_float_dtype(run.cliff["mean_income_per_person"])
    table = outcome_quantiles(exp.summary).set_index(["scenario", "outcome"])
    for outcome in ("relapse_after_support_end_1y", "cliff_income_change"):
        row = table.loc[(exp.baseline, outcome)]
        assert math.isnan(row["median"]) and row["n"] == 0, f"{outcome}: missing, not 0"
    csv = pd.read_csv(pack / "csv" / "replicates.csv", encoding="utf-8-sig")
    for outcome in ("relapse_after_support_end_1y", "cliff_income_change"):
        assert csv[header(outcome, "zh", unit=True)].isna().all(), f"{outcome}: empty cells, not 0"
    if months < 24:
        assert poverty.empty, "no cohort a full year out of poverty"


@pytest.fixture(scope="module")
def past_the_end(tmp_path_factory):
    """A comparison to 2026-06: the 2025 assessment made, the first one after it not yet."""
    return read_experiment(_experiment(tmp_path_factory, "compare", 90))


def test_a_year_not_yet_assessed_is_missing_not_zero(past_the_end):
    _, cliff = past_the_end.cliff_tables()
    # the model writes no row for the year after supports end: it was not assessed
    assert (cliff["years_relative_to_support_end"] < 0).all()
    relapse = charts_cliff.relapse_around_end(cliff)
    income = charts_cliff.income_around_end(cliff)
    for scenario in ("baseline", "strict_breaker"):
        assert (scenario, 0) not in relapse.index or np.isnan(relapse.loc[(scenario, 0), "median"])
        assert (scenario, 0) not in income.index or np.isnan(income.loc[(scenario, 0), "mean"])
        assert income.loc[(scenario, -1), "mean"] > 1000, "the last supported year is measured"
    fig = charts_cliff.plot_cliff_relapse(cliff, "zh")
    assert [t.get_gid() for t in fig.axes[0].texts] == ["no_data"], "said, not drawn as 0 %"
    sentences = experiment_sentences(past_the_end, "zh")
    assert not [s for s in sentences if s.startswith("帮扶结束后")], "no sentence with a fake 0 %"


def test_a_year_whose_panel_is_not_defined_has_no_figure():
    # a horizon ending before the assessment of the last supported year (year -1): the
    # households "out of poverty when supports end" are not known yet
    cliff = pd.DataFrame(
        {
            "scenario": "baseline",
            "replicate": [0, 0, 1, 1],
            "exit_year": 2016,
            "years_relative_to_support_end": [-2, -1, -2, -1],
            "n_households": 100,
            "mean_income_per_person": [9000.0, np.nan, 9100.0, 9300.0],
            "poor_share": 0.0,
            "relapsed_share": 0.0,
        }
    )
    pooled = charts_cliff.pooled(cliff, "mean_income_per_person", ["years_relative_to_support_end"])
    values = pooled.set_index(["replicate", "years_relative_to_support_end"])
    assert values["mean_income_per_person"].isna().loc[0].all(), "replicate 0: no panel"
    assert values.loc[(1, -1), "mean_income_per_person"] == 9300.0, "replicate 1 is measured"


def test_a_short_run_shows_the_cliff_charts_with_what_they_cannot_show(tmp_path):
    from analysis.contents import run_contents
    from sim import load_config, run

    folder = run(load_config("baseline", ["county=small", "horizon.months=12"]), seed=3).save(
        tmp_path / "run"
    )
    contents = run_contents(read_run(folder), "en")
    charts = {c.name: c.figure for c in contents.charts}
    assert list(charts)[-4:] == CLIFF_CHARTS, "the run's empty tables are not silently dropped"
    for name in CLIFF_CHARTS:
        texts = [t.get_text() for t in charts[name].axes[0].texts if t.get_gid() == "no_data"]
        assert len(texts) == 1 and "2019-12" in texts[0], f"{name}: {texts}"
