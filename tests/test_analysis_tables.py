"""The township bulletin (§13) and the yearly scorecards (§17) against the village panel."""

from __future__ import annotations

import analysis_fixtures as fx
import numpy as np
import pandas as pd
import pytest

from analysis import tables
from analysis.source import read_run


@pytest.fixture(scope="module")
def villages(tmp_path_factory) -> pd.DataFrame:
    return read_run(fx.small_run(tmp_path_factory)).villages


def township_month(villages: pd.DataFrame, month: str, township: int) -> dict:
    """One bulletin line computed by hand from the villages of that township."""
    v = villages[(villages["month"] == month) & (villages["township"] == township)]
    return {
        "new_loans": v["new_loans"].sum(),
        "loan_balance": v["loan_balance"].sum(),
        "household_loan_rate": v["cum_borrowers"].sum() / v["n_households"].sum(),
        "overdue_balance": v["overdue_balance"].sum(),
        "npl_ratio": v["npl_balance"].sum() / v["loan_balance"].sum(),
        "township_suspended": v["township_suspended"].any(),
        "n_villages_suspended": v["village_suspended"].sum(),
    }


def test_bulletin_line_equals_its_villages(villages):
    bulletin = tables.township_bulletin(villages)
    months = sorted(villages["month"].unique())
    assert len(bulletin) == len(months) * villages["township"].nunique()
    for month, township in ((months[5], 3), (months[-1], 0), (months[20], 5)):
        row = bulletin[(bulletin["month"] == month) & (bulletin["township"] == township)].iloc[0]
        truth = township_month(villages, month, township)
        for key in (
            "new_loans",
            "loan_balance",
            "household_loan_rate",
            "overdue_balance",
            "npl_ratio",
            "n_villages_suspended",
        ):
            assert row[key] == pytest.approx(truth[key]), f"{key} in {month}, township {township}"
        prev = township_month(villages, months[months.index(month) - 1], township)
        assert row["change_loan_balance"] == pytest.approx(
            truth["loan_balance"] - prev["loan_balance"]
        )


def test_bulletin_status_follows_the_suspension_flags(villages):
    bulletin = tables.township_bulletin(villages)
    assert (bulletin["status"] != "normal").any(), "the test run should have suspensions"
    for row in bulletin[bulletin["status"] != "normal"].head(10).itertuples():
        truth = township_month(villages, row.month, row.township)
        expected = "township" if truth["township_suspended"] else "villages"
        assert row.status == expected
    first = bulletin[bulletin["month"] == bulletin["month"].min()]
    assert first["change_npl_ratio"].isna().all(), "no change in the first period"


def test_township_scorecard_ranks_by_the_indicators(villages):
    card = tables.scorecard(villages)
    year = int(card["year"].max())
    this = card[card["year"] == year]
    assert len(this) == villages["township"].nunique()
    end = villages[
        villages["month"] == villages.loc[villages["month"].str[:4] == str(year), "month"].max()
    ]
    rate = (
        end.groupby("township")["cum_borrowers"].sum()
        / end.groupby("township")["n_households"].sum()
    )
    best = this.loc[this["rank_household_loan_rate"] == 1, "township"]
    assert rate.idxmax() in set(best), "rank 1 on 户贷率 is the highest loan rate"
    lowest_npl = this.loc[this["npl_ratio"].idxmin(), "rank_npl_ratio"]
    assert lowest_npl == 1, "the lowest NPL ratio ranks first"
    in_year = villages[villages["month"].str[:4] == str(year)]
    np.testing.assert_array_equal(
        this.sort_values("township")["new_loans"].to_numpy(),
        in_year.groupby("township")["new_loans"].sum().to_numpy(),
    )
    assert this["rank_overall"].is_monotonic_increasing, "the card is sorted by overall rank"
    assert (this["mean_rank"].diff().dropna() >= 0).all(), "overall rank follows the mean rank"


def test_bank_scorecard_covers_all_villages(villages):
    card = tables.scorecard(villages, by="bank")
    assert set(card["bank"]) == set(villages["bank"])
    totals = card.groupby("year")["new_loan_amount"].sum()
    truth = villages.groupby(villages["month"].str[:4].astype(int))["new_loan_amount"].sum()
    np.testing.assert_allclose(totals.to_numpy(), truth.to_numpy())
