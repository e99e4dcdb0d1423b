"""A ledger dated 2022-06 starts the run in 2022-06 with the imported book."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from data_fixtures import SALT, tiny_tables, write_folder

from sim import build_model, load_config, run
from sim.county import LABOUR_NONE
from sim.loans import DOUBTFUL, NORMAL, SPECIAL_MENTION, SUBSTANDARD
from sim.poverty import NO_YEAR

# no late repayment and no write-off in the first month: month-end NPL = imported NPL
STILL = ["default.p_cure_monthly=0", "loss.claim_dpd=3000", "loss.writeoff_dpd=null"]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    return write_folder(tmp_path / "county", tiny_tables("2022-06"))


def test_start_month_and_horizon_follow_the_ledgers(folder):
    cfg = load_config("baseline", ["county=files", f"county.path={folder}"])
    assert cfg.horizon.start == "2022-06"
    assert cfg.horizon.months == 79, "2022-06 .. 2028-12 (horizon.end) is 79 months"
    assert (
        load_config(
            "baseline", ["county=files", f"county.path={folder}", "horizon.months=6"]
        ).horizon.months
        == 6
    )


def test_imported_balances_classes_ages_and_guarantors_at_month_0(folder):
    cfg = load_config("baseline", ["county=files", f"county.path={folder}", *STILL])
    m = build_model(cfg, seed=1)
    loans = m.loans
    # households 0, 1, 3, 6, 7 borrow (roster order is kept within each village)
    borrowers = np.flatnonzero(loans.active)
    assert borrowers.tolist() == [0, 1, 3, 6, 7]
    assert loans.balance[borrowers].tolist() == [50000, 30000, 40000, 45000, 20000]
    assert m.loan_classes()[borrowers].tolist() == [
        NORMAL,
        SPECIAL_MENTION,  # 45 days
        SUBSTANDARD,  # 95 days
        DOUBTFUL,  # 200 days
        NORMAL,
    ]
    # ages: signed 9, 6, 20, 15 and 5 months before 2022-06
    assert loans.ti_start[borrowers].tolist() == [-9, -6, -20, -15, -5]
    assert loans.ti_maturity[borrowers].tolist() == [3, 6, 4, 21, 7]
    assert loans.guarantor[borrowers].tolist() == [1, 1, -1, 0, 1]  # county, county, none, prov.
    assert loans.renewed[0] == 1 and loans.extended[3] == 1
    assert m.enterprise_loans.balance.tolist() == [50000]
    assert m.enterprise_loans.ti_start[0] == -17
    assert m.ledger.opening_loans.sum() == 235000.0
    # the NPL ratio of each village at month 0, from the ledger by hand
    v_balance = np.array([50000 + 30000 + 50000, 40000, 45000 + 20000])
    v_npl = np.array([0, 40000, 45000])
    npl = loans.non_performing(cfg.classification.substandard_dpd)
    book_npl = m.county.village_sum(loans.balance * npl)
    book_balance = m.county.village_sum(loans.balance) + m.enterprise_loans.balance_by(
        m.enterprise_loans.village, 3
    )
    np.testing.assert_array_equal(book_npl, v_npl)
    np.testing.assert_array_equal(book_balance, v_balance)
    # exited households keep their exit year; the one still poor stays poor
    assert m.poverty.poor.tolist() == [False] * 8 + [True]
    assert m.poverty.last_exit[:3].tolist() == [2019, 2019, 2020]


def test_the_run_starts_in_2022_06_with_the_imported_npl(folder):
    cfg = load_config("baseline", ["county=files", f"county.path={folder}", *STILL])
    res = run(cfg, seed=1)
    ts, villages = res.timeseries, res.villages
    assert ts["month"].iloc[0] == "2022-06" and ts["month"].iloc[-1] == "2028-12"
    # no cure and no write-off: the imported NPL loans are still NPL at the end of month 0
    first = villages[villages["t"] == 0].sort_values("village")
    assert first["npl_balance"].tolist() == [0.0, 40000.0, 45000.0]
    assert ts["npl_balance"].iloc[0] == 85000.0
    assert ts["npl_ratio"].iloc[0] == pytest.approx(85000.0 / ts["loan_balance"].iloc[0])


def test_transition_period_rules_apply_from_a_2022_start(folder):
    cfg = load_config(
        "baseline",
        [
            "county=files",
            f"county.path={folder}",
            "horizon.months=24",
            "subsidy.transition_share=0.5",
        ],
    )
    m = build_model(cfg, seed=1)
    assert not m.calendar.in_campaign(0), "2022 lies after the campaign (ended 2020-12)"
    # loans signed in 2020 were signed in the campaign: full interest subsidy; later ones the
    # transition share
    assert m.loans.subsidy_share[3] == 1.0
    assert m.loans.subsidy_share[0] == 0.5
    res = run(cfg, seed=1)
    assert res.summary["opening_loan_balance"] == 235000.0
    assert isinstance(res.timeseries, pd.DataFrame) and len(res.timeseries) == 24


def test_a_worker_refuses_files_changed_since_the_configuration(folder):
    from sim.config import ConfigError, to_container

    cfg = to_container(load_config("baseline", ["county=files", f"county.path={folder}"]))
    loans = pd.read_csv(folder / "loans.csv")
    loans.loc[0, "贷款余额"] = 49000
    loans.to_csv(folder / "loans.csv", index=False)
    with pytest.raises(ConfigError, match="the files changed since this configuration was made"):
        build_model(cfg, seed=1)


def test_a_roster_without_poverty_status_starts_every_household_poor(tmp_path, monkeypatch):
    # the column is optional (default poor): no household may start exited by the synthetic
    # cohorts, and the public-welfare jobs go to the households the roster has poor
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    tables = tiny_tables("2022-06")
    tables["households"] = tables["households"].drop(columns=["贫困状态", "脱贫年度"])
    folder = write_folder(tmp_path / "county", tables)
    cfg = load_config("baseline", ["county=files", f"county.path={folder}", "income.job_share=1"])
    m = build_model(cfg, seed=1)
    assert m.poverty.poor.all()
    assert (m.poverty.last_exit == NO_YEAR).all()
    able = m.county.hh_labour != LABOUR_NONE
    assert m.poverty.has_job.tolist() == able.tolist()


def test_public_jobs_at_the_start_follow_the_roster_status(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    tables = tiny_tables("2022-06")
    tables["households"].loc[8, "劳动能力"] = "有劳动力"  # the one household the roster has poor
    folder = write_folder(tmp_path / "county", tables)
    cfg = load_config("baseline", ["county=files", f"county.path={folder}", "income.job_share=1"])
    m = build_model(cfg, seed=1)
    assert m.poverty.has_job.tolist() == [False] * 8 + [True]


def test_amounts_and_rates_as_an_office_writes_them(tmp_path, monkeypatch):
    # thousands separators, 元 and 万元, and rates in per cent open the same book as plain numbers
    monkeypatch.setenv("MICROCREDIT_SALT", SALT)
    plain = build_model(
        load_config(
            "baseline",
            ["county=files", f"county.path={write_folder(tmp_path / 'plain', tiny_tables())}"],
        ),
        seed=1,
    )
    tables = tiny_tables()
    loans = tables["loans"]
    loans["贷款金额"] = ["50,000", "3万元", "40000元", "5万", "20,000.00 元", "50,000"]
    loans["贷款余额"] = ["50,000", "3万元", "4.0万", "45,000", "20000", "5 万元"]
    loans["年利率"] = ["3.85%", "3.85%", "4.75%", "0.0385", "3.85 %", "4.75%"]
    m = build_model(
        load_config(
            "baseline",
            ["county=files", f"county.path={write_folder(tmp_path / 'office', tables)}"],
        ),
        seed=1,
    )
    for book, same in ((m.loans, plain.loans), (m.enterprise_loans, plain.enterprise_loans)):
        assert book.principal.tolist() == same.principal.tolist()
        assert book.balance.tolist() == same.balance.tolist()
        assert book.rate.tolist() == same.rate.tolist()
    assert m.ledger.opening_loans.sum() == 235000.0
