"""Monthly series prepared for charts: replicate bands, leverage, exhaustion, township panels.

A "long" table is a timeseries with a ``replicate`` column (an experiment's replicates
stacked); a single run's timeseries is the one-replicate case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BAND = (0.05, 0.5, 0.95)
FAN = (0.05, 0.25, 0.5, 0.75, 0.95)


def month_x(months: pd.Series | pd.Index) -> pd.Index:
    """``"YYYY-MM"`` labels as decimal years (2019-01 -> 2019.0, 2019-07 -> 2019.5).

    Charts plot time on this plain numeric axis: the same picture as a date axis without
    the cost of date tick locators.
    """
    text = pd.Series(months).astype(str)
    x = text.str[:4].astype(int) + (text.str[5:7].astype(int) - 1) / 12
    return pd.Index(x.to_numpy(), name="x")


def n_replicates(data: pd.DataFrame) -> int:
    """Number of replicates in a long table (1 for a single run's timeseries)."""
    return int(data["replicate"].nunique()) if "replicate" in data.columns else 1


def quantiles(data: pd.DataFrame, column: str, qs: tuple[float, ...] = BAND) -> pd.DataFrame:
    """Quantiles of ``column`` across replicates per month; index = :func:`month_x`."""
    grouped = data.groupby("month", sort=True)[column]
    out = pd.DataFrame({q: grouped.quantile(q) for q in qs})
    out.index = month_x(out.index)
    return out


def with_leverage(data: pd.DataFrame) -> pd.DataFrame:
    """Add ``leverage`` = loan balance / fund balance (NaN when the fund is empty)."""
    fund = data["fund_balance"].where(data["fund_balance"] > 0)
    return data.assign(leverage=data["loan_balance"] / fund)


def exhausted(data: pd.DataFrame) -> pd.Series:
    """Per row: the fund has failed to pay a claim (a shortfall recorded by then).

    The summary's ``fund_exhausted`` by month: a fund at zero that has not had to pay a claim
    has not failed one. Tables without ``cum_fund_shortfall`` fall back on a balance at or
    below zero.
    """
    if "cum_fund_shortfall" in data.columns:
        return data["cum_fund_shortfall"] > 0
    return data["fund_balance"] <= 0


def exhaustion_probability(data: pd.DataFrame) -> pd.Series:
    """Share of replicates whose fund has been exhausted by each month; index = :func:`month_x`."""
    rep = data["replicate"] if "replicate" in data.columns else pd.Series(0, index=data.index)
    frame = pd.DataFrame({"month": data["month"], "replicate": rep, "flag": exhausted(data)})
    frame = frame.sort_values(["replicate", "month"])
    frame["ever"] = frame.groupby("replicate")["flag"].cummax()
    prob = frame.groupby("month", sort=True)["ever"].mean()
    prob.index = month_x(prob.index)
    return prob


def township_panel(villages: pd.DataFrame, by: str = "township") -> pd.DataFrame:
    """Villages summed by township (or ``by="bank"``) and month, ratios recomputed from sums."""
    sums = villages.groupby(["t", "month", by], as_index=False).agg(
        n_villages=("village", "size"),
        n_households=("n_households", "sum"),
        n_rated=("n_rated", "sum"),
        cum_borrowers=("cum_borrowers", "sum"),
        new_loans=("new_loans", "sum"),
        new_loan_amount=("new_loan_amount", "sum"),
        loan_balance=("loan_balance", "sum"),
        overdue_balance=("overdue_balance", "sum"),
        npl_balance=("npl_balance", "sum"),
        n_villages_suspended=("village_suspended", "sum"),
        township_suspended=("township_suspended", "any"),
    )
    sums["npl_ratio"] = _ratio(sums["npl_balance"], sums["loan_balance"])
    sums["household_loan_rate"] = _ratio(sums["cum_borrowers"], sums["n_households"])
    sums["rating_coverage"] = _ratio(sums["n_rated"], sums["n_households"])
    return sums


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """Ratio of two sums, 0 where the denominator is 0 (no loans means no bad loans)."""
    return pd.Series(np.where(den > 0, num / den.where(den > 0, 1), 0.0), index=num.index)


def npl_matrix(villages: pd.DataFrame) -> pd.DataFrame:
    """Township x month NPL ratio (rows townships, columns month labels)."""
    panel = township_panel(villages)
    return panel.pivot(index="township", columns="month", values="npl_ratio").sort_index()


def suspension_matrix(villages: pd.DataFrame) -> pd.DataFrame:
    """Township x month suspension level: 2 township suspended, 1 some village, 0 none."""
    panel = township_panel(villages)
    level = np.where(
        panel["township_suspended"], 2, np.where(panel["n_villages_suspended"] > 0, 1, 0)
    )
    panel = panel.assign(level=level)
    return panel.pivot(index="township", columns="month", values="level").sort_index()


def suspension_matrix_from_events(events: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Township x month suspension level rebuilt from suspension/resumption events."""
    townships = sorted(int(x) for x in events["township"].dropna().unique())
    level = pd.DataFrame(0, index=townships, columns=months)
    level.index.name = "township"
    for (lvl, _), group in events.sort_values("t").groupby(["level", "index"]):
        code = 2 if lvl == "township" else 1
        for start, end in _intervals(group, len(months)):
            township = int(group["township"].iloc[0])
            cols = level.columns[start:end]
            level.loc[township, cols] = np.maximum(level.loc[township, cols], code)
    return level


def _intervals(group: pd.DataFrame, n_months: int) -> list[tuple[int, int]]:
    """[start, end) month indices of each suspension of one unit; open ones run to the end."""
    spans, start = [], None
    for event, t in zip(group["event"], group["t"], strict=True):
        if event == "suspension" and start is None:
            start = int(t)
        elif event == "resumption" and start is not None:
            spans.append((start, int(t)))
            start = None
    if start is not None:
        spans.append((start, n_months))
    return spans


def runs_of(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True in a 1-d boolean array."""
    padded = np.concatenate([[False], flags.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
