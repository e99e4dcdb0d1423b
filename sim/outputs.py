"""The declared output schema: every monthly column of ``timeseries.parquet`` and summary key.

Each column has a unit, a kind and a meaning, declared once here. The recorder builds the
monthly row in this order and refuses a column not declared here; ``analysis/`` reads the
units to format and sum columns, and ``analysis/labels.py`` must label every column (tests keep
both in step). Conventions: stocks are nouns valued at the month end (``loan_balance``), flows of
the month are ``new_*`` or a plain flow name (``principal_repaid``), running totals are
``cum_*``, counts ``n_*``. Money is in yuan.

Kinds:
    stock: a balance at the month end.
    flow: an amount or number of events during the month.
    cum: a running total since the start of the run.
    count: a number of households, villages, ... at the month end.
    ratio: a share in [0, 1] (or a multiple) at the month end.
    flag: true or false.
    id: a label of the row (step, month, year).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("stock", "flow", "cum", "count", "ratio", "flag", "id")


@dataclass(frozen=True)
class Column:
    """One output column."""

    name: str
    unit: str
    kind: str
    description: str


def _columns(rows: tuple[tuple[str, str, str, str], ...]) -> tuple[Column, ...]:
    return tuple(Column(*row) for row in rows)


# The cost to the county budget, one definition: these ledger flows, with their signs.
# Fund top-ups are not in it: they refill the fund whose payouts are.
FISCAL_COST_FLOWS: tuple[tuple[str, int], ...] = (
    ("interest_subsidy", 1),
    ("enterprise_interest_subsidy", 1),
    ("guarantee_fee_subsidy", 1),
    ("guarantor_reimbursed", 1),
    ("provincial_deposit_payout", 1),
    ("fund_payout", 1),
    ("fund_recovery", -1),
)

TIMESERIES: tuple[Column, ...] = _columns(
    (
        ("t", "step", "id", "months since horizon.start (0 = the first month)"),
        ("month", "month", "id", "calendar month, YYYY-MM"),
        ("year", "year", "id", "calendar year"),
        ("in_campaign", "flag", "flag", "the month lies in the campaign period"),
        ("n_households", "households", "count", "registered households"),
        ("n_rated", "households", "count", "households rated (§9)"),
        ("n_aware", "households", "count", "households aware of the policy (§12)"),
        ("n_households_with_loan", "households", "count", "households holding a loan"),
        ("cum_borrower_households", "households", "cum", "households that ever borrowed"),
        ("household_loan_rate", "share", "ratio", "户贷率: households that ever borrowed / all"),
        ("n_applications", "applications", "flow", "applications this month"),
        ("n_rejected_credit", "applications", "flow", "refused on grade, age or blacklist"),
        ("n_blocked_suspended", "applications", "flow", "turned away by a suspension (§6)"),
        ("n_blocked_capacity", "applications", "flow", "turned away: lending capacity used up"),
        ("new_loans", "loans", "flow", "household loans made this month"),
        ("new_borrower_households", "households", "flow", "first loans this month"),
        ("new_loan_amount", "yuan", "flow", "disbursed this month, household loans"),
        ("principal_repaid", "yuan", "flow", "principal repaid this month, both channels"),
        ("renewals", "loans", "flow", "renewals without repaying principal (§5)"),
        ("extensions", "loans", "flow", "extensions for failures beyond control (§5)"),
        ("new_overdue", "loans", "flow", "household loans falling overdue this month"),
        ("cures", "loans", "flow", "overdue household loans repaid in full this month"),
        ("loan_balance", "yuan", "stock", "the banks' own book, both channels"),
        ("loan_balance_household_channel", "yuan", "stock", "household channel (户贷户用)"),
        ("loan_balance_enterprise_channel", "yuan", "stock", "enterprise channel (企贷企用)"),
        ("overdue_balance", "yuan", "stock", "overdue loans on the banks' book"),
        ("npl_balance", "yuan", "stock", "substandard + doubtful + loss on the banks' book"),
        ("npl_ratio", "share", "ratio", "npl_balance / loan_balance (what the breaker reads)"),
        ("n_villages_suspended", "villages", "count", "villages suspended, own or by township"),
        ("n_townships_suspended", "townships", "count", "townships suspended"),
        ("balance_special_mention", "yuan", "stock", "special mention (关注): overdue <= 90 days"),
        ("balance_substandard", "yuan", "stock", "substandard (次级)"),
        ("balance_doubtful", "yuan", "stock", "doubtful (可疑)"),
        ("balance_loss", "yuan", "stock", "loss (损失)"),
        ("new_npl_balance", "yuan", "flow", "balance of loans non-performing now, not last month"),
        ("npl_outflow_repaid", "yuan", "flow", "NPL outflow: borrowers repaid (cures)"),
        ("npl_outflow_compensated", "yuan", "flow", "NPL outflow: fund and guarantor claims"),
        ("npl_outflow_written_off", "yuan", "flow", "NPL outflow: the banks wrote off"),
        ("npl_outflow", "yuan", "flow", "the three NPL outflows together"),
        ("new_claims", "yuan", "flow", "claims paid by the fund and guarantors this month"),
        ("new_writeoffs", "yuan", "flow", "written off by the banks this month"),
        ("new_losses", "yuan", "flow", "new_claims + new_writeoffs: left the banks' book"),
        ("cum_losses", "yuan", "cum", "claims paid + write-offs"),
        ("cum_losses_household_channel", "yuan", "cum", "cum_losses, household channel"),
        ("cum_losses_enterprise_channel", "yuan", "cum", "cum_losses, enterprise channel"),
        ("cum_bank_losses", "yuan", "cum", "written off by the banks"),
        ("cum_recoveries", "yuan", "cum", "recovered after claims and write-offs"),
        ("fund_balance", "yuan", "stock", "risk fund deposits at the partner banks"),
        ("fund_leverage", "multiple", "ratio", "loan_balance / fund_balance"),
        ("lending_capacity", "yuan", "stock", "deposit x leverage - balance, summed over banks"),
        ("cum_fund_payouts", "yuan", "cum", "the fund's shares of claims, paid"),
        ("cum_fund_shortfall", "yuan", "cum", "the fund's shares of claims it could not pay"),
        ("provincial_deposit", "yuan", "stock", "the fund's deposit at the provincial guarantor"),
        ("cum_provincial_deposit_payouts", "yuan", "cum", "drawn by the provincial guarantor"),
        ("compensation_fund", "yuan", "stock", "county fund refunding its guarantor (§10)"),
        ("cum_reimbursement_shortfall", "yuan", "cum", "refunds it could not pay"),
        ("cum_fund_topups", "yuan", "cum", "county budget paid into the fund"),
        ("cum_fund_recoveries", "yuan", "cum", "recoveries returned to the fund"),
        ("cum_interest_accrued", "yuan", "cum", "household interest accrued"),
        ("cum_interest_paid", "yuan", "cum", "household interest paid to the banks"),
        ("new_interest_subsidy", "yuan", "flow", "interest subsidy paid this month (§3)"),
        ("cum_interest_subsidy", "yuan", "cum", "interest subsidy paid (§3)"),
        ("interest_arrears", "yuan", "stock", "interest due and unpaid by households"),
        ("cum_enterprise_interest", "yuan", "cum", "interest paid by enterprises"),
        ("cum_enterprise_interest_subsidy", "yuan", "cum", "2 % subsidy to enterprises"),
        ("cum_guarantee_fee_subsidy", "yuan", "cum", "the county's part of guarantee fees (§4)"),
        ("cum_guarantee_fees", "yuan", "cum", "guarantee fees earned by the guarantors"),
        ("cum_guarantor_payouts", "yuan", "cum", "the guarantors' shares of claims (代偿)"),
        ("cum_guarantor_recoveries", "yuan", "cum", "recoveries returned to the guarantors"),
        ("cum_guarantor_reimbursed", "yuan", "cum", "refunds to the county guarantor (§10)"),
        ("guarantor_outstanding", "yuan", "stock", "guaranteed balance on the banks' book"),
        ("guarantor_net_assets", "yuan", "stock", "the guarantors' net assets"),
        ("n_blocked_guarantee", "applications", "flow", "approved loans waiting for guarantee"),
        ("n_enterprises_active", "enterprises", "count", "enterprises with a live loan"),
        ("n_enterprises_blacklisted", "enterprises", "count", "blacklisted enterprises (§2)"),
        ("cum_enterprise_defaults", "enterprises", "cum", "enterprise defaults"),
        ("cum_enterprise_recalls", "enterprises", "cum", "enterprise loans recalled (§2)"),
        ("n_linked_households", "households", "count", "households linked to an enterprise"),
        ("cum_leaked_loans", "loans", "cum", "household loans handed to enterprises (§14)"),
        ("n_poor", "households", "count", "registered households poor now"),
        ("n_exited", "households", "count", "registered households out of poverty now"),
        ("cum_returned_to_poverty", "households", "cum", "returns to poverty (返贫)"),
        ("cum_transfers", "yuan", "cum", "direct transfers to households"),
        ("cum_fiscal_cost", "yuan", "cum", "cost to the budget: sim.outputs.FISCAL_COST_FLOWS"),
        ("default_fraction", "share", "ratio", "share of the year's loan-years failing (Dec.)"),
        ("cohort_loan_years", "loan-years", "count", "loan-years starting this year (Dec.)"),
        ("n_never_borrowed", "households", "count", "loan state: never borrowed"),
        ("n_performing", "households", "count", "loan state: performing"),
        ("n_overdue", "households", "count", "loan state: overdue, not yet non-performing"),
        ("n_non_performing", "households", "count", "loan state: non-performing"),
        ("n_closed", "households", "count", "loan state: repaid, no loan now"),
        ("n_written_off", "households", "count", "loan state: written off"),
    )
)

# Scalar outcomes of a run (``summary.json``; one row per replicate in experiments).
SUMMARY: tuple[Column, ...] = _columns(
    (
        ("peak_npl_ratio", "share", "ratio", "county NPL ratio, worst month"),
        ("final_npl_ratio", "share", "ratio", "county NPL ratio, last month"),
        ("final_household_loan_rate", "share", "ratio", "户贷率 in the last month"),
        ("final_loan_balance", "yuan", "stock", "the banks' book in the last month"),
        ("peak_loan_balance", "yuan", "stock", "the banks' book, largest month"),
        ("total_new_lending", "yuan", "cum", "household loans disbursed over the run"),
        ("mean_new_loan_amount", "yuan", "ratio", "average household loan"),
        ("n_suspension_events", "events", "count", "suspensions of villages and townships"),
        ("months_with_suspension", "months", "count", "months with a place suspended"),
        ("peak_villages_suspended", "villages", "count", "most villages suspended at once"),
        ("min_fund_balance", "yuan", "stock", "lowest risk-fund balance (deposits at banks)"),
        ("fund_exhausted", "flag", "flag", "the fund as a whole could not pay a claim"),
        ("bank_deposit_exhausted", "flag", "flag", "one bank's deposit ran dry"),
        ("cum_losses", "yuan", "cum", "claims paid + write-offs"),
        ("cum_fund_payouts", "yuan", "cum", "the fund's shares of claims, paid"),
        ("cum_fund_topups", "yuan", "cum", "county budget paid into the fund"),
        ("cum_interest_subsidy", "yuan", "cum", "interest subsidy (§3)"),
        ("peak_interest_arrears", "yuan", "stock", "largest interest arrears of households"),
        ("cum_renewals", "loans", "cum", "renewals without repaying principal (§5)"),
        ("cum_extensions", "loans", "cum", "extensions (§5)"),
        ("cum_fiscal_cost", "yuan", "cum", "cost to the budget: FISCAL_COST_FLOWS"),
        ("final_enterprise_channel_share", "share", "ratio", "enterprise channel / balance, end"),
        ("cum_losses_household_channel", "yuan", "cum", "cum_losses, household channel"),
        ("cum_losses_enterprise_channel", "yuan", "cum", "cum_losses, enterprise channel"),
        ("cum_enterprise_defaults", "enterprises", "cum", "enterprise defaults"),
        ("cum_guarantor_payouts", "yuan", "cum", "the guarantors' shares of claims"),
        ("cum_guarantee_fee_subsidy", "yuan", "cum", "the county's part of guarantee fees"),
        ("cum_enterprise_interest_subsidy", "yuan", "cum", "2 % subsidy to enterprises"),
        ("cum_guarantor_reimbursed", "yuan", "cum", "refunds to the county guarantor"),
        ("final_n_poor", "households", "count", "registered households poor at the end"),
        ("final_n_exited", "households", "count", "registered households out of poverty"),
        ("cum_returned_to_poverty", "households", "cum", "returns to poverty (返贫)"),
        ("opening_loan_balance", "yuan", "stock", "the banks' book at the start"),
        ("opening_book_exceeds_capacity", "flag", "flag", "a bank opens above deposit x leverage"),
        ("return_to_poverty_rate_1y", "share", "ratio", "relapse within 1 year of exit"),
        ("return_to_poverty_rate_2y", "share", "ratio", "relapse within 2 years of exit"),
        ("return_to_poverty_rate_3y", "share", "ratio", "relapse within 3 years of exit"),
        ("relapse_after_support_end_1y", "share", "ratio", "poor again 1 year after supports"),
        ("relapse_after_support_end_2y", "share", "ratio", "poor again 2 years after supports"),
        ("relapse_after_support_end_3y", "share", "ratio", "poor again 3 years after supports"),
        (
            "cliff_income_change",
            "yuan per person per year",
            "flow",
            "income change as supports end",
        ),
        ("fund_required", "yuan", "stock", "smallest opening fund that pays every claim"),
        ("fund_claims", "yuan", "cum", "the fund's shares of claims, paid or not"),
        ("months_capacity_bound", "months", "count", "months lending hit capacity, fund whole"),
        ("mean_income_per_person_campaign_end", "yuan per person per year", "stock", "2020 income"),
    )
)

UNITS_COUNTED = (
    "households",
    "applications",
    "loans",
    "villages",
    "townships",
    "enterprises",
    "loan-years",
    "events",
    "months",
)


def names() -> tuple[str, ...]:
    """Names of the monthly columns, in order."""
    return tuple(c.name for c in TIMESERIES)


def column(name: str) -> Column | None:
    """The declaration of monthly column or summary key ``name`` (None if not declared)."""
    return _BY_NAME.get(name) or _SUMMARY_BY_NAME.get(name)


def check_summary(summary: dict) -> None:
    """Raise ``KeyError`` for a summary key not declared in ``SUMMARY``."""
    undeclared = sorted(set(summary) - set(_SUMMARY_BY_NAME))
    if undeclared:
        raise KeyError(f"undeclared summary keys {undeclared}: declare them in sim/outputs.py")


_BY_NAME = {c.name: c for c in TIMESERIES}
_SUMMARY_BY_NAME = {c.name: c for c in SUMMARY}
