"""Enterprises (企贷企用), guarantors, household income and the cliff effect."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim import build_model, load_config
from sim.county import LABOUR_NONE
from sim.enterprises import ACTIVE, DEFAULTED, RECALLED, default
from tests.conftest import SMALL, cached_run


def stepped(overrides, months, seed=4):
    model = build_model(load_config("baseline", [*SMALL, *overrides]), seed=seed)
    for _ in range(months):
        model.step()
    return model


def release(model):
    getattr(mesa.Agent, "_ids", {}).pop(model, None)


def test_only_households_without_labour_are_linked():
    model = stepped([], 0)
    ent, c = model.enterprises, model.county
    linked = ent.hh_enterprise >= 0
    assert linked.sum() > 50, "the enterprise channel covers households"
    assert (c.hh_labour[linked] == LABOUR_NONE).all(), (
        "able households are never linked when the share is 0"
    )
    book = model.enterprise_loans
    per_household = model.cfg.enterprise.amount_per_household
    assert np.allclose(book.principal[book.active], per_household * ent.n_linked()[book.active]), (
        "an enterprise borrows 50,000 yuan per linked household"
    )
    release(model)


def test_blacklisted_enterprises_get_no_new_loan():
    # every enterprise breaches and fails to rectify: all are recalled and blacklisted
    over = ["enterprise.p_breach=1.0", "enterprise.p_breach_persists=1.0", "horizon.months=48"]
    model = stepped(over, 0)
    ent, book = model.enterprises, model.enterprise_loans
    blacklisted_at = np.full(ent.n, -1)
    start_at = book.ti_start.copy()
    for _ in range(48):
        model.step()
        newly = ent.blacklisted & (blacklisted_at < 0)
        blacklisted_at[newly] = model.t
        start_at[newly] = book.ti_start[newly]
        later = ent.blacklisted & (blacklisted_at < model.t)
        assert (book.ti_start[later] == start_at[later]).all(), (
            "a blacklisted enterprise never borrows again"
        )
    assert ent.blacklisted.sum() >= ent.n - 1, (
        "enterprises that never rectify are recalled and blacklisted"
    )
    performing = book.active & ~book.overdue
    assert not performing[ent.blacklisted].any(), "a recalled loan is repaid or in default"
    assert np.isin(ent.status[ent.blacklisted], [RECALLED, DEFAULTED]).all(), (
        "blacklisting follows a recall, repaid in full or defaulted on the rest"
    )
    release(model)


def test_enterprise_default_stops_all_linked_returns_together():
    model = stepped([], 11)  # just before the first yearly review (December)
    ent = model.enterprises
    k = int(np.flatnonzero((ent.n_linked() > 1) & (ent.status == ACTIVE))[0])
    default(model, np.array([k]))
    model.step()
    linked = ent.hh_enterprise == k
    assert ent.status[k] == DEFAULTED and ent.paid_fraction[k] == 0.0
    ret, _ = model.poverty.due_parts
    assert (ret[linked] == 0).all(), "no return is owed by a defaulted enterprise"
    assert model.enterprise_loans.overdue[k], "the whole loan falls overdue at once"
    release(model)


def test_enterprise_losses_are_lumpier():
    cfg = ("county=small", "horizon.months=60")
    runs = [cached_run("enterprise_heavy", cfg, s).summary for s in range(24)]
    h = np.array([r["cum_losses_household_channel"] for r in runs])
    e = np.array([r["cum_losses_enterprise_channel"] for r in runs])
    assert 0.2 < e.mean() / h.mean() < 10, (
        f"comparable expected losses: {e.mean():.0f} vs {h.mean():.0f}"
    )
    # bootstrap the ratio of coefficients of variation; a fixed generator keeps the test deterministic
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(h), (2000, len(h)))
    cv = lambda x: x.std(axis=-1) / x.mean(axis=-1)  # noqa: E731
    ratio = cv(e[idx]) / cv(h[idx])
    low = np.quantile(ratio, 0.025)
    # lumpier with 97.5 % confidence (the point estimate is about 1.8 on these seeds)
    assert low > 1.0, (
        f"enterprise losses vary more for the same mean: CV ratio 2.5 % bound {low:.2f}"
    )


def test_guarantor_limit_makes_loans_wait():
    model = stepped(["guarantee.county_net_assets=3000000"], 0)
    county = model.guarantors[1]
    waited = 0
    for _ in range(24):
        room = county.room()
        before = model.loans.active.copy()
        model.step()
        new = model.loans.active & ~before & (model.loans.guarantor == 1)
        assert model.loans.principal[new].sum() <= room + 1e-6, (
            "new guarantees never exceed the room"
        )
        waited += model.recorder.rows[-1]["n_blocked_guarantee"]
    assert waited > 0, "with a 3 M guarantor (30 M limit), some loans wait for a guarantee"
    release(model)


def test_profit_retention_changes_nothing_while_supported_and_lowers_the_cliff():
    seeds = range(4)

    def summary(s, k):
        return cached_run(s, SMALL, k).summary

    for k in seeds:
        a, r = summary("cliff_abrupt", k), summary("cliff_profit_retention", k)
        assert a["return_to_poverty_rate_1y"] == r["return_to_poverty_rate_1y"], (
            "retention only takes income above the line, so it causes no relapse while supported"
        )
    after = {
        s: np.mean([summary(s, k)["relapse_after_support_end_3y"] for k in seeds])
        for s in ("cliff_abrupt", "cliff_profit_retention")
    }
    assert after["cliff_profit_retention"] <= after["cliff_abrupt"], after


def test_leakage_puts_household_loans_at_enterprise_risk():
    risky = ("enterprise.roa_mean=-0.05",)
    base = [cached_run("baseline", (*SMALL, *risky), s) for s in range(4)]
    leak = [cached_run("leakage_hudai_qiyong", (*SMALL, *risky), s) for s in range(4)]
    assert all(r.summary["cum_enterprise_defaults"] > 0 for r in base), (
        "the test needs enterprise defaults"
    )
    assert all(r.timeseries["cum_leaked_loans"].iloc[-1] > 0 for r in leak)
    hb = np.array([r.summary["cum_losses_household_channel"] for r in base])
    hl = np.array([r.summary["cum_losses_household_channel"] for r in leak])
    assert (hl > hb).all(), f"leaked loans default with their enterprise: {hb} vs {hl}"


@pytest.mark.parametrize("rule", ["abrupt", "tapered", "profit_retention"])
def test_household_counts_add_up_under_every_rule(rule):
    res = cached_run("baseline", (*SMALL, f"poverty.withdrawal_rule={rule}"), 2)
    ts = res.timeseries
    assert ((ts["n_poor"] + ts["n_exited"]) == ts["n_households"]).all(), (
        "poor + exited = all households"
    )
    cohorts = res.poverty
    assert (
        cohorts.groupby("exit_year")["n_returned"].apply(lambda x: x.is_monotonic_increasing)
    ).all()


STEADY = ["enterprise.roa_sd=0", "enterprise.p_breach=0"]  # profit = roa_mean x principal


def test_reviews_book_the_same_yearly_profit_in_shares():
    """Six bimonthly shares of a year's profit leave the cash the single yearly review leaves."""
    yearly = stepped([*STEADY, "enterprise.roa_mean=0.16"], 12)
    bimonthly = stepped([*STEADY, "enterprise.roa_mean=0.16", "enterprise.review_months=2"], 12)
    book = yearly.enterprise_loans
    whole_year = (book.ti_start <= 0) & book.active & (yearly.enterprises.status == ACTIVE)
    assert whole_year.sum() >= 1, "an enterprise that borrowed all year"
    np.testing.assert_allclose(
        bimonthly.enterprises.cash[whole_year], yearly.enterprises.cash[whole_year], rtol=1e-9
    )
    for model in (yearly, bimonthly):
        release(model)


