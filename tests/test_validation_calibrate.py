"""The calibration command: what it measures in a run, and the page it writes."""

from __future__ import annotations

import numpy as np
import pytest

from sim import calibrate
from sim.calibrate import BEGIN, END, TARGETS, Target, main, replicate_metrics, verdict

FAST = ["county=small", "horizon.months=24"]


def test_metrics_read_the_run(small_baseline):
    res = small_baseline
    ts, m = res.timeseries, replicate_metrics(res)
    n = ts["n_households"].iloc[0]
    assert m["loan_rate_2020"] == ts.loc[ts["month"] == "2020-12", "household_loan_rate"].item()
    assert m["new_loan_rate_2021"] == ts.loc[ts["year"] == 2021, "new_loans"].sum() / n
    trips = ((res.events["event"] == "suspension") & (res.events["level"] == "village")).sum()
    years = len(ts) / 12
    assert m["village_trip_rate"] == pytest.approx(trips / (40 * years)), "trips per village-year"
    assert m["rtp_3y"] == res.summary["return_to_poverty_rate_3y"]
    rates = [m["loan_rate_start"], m["loan_rate_2019"], m["loan_rate_2020"], m["loan_rate_2025"]]
    assert rates == sorted(rates) and rates[0] > 0, f"ever-borrowed share never falls: {rates}"
    assert {t.key for t in TARGETS} <= set(m), "every target row has a metric"


@pytest.mark.parametrize(
    ("median", "band", "says"),
    [(0.12, (0.10, 0.14), "✓"), (0.10, (0.09, 0.115), "≈"), (0.05, (0.04, 0.06), "✗ below")],
)
def test_verdict(median, band, says):
    t = Target("x", "x", "%", "11-15 %", 0.11, 0.15, "test")
    assert verdict(t, median, *band).startswith(says)


def test_command_rewrites_only_the_generated_block(tmp_path):
    page = tmp_path / "validation.md"
    page.write_text(f"# Title\n\nProse above.\n\n{BEGIN}\nSTALE TABLE\n{END}\n\nProse below.\n")
    assert main(["--n", "2", "--out", str(page), *FAST]) == 0
    text = page.read_text()
    assert text.startswith("# Title\n\nProse above.") and text.endswith("Prose below.\n")
    assert "STALE TABLE" not in text and text.count(BEGIN) == 1, "the block is replaced, once"
    assert "SeedSequence(20190218).spawn(2)" in text and "git revision" in text
    assert all(t.label in text for t in TARGETS), "one row per target"
    assert not list(tmp_path.glob(".validation.md.*")), "no temporary file left behind"


@pytest.mark.parametrize(
    ("argv", "says"), [(["fund.levrage=8"], "fund.levrage"), (["--out", "PAGE"], "generated")]
)
def test_bad_input_is_one_line_and_status_2(argv, says, tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("hand-written, no markers\n")
    argv = [str(page) if a == "PAGE" else a for a in argv]
    assert main(["--n", "1", *FAST, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1, err
    assert page.read_text() == "hand-written, no markers\n", "nothing is overwritten"


def test_config_comments_find_the_tuned_parameters():
    comments = calibrate.config_comments()
    tuned = [k for k, c in comments.items() if "tuned" in c]
    assert {"uptake.hazard_monthly_transition", "enterprise.roa_sd"} <= set(tuned)
    assert set(tuned) <= set(calibrate.CHECKS), f"every tuned parameter is checked: {tuned}"
    assert np.isfinite(len(comments)) and len(comments) > 30


def test_page_with_an_ensemble_lists_the_calibrated_parameters(tmp_path):
    from sim.ensemble import Ensemble

    sets = [{"income.base_sd": 0.5, "poverty.exit_margin": 0.05},
            {"income.base_sd": 0.7, "poverty.exit_margin": 0.15}]  # fmt: skip
    meta = {"priors": {"income.base_sd": [0.4, 0.8], "poverty.exit_margin": [0.0, 0.3]},
            "trials": 9, "accepted": 2, "replicates_per_trial": 1, "tolerance": 0.0}  # fmt: skip
    ens = Ensemble(["income.base_sd", "poverty.exit_margin"], sets, [0.0, 0.0], meta).save(
        tmp_path / "ens.json"
    )
    page = tmp_path / "validation.md"
    assert main(["--n", "2", "--out", str(page), "--ensemble", str(ens), *FAST]) == 0
    text = page.read_text()
    assert "2 accepted parameter sets" in text and "2 of 9 proposals accepted" in text
    assert "| `income.base_sd` | 0.4 – 0.8 | 0.5 – 0.7 | 0.6 |" in text, "prior, range, median"
