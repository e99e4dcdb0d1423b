"""One declaration per numeric parameter: unit, valid range, kind and source.

The schema in :mod:`sim.config` gives each key its type; the values and their per-value
sources are in ``configs/``. This table adds what the type cannot say, once per key:

* ``range``: the values the model accepts, in interval notation (``"[0, 1]"``,
  ``"(0, inf)"``); for a list it applies to every entry. :func:`sim.validate.validate`
  refuses a value outside it, and any NaN or infinity anywhere, naming the key.
* ``unit``: yuan, share, per year, months, days, years, persons, count, sd units, ...
* ``kind``: ``lever`` (a choice of the county or its banks), ``uncertainty`` (a fact about
  the world that policy cannot set), ``constant`` (a known fact: the county's size, a
  benchmark rate) or ``setting`` (how the model is run or structured).
* ``source``: the policy section (§n of 上政办〔2019〕3号) or public figure behind the
  default, or ``assumption``; ``docs/sources.md`` gives the full references.
* ``explore``: the range varied by the sensitivity analysis (``sim/experiments/levers.py``
  reads it); it must lie inside the valid range.

``tests/test_parameters.py`` fails when a numeric schema field has no declaration or a
declaration names no field; ``docs/parameters.md`` is generated from this table
(``python -m sim.parameters > docs/parameters.md``) and a test keeps it current.
"""

from __future__ import annotations

import functools
import math
import re
import types
from dataclasses import dataclass, field

KINDS = ("lever", "uncertainty", "constant", "setting")
_INTERVAL = re.compile(r"^([\[(])\s*(-?inf|[-+0-9.e]+)\s*,\s*(inf|[-+0-9.e]+)\s*([\])])$")


@dataclass(frozen=True)
class Explore:
    """A sensitivity-analysis range of one parameter (or one entry of a list parameter)."""

    low: float
    high: float
    note: str = ""
    index: int | None = None  # entry of a list parameter
    role: str | None = None  # "inert" for a control whose indices must come out zero