def test_losses_are_found_at_the_review_that_finds_them(monkeypatch):
    """Every two months a sixth of the year's loss is booked; an enterprise whose cash then lies
    below -insolvency_cash_share of its loan defaults at that review, not in December."""
    from sim import enterprises as ent_cycle

    roa, months = -0.3, 2
    model = build_model(
        load_config(
            "baseline",
            [*SMALL, *STEADY, f"enterprise.roa_mean={roa}", f"enterprise.review_months={months}"],
        ),
        seed=4,
    )
    share = model.cfg.enterprise.insolvency_cash_share
    real, seen = ent_cycle.review, []

    def spy(m, due):
        book, ent = m.enterprise_loans, m.enterprises
        live = (book.active & ~book.overdue & (ent.status == ACTIVE)).nonzero()[0]
        principal = book.principal[live]
        expected = ent.cash[live] + (roa * principal) * (months / 12.0)
        real(m, due)
        if due is None:  # between assessments: no returns are paid
            seen.append((m.calendar.month(m.t), expected < -share * principal, ent.status[live]))

    monkeypatch.setattr(ent_cycle, "review", spy)
    for _ in range(12):
        model.step()
    assert [month for month, *_ in seen] == [2, 4, 6, 8, 10]
    for month, predicted, status in seen:
        assert ((status == DEFAULTED) == predicted).all(), f"month {month}"
    assert sum(int(p.sum()) for _, p, _ in seen) >= 1, "some enterprise fails before December"
    release(model)


def test_review_interval_must_divide_the_year():
    from sim.validate import ConfigError

    with pytest.raises(ConfigError, match="enterprise.review_months"):
        load_config("baseline", [*SMALL, "enterprise.review_months=5"])
