"""Levers, uncertainties and outcomes: declared here and nowhere else (EMA Workbench style).

Which parameters the sensitivity analysis varies, over which ranges, and which outcomes
matter in which direction. The parameters and their ranges are read from the one
declaration of each parameter in ``sim/parameters.py`` (its ``explore`` entries).

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
from sim.parameters import DECLARATIONS, field_type

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


def _declared() -> tuple[Parameter, ...]:
    """The explored parameters of ``sim/parameters.py``: levers, then uncertainties, then controls."""
    found = []
    for d in DECLARATIONS:
        dtype = {bool: "bool", int: "int"}.get(field_type(d.key), "float")
        for e in d.explore:
            key = d.key if e.index is None else f"{d.key}[{e.index}]"
            found.append(Parameter(key, e.role or d.kind, e.low, e.high, dtype, e.note))
    return tuple(sorted(found, key=lambda p: KINDS.index(p.kind)))


PARAMETERS: tuple[Parameter, ...] = _declared()

OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "fund_exhausted", "min", "the fund as a whole could not pay a claim within the horizon"
    ),
    Outcome("min_fund_balance", "max", "yuan, lowest fund balance"),
    Outcome("cum_fund_payouts", "min", "yuan paid by the fund for losses"),
    Outcome("cum_fiscal_cost", "min", "yuan: interest subsidy + fund payouts - recoveries"),
    Outcome("cum_losses", "min", "yuan of claims paid and balances written off"),
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
