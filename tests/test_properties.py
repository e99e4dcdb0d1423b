"""Property tests (Hypothesis) over the valid and the invalid configuration space.

Valid space: a small county (1,000-3,000 households in 1-45 villages and 1-12 townships, the
derived counts following), 3-18 months, and default risk,
correlations, fund, leverage, breaker lines, loss sharing and behaviour drawn across their
ranges. Every run checks its own books every month (``run.check_books``, which raises on any
broken ledger identity), and the outputs must have no NaN, rates in [0, 1], NPL never above
the balance and the fund identity. Invalid space: any declared key set to NaN, an infinity or
a value outside its range is refused with a one-line message that starts with the key.

Examples are derandomised (the same every run) and few, so the file runs in seconds.
"""

from __future__ import annotations

import copy
import math
import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import ConfigError, load_config, run
from sim.config import from_container, to_container
from sim.parameters import DECLARATIONS, field_type

RATES = ("npl_ratio", "household_loan_rate")

valid_overrides = st.fixed_dictionaries(
    {
        "county.n_households": st.integers(1000, 3000),
        "horizon.months": st.integers(3, 18),
        "default.pd_annual": st.floats(0.005, 0.4),
        "default.rho_county": st.floats(0.0, 0.3),
        "default.rho_township": st.floats(0.0, 0.3),
        "default.rho_sector": st.floats(0.0, 0.3),
        "default.p_cure_monthly": st.floats(0.0, 0.3),
        "default.p_wilful": st.floats(0.0, 1.0),
        "fund.leverage": st.floats(1.0, 30.0),
        # no fund, or at least the 100 yuan below which an amount is taken for one in 万元
        "fund.initial": st.one_of(st.just(0.0), st.floats(100.0, 2e7)),
        "fund.topup_rule": st.sampled_from(["none", "restore"]),
        "breaker.village_npl": st.floats(0.01, 0.5),
        "breaker.township_npl": st.floats(0.01, 0.5),
        "sharing": st.sampled_from(
            ["shangcai", "nanao_80_20", "yanjin_50_50", "fund_bank_70_30", "gansu_guarantor_80_20"]
        ),
        "loss.claim_dpd": st.sampled_from([30, 90, 180]),
        "loss.recovery_rate": st.floats(0.0, 1.0),
        "uptake.initial_loan_share": st.floats(0.0, 1.0),
        "maturity.renewal_enabled": st.booleans(),
        "maturity.extension_enabled": st.booleans(),
        "enterprise.leakage_share": st.floats(0.0, 0.5),
        "run.seed": st.integers(0, 2**32),
    }
)


def _override(key: str, value) -> str:
    if isinstance(value, bool):
        return f"{key}={str(value).lower()}"
    return f"{key}={value!r}" if isinstance(value, float) else f"{key}={value}"


@st.composite
def county_sizes(draw):
    """Villages and townships (at most one township per village); derived counts follow."""
    villages = draw(st.integers(1, 45))  # 45 villages of at least 20 households fit
    return {
        "county.n_villages": villages,
        "county.n_townships": draw(st.integers(1, min(12, villages))),
    }


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(valid_overrides, county_sizes())
def test_valid_configurations_keep_the_books_and_the_bounds(values, sizes):
    overrides = ["county=small", "run.check_books=true"]
    overrides += [_override(k, v) for k, v in {**values, **sizes}.items()]
    cfg = load_config("baseline", overrides)
    res = run(cfg, seed=int(cfg.run.seed))  # check_books raises BooksError on any broken identity
    ts = res.timeseries
    # default_fraction is NaN by definition outside year ends (no cohort to divide by)
    numeric = ts.select_dtypes("number").drop(columns=["default_fraction"])
    assert not numeric.isna().any().any(), f"NaN in {list(numeric.columns[numeric.isna().any()])}"
    assert not res.villages.select_dtypes("number").isna().any().any(), "NaN in the village panel"
    for key, value in res.summary.items():
        assert not (isinstance(value, float) and math.isnan(value)), f"summary {key} is NaN"
    for col in RATES:
        assert ts[col].between(0, 1).all(), f"{col} outside [0, 1]: {ts[col].describe()}"
    fractions = ts["default_fraction"].dropna()
    assert fractions.between(0, 1).all(), "default fraction outside [0, 1]"
    assert res.villages["npl_ratio"].between(0, 1).all(), "village NPL ratio outside [0, 1]"
    assert (ts["npl_balance"] <= ts["loan_balance"] + 1e-6).all(), "NPL above the balance"
    assert (ts["overdue_balance"] <= ts["loan_balance"] + 1e-6).all(), "overdue above the balance"
    v = res.villages
    assert (v["npl_balance"] <= v["loan_balance"] + 1e-6).all(), "a village's NPL above its balance"
    initial = cfg.fund.initial
    implied = initial + ts["cum_fund_topups"] - ts["cum_fund_payouts"] + ts["cum_fund_recoveries"]
    assert np.abs(implied - ts["fund_balance"]).max() < 1.0, "fund identity"
    assert (ts["fund_balance"] >= -1e-6).all(), "the fund is never negative"


BASE = to_container(load_config("baseline", ["county=small"]))
BOUNDED = [d for d in DECLARATIONS if field_type(d.key) is not bool]


def _set(data: dict, key: str, value) -> str:
    """Set ``key`` in ``data``; return the key as the message names it."""
    *path, name = key.split(".")
    if path[:2] == ["default", "shocks"]:
        shock = {"year": 2020, "scope": "county", "name": "", "z": -1.0, name: value}
        data["default"]["shocks"] = [shock]
        return f"default.shocks[0].{name}"
    node = data
    for part in path:
        node = node[part]
    if isinstance(node[name], list):
        node[name][-1] = value
        return f"{key}[{len(node[name]) - 1}]"
    node[name] = value
    return key


@st.composite
def bad_values(draw):
    decl = draw(st.sampled_from(BOUNDED))
    lo, hi, lo_in, hi_in = decl.bounds
    is_int = field_type(decl.key) is int
    choices = [] if is_int else ["nan", "inf", "-inf"]
    choices += [c for c, b in (("below", lo), ("above", hi)) if math.isfinite(b)]
    how = draw(st.sampled_from(choices))
    if how in ("nan", "inf", "-inf"):
        return decl.key, float(how)
    step = draw(st.integers(1, 1000)) if is_int else draw(st.floats(1e-6, 1e6))
    included = lo_in if how == "below" else hi_in
    if not included and draw(st.booleans()):
        step = 0  # exactly at an excluded bound
    value = lo - step if how == "below" else hi + step
    return decl.key, int(value) if is_int else float(value)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(bad_values())
def test_every_bad_value_is_refused_with_the_key_named(bad):
    key, value = bad
    data = copy.deepcopy(BASE)
    shown = _set(data, key, value)
    try:
        from_container(data)
    except ConfigError as exc:
        message = str(exc)
    else:
        raise AssertionError(f"{shown}={value!r} was accepted")
    assert re.match(rf"{re.escape(shown)}=", message), f"names {shown} first: {message}"
    assert "\n" not in message
