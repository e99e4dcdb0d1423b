"""Bad configurations are refused before the first step with a one-line message."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim import ConfigError, load_config
from sim.config import ROOT

BAD = [
    (["fund.levrage=8"], "fund.levrage"),  # unknown key (typo)
    (["+fund.extra=1"], "fund.extra"),  # unknown key added explicitly
    (["default.pd_annual=1.5"], "default.pd_annual"),  # probability outside [0, 1]
    (["default.p_wilful=-0.1"], "default.p_wilful"),
    (["fund.initial=-1"], "fund.initial"),  # negative money
    (["breaker.village_npl=1.0"], "breaker.village_npl"),  # threshold >= 1
    (["breaker.township_npl=5"], "breaker.township_npl"),
    (["horizon.start=2019-13"], "horizon.start"),  # not a month
    (["horizon.start=January"], "horizon.start"),
    (["fund.leverage=abc"], "fund.leverage"),  # wrong type
    (["default.rho_county=0.5", "default.rho_sector=0.6"], "default.rho_county"),  # contradictory
    (["county.n_villages=3", "county.n_townships=6"], "county.n_villages"),
    (["loss.writeoff_dpd=60"], "loss.writeoff_dpd"),  # written off before it is non-performing
    (["uptake.term_probs=[0.5,0.6,0.1]"], "uptake.term_probs"),
    (["fund.topup_rule=sometimes"], "fund.topup_rule"),
    (["county=atlantis"], "county=atlantis"),
    (["rating.grade_names=[A,A,B,C,D]"], "rating.grade_names"),  # a grade named twice
    (["rating.grade_names=['',AA,A,B,C]"], "rating.grade_names"),  # a grade with no name
    # two shocks fixing the same factor: the first would be lost without a word
    (
        [
            "default.shocks=[{year:2019,scope:county,name:'',z:-2},{year:2019,scope:county,name:'',z:2}]"
        ],
        "default.shocks[1].year",
    ),
    (["county.path=/data/county"], "county=files"),  # files read with another county's settings
    (["county=small", "county.path=/data/county"], "county.path"),
    # an amount written in 万元 would run as a few yuan: no loan subsidised, no credit line
    (["subsidy.max_amount=5"], "subsidy.max_amount=5.0: an amount below 100 yuan"),
    (["rating.grade_credit_lines=[5,5,3,1,0]"], "rating.grade_credit_lines[0]"),
    (["fund.initial=80"], "万元"),
]


def test_amounts_in_yuan_at_or_above_the_line_and_zero_are_taken():
    cfg = load_config("baseline", ["subsidy.max_amount=100", "fund.target=0", "fund.initial=8e7"])
    assert (cfg.subsidy.max_amount, cfg.fund.target, cfg.fund.initial) == (100, 0, 8e7)


@pytest.mark.parametrize(("overrides", "key"), BAD)
def test_bad_config_names_the_key(overrides, key):
    with pytest.raises(ConfigError) as info:
        load_config("baseline", overrides)
    message = str(info.value)
    assert key in message, f"the error must name {key!r}: {message}"
    assert "\n" not in message, f"one line, not a traceback: {message!r}"


def test_unknown_scenario_lists_the_choices():
    with pytest.raises(ConfigError, match="baseline"):
        load_config("no_such_scenario")


def test_cli_refuses_without_traceback_or_output(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "breaker.village_npl=7", f"run.out_dir={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, f"bad input exits 2, got {proc.returncode}: {proc.stderr}"
    assert "breaker.village_npl" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, f"one line: {proc.stderr!r}"
    assert not out.exists() and list(tmp_path.iterdir()) == [], "nothing is written on bad input"


def test_config_is_read_only_and_complete():
    cfg = load_config("baseline")
    assert (
        cfg.county.n_households == 53746
        and cfg.county.n_villages == 448
        and cfg.county.n_townships == 26
    )
    assert cfg.breaker.township_npl == 0.05 and cfg.breaker.village_npl == 0.07, "§6 thresholds"
    with pytest.raises(Exception):  # noqa: B017 - OmegaConf raises its own ReadonlyConfigError
        cfg.fund.leverage = 3


@pytest.fixture
def scenario_dir(tmp_path, monkeypatch):
    """The project's scenarios plus files of the caller's, in a temporary folder."""
    import shutil

    import sim.config

    folder = tmp_path / "scenarios"
    shutil.copytree(sim.config.SCENARIO_DIR, folder)
    monkeypatch.setattr(sim.config, "SCENARIO_DIR", folder)
    return folder


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("fund:\n  leverage: abc\n", "fund.leverage: Value 'abc'"),
        ("fund: 5\n", "fund: a section of keys"),
        ("fund:\n", "fund: a section of keys"),
        ("county: small\n", "pass county=small on the command line"),
        ("sharing: nanao_80_20\n", "pass sharing=nanao_80_20 on the command line"),
    ],
)
def test_a_scenario_value_of_the_wrong_type_is_named(scenario_dir, content, named):
    label = "label:\n  zh: 试\n  en: try\n"
    (scenario_dir / "wrong.yaml").write_text(label + content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config("wrong", ["county=small"])
    message = str(info.value)
    assert message.startswith("scenarios/wrong.yaml: ") and named in message, message
    assert "\n" not in message
    (scenario_dir / "right.yaml").write_text(label + "fund:\n  leverage: 12\n", encoding="utf-8")
    assert load_config("right", ["county=small"]).fund.leverage == 12, "a right value passes"
