"""Scenarios carry display names in Chinese and English; readers never see the file ids."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from omegaconf import OmegaConf

from analysis import charts_compare, localise
from sim import ConfigError, load_config
from sim import config as sim_config
from sim.config import SCENARIO_DIR, available_scenarios, scenario_label

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("name", available_scenarios())
def test_every_scenario_file_declares_both_names(name):
    label = OmegaConf.load(SCENARIO_DIR / f"{name}.yaml").get("label")
    assert label is not None, f"scenarios/{name}.yaml has no label: {{zh: ..., en: ...}}"
    zh, en = str(label.get("zh") or ""), str(label.get("en") or "")
    assert CJK.search(zh), f"{name}: the Chinese name {zh!r} has no Chinese characters"
    assert en.strip() and not CJK.search(en), f"{name}: the English name {en!r}"
    assert name not in (zh, en), f"{name}: a display name must not be the file id"
    assert load_config(name).label.zh == zh, "the label reaches the composed configuration"


def test_names_are_distinct_per_language():
    for lang in ("zh", "en"):
        names = [scenario_label(s, lang) for s in available_scenarios()]
        assert len(set(names)) == len(names), f"two scenarios share a {lang} name: {names}"


def test_a_scenario_without_names_is_refused_naming_the_file(tmp_path, monkeypatch):
    for path in SCENARIO_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "unnamed.yaml").write_text("# unnamed: no label\nfund:\n  leverage: 12\n")
    monkeypatch.setattr(sim_config, "SCENARIO_DIR", tmp_path)
    with pytest.raises(ConfigError, match=r"label\.zh: scenarios/unnamed\.yaml"):
        load_config("unnamed")


def test_comparison_chart_and_tables_show_names_not_ids():
    comparison = pd.DataFrame(
        {
            "scenario": ["baseline", "strict_breaker", "leverage_8x", "no_breaker"],
            "outcome": "peak_npl_ratio",
            "diff_mean": [0.0, -0.01, 0.002, 0.01],
            "diff_ci_low": [0.0, -0.02, -0.001, 0.005],
            "diff_ci_high": [0.0, -0.005, 0.004, 0.02],
        }
    )
    for lang in ("zh", "en"):
        fig = charts_compare.comparison_overview(comparison, lang=lang)
        rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert rows == [scenario_label(s, lang) for s in comparison["scenario"][1:]]
        assert not {"strict_breaker", "leverage_8x", "no_breaker"} & set(rows)
        assert scenario_label("baseline", lang) in fig._suptitle.get_text()
    table = localise.localise(comparison[["scenario"]], "zh")
    assert list(table.iloc[:, 0]) == ["基准情景", "严格熔断", "放大8倍", "不设熔断"]


def test_unknown_name_is_shown_as_is():
    assert scenario_label("an_old_folder", "zh") == "an_old_folder"
