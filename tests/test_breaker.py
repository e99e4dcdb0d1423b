"""Circuit breaker (§6): suspension above the threshold, no lending while suspended, resumption."""

from __future__ import annotations

import numpy as np
import pytest

from sim import load_config
from tests.conftest import SMALL, cached_run

# Township 0's projects all fail in loan-years starting in 2019; elsewhere failures are rare.
TOWNSHIP_SHOCK = (
    *SMALL,
    "default.pd_annual=0.002",
    "default.rho_township=0.5",
    "default.rho_county=0.0",
    "default.rho_sector=0.0",
    "default.p_cure_monthly=0.0",
    "maturity.extension_enabled=false",
    "enterprise.enabled=false",  # no lumpy enterprise defaults elsewhere
    "horizon.months=48",
    "+default.shocks=[{year: 2019, scope: township, name: '0', z: -8.0}]",
)


@pytest.fixture(scope="module")
def shocked():
    return cached_run("baseline", TOWNSHIP_SHOCK, 3)


def test_shocked_township_is_suspended_then_resumes(shocked):
    ev = shocked.events
    t0 = ev[(ev["level"] == "township") & (ev["index"] == 0)]
    assert (t0["event"] == "suspension").any(), "township 0's NPL above 5 % must suspend it"
    assert (t0["event"] == "resumption").any(), "after losses are recognised the township resumes"
    first_susp = t0[t0["event"] == "suspension"]["t"].min()
    first_res = t0[t0["event"] == "resumption"]["t"].min()
    assert first_res > first_susp, "resumption follows suspension"
    others = ev[(ev["level"] == "township") & (ev["index"] != 0)]
    assert others.empty, f"no other township crosses 5 %: {others.to_dict('records')}"


def test_no_new_loans_while_suspended(shocked):
    v = shocked.villages
    susp = v.pivot(index="t", columns="village", values="suspended").to_numpy()
    new = v.pivot(index="t", columns="village", values="new_loans").to_numpy()
    # the month-end decision at t applies to lending in t + 1
    lent_while_suspended = new[1:][susp[:-1]]
    assert susp.any(), "some village must be suspended in this scenario"
    assert (lent_while_suspended == 0).all(), "a suspended village gets no new loans"


def test_other_townships_keep_lending(shocked):
    v = shocked.villages
    ev = shocked.events
    t0 = ev[(ev["level"] == "township") & (ev["index"] == 0)]
    start = t0[t0["event"] == "suspension"]["t"].min()
    stop = t0[t0["event"] == "resumption"]["t"].min()
    window = v[(v["t"] > start) & (v["t"] <= stop)]
    in_t0 = window[window["township"] == 0]
    elsewhere = window[window["township"] != 0]
    assert in_t0["suspended"].iloc[: -in_t0["village"].nunique()].all(), (
        "all of township 0 is suspended"
    )
    assert in_t0[in_t0["t"] < stop]["new_loans"].sum() == 0, (
        "township 0 gets no loans while suspended"
    )
    assert elsewhere["new_loans"].sum() > 0, "other townships keep lending"


def test_suspension_matches_ratios(shocked):
    v = shocked.villages
    cfg = shocked.config["breaker"]
    own = v["npl_ratio"] > cfg["village_npl"]
    assert (v["village_suspended"] == own).all(), (
        "a village is suspended exactly when its ratio exceeds 7 %"
    )
    tw = v.groupby(["t", "township"]).agg(
        npl=("npl_balance", "sum"),
        bal=("loan_balance", "sum"),
        flag=("township_suspended", "first"),
    )
    ratio = (tw["npl"] / tw["bal"].where(tw["bal"] > 0)).fillna(0.0)
    assert ((ratio > cfg["township_npl"]) == tw["flag"]).all(), (
        "a township is suspended exactly above 5 %"
    )
    either = v["village_suspended"] | v["township_suspended"]
    assert (v["suspended"] == either).all(), (
        "a village is blocked by its own or its township's suspension"
    )


def test_disabled_breaker_never_suspends():
    res = cached_run("baseline", (*TOWNSHIP_SHOCK, "breaker.enabled=false"), 3)
    assert res.events.empty or not res.events["event"].isin(["suspension"]).any(), (
        "no suspensions when disabled"
    )
    assert res.timeseries["n_villages_suspended"].max() == 0


def test_npl_mask_is_substandard_or_worse():
    """The fast NPL mask equals the five-category classification at substandard or worse."""
    from sim.loans import CLASS_NAMES, SUBSTANDARD
    from sim.runner import build_model

    model = build_model(load_config("baseline", list(TOWNSHIP_SHOCK)), 3)
    seen = set()
    for _ in range(30):
        model.step()
        for book in model.books():
            classes = model.loan_classes(book)
            seen.update(np.unique(classes[book.active]).tolist())
            sub = model.cfg.classification.substandard_dpd
            np.testing.assert_array_equal(
                book.non_performing(sub), book.active & (classes >= SUBSTANDARD)
            )
    assert {CLASS_NAMES.index("normal"), SUBSTANDARD} <= seen, "both sides of the line occur"


@pytest.mark.parametrize("level", ["village", "township"])
def test_no_new_enterprise_loan_in_a_suspended_place(level):
    """§6: the bank stops lending in a suspended place, to enterprises as to households.

    An enterprise whose loan has been repaid applies every month (``p_apply_monthly=1``) for a
    loan for its township's free households. Where its village (or township) is suspended, the
    loan is refused, so the place's balance does not grow and its NPL ratio is not diluted back
    under the line by new lending rather than by clearing (通过清偿). The same enterprise in the
    same month borrows when its place is open.
    """
    from sim import build_model
    from sim.enterprises import REPAID, _repay
    from sim.enterprises import originate as enterprise_originate

    cfg = load_config("baseline", [*SMALL, "enterprise.p_apply_monthly=1.0"])
    outcomes = {}
    for suspended in (False, True):
        model = build_model(cfg, seed=5)
        ent, book, c = model.enterprises, model.enterprise_loans, model.county
        k = int(np.flatnonzero(book.active & (ent.n_linked() > 0))[0])
        _repay(model, np.array([k]), REPAID)  # its households are free again
        village, township = int(ent.village[k]), int(ent.township[k])
        if suspended:
            if level == "village":
                model.breaker.village_suspended[village] = True
            else:
                model.breaker.township_suspended[township] = True
        balance_before = book.balance_by(book.village, c.n_villages)[village]
        enterprise_originate(model)
        outcomes[suspended] = (
            bool(book.active[k]),
            book.balance_by(book.village, c.n_villages)[village] - balance_before,
        )
    lent_open, growth_open = outcomes[False]
    lent_suspended, growth_suspended = outcomes[True]
    assert lent_open and growth_open > 0, "an open place lends the enterprise its loan"
    assert not lent_suspended, f"no enterprise loan in a suspended {level}"
    assert growth_suspended == 0, "the suspended village's balance does not grow"
