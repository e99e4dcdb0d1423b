"""What kind of number each result column is, so it is formatted and summed the right way.

Kinds: ``money`` (yuan), ``share`` (0-1), ``count``, ``multiple`` (x times), ``flag``
(true/false), ``id`` (a year, seed or index: no separators), ``month`` (a "YYYY-MM"
label), ``text`` and ``number`` (anything else).
Names follow the model's conventions (``n_*`` counts, ``cum_*`` running totals, ``p_*``
probabilities), so columns added later get a sensible kind without a change here.
"""

from __future__ import annotations

import re

from sim.outputs import UNITS_COUNTED, column

UNIT_KINDS = {
    "yuan": "money",
    "yuan per person per year": "money",
    "share": "share",
    "multiple": "multiple",
    "flag": "flag",
    "month": "month",
    "year": "id",
    "step": "id",
    **dict.fromkeys(UNITS_COUNTED, "count"),
}
EXPLICIT = {
    "month": "month",
    "scenario": "text",
    "outcome": "text",
    "status": "text",
    "t": "id",
    "year": "id",
    "seed": "id",
    "replicate": "id",
    "township": "text",
    "bank": "text",
    "fund_leverage": "multiple",
    "leverage": "multiple",
    "default_fraction": "share",
    "cohort_loan_years": "count",
    "cum_renewals": "count",
    "cum_extensions": "count",
    "cum_returned_to_poverty": "count",
    "renewals": "count",
    "extensions": "count",
    "cures": "count",
    "new_loans": "count",
    "new_overdue": "count",
    "new_borrower_households": "count",
    "cum_borrowers": "count",
    "cum_borrower_households": "count",
    "months_with_suspension": "count",
    "months_capacity_bound": "count",
    "fund_required": "money",
    "fund_claims": "money",
    "density": "share",
    "mass": "share",
    "years_since_exit": "count",
    "exit_year": "id",
    "years_relative_to_support_end": "count",
    "mean_income_per_person": "money",
    "cliff_income_change": "money",
    "relapse_after_support_end_1y": "share",
    "relapse_after_support_end_2y": "share",
    "relapse_after_support_end_3y": "share",
    "mean_income_per_person_campaign_end": "money",
    "ensemble_set": "id",
    "cum_leaked_loans": "count",
    "cum_enterprise_defaults": "count",
    "cum_enterprise_recalls": "count",
    "cum_transfers": "money",
    "alpha": "share",
    "mean_rank": "number",
    "value": "number",
}

PATTERNS = [
    (r"^(n|rank)_|_rank$|^n$", "count"),
    (r"(ratio|_rate|coverage|^p_|_share)", "share"),
    (
        r"^(in_campaign|fund_exhausted|feasible|suspended|village_suspended|township_suspended"
        r"|in_rectification|blacklisted)$",
        "flag",
    ),
    (
        r"(balance|amount|lending|subsid|losses|recoveries|payouts|topups|shortfall|cost|arrears"
        r"|repaid|capacity|fund_initial|reimburs|fiscal|fees|outstanding|assets|transfers"
        r"|interest|income|cash)",
        "money",
    ),
]


def kind(name: str) -> str:
    """Kind of the column or outcome ``name`` (see module docstring).

    A monthly column takes the kind of its declared unit (:mod:`sim.outputs`); other names
    (summary keys, experiment tables) follow the lists and naming patterns below.
    """
    declared = column(name)
    if declared is not None:
        return UNIT_KINDS[declared.unit]
    if name in EXPLICIT:
        return EXPLICIT[name]
    for pattern, k in PATTERNS:
        if re.search(pattern, name):
            return k
    return "number"