@dataclass(frozen=True)
class Declaration:
    """What the model knows about one configuration key besides its type."""

    key: str  # "group.name"; "default.shocks.z" for a field of each list element
    range: str  # interval notation, e.g. "[0, 1]", "(0, inf)"
    unit: str
    kind: str  # one of KINDS
    source: str
    explore: tuple[Explore, ...] = field(default=())

    @property
    def bounds(self) -> tuple[float, float, bool, bool]:
        """``(low, high, low_included, high_included)``."""
        m = _INTERVAL.match(self.range)
        if not m:
            raise ValueError(f"{self.key}: range {self.range!r} is not interval notation")
        return float(m.group(2)), float(m.group(3)), m.group(1) == "[", m.group(4) == "]"

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the valid range."""
        lo, hi, lo_in, hi_in = self.bounds
        above = value >= lo if lo_in else value > lo
        below = value <= hi if hi_in else value < hi
        return above and below


def _d(key, range_, unit, kind, source, *explore) -> Declaration:
    return Declaration(key, range_, unit, kind, source, tuple(explore))


E = Explore
P01 = "[0, 1]"
POS = "(0, inf)"
NONNEG = "[0, inf)"
ASSUMPTION = "assumption"

DECLARATIONS: tuple[Declaration, ...] = (
    # -- horizon -------------------------------------------------------------------------
    _d("horizon.months", "[1, 600]", "months", "setting", "to 2028-12: three years past the transition period (to 2025-12)"),
    # -- county (configs/county/) --------------------------------------------------------
    _d("county.n_townships", "[1, inf)", "count", "constant", "NBS 2023 division codes (26); at most county.n_villages"),
    _d("county.n_villages", "[1, inf)", "count", "constant", "county news (448 villages with registered poor households)"),
    _d("county.n_households", "[1, inf)", "count", "constant", "People's Daily 2020-12-04 (53,746 registered poor households)"),
    _d("county.village_size_sigma", "[0, 5]", "log sd", "uncertainty", ASSUMPTION),
    _d("county.min_village_households", "[1, inf)", "households", "setting", ASSUMPTION),
    _d("county.household_size_probs", P01, "share", "uncertainty", ASSUMPTION),
    _d("county.head_age_mean", "[16, 100]", "years", "uncertainty", ASSUMPTION),
    _d("county.head_age_sd", "(0, 50]", "years", "uncertainty", ASSUMPTION),
    _d("county.head_age_min", "[0, 120]", "years", "setting", ASSUMPTION),
    _d("county.head_age_max", "[0, 120]", "years", "setting", ASSUMPTION),
    _d("county.labour_shares", P01, "share", "uncertainty", ASSUMPTION),
    _d("county.n_health_shock_villages", NONNEG, "count", "constant", "national press (22 villages); scales with county.n_villages"),
    _d("county.health_shock_no_labour_share", P01, "share", "uncertainty", ASSUMPTION),
    _d("county.skills_beta", "(0, 1000]", "Beta parameter", "uncertainty", ASSUMPTION),
    _d("county.sector_shares", P01, "share", "uncertainty", "county industry reports; assumption"),
    _d("county.n_banks", "[1, inf)", "count", "constant", "分片包干; assumption (4); at most county.n_townships"),
    # -- rating (§9, §12) ----------------------------------------------------------------
    _d("rating.coverage_start", P01, "share", "uncertainty", ASSUMPTION),
    _d("rating.months_to_full_coverage", "[0, 600]", "months", "lever", "§9; assumption"),
    _d("rating.awareness_start", P01, "share", "uncertainty", ASSUMPTION),
    _d("rating.months_to_full_awareness", "[0, 600]", "months", "lever", "§12; assumption"),
    _d("rating.skill_weight", "[0, 10]", "sd units", "uncertainty", ASSUMPTION),
    _d("rating.noise_sd", "[0, 10]", "sd units", "uncertainty", ASSUMPTION,
       E(0.2, 1.0, "rating error; assumption")),
    _d("rating.grade_thresholds", "[-10, 10]", "sd units", "setting", ASSUMPTION),
    _d("rating.grade_credit_lines", NONNEG, "yuan", "lever", "Lushi: grade A or above 50,000"),
    # -- uptake (§1) ---------------------------------------------------------------------
    _d("uptake.p_willing", P01, "probability", "uncertainty", ASSUMPTION,
       E(0.5, 0.9, "full labour capacity; assumption", index=0),
       E(0.2, 0.6, "weak labour capacity; assumption", index=1)),
    _d("uptake.hazard_monthly_campaign", P01, "per month", "uncertainty", ASSUMPTION,
       E(0.02, 0.12, "assumption; uptake 27-50 %")),
    _d("uptake.hazard_monthly_transition", P01, "per month", "uncertainty", ASSUMPTION,
       E(0.01, 0.06, "Datong 11-15 %/yr")),
    _d("uptake.repeat_hazard_multiplier", "[0, 10]", "multiple", "uncertainty", ASSUMPTION),
    _d("uptake.reapply_wait_months", "[0, 600]", "months", "uncertainty", ASSUMPTION),
    _d("uptake.amount_beta", "(0, 1000]", "Beta parameter", "uncertainty", ASSUMPTION),
    _d("uptake.amount_step", POS, "yuan", "setting", "loans in whole thousands"),
    _d("uptake.term_probs", P01, "probability", "uncertainty", ASSUMPTION),
    _d("uptake.initial_loan_share", P01, "share", "uncertainty", "household loan rate ~27 % before 2019; assumption"),
    # -- credit (§3, §9) -----------------------------------------------------------------
    _d("credit.loan_cap", POS, "yuan", "lever", "§3 (50,000)"),
    _d("credit.age_limit", "[16, 120]", "years", "lever", "§9 relaxed age limit; assumption",
       E(65, 75, "§9 relaxed age limit")),
    _d("credit.rate_1y", P01, "per year", "constant", "PBoC 1-year benchmark since 2015-10-24"),
    _d("credit.rate_multi", P01, "per year", "constant", "PBoC 1-5-year benchmark"),
    _d("credit.rate_transition", P01, "per year", "constant", "1-year LPR from 2020-04"),
    # -- subsidy (§3) --------------------------------------------------------------------
    _d("subsidy.max_amount", NONNEG, "yuan", "lever", "§3"),
    _d("subsidy.max_term_years", "[0, 30]", "years", "lever", "§3"),
    _d("subsidy.transition_share", P01, "share", "lever", ASSUMPTION),
    _d("subsidy.settlement_delay_quarters", "[0, 40]", "quarters", "lever", "§3 quarterly settlement",
       E(0, 4, "§3 quarterly settlement, late")),
    _d("subsidy.household_float_quarters", "[0, 40]", "quarters", "uncertainty", ASSUMPTION),
    # -- default (project failure) -------------------------------------------------------
    _d("default.pd_annual", "(0, 1)", "per year", "uncertainty", "Guizhou 2018 (~4 % of maturing loans); assumption",
       E(0.01, 0.08, "'not high' .. ~4 % of maturing loans")),
    _d("default.rho_county", "[0, 1)", "correlation", "uncertainty", "Basel other-retail R 0.03-0.16",
       E(0.0, 0.10, "Basel other retail R 0.03-0.16")),
    _d("default.rho_township", "[0, 1)", "correlation", "uncertainty", ASSUMPTION,
       E(0.0, 0.08, ASSUMPTION)),
    _d("default.rho_sector", "[0, 1)", "correlation", "uncertainty", ASSUMPTION,
       E(0.0, 0.08, ASSUMPTION)),
    _d("default.grade_pd_multipliers", "(0, 100]", "multiple", "uncertainty", ASSUMPTION),
    _d("default.labour_pd_multipliers", "(0, 100]", "multiple", "uncertainty", ASSUMPTION),
    _d("default.sector_pd_multipliers", "(0, 100]", "multiple", "uncertainty", ASSUMPTION),
    _d("default.p_wilful", P01, "share", "uncertainty", ASSUMPTION, E(0.05, 0.30, ASSUMPTION)),
    _d("default.extension_pd_multiplier", "(0, 100]", "multiple", "uncertainty", ASSUMPTION),
    _d("default.p_cure_monthly", P01, "per month", "uncertainty", ASSUMPTION,
       E(0.01, 0.10, ASSUMPTION)),
    _d("default.shocks.year", "[1900, 2200]", "calendar year", "setting", "scenario files"),
    _d("default.shocks.z", "[-20, 20]", "sd units", "setting", "scenario files"),
    # -- maturity (§5) -------------------------------------------------------------------
    _d("maturity.renewal_max_term_years", "[1, 3]", "years", "lever", "§5 1-year loans"),
    _d("maturity.p_renewal_request", P01, "probability", "lever", "§5; assumption",
       E(0.3, 0.9, "§5 无还本续贷 take-up; assumption")),
    _d("maturity.renewal_after_campaign", P01, "switch", "lever", "§5 脱贫攻坚期内",
       E(0, 1, "§5 renewals after 2020")),
    _d("maturity.extension_enabled", P01, "switch", "lever", "§5 展期 for 非主观因素",
       E(0, 1, "§5 展期 for 非主观因素")),
    _d("maturity.extension_max_months", "[0, 36]", "months", "lever", ASSUMPTION),
    _d("maturity.max_extensions", "[0, 10]", "count", "lever", ASSUMPTION),
    # -- classification (CBIRC five categories) ------------------------------------------
    _d("classification.substandard_dpd", "[1, 3650]", "days", "constant", "CBIRC five-category classification"),
    _d("classification.doubtful_dpd", "[1, 3650]", "days", "constant", "CBIRC five-category classification"),
    # The NPL ratio counts substandard + doubtful + loss alike and nothing else reads the
    # class, so where the loss class starts cannot change any outcome: a control.
    _d("classification.loss_dpd", "[1, 3650]", "days", "constant", "CBIRC five-category classification",
       E(270, 660, "control: must get zero indices", role="inert")),
    # -- breaker (§6) --------------------------------------------------------------------
    _d("breaker.township_npl", "(0, 1)", "NPL ratio", "lever", "§6 (5 %)", E(0.03, 0.10, "§6 5 %; Lushi 3 %")),
    _d("breaker.village_npl", "(0, 1)", "NPL ratio", "lever", "§6 (7 %)", E(0.05, 0.15, "§6 7 %; Lushi 5 %")),
    # -- loss (§6) -----------------------------------------------------------------------
    _d("loss.claim_dpd", "[30, 3650]", "days", "lever", "Nanao compensates after 90 days overdue; verification time assumed",
       E(90, 360, "days; Nanao compensates after 90")),
    _d("loss.writeoff_dpd", "[30, 3650]", "days", "lever", "assumption: banks write off after collection fails (null = never)",
       E(420, 1080, "days; banks write off after 1-3 years")),
    # -- sharing (configs/sharing/, §6) ----------------------------------------------------
    _d("sharing.household.fund", P01, "share", "lever", "configs/sharing/ (Nanao, Yanjin, Gansu; docs/sources.md)"),
    _d("sharing.household.guarantor", P01, "share", "lever", "configs/sharing/"),
    _d("sharing.household.bank", P01, "share", "lever", "configs/sharing/"),
    _d("sharing.enterprise.fund", P01, "share", "lever", "configs/sharing/"),
    _d("sharing.enterprise.guarantor", P01, "share", "lever", "configs/sharing/"),
    _d("sharing.enterprise.bank", P01, "share", "lever", "configs/sharing/"),
    _d("loss.recovery_rate", P01, "share", "uncertainty", ASSUMPTION, E(0.0, 0.4, ASSUMPTION)),
    _d("loss.recovery_lag_months", "[0, 600]", "months", "uncertainty", ASSUMPTION),
    # -- fund (§10) ----------------------------------------------------------------------
    _d("fund.initial", NONNEG, "yuan", "lever", "Lushi 50 M for 16,302 households, Zhenping 30 M; scales with county.n_households",
       E(30e6, 160e6, "yuan; Zhenping 30 M, Lushi 50 M (16,302 households)")),
    _d("fund.leverage", "(0, 1000]", "multiple", "lever", "Henan county template >= 10x; 5x Mayang, 8x Zhenping",
       E(5.0, 20.0, "§10 multiple: 5x Mayang .. 20x provincial guarantor")),
    _d("fund.topup_amount", NONNEG, "yuan per year", "lever", ASSUMPTION),
    _d("fund.target", NONNEG, "yuan", "lever", ASSUMPTION),
    _d("fund.topup_month", "[1, 12]", "calendar month", "lever", ASSUMPTION),
    _d("fund.rebalance_month", "[1, 12]", "calendar month", "lever", "§10"),
    _d("fund.provincial_deposit", NONNEG, "yuan", "lever", "§10; Henan asked for at least 5 M per county; scales with county.n_households"),
    _d("fund.provincial_leverage", "(0, 1000]", "multiple", "constant", "up to 20x at Henan's provincial guarantor"),
    # -- enterprise (§1, §2, §14) --------------------------------------------------------
    _d("enterprise.enabled", P01, "switch", "lever", "§1 企贷企用", E(0, 1, "§1 企贷企用 channel")),
    _d("enterprise.n_enterprises", NONNEG, "count", "uncertainty", "assumption; scales with county.n_households"),
    _d("enterprise.link_share_no_labour", P01, "share", "lever", ASSUMPTION),
    _d("enterprise.able_link_share", P01, "share", "lever", "Henan 2018 rule against 分红养懒 (§1)"),
    _d("enterprise.amount_per_household", NONNEG, "yuan", "lever", "§3 cap per household"),
    _d("enterprise.term_years", "[1, 3]", "years", "lever", "§3 within 3 years"),
    _d("enterprise.return_rate", P01, "per year", "lever", "Shangcai household 3,600 on 50,000; range 6-10 %"),
    _d("enterprise.interest_subsidy_rate", P01, "per year", "lever", "Henan 85号 (2 %)"),
    _d("enterprise.workers_mean", "[0, 10000]", "persons", "uncertainty", ASSUMPTION),
    _d("enterprise.wage", NONNEG, "yuan per year", "uncertainty", ASSUMPTION),
    _d("enterprise.roa_mean", "[-1, 5]", "per year", "uncertainty", ASSUMPTION),
    _d("enterprise.roa_sd", "[0, 5]", "per year", "uncertainty", "assumption; ~4 % enterprise defaults a year",
       E(0.08, 0.25, "enterprise profit volatility")),
    _d("enterprise.rho_county", "[0, 1)", "correlation", "uncertainty", ASSUMPTION),
    _d("enterprise.rho_sector", "[0, 1)", "correlation", "uncertainty", ASSUMPTION),
    _d("enterprise.initial_cash_share", "[0, 10]", "share of the loan", "uncertainty", ASSUMPTION),
    _d("enterprise.insolvency_cash_share", "[0, 10]", "share of the loan", "uncertainty", ASSUMPTION),
    _d("enterprise.p_breach", P01, "per year", "uncertainty", ASSUMPTION),
    _d("enterprise.p_breach_persists", P01, "probability", "uncertainty", ASSUMPTION),
    _d("enterprise.rectification_months", "[0, 120]", "months", "lever", "§2 限期整改; assumption"),
    _d("enterprise.review_months", "[1, 12]", "months", "lever", "yearly as calibrated; Henan 137号 checks every 2-3 months [S3]; a divisor of 12"),
    _d("enterprise.leakage_share", P01, "share", "uncertainty", "§14 户贷企用 forbidden (0)"),
    _d("enterprise.p_apply_monthly", P01, "per month", "uncertainty", ASSUMPTION),
    _d("enterprise.recall_liquid_share", P01, "share of the loan", "uncertainty", ASSUMPTION),
    # -- guarantee (§4, §10) -------------------------------------------------------------
    _d("guarantee.household_fee_rate", P01, "per year", "lever", "Henan 85号 (1.5 %)"),
    _d("guarantee.enterprise_fee_rate", P01, "per year", "lever", "Henan 85号 (0.5 %)"),
    _d("guarantee.fee_subsidy_share", P01, "share", "lever", "§4"),
    _d("guarantee.county_reimbursement_share", P01, "share", "lever", "§10; assumption"),
    _d("guarantee.provincial_net_assets", NONNEG, "yuan", "constant", "assumption; scales with county.n_households"),
    _d("guarantee.county_net_assets", NONNEG, "yuan", "constant", "assumption; scales with county.n_households"),
    _d("guarantee.compensation_fund", NONNEG, "yuan", "lever", "§10 风险代偿补偿金; size assumed; scales with county.n_households"),
    _d("guarantee.leverage_limit", "(0, 1000]", "multiple", "constant", "State Council decree 683 (10x; 15x for guarantors serving mainly agriculture)"),
    # -- income --------------------------------------------------------------------------
    _d("income.base_per_person", NONNEG, "yuan per person per year", "uncertainty", ASSUMPTION),
    _d("income.base_sd", "[0, 5]", "log sd", "uncertainty", ASSUMPTION),
    _d("income.growth", "(-1, 1]", "per year", "uncertainty", "rural income growth; assumption"),
    _d("income.shock_sd", "[0, 5]", "log sd", "uncertainty", ASSUMPTION),
    _d("income.transfer_per_person", NONNEG, "yuan per person per year", "lever", ASSUMPTION),
    _d("income.project_return", "[-1, 5]", "share of principal per year", "uncertainty", ASSUMPTION),
    _d("income.failed_project_return", "[-1, 5]", "share of principal per year", "uncertainty", ASSUMPTION),
    _d("income.project_persistence", P01, "share", "uncertainty", ASSUMPTION),
    _d("income.job_wage", NONNEG, "yuan per household per year", "uncertainty", ASSUMPTION),
    _d("income.job_share", P01, "per year", "uncertainty", "calibrated (docs/validation.md)"),
    _d("income.floor_coverage", P01, "share", "constant", "低保 for those who cannot work [S30]; weak labour assumed"),
    # -- poverty -------------------------------------------------------------------------
    _d("poverty.line_years", "[1900, 2200]", "calendar year", "constant", "national poverty line table"),
    _d("poverty.line_yuan", POS, "yuan per person per year", "constant", "2019 line 3,218; 2020 ~4,000 (press); later assumption"),
    _d("poverty.assessment_month", "[1, 12]", "calendar month", "setting", "yearly assessment"),
    _d("poverty.exit_margin", "[0, 10]", "share of the line", "lever", ASSUMPTION),
    _d("poverty.support_end_year", "[1900, 2200]", "calendar year", "lever", "摘帽不摘政策 to the end of the transition period [S36]"),
    _d("poverty.floor_yuan", NONNEG, "yuan per person per year", "constant", "低保 standard at or above the line [S30]; line + 10 % assumed"),
    _d("poverty.floor_tekun_multiplier", "[1, 10]", "multiple", "constant", "特困供养 at least 1.3 x 低保 [S31]"),
    _d("poverty.exit_cohort_years", "[1900, 2200]", "calendar year", "constant", "national exits by year [S32]"),
    _d("poverty.exit_cohort_shares", P01, "share", "constant", "national exits each year / 2013 stock [S32]"),
    _d("poverty.cohort_noise_sd", "[0, 5]", "log sd", "uncertainty", ASSUMPTION),
    _d("poverty.monitoring_catch", P01, "share", "uncertainty", "防止返贫监测 [S34]; calibrated"),
    _d("poverty.taper_years", "[1, 50]", "years", "lever", ASSUMPTION),
    _d("poverty.retention_share", P01, "share", "lever", "§2; assumption",
       E(0.0, 0.8, "§2 return kept back against the cliff")),
    _d("poverty.retention_payout_years", "[1, 50]", "years", "lever", ASSUMPTION),
    # -- run -----------------------------------------------------------------------------
    _d("run.seed", NONNEG, "integer", "setting", "date of the policy document (20190218)"),
)  # fmt: skip

BY_KEY: dict[str, Declaration] = {d.key: d for d in DECLARATIONS}


def declaration(key: str) -> Declaration | None:
    """The declaration of a dotted key (list indices dropped: ``default.shocks[0].z``)."""
    return BY_KEY.get(re.sub(r"\[\d+\]", "", key))


@functools.cache
def schema_leaves(schema: type | None = None, prefix: str = "") -> dict[str, type]:
    """Every leaf key of the schema with its scalar type (the element type for a list).

    Fields of list elements that are dataclasses (``default.shocks``) appear as
    ``default.shocks.year``.
    """
    import dataclasses
    import typing

    if schema is None:
        from sim.config import Config as schema
    out: dict[str, type] = {}
    for name, hint in typing.get_type_hints(schema).items():
        key = f"{prefix}{name}"
        if typing.get_origin(hint) is list:
            hint = typing.get_args(hint)[0]
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
            hint = args[0]  # "X | None"
        if dataclasses.is_dataclass(hint):
            out |= schema_leaves(hint, f"{key}.")
        else:
            out[key] = hint
    return out


def numeric_keys() -> list[str]:
    """Schema keys holding numbers (int or float, alone or in a list); booleans excluded."""
    return [k for k, t in schema_leaves().items() if t in (int, float)]


def field_type(key: str) -> type:
    """The scalar type of a declared key (``bool``, ``int``, ``float``, ``str``)."""
    return schema_leaves()[key]


def _walk(data, prefix: str = ""):
    """``(key, value)`` of every leaf of a config dict; list entries as ``key[i]``."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _walk(v, f"{prefix}{k}.")
    elif isinstance(data, list | tuple):
        for i, v in enumerate(data):
            yield from _walk(v, f"{prefix.rstrip('.')}[{i}].")
    else:
        yield prefix.rstrip("."), data


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def problems(data: dict) -> list[tuple[str, object, str]]:
    """``(key, value, fix)`` for every non-finite or out-of-range number in a config dict.

    Every float and int leaf, list entries and nested ones included, must be finite; a
    declared key must also lie in its declared range. Booleans and text are left to the
    schema and the cross-field rules.
    """
    found = []
    for key, value in _walk(data):
        if not _is_number(value):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            found.append((key, value, "must be a finite number (not nan or inf)"))
            continue
        decl = declaration(key)
        if decl is not None and not decl.contains(value):
            found.append(
                (key, value, f"must lie in {decl.range} ({decl.unit}); see sim/parameters.py")
            )
        elif decl is not None and decl.unit.startswith("yuan") and 0 < value < MIN_YUAN:
            found.append((key, value, YUAN_FIX))
    return found


