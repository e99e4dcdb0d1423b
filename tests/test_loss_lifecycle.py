"""The credit-loss lifecycle as a bank books it: classes, claims, write-off, NPL flows, breaker.

A loan that stops paying is overdue; its class follows days past due; at ``loss.claim_dpd`` the
fund and the guarantor pay their shares and what the bank is not paid stays on its book as
non-performing until repaid, recovered or written off. The NPL stock moves exactly by its named
inflow and outflows, and a suspended village resumes only when an outflow brings it back under
its line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import build_model, lending, load_config, run
from sim import enterprises as ent_cycle
from sim.config import CONFIG_DIR
from sim.enterprises import DEFAULTED
from sim.fund import FinanceOffice
from sim.loans import CLASS_NAMES, NPL_OUTFLOWS

SMALL = ["county=small"]
STRESS = [*SMALL, "default.pd_annual=0.15", "horizon.months=48"]
CLAIM90 = ["loss.claim_dpd=90", "loss.writeoff_dpd=null"]
PARTS = [f"npl_outflow_{p}" for p in NPL_OUTFLOWS]


def stock_flow_gap(ts) -> np.ndarray:
    """npl_balance[t] - (npl_balance[t-1] + new_npl_balance[t] - npl_outflow[t]), t >= 1."""
    npl = ts["npl_balance"].to_numpy()
    return npl[1:] - (npl[:-1] + ts["new_npl_balance"].to_numpy()[1:] - ts["npl_outflow"][1:])


@pytest.mark.parametrize("overrides", [SMALL, STRESS, [*STRESS, *CLAIM90]], ids=str)
def test_npl_stock_moves_by_inflow_minus_named_outflows(overrides):
    ts = run(load_config("baseline", overrides), seed=3).timeseries
    assert ts["npl_outflow"].to_numpy() == pytest.approx(ts[PARTS].sum(axis=1).to_numpy()), (
        "the named parts must add up to npl_outflow"
    )
    gap = stock_flow_gap(ts)
    assert np.abs(gap).max() < 1e-4, f"NPL stock-flow identity broken by {gap.max():.4f} yuan"
    assert ts["new_npl_balance"].sum() > 0 and ts["npl_outflow"].sum() > 0, "flows must occur"
    if overrides is STRESS:
        assert (ts[PARTS].sum() > 0).all(), "stress exercises every named outflow"


def test_claims_at_90_days_keep_the_banks_share_on_book_in_every_class():
    cfg = load_config("baseline", [*STRESS, *CLAIM90])
    res = run(cfg, seed=3)
    ts = res.timeseries
    for cls in ("special_mention", "substandard", "doubtful", "loss"):
        assert ts[f"balance_{cls}"].max() > 0, f"{cls} must be seen at some month end"
    npl = ts[["balance_substandard", "balance_doubtful", "balance_loss"]].sum(axis=1)
    assert npl.to_numpy() == pytest.approx(ts["npl_balance"].to_numpy()), (
        "NPL = substandard + doubtful + loss; special mention is not NPL"
    )
    assert ts["npl_outflow_written_off"].sum() == 0, "write-off never: nothing is written off"
    assert ts["npl_outflow_compensated"].sum() == 0, (
        "claims come at 90 days, before a loan is non-performing (over 90): they never reduce NPL"
    )


def test_suspended_village_resumes_only_when_an_outflow_brings_it_under_the_line():
    cfg = load_config("baseline", [*STRESS, *CLAIM90, "horizon.months=72"])
    res = run(cfg, seed=3)
    v = res.villages.sort_values(["village", "t"])
    line = cfg.breaker.village_npl
    own = v.pivot(index="t", columns="village", values="village_suspended").to_numpy()
    ratio = v.pivot(index="t", columns="village", values="npl_ratio").to_numpy()
    npl = v.pivot(index="t", columns="village", values="npl_balance").to_numpy()
    resumed = own[:-1] & ~own[1:]
    t_idx, v_idx = np.nonzero(resumed)
    assert len(t_idx) > 0, "the stressed county must see village resumptions"
    assert (ratio[t_idx + 1, v_idx] <= line + 1e-12).all(), "resumes only under the line"
    assert (npl[t_idx + 1, v_idx] < npl[t_idx, v_idx]).all(), (
        "a suspended village gets no new loans, so only an NPL outflow can lower its ratio"
    )
    months = res.timeseries.set_index("t")
    assert (months.loc[t_idx + 1, "npl_outflow"] > 0).all(), "the month has a named outflow"
    assert (ratio[own] > line).all(), "suspended exactly while above the line, never on a timer"


def test_little_law_mean_npl_equals_inflow_times_mean_sojourn():
    """Tracked loan by loan, independently of the model's flow accounting.

    Over T months, mean NPL balance = mean monthly inflow x mean months a yuan stays
    non-performing (yuan-weighted); loans still non-performing at the end are counted for the
    months they have stayed. The tolerance (3 %) covers loans already non-performing in the
    first month, which carry no inflow.
    """
    cfg = load_config(
        "baseline", [*SMALL, "default.pd_annual=0.12", "horizon.months=96", "loss.writeoff_dpd=420"]
    )
    model = build_model(cfg, seed=5)
    entered_at = {}
    yuan_months, inflow = 0.0, 0.0
    for t in range(cfg.horizon.months):
        model.step()
        for name, book, npl in (
            ("h", model.loans, model.npl),
            ("e", model.enterprise_loans, model.enterprise_npl),
        ):
            idx = np.flatnonzero(npl)
            for i in idx:
                key = (name, int(i))
                if key not in entered_at:
                    entered_at[key] = t
                    inflow += book.balance[i]
            live = {(name, int(i)) for i in idx}
            for key in [k for k in entered_at if k[0] == name and k not in live]:
                del entered_at[key]
            yuan_months += float(book.balance[idx].sum())
    ts = model.recorder.rows
    months = cfg.horizon.months
    mean_stock = np.mean([r["npl_balance"] for r in ts])
    mean_inflow = np.mean([r["new_npl_balance"] for r in ts])
    assert mean_inflow == pytest.approx(inflow / months, rel=1e-9), "recorded inflow = tracked"
    mean_sojourn = yuan_months / inflow  # yuan-months per yuan that entered
    assert mean_stock == pytest.approx(mean_inflow * mean_sojourn, rel=0.03)
    assert mean_sojourn > 3, "non-performing balances stay for months, not one month-end"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_higher_pd_more_npl_and_suspensions_on_common_random_numbers(seed):
    out = {}
    for pd_ in (0.03, 0.09):
        res = run(load_config("baseline", [*SMALL, f"default.pd_annual={pd_}"]), seed=seed)
        out[pd_] = (
            res.timeseries["npl_ratio"].max(),
            int((res.events["event"] == "suspension").sum()) if len(res.events) else 0,
        )
    assert out[0.09][0] > out[0.03][0], f"peak NPL must rise with PD: {out}"
    assert out[0.09][1] > out[0.03][1], f"suspensions must rise with PD: {out}"


ARRANGEMENTS = sorted(p.stem for p in (CONFIG_DIR / "sharing").glob("*.yaml"))


@pytest.mark.parametrize("arrangement", ARRANGEMENTS)
def test_every_claim_and_recovery_is_shared_exactly(arrangement, monkeypatch):
    overrides = [*STRESS, f"sharing={arrangement}", "horizon.months=36", "loss.writeoff_dpd=420"]
    if "guarantor" not in arrangement and arrangement != "shangcai":
        overrides += ["guarantee.household_guarantor=none", "guarantee.enterprise_guarantor=none"]
    cfg = load_config("baseline", overrides)
    claims = []
    original = FinanceOffice.pay_claims

    def spy(self, book, idx, shares):
        before = book.balance[idx].copy()
        fund_before = self.model.ledger.fund_balance.sum()
        original(self, book, idx, shares)
        claims.append((before, book, idx, shares, fund_before))

    monkeypatch.setattr(FinanceOffice, "pay_claims", spy)
    model = build_model(cfg, seed=7)
    recovered = 0.0
    for _ in range(cfg.horizon.months):
        n_before = len(claims)
        model.step()
        led = model.ledger
        parts = sum(led.total(f, month=True) for f in ("fund_recovery", "guarantor_recovery"))
        parts += led.total("bank_recovery", month=True)
        assert parts == pytest.approx(led.total("recovery", month=True), abs=1e-6), (
            "guarantor + fund + bank shares of a recovery add up to it"
        )
        recovered += led.total("recovery", month=True)
        for before, book, idx, shares, fund_before in claims[n_before:]:
            after = book.balance[idx]
            f, g = book.claim_fund[idx], book.claim_guarantor[idx]
            # a loan claimed and cured in the same month has been repaid: skip it
            open_ = book.active[idx]
            lhs = (f + g + after)[open_]
            assert lhs == pytest.approx(before[open_], abs=1e-6), "shares add up to the loss"
            if fund_before > before.sum():  # the fund had the money: nothing unpaid
                assert f[open_] == pytest.approx(shares.fund * before[open_], abs=1e-6)
                assert after[open_] == pytest.approx(shares.bank * before[open_], abs=1e-6)
    assert claims, f"{arrangement}: the stressed run must make claims"
    assert recovered > 0, f"{arrangement}: and recover some of them"


def test_one_bank_running_dry_is_not_the_fund_running_out():
    cfg = load_config("baseline", [*SMALL, "horizon.months=1"])
    model = build_model(cfg, seed=1)
    led, office = model.ledger, model.finance_office
    assert led.n_banks > 1, "the check needs other banks to pay bank 0's claim"
    spare = led.fund_balance.copy()
    spare[0] = 0.0
    led.opening_fund = led.opening_fund - (led.fund_balance - spare)
    bank0 = np.zeros(3, dtype=np.int64)
    paid = office._pay_from_fund(bank0, np.full(3, 10_000.0))
    assert paid.sum() == pytest.approx(30_000.0), "other banks' deposits pay bank 0's claim"
    assert led.total("fund_shortfall") == 0
    kinds = [e["event"] for e in model.recorder.events]
    assert kinds == ["bank_deposit_exhausted"], "a bank ran dry, the county fund did not"
    too_much = np.full(1, led.fund_balance.sum() + 5_000.0)
    paid = office._pay_from_fund(np.zeros(1, dtype=np.int64), too_much)
    assert led.total("fund_shortfall") == pytest.approx(5_000.0)
    assert "fund_exhausted" in [e["event"] for e in model.recorder.events]


def test_recalled_enterprise_with_too_little_cash_defaults_on_the_rest():
    cfg = load_config("baseline", [*SMALL, "horizon.months=2"])
    model = build_model(cfg, seed=2)
    book, ent = model.enterprise_loans, model.enterprises
    k = int(np.flatnonzero(book.active)[0])
    principal, balance = book.principal[k], book.balance[k]
    ent.cash[k] = -0.3 * principal
    means = -0.3 * principal + cfg.enterprise.recall_liquid_share * principal
    repaid_before = model.ledger.total("principal_repaid")
    ent_cycle.recall(model, np.array([k]))
    assert model.ledger.total("principal_repaid") - repaid_before == pytest.approx(means)
    assert book.balance[k] == pytest.approx(balance - means), "the rest stays owed"
    assert book.overdue[k] and ent.status[k] == DEFAULTED and ent.blacklisted[k]
    rich = int(np.flatnonzero(book.active)[1])
    ent.cash[rich] = 2 * book.principal[rich]
    ent_cycle.recall(model, np.array([rich]))
    assert not book.active[rich] and ent.blacklisted[rich], "enough cash: repaid in full"
    assert (ent.hh_enterprise != rich).all(), "its households are unlinked"


def test_blacklisted_enterprise_never_borrows_again_and_others_do():
    cfg = load_config("baseline", [*SMALL, "horizon.months=24", "enterprise.p_apply_monthly=1.0"])
    model = build_model(cfg, seed=2)
    book, ent = model.enterprise_loans, model.enterprises
    k, j = (int(i) for i in np.flatnonzero(book.active)[:2])
    ent.cash[[k, j]] = 10 * book.principal[[k, j]]
    ent_cycle.recall(model, np.array([k]))  # blacklisted, loan repaid
    ent_cycle._repay(model, np.array([j]), ent_cycle.REPAID)  # repaid at maturity, clean
    for _ in range(6):
        model.step()
    assert not book.active[k], "a blacklisted enterprise never borrows again"
    assert book.active[j] and book.ti_start[j] >= 0, "a clean one borrows again"
    assert (ent.hh_enterprise == j).sum() > 0, "and links the free households again"


def test_failure_shows_at_the_missed_payment(monkeypatch):
    """Households pay interest: a failure shows at a quarter end, before maturity if need be.

    The county pays it: a fully subsidised loan shows its failure only at maturity.
    """
    base = [*SMALL, "horizon.months=36", "uptake.term_probs=[0,0,1]", "default.pd_annual=0.1"]
    for payer in ("household", "county"):
        cfg = load_config("baseline", [*base, f"subsidy.interest_payer={payer}"])
        model = build_model(cfg, seed=4)
        seen, extended = [], []
        original_go, original_ext = lending.go_overdue, lending._extend

        def go(m, idx, seen=seen, original_go=original_go):
            seen.append((m.t, m.loans.ti_maturity[idx].copy()))
            original_go(m, idx)

        def ext(m, idx, t, extended=extended, original_ext=original_ext):
            extended.append((t, m.loans.ti_maturity[idx].copy()))
            original_ext(m, idx, t)

        monkeypatch.setattr(lending, "go_overdue", go)
        monkeypatch.setattr(lending, "_extend", ext)
        for _ in range(cfg.horizon.months):
            model.step()
        monkeypatch.undo()
        at_quarter = [model.calendar.quarter_end(t) or (mat == t).all() for t, mat in seen]
        months = np.array([model.calendar.month(t) for t, mat in seen for _ in mat])
        early = sum(int((mat > t).sum()) for t, mat in seen)
        ext_early = sum(int((mat > t).sum()) for t, mat in extended)
        if payer == "household":
            assert len(months) and all(at_quarter), "failures show at quarter ends (or maturity)"
            assert (months % 3 == 0).mean() > 0.8, "mostly at quarter ends"
            assert early > 0, "a 3-year loan's failure shows before maturity"
            assert ext_early > 0, "and §5 extension reaches it there too"
        else:
            assert early == 0 and ext_early == 0, "nothing is missed before maturity"


def test_opening_book_beyond_capacity_is_reported():
    cfg = load_config("baseline", [*SMALL, "horizon.months=2", "fund.initial=100000"])
    res = run(cfg, seed=1)
    assert res.summary["opening_book_exceeds_capacity"], "a tiny fund cannot carry the book"
    ok = run(load_config("baseline", [*SMALL, "horizon.months=2", "fund.initial=2e7"]), seed=1)
    assert not ok.summary["opening_book_exceeds_capacity"]


def test_sharing_files_declare_their_source():
    for path in (CONFIG_DIR / "sharing").glob("*.yaml"):
        text = Path(path).read_text(encoding="utf-8")
        assert "source:" in text and text.startswith("#"), f"{path.name}: header and source"


def test_recorded_class_balances_match_the_five_category_classes():
    cfg = load_config("baseline", [*STRESS, "horizon.months=30"])
    model = build_model(cfg, seed=3)
    for _ in range(cfg.horizon.months):
        model.step()
        row = model.recorder.rows[-1]
        for k, name in enumerate(CLASS_NAMES[1:], start=1):
            expected = sum(
                float(book.balance[model.loan_classes(book) == k].sum()) for book in model.books()
            )
            assert row[f"balance_{name}"] == pytest.approx(expected, abs=1e-6), name
    assert row["balance_doubtful"] > 0, "the run must reach the doubtful class"
