"""The label table: both languages for every key the code uses, same template fields."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pandas as pd
import pytest

from analysis import charts_cliff, fiscal, fmt, tables
from analysis.labels import LABELS, LANGS, label, label_or

ANALYSIS = Path(__file__).resolve().parents[1] / "analysis"
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


# label keys chosen through a variable (key = "s_fund_ok" if ... else ...) follow these names
KEY_NAME = re.compile(
    r"^((s|cap|src|h|title|sheet|status|budget|unit|threshold)_[a-z0-9_]+|band_\d+_\d+)$"
)


def literal_keys() -> set[str]:
    """Label keys in analysis/ (static scan): arguments of label()/label_or(), and every
    string constant named like a label key (keys picked through a variable)."""
    keys = set()
    for path in ANALYSIS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "label",
                "label_or",
            ):
                args = [node.args[0]] + (node.args[2:3] if node.func.id == "label_or" else [])
                keys |= {a.value for a in args if isinstance(a, ast.Constant)}
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                keys |= {node.value} if KEY_NAME.match(node.value) else set()
    return keys


def dynamic_keys() -> set[str]:
    """Keys built from names at run time (sheet, status, budget line, scenario)."""
    sheets = {
        "summary",
        "replicates",
        "monthly",
        "fiscal",
        "bulletin",
        "scorecard_township",
        "scorecard_bank",
        "comparison",
        "fund_sizing",
    }
    budget = {"interest_subsidy", "fund_payouts_net", *fiscal.CUM_LINES}
    statuses = {"normal", "township", "villages"}
    return (
        {f"sheet_{s}" for s in sheets}
        | {f"budget_{b}" for b in budget}
        | {f"status_{s}" for s in statuses}
        | set(tables.BULLETIN)
        | {f"rank_{c}" for c in tables.SCORES}
    )


def test_static_scan_finds_the_keys_of_the_code():
    keys = literal_keys()
    assert {
        "title_npl",
        "s_lending",
        "page_title",
        "township_n",
        "s_fund_ok",
        "s_bulletin_clean",
        "band_25_75",
    } <= keys, "the AST scan should see the keys used in charts, sentences and the page"


@pytest.mark.parametrize("key", sorted(literal_keys() | dynamic_keys()))
def test_every_used_key_has_both_languages(key):
    assert key in LABELS, f"{key} is used by analysis/ but missing from analysis/labels.py"
    zh, en = (label(key, lang) for lang in LANGS)
    assert zh.strip() and en.strip(), f"{key}: empty text in one language"


@pytest.mark.parametrize("key", sorted(LABELS))
def test_languages_agree_on_template_fields_and_script(key):
    zh, en = LABELS[key]
    fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (zh, en)]
    assert fields[0] == fields[1], f"{key}: zh fields {fields[0]} != en fields {fields[1]}"
    if key != "cum_leaked_loans":  # its English label quotes the Chinese term on purpose
        assert not CJK.search(en), f"{key}: English text contains Chinese: {en!r}"


def test_unknown_key_and_language_fail_loudly():
    with pytest.raises(KeyError, match="analysis/labels.py"):
        label("no_such_key", "zh")
    with pytest.raises(ValueError, match="zh, en"):
        label("npl_ratio", "fr")
    assert label_or("scenario_unlisted", "zh", "scenario_named", name="x1") == "x1"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (123_456_789.0, "1.23 亿元", "123 million yuan"),
        (45_670_000.0, "4,567 万元", "45.7 million yuan"),
        (947_200.0, "94.7 万元", "947,200 yuan"),
        (36_333.6, "3.63 万元", "36,334 yuan"),
        (800.0, "800 元", "800 yuan"),
    ],
)
def test_money_is_written_in_wan_and_yi(value, zh, en):
    assert fmt.money(value, "zh") == zh
    assert fmt.money(value, "en") == en


def test_shares_counts_and_points():
    assert fmt.pct(0.34775) == "34.8%"
    assert fmt.pct(0.0041) == "0.41%", "small shares keep two decimals"
    assert fmt.count(53746) == "53,746"
    assert fmt.pp(-0.1241, "zh") == "-12.41 个百分点"
    assert fmt.pp(-0.00004, "zh") == "+0.00 个百分点", "no change reads +0.00, never -0.00"
    assert fmt.signed(-0.3, "money", "zh") == "+0 元"
    assert fmt.signed(-0.04, "count", "zh") == "+0.0"
    assert fmt.signed(-5000.0, "money", "zh") == "-5,000 元"
    assert fmt.value(2019, "id", "zh") == "2019", "years are not written 2,019"


def test_fund_sizing_candidates_read_as_their_size():
    assert charts_cliff.scenario_label("fund_6000000", "zh") == "补偿金 600 万元"
    assert charts_cliff.scenario_label("fund_420000", "en") == "Fund of 420,000 yuan"
    assert charts_cliff.scenario_label("leverage_8.5", "zh") == "放大倍数 8.5 倍"
    assert charts_cliff.scenario_label("baseline", "zh") == "基准情景"
    names = pd.Series(["fund_12000000", "fund_380000", "fund_6000000"])
    assert charts_cliff.ordered(names) == ["fund_380000", "fund_6000000", "fund_12000000"], (
        "by size, not as text"
    )