#: No amount of money in the model is a positive number of yuan below this: such a value is an
#: amount written in 万元 or thousands (the county's files are held to the same line).
MIN_YUAN = 100
YUAN_FIX = (
    f"an amount below {MIN_YUAN} yuan: amounts are in yuan and this looks like 万元 or "
    "thousands; give it in yuan (5万元 is 50000)"
)


def markdown() -> str:
    """The parameter table of ``docs/parameters.md``."""
    lines = [
        "# Parameters",
        "",
        "Generated from `sim/parameters.py` by `python -m sim.parameters > docs/parameters.md`;",
        "a test keeps it current. Values and their per-value sources are in `configs/`; types",
        "and meanings in `sim/config.py`. A value outside its range, or any NaN or infinity,",
        "is refused before the first step with one line naming the key; so is an amount in",
        f"yuan above 0 and below {MIN_YUAN}, which is one written in 万元 or thousands.",
        "*Explored* is the range the sensitivity analysis varies (`sim/experiments/levers.py`).",
        "",
        "| key | range | unit | kind | source | explored |",
        "|---|---|---|---|---|---|",
    ]
    for d in DECLARATIONS:
        explored = "; ".join(
            (f"[{e.index}] " if e.index is not None else "")
            + f"{e.low:g}-{e.high:g}"
            + (f" ({e.role})" if e.role else "")
            for e in d.explore
        )
        lines.append(f"| `{d.key}` | {d.range} | {d.unit} | {d.kind} | {d.source} | {explored} |")
    return "\n".join(lines) + "\n"


