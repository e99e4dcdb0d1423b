"""What happens when a loan-year ends or a loan falls due (§5), phase by phase."""

from __future__ import annotations

import numpy as np
import pytest

from sim import build_model, load_config
from tests.conftest import SMALL

HIGH_RISK = ["default.pd_annual=0.2", "default.p_wilful=0.3"]
BEFORE_REVIEW = ("rate_and_inform", "originate", "accrue_interest", "age_overdue")


def model_at_review(overrides, months_before=8):
    """A model stepped ``months_before`` months, then up to (not including) the review phase."""
    cfg = load_config("baseline", [*SMALL, "breaker.enabled=false", *overrides])
    model = build_model(cfg, seed=21)
    for _ in range(months_before):
        model.step()
    model.begin_month()
    for phase in BEFORE_REVIEW:
        getattr(model, phase)()
    return model


def snapshot(model):
    loans, t = model.loans, model.t
    due = loans.active & ~loans.overdue & (loans.ti_review == t)
    return {
        "t": t,
        "due": due,
        "maturity": due & (loans.ti_maturity == t),
        "failed": due & loans.failed,
        "wilful": due & loans.wilful,
        "term_m": loans.term_m.copy(),
        "balance": loans.balance.copy(),
        "extended": loans.extended.copy(),
    }


def test_renewal_without_repaying_principal():
    model = model_at_review(["maturity.p_renewal_request=1.0"])
    s = snapshot(model)
    model.review_projects()
    one_year = s["maturity"] & ~s["failed"] & (s["term_m"] == 12)
    multi_year = s["maturity"] & ~s["failed"] & (s["term_m"] > 12)
    assert one_year.sum() > 10 and multi_year.sum() > 0, "the test month needs loans of both kinds"
    loans = model.loans
    assert loans.active[one_year].all(), "performing 1-year loans are renewed"
    assert (loans.ti_maturity[one_year] == s["t"] + 12).all(), "a renewal runs another year"
    assert np.array_equal(loans.balance[one_year], s["balance"][one_year]), "no principal is repaid"
    assert (~loans.active[multi_year]).all(), "multi-year loans are repaid at maturity, not renewed"


def test_no_renewal_switch_means_repayment():
    model = model_at_review(["maturity.p_renewal_request=1.0", "maturity.renewal_enabled=false"])
    s = snapshot(model)
    repaid_before = model.ledger.total("principal_repaid", month=True)
    model.review_projects()
    performing = s["maturity"] & ~s["failed"]
    assert performing.sum() > 10
    assert (~model.loans.active[performing]).all(), (
        "without renewal every performing loan is repaid"
    )
    repaid = model.ledger.total("principal_repaid", month=True) - repaid_before
    assert repaid == pytest.approx(s["balance"][performing].sum()), (
        "their whole principal comes back"
    )


def test_no_renewal_after_campaign():
    model = model_at_review(["maturity.p_renewal_request=1.0"], months_before=30)
    assert not model.calendar.in_campaign(model.t)
    s = snapshot(model)
    model.review_projects()
    assert (~model.loans.active[s["maturity"] & ~s["failed"]]).all(), (
        "§5 renewals are for the campaign period"
    )


def test_extension_for_failures_beyond_control():
    model = model_at_review([*HIGH_RISK, "maturity.extension_max_months=12"], months_before=11)
    s = snapshot(model)
    model.review_projects()
    loans = model.loans
    beyond = s["maturity"] & s["failed"] & ~s["wilful"] & (s["extended"] == 0)
    wilful = s["maturity"] & s["wilful"]
    assert beyond.sum() > 0 and wilful.sum() > 0, "the test month needs both kinds of failure"
    assert loans.active[beyond].all() and not loans.overdue[beyond].any(), (
        "非主观因素 failures are extended"
    )
    length = np.minimum(12, s["term_m"][beyond])
    assert (loans.ti_maturity[beyond] == s["t"] + length).all(), (
        "extension at most the original term"
    )
    assert loans.overdue[wilful].all(), "wilful failures fall overdue"


def test_no_extension_switch_means_overdue():
    model = model_at_review([*HIGH_RISK, "maturity.extension_enabled=false"], months_before=11)
    s = snapshot(model)
    model.review_projects()
    failed = s["failed"]
    assert failed.sum() > 0
    assert model.loans.overdue[failed].all(), "without extension every failure falls overdue"


def test_mid_term_failure_shows_at_the_missed_interest_and_may_be_extended():
    """§5 read as any payment falling due (docs/ODD.md §7.5): a 2-3-year loan whose project
    fails in its first year misses a quarter's interest; beyond the household's control the
    bank extends it from its maturity, a wilful failure falls overdue there and then."""
    model = model_at_review([*HIGH_RISK, "maturity.extension_max_months=12"], months_before=11)
    assert model.calendar.quarter_end(model.t), "the review month is a quarter end"
    maturity_before = model.loans.ti_maturity.copy()
    s = snapshot(model)
    model.review_projects()
    loans = model.loans
    mid = s["failed"] & ~s["maturity"]
    beyond = mid & ~s["wilful"] & (s["extended"] == 0)
    wilful = mid & s["wilful"]
    assert beyond.sum() > 0 and wilful.sum() > 0, "the month needs both kinds of mid-term failure"
    assert not loans.overdue[beyond].any(), "非主观因素 mid-term failures are extended"
    length = np.minimum(12, s["term_m"][beyond])
    assert (loans.ti_maturity[beyond] == maturity_before[beyond] + length).all(), (
        "the extension moves the maturity on by at most the original term"
    )
    assert loans.overdue[wilful].all(), "wilful failures fall overdue at the missed payment"
