"""Fiscal cost by budget line and year, from the monthly series.

Lines: the interest subsidy (monthly ``new_interest_subsidy`` summed by year); fund payouts
net of recoveries and fund top-ups (running totals differenced to yearly flows); and any
further budget line the model records as a running total (guarantee-fee subsidy, guarantor
reimbursement, draws on the deposit at the provincial guarantor, enterprise interest subsidy,
or a later ``cum_*subsidy*`` / ``cum_*reimburs*``
column, but not ``cum_reimbursement_shortfall``, the refunds left unpaid). Top-ups refill the fund that pays the payouts, so the two are shown side by side
rather than adding up to the model's ``cum_fiscal_cost`` (subsidy + net payouts).
"""

from __future__ import annotations

import re

import pandas as pd

CUM_LINES = {
    "fund_topups": "cum_fund_topups",
    "guarantee_fee_subsidy": "cum_guarantee_fee_subsidy",
    "guarantor_reimbursed": "cum_guarantor_reimbursed",
    "provincial_deposit_payouts": "cum_provincial_deposit_payouts",
    "enterprise_interest_subsidy": "cum_enterprise_interest_subsidy",
}
# refunds the county compensation fund could not pay: money the budget did not spend
UNPAID = {"cum_reimbursement_shortfall"}
NOT_EXTRA = {"cum_interest_subsidy", "cum_fiscal_cost", *CUM_LINES.values(), *UNPAID}
EXTRA = re.compile(r"^cum_\w*(subsid|reimburs)")


def budget_columns(columns: pd.Index) -> dict[str, str]:
    """Budget line -> running-total column, for the lines present in ``columns``."""
    lines = {line: col for line, col in CUM_LINES.items() if col in columns}
    extra = [c for c in columns if EXTRA.match(c) and c not in NOT_EXTRA]
    lines.update({c.removeprefix("cum_"): c for c in extra})
    return lines


def _year(data: pd.DataFrame) -> pd.Series:
    return data["year"] if "year" in data.columns else data["month"].str[:4].astype(int)


def _yearly_from_cum(data: pd.DataFrame, cum: pd.Series) -> pd.Series:
    """Year-end value of a running total minus the previous year-end (per replicate)."""
    rep = data["replicate"] if "replicate" in data.columns else 0
    frame = pd.DataFrame({"rep": rep, "year": _year(data), "t": data["t"], "cum": cum})
    ends = frame.sort_values("t").groupby(["rep", "year"])["cum"].last()
    return ends.groupby(level="rep").diff().fillna(ends)


def fiscal_by_year(data: pd.DataFrame) -> pd.DataFrame:
    """Yearly flow of each budget line (yuan); mean over replicates for a long table."""
    rep = data["replicate"] if "replicate" in data.columns else 0
    frame = pd.DataFrame({"rep": rep, "year": _year(data)})
    lines = {}
    if "new_interest_subsidy" in data.columns:
        lines["interest_subsidy"] = (
            data["new_interest_subsidy"].groupby([frame["rep"], frame["year"]]).sum()
        )
    if "cum_fund_payouts" in data.columns:
        net = data["cum_fund_payouts"] - data.get("cum_fund_recoveries", 0.0)
        lines["fund_payouts_net"] = _yearly_from_cum(data, net)
    for line, col in budget_columns(data.columns).items():
        lines[line] = _yearly_from_cum(data, data[col])
    table = pd.DataFrame(lines)
    table.index = table.index.set_names(["rep", "year"])
    return table.groupby(level="year").mean()
