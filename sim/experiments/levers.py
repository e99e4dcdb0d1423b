"""Levers, uncertainties and outcomes: declared here and nowhere else (EMA Workbench style).

Which parameters are policy levers, which are uncertainties, their ranges, and which
outcomes matter in which direction.

* lever: a choice the county or its partner banks make (thresholds, fund, leverage, terms).
* uncertainty: a fact about the world that policy cannot set (default risk, behaviour).
* inert: a parameter the outcomes provably do not depend on, kept as a control for the
  sensitivity analysis (its indices must come out zero).

Ranges are for the full Shangcai county; the fund's range scales with the county, so for
``county=small`` pass ``ranges={"fund.initial": (lo, hi)}`` (CLI ``--range``). Sources are
docs/sources.md (§n = section of the policy text 上政办〔2019〕3号).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.experiments.spec import ExperimentError

KINDS = ("lever", "uncertainty", "inert")
DIRECTIONS = ("min", "max")


@dataclass(frozen=True)
class Parameter:
    """A configuration key varied over ``[low, high]``; ``dtype`` int/bool values are rounded."""

    key: str  # "group.name", or "group.name[i]" for one entry of a list
    kind: str  # one of KINDS
    low: float
    high: float
    dtype: str = "float"  # "float", "int" or "bool" (sampled in [0, 1], true above 0.5)
    note: str = ""  # meaning and source of the range


@dataclass(frozen=True)
class Outcome:
    """A summary key and whether policy wants it low ("min") or high ("max")."""

    key: str
    direction: str  # "min", "max", or "" for an outcome not declared here
    note: str = ""


P = Parameter
PARAMETERS: tuple[Parameter, ...] = (
    # -- levers ------------------------------------------------------------------------------
    P("breaker.township_npl", "lever", 0.03, 0.10, note="§6 5 %; Lushi 3 %"),
    P("breaker.village_npl", "lever", 0.05, 0.15, note="§6 7 %; Lushi 5 %"),
    P(
        "fund.leverage",
        "lever",
        5.0,
        20.0,
        note="§10 multiple: 5x Mayang .. 20x provincial guarantor",
    ),
    P(
        "fund.initial",
        "lever",
        30e6,
        160e6,
        note="yuan; Zhenping 30 M, Lushi 50 M (16,302 households)",
    ),
    P("loss.fund_share", "lever", 0.5, 1.0, note="§6 Yanjin 50:50, Nanao 80:20"),
    P(
        "loss.recognition_dpd",
        "lever",
        90 + 30,
        360,
        "int",
        note="days; Nanao compensates after 90",
    ),
    P("maturity.p_renewal_request", "lever", 0.3, 0.9, note="§5 无还本续贷 take-up; assumption"),
    P("maturity.renewal_after_campaign", "lever", 0, 1, "bool", note="§5 renewals after 2020"),
    P("maturity.extension_enabled", "lever", 0, 1, "bool", note="§5 展期 for 非主观因素"),
    P(
        "subsidy.settlement_delay_quarters",
        "lever",
        0,
        4,
        "int",
        note="§3 quarterly settlement, late",
    ),
    P("credit.age_limit", "lever", 65, 75, "int", note="§9 relaxed age limit"),
    P(
        "guarantee.guarantor_loss_share",
        "lever",
        0.0,
        0.8,
        note="§4, §10 guarantor's share; Gansu 80 %",
    ),
    P("enterprise.enabled", "lever", 0, 1, "bool", note="§1 企贷企用 channel"),
    P("poverty.retention_share", "lever", 0.0, 0.8, note="§2 return kept back against the cliff"),
    # -- uncertainties -----------------------------------------------------------------------
    P("default.pd_annual", "uncertainty", 0.01, 0.08, note="'not high' .. ~4 % of maturing loans"),
    P("default.rho_county", "uncertainty", 0.0, 0.10, note="Basel other retail R 0.03-0.16"),
    P("default.rho_township", "uncertainty", 0.0, 0.08, note="assumption"),
    P("default.rho_sector", "uncertainty", 0.0, 0.08, note="assumption"),
    P("default.p_cure_monthly", "uncertainty", 0.01, 0.10, note="assumption"),
    P("default.p_wilful", "uncertainty", 0.05, 0.30, note="assumption"),
    P("loss.recovery_rate", "uncertainty", 0.0, 0.4, note="assumption"),
    P(
        "uptake.hazard_monthly_campaign",
        "uncertainty",
        0.04,
        0.12,
        note="calibration prior (sim/calibrate_search.py); uptake 27-50 %",
    ),
    P(
        "uptake.hazard_monthly_transition",
        "uncertainty",
        0.03,
        0.12,
        note="calibration prior; Datong",
    ),
    P("uptake.p_willing[0]", "uncertainty", 0.6, 0.95, note="full labour; calibration prior"),
    P("uptake.p_willing[1]", "uncertainty", 0.3, 0.7, note="weak labour; calibration prior"),
    P("rating.noise_sd", "uncertainty", 0.2, 1.0, note="rating error; assumption"),
    P("enterprise.roa_sd", "uncertainty", 0.08, 0.25, note="enterprise profit volatility"),
    # -- inert control -----------------------------------------------------------------------
    # The NPL ratio counts substandard + doubtful + loss alike and nothing else reads the
    # class, so where the loss class starts cannot change any outcome.
    P("classification.loss_dpd", "inert", 270, 720, "int", note="control: must get zero indices"),
)

OUTCOMES: tuple[Outcome, ...] = (
    Outcome("fund_exhausted", "min", "fund deposit at a bank ran out within the horizon"),
    Outcome("min_fund_balance", "max", "yuan, lowest fund balance"),
    Outcome("cum_fund_payouts", "min", "yuan paid by the fund for losses"),
    Outcome("cum_fiscal_cost", "min", "yuan: interest subsidy + fund payouts - recoveries"),
    Outcome("cum_losses", "min", "yuan written off"),
    Outcome("peak_npl_ratio", "min", "county NPL ratio, worst month"),
    Outcome("months_with_suspension", "min", "months with a village or township suspended"),
    Outcome("final_household_loan_rate", "max", "户贷率: share of households that ever borrowed"),
    Outcome("total_new_lending", "max", "yuan disbursed"),
)


def parameters(names: list[str] | None = None, kind: str | None = None) -> list[Parameter]:
    """Declared parameters by key (in the order given) or by kind (``None``/"all": every one)."""
    by_key = {p.key: p for p in PARAMETERS}
    if names:
        missing = [n for n in names if n not in by_key]
        if missing:
            raise ExperimentError(
                f"parameters {missing}: not declared in sim/experiments/levers.py; "
                f"choose from {', '.join(by_key)}"
            )
        return [by_key[n] for n in names]
    if kind in (None, "all"):
        return list(PARAMETERS)
    if kind not in KINDS:
        raise ExperimentError(f"kind={kind!r}: choose one of {', '.join(KINDS)} or all")
    return [p for p in PARAMETERS if p.kind == kind]


def outcomes(names: list[str] | None, available: list[str]) -> list[Outcome]:
    """Declared outcomes by key (default: those the model's summary reports)."""
    declared = {o.key: o for o in OUTCOMES}
    if not names:
        return [o for o in OUTCOMES if o.key in available]
    missing = [n for n in names if n not in available]
    if missing:
        raise ExperimentError(
            f"outcomes {missing}: not in the run summary; choose from {', '.join(available)}"
        )
    return [declared.get(n, Outcome(n, "", "not declared in levers.py")) for n in names]
