"""Tables for the county's routines: the township bulletin (§13) and yearly scorecards (§17).

Tables keep internal column names and codes (township and bank indices, status codes);
:mod:`analysis.localise` turns them into headers and text in the chosen language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import series

BULLETIN = [
    "month",
    "township",
    "new_loans",
    "new_loan_amount",
    "loan_balance",
    "household_loan_rate",
    "overdue_balance",
    "npl_ratio",
    "status",
    "n_villages_suspended",
    "change_loan_balance",
    "change_household_loan_rate",
    "change_npl_ratio",
]
CHANGES = {
    "loan_balance": "change_loan_balance",
    "household_loan_rate": "change_household_loan_rate",
    "npl_ratio": "change_npl_ratio",
}
# §17: higher is better for all but the NPL ratio
SCORES = {
    "rating_coverage": False,
    "household_loan_rate": False,
    "new_loans": False,
    "new_loan_amount": False,
    "npl_ratio": True,
}


def status_code(township_suspended: pd.Series, n_villages: pd.Series) -> pd.Series:
    """Status code: township (all suspended), villages (some suspended) or normal."""
    code = np.where(township_suspended, "township", np.where(n_villages > 0, "villages", "normal"))
    return pd.Series(code, index=township_suspended.index)


def township_bulletin(villages: pd.DataFrame) -> pd.DataFrame:
    """Per month and township: lending, 户贷率, overdue, NPL, suspension and monthly change."""
    panel = series.township_panel(villages).sort_values(["township", "t"])
    panel["status"] = status_code(panel["township_suspended"], panel["n_villages_suspended"])
    for col, change in CHANGES.items():
        panel[change] = panel.groupby("township")[col].diff()
    return panel.sort_values(["t", "township"])[BULLETIN].reset_index(drop=True)


def latest_bulletin(bulletin: pd.DataFrame) -> pd.DataFrame:
    """The bulletin of the last month only."""
    return bulletin[bulletin["month"] == bulletin["month"].max()].reset_index(drop=True)


def scorecard(villages: pd.DataFrame, by: str = "township") -> pd.DataFrame:
    """Yearly §17 indicators per township (or bank) with ranks (1 = best) and overall rank.

    Stocks and ratios are taken at the last month of each year, flows summed over the
    year. The overall rank orders units by their mean rank (indicators unweighted: the
    county's scoring weights are not published).
    """
    panel = series.township_panel(villages, by=by)
    panel["year"] = panel["month"].str[:4].astype(int)
    ends = panel.sort_values("t").groupby(["year", by]).last()
    flows = panel.groupby(["year", by])[["new_loans", "new_loan_amount"]].sum()
    card = pd.concat(
        [ends[["rating_coverage", "household_loan_rate", "npl_ratio"]], flows], axis=1
    )[list(SCORES)].reset_index()
    for col, ascending in SCORES.items():
        card[f"rank_{col}"] = _rank(card, col, ascending)
    card["mean_rank"] = card[[f"rank_{c}" for c in SCORES]].mean(axis=1)
    card["rank_overall"] = _rank(card, "mean_rank", True)
    return card.sort_values(["year", "rank_overall", by]).reset_index(drop=True)


def _rank(card: pd.DataFrame, col: str, ascending: bool) -> pd.Series:
    ranks = card.groupby("year")[col].rank(method="min", ascending=ascending)
    return ranks.astype(int)