# -- the parameter table of docs/ODD.md ------------------------------------------------

ODD_BEGIN = "<!-- parameters:begin -->"
ODD_END = "<!-- parameters:end -->"
ODD_COMMAND = "python -m sim.parameters --odd"


def _number(value, sep: bool = True) -> str:
    """A number as the table shows it; whole numbers with thousands separators if ``sep``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}" if sep else str(value)
    return format(value, ".6g")


def _runs(values: list) -> str:
    """A long list of numbers written as its arithmetic runs: ``2019–2028``, ``4,000–4,800 by 100``."""
    parts, i = [], 0
    while i < len(values):
        j, step = i + 1, 0
        if i + 2 < len(values):
            step = values[i + 1] - values[i]
            while j + 1 < len(values) and math.isclose(values[j + 1] - values[j], step):
                j += 1
        if j - i >= 2 and step != 0:  # three or more entries with one step
            by = "" if step == 1 else f" by {_number(step, False)}"
            parts.append(f"{_number(values[i], False)}–{_number(values[j], False)}{by}")
            i = j + 1
        else:
            parts.append(_number(values[i], False))
            i += 1
    return "[" + "; ".join(parts) + f"] ({len(values)} entries)"


def _value(value, sep: bool = True) -> str:
    """A configuration value; list entries without separators, long lists as their runs."""
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        if not value:
            return "none"
        if all(_is_number(v) for v in value) and len(value) > 7:
            return _runs(list(value))
        return "[" + ", ".join(_value(v, False) for v in value) + "]"
    if _is_number(value) or isinstance(value, bool):
        return _number(value, sep)
    return str(value)


_RULE = re.compile(r"^\$\{(\w+):\s*([^,}]+)\s*,\s*([^}]+)\}$")


def _derived(expression: str) -> str:
    """The size rule of ``sim/derive.py`` behind an interpolation, in words."""
    m = _RULE.match(expression.strip())
    if not m:
        return f"derived: {expression}"
    rule, value, ref = m.group(1), float(m.group(2)), m.group(3).strip()
    if rule == "per_household":
        return f"derived: {_number(value)} per {_number(float(ref))} households × `county.n_households`"
    if rule == "per_village":
        return (
            f"derived: {_number(value)} per {_number(float(ref))} villages × `county.n_villages`, "
            "at most every village"
        )
    if rule == "at_most":
        return f"derived: {_number(value)}, at most `{ref}`"
    return f"derived: {expression}"


def default_values(scenario: str = "baseline") -> dict[str, tuple[object, str | None]]:
    """``key -> (value, size rule or None)`` of every declared key in the default county.

    The value is the resolved one (``sim.load_config(scenario)``); the rule is the
    ``sim/derive.py`` interpolation the configuration writes for a size-dependent default.
    """
    from omegaconf import OmegaConf

    from sim.config import compose_unchecked, load_config, to_container

    resolved = to_container(load_config(scenario))
    raw = compose_unchecked(scenario)
    out: dict[str, tuple[object, str | None]] = {}
    for d in DECLARATIONS:
        group, _, leaf = d.key.rpartition(".")
        if d.key.startswith("default.shocks."):  # a field of each listed shock
            shocks = resolved["default"]["shocks"]
            out[d.key] = ([s[leaf] for s in shocks], None)
            continue
        value = resolved
        for part in d.key.split("."):
            value = value[part]
        node = OmegaConf.select(raw, group)
        rule = None
        if OmegaConf.is_interpolation(node, leaf):
            rule = _derived(str(OmegaConf.to_container(node)[leaf]))
        out[d.key] = (value, rule)
    return out


def odd_table(scenario: str = "baseline") -> str:
    """The parameter table embedded in ``docs/ODD.md``: key, value, unit, range, source."""
    values = default_values(scenario)
    lines = [
        ODD_BEGIN,
        "",
        "| key | value | unit | range | source |",
        "|---|---|---|---|---|",
    ]
    for d in DECLARATIONS:
        value, rule = values[d.key]
        plain = d.unit in ("calendar year", "integer")  # 2025, not 2,025
        shown = _value(value, sep=not plain) + (f" ({rule})" if rule else "")
        lines.append(f"| `{d.key}` | {shown} | {d.unit} | {d.range} | {d.source} |")
    lines += ["", ODD_END]
    return "\n".join(lines) + "\n"


def embed_odd_table(text: str, table: str) -> str:
    """``text`` (docs/ODD.md) with the part between the markers replaced by ``table``."""
    start, end = text.find(ODD_BEGIN), text.find(ODD_END)
    if start < 0 or end < start:
        raise ValueError(f"docs/ODD.md has no {ODD_BEGIN!r} ... {ODD_END!r} block")
    rest = text[end + len(ODD_END) :]
    return text[:start] + table + rest.removeprefix("\n")


def _main(argv: list[str]) -> None:
    if argv == ["--odd"]:
        from sim.config import ROOT

        path = ROOT / "docs" / "ODD.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(embed_odd_table(text, odd_table()), encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: parameter table regenerated")
    elif not argv:
        print(markdown(), end="")
    else:
        raise SystemExit("usage: python -m sim.parameters [--odd]")


if __name__ == "__main__":
    import sys

    _main(sys.argv[1:])
