"""Range and cross-field checks run before the first step.

The range of each single key is declared once, in ``sim/parameters.py``; :func:`validate`
checks those first (and that every number is finite), then the rules here that tie keys
together (lengths, orderings, sums, choices among names, the memory a county needs). A new
single-key range belongs in ``sim/parameters.py``, not here.

Each failed check raises :class:`sim.config.ConfigError` with one line that names the key,
the value found and what to change. Type errors and unknown keys are caught earlier by the
structured schema; :func:`translate_hydra_error` turns those into the same one-line form.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TOPUP_RULES = ("none", "fixed", "restore")
GUARANTORS = ("none", "provincial", "county")
INTEREST_PAYERS = ("household", "county")
WITHDRAWAL_RULES = ("abrupt", "tapered", "profit_retention")
SHOCK_SCOPES = ("county", "township", "sector")


def _fail(key: str, value: object, fix: str) -> None:
    raise ConfigError(f"{key}={value!r}: {fix}")


def _get(cfg: DictConfig, key: str):
    return OmegaConf.select(cfg, key, throw_on_missing=True)


def _prob(cfg: DictConfig, keys: Iterable[str]) -> None:
    for key in keys:
        v = _get(cfg, key)
        if not 0.0 <= v <= 1.0:
            _fail(key, v, "a probability or share must lie in [0, 1]")


def _nonneg(cfg: DictConfig, keys: Iterable[str]) -> None:
    for key in keys:
        v = _get(cfg, key)
        if v < 0:
            _fail(key, v, "must not be negative")


def _positive(cfg: DictConfig, keys: Iterable[str]) -> None:
    for key in keys:
        v = _get(cfg, key)
        if v <= 0:
            _fail(key, v, "must be greater than 0")


def _threshold(cfg: DictConfig, keys: Iterable[str]) -> None:
    for key in keys:
        v = _get(cfg, key)
        if not 0.0 < v < 1.0:
            _fail(key, v, "a ratio threshold must lie strictly between 0 and 1 (e.g. 0.05)")


def _shares(cfg: DictConfig, key: str, n: int | None = None) -> None:
    v = list(_get(cfg, key))
    if n is not None and len(v) != n:
        _fail(key, v, f"needs {n} entries")
    if any(x < 0 for x in v) or abs(sum(v) - 1.0) > 1e-9:
        _fail(key, v, f"shares must be non-negative and sum to 1 (they sum to {sum(v):.6g})")


def _length(cfg: DictConfig, key: str, n: int, what: str) -> None:
    v = list(_get(cfg, key))
    if len(v) != n:
        _fail(key, v, f"needs {n} entries, one per {what}")


def parse_month(key: str, value: str) -> tuple[int, int]:
    """Parse ``"YYYY-MM"`` into (year, month) or raise a ConfigError naming ``key``."""
    m = _MONTH.match(str(value))
    if not m or not 1 <= int(m.group(2)) <= 12:
        _fail(key, value, 'must be a month written "YYYY-MM", e.g. "2019-01"')
    return int(m.group(1)), int(m.group(2))


def validate(cfg: DictConfig) -> None:
    """Check every number, range and cross-field rule of a composed configuration.

    First every number (list entries included) must be finite and every declared key in
    its range (``sim/parameters.py``); then the cross-field rules below.

    Raises:
        ConfigError: naming the first offending key.
    """
    from sim.parameters import problems  # here, so that `python -m sim.parameters` runs cleanly

    for lang in ("zh", "en"):
        if OmegaConf.is_missing(cfg.label, lang) or not str(cfg.label[lang]).strip():
            raise ConfigError(
                f"label.{lang}: scenarios/{cfg.scenario}.yaml declares no display name; "
                "add label: {zh: 中文名, en: English name} to that file"
            )
    try:
        data = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    except Exception as exc:
        raise translate_hydra_error(exc) from None
    for key, value, fix in problems(data):  # every number finite, declared ones in range
        _fail(key, value, fix)
    _horizon(cfg)
    _county(cfg)
    _rating_uptake(cfg)
    _credit(cfg)
    _default(cfg)
    _rules(cfg)
    _enterprise(cfg)
    _guarantee(cfg)
    _poverty(cfg)


def _horizon(cfg: DictConfig) -> None:
    start = parse_month("horizon.start", cfg.horizon.start)
    parse_month("horizon.campaign_end", cfg.horizon.campaign_end)
    if cfg.horizon.end is not None:
        parse_month("horizon.end", cfg.horizon.end)
    if start[0] < 1900:
        _fail("horizon.start", cfg.horizon.start, "give a year after 1900")


def _county(cfg: DictConfig) -> None:
    c = cfg.county
    if c.n_villages < c.n_townships:
        _fail(
            "county.n_villages",
            c.n_villages,
            f"needs at least one village per township ({c.n_townships})",
        )
    if c.n_households < c.n_villages * c.min_village_households:
        _fail(
            "county.n_households",
            c.n_households,
            f"too few for {c.n_villages} villages of at least {c.min_village_households}; "
            "raise it or lower county.min_village_households",
        )
    _memory(cfg)
    if c.n_banks > c.n_townships:
        _fail("county.n_banks", c.n_banks, f"at most one bank per township ({c.n_townships})")
    if c.n_health_shock_villages > c.n_villages:
        _fail(
            "county.n_health_shock_villages",
            c.n_health_shock_villages,
            f"at most county.n_villages ({c.n_villages})",
        )
    if not c.head_age_min < c.head_age_max:
        _fail("county.head_age_min", c.head_age_min, "must be below county.head_age_max")
    _shares(cfg, "county.household_size_probs")
    _shares(cfg, "county.labour_shares", 3)
    if len(c.skills_beta) != 2:
        _fail("county.skills_beta", list(c.skills_beta), "give two positive Beta parameters [a, b]")
    if len(set(c.sector_names)) != len(c.sector_names) or not c.sector_names:
        _fail("county.sector_names", list(c.sector_names), "give distinct, non-empty sector names")
    _shares(cfg, "county.sector_shares", len(c.sector_names))


#: Memory a run needs, measured on the default county (peak resident set of a 12-month run at
#: 50,000 and 400,000 households: about 350 bytes a household above a 175 MB base), with a
#: margin of three for longer horizons and the tables, plus the village panel.
BASE_BYTES = 200e6
BYTES_PER_HOUSEHOLD = 1000
BYTES_PER_VILLAGE_MONTH = 20 * 8


def physical_memory() -> float | None:
    """Bytes of physical memory of this machine (None where the system does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def memory_estimate(cfg: DictConfig) -> float:
    """Bytes one run of ``cfg`` needs, roughly (see ``BYTES_PER_HOUSEHOLD``)."""
    c = cfg.county
    return (
        BASE_BYTES
        + BYTES_PER_HOUSEHOLD * float(c.n_households)
        + BYTES_PER_VILLAGE_MONTH * float(c.n_villages) * float(cfg.horizon.months)
    )


def _memory(cfg: DictConfig) -> None:
    """Refuse a county too large for this machine before anything is allocated."""
    need, have = memory_estimate(cfg), physical_memory()
    if have is not None and need > have:
        _fail(
            "county.n_households",
            cfg.county.n_households,
            f"a run needs about {need / 2**30:,.1f} GiB of memory, more than this machine's "
            f"{have / 2**30:,.1f} GiB; lower county.n_households (or county.n_villages)",
        )


def _rating_uptake(cfg: DictConfig) -> None:
    r, u = cfg.rating, cfg.uptake
    n_grades = len(r.grade_names)
    if n_grades < 2:
        _fail("rating.grade_names", list(r.grade_names), "give at least two grades")
    names = [str(g).strip() for g in r.grade_names]
    if "" in names or len(set(names)) != n_grades:
        _fail("rating.grade_names", list(r.grade_names), "give distinct, non-empty grade names")
    _length(cfg, "rating.grade_thresholds", n_grades - 1, "boundary between grades")
    _length(cfg, "rating.grade_credit_lines", n_grades, "grade")
    th = list(r.grade_thresholds)
    if any(a <= b for a, b in zip(th, th[1:], strict=False)):
        _fail(
            "rating.grade_thresholds", th, "cut-offs must be strictly descending (best grade first)"
        )
    for i, line in enumerate(r.grade_credit_lines):
        if not 0 <= line <= cfg.credit.loan_cap:
            _fail(
                f"rating.grade_credit_lines[{i}]",
                line,
                f"must lie in [0, credit.loan_cap={cfg.credit.loan_cap}]",
            )
    _length(cfg, "uptake.p_willing", 2, "labour class [full, weak]")
    if len(u.amount_beta) != 2:
        _fail("uptake.amount_beta", list(u.amount_beta), "give two positive Beta parameters [a, b]")
    _shares(cfg, "uptake.term_probs", 3)


def _credit(cfg: DictConfig) -> None:
    if cfg.subsidy.interest_payer not in INTEREST_PAYERS:
        _fail(
            "subsidy.interest_payer",
            cfg.subsidy.interest_payer,
            f"choose one of {', '.join(INTEREST_PAYERS)}",
        )


def _default(cfg: DictConfig) -> None:
    d = cfg.default
    rho = d.rho_county + d.rho_township + d.rho_sector
    if rho >= 1:
        _fail(
            "default.rho_county",
            d.rho_county,
            f"the three correlations sum to {rho:.3g}; keep the sum below 1",
        )
    _length(cfg, "default.grade_pd_multipliers", len(cfg.rating.grade_names), "grade")
    _length(cfg, "default.labour_pd_multipliers", 2, "labour class [full, weak]")
    _length(cfg, "default.sector_pd_multipliers", len(cfg.county.sector_names), "sector")
    seen: dict[tuple, int] = {}
    for i, s in enumerate(d.shocks):
        key = f"default.shocks[{i}]"
        place = (int(s.year), s.scope, "" if s.scope == "county" else str(s.name))
        if place in seen:  # each shock fixes its factor, so the earlier one would be lost
            _fail(
                f"{key}.year",
                s.year,
                f"default.shocks[{seen[place]}] already fixes the {s.scope} factor of that year"
                f"{'' if s.scope == 'county' else f' for {s.name}'}; give one shock per place and year",
            )
        seen[place] = i
        if s.scope not in SHOCK_SCOPES:
            _fail(f"{key}.scope", s.scope, f"choose one of {', '.join(SHOCK_SCOPES)}")
        if s.scope == "sector" and s.name not in cfg.county.sector_names:
            _fail(
                f"{key}.name",
                s.name,
                f"choose a sector of county.sector_names: {', '.join(cfg.county.sector_names)}",
            )
        if s.scope == "township" and not (
            s.name.isdigit() and int(s.name) < cfg.county.n_townships
        ):
            _fail(
                f"{key}.name",
                s.name,
                f"give a township index 0..{cfg.county.n_townships - 1} as text",
            )


def _rules(cfg: DictConfig) -> None:
    m = cfg.maturity
    if m.extension_enabled and m.extension_max_months == 0:
        _fail(
            "maturity.extension_max_months", 0, "extensions are enabled, so give a positive length"
        )
    k = cfg.classification
    if not 0 < k.substandard_dpd < k.doubtful_dpd < k.loss_dpd:
        _fail(
            "classification.substandard_dpd",
            k.substandard_dpd,
            "need 0 < substandard_dpd < doubtful_dpd < loss_dpd",
        )
    _loss_timing(cfg)
    _sharing(cfg)
    review = cfg.enterprise.review_months
    if 12 % review:
        _fail("enterprise.review_months", review, "give a divisor of 12: 1, 2, 3, 4, 6 or 12")
    f = cfg.fund
    if f.topup_rule not in TOPUP_RULES:
        _fail("fund.topup_rule", f.topup_rule, f"choose one of {', '.join(TOPUP_RULES)}")
    if f.topup_rule == "fixed" and f.topup_amount == 0:
        _fail("fund.topup_amount", 0, 'fund.topup_rule is "fixed": give a positive yearly amount')


def _loss_timing(cfg: DictConfig) -> None:
    """Refuse timings under which a class or a claim never shows at a month end.

    Days past due move in steps of 30 at month ends; a loan reaching ``claim_dpd`` is claimed
    in that month's phase 7 and one reaching ``writeoff_dpd`` leaves the book there, before
    the month-end classification.
    """
    k, loss = cfg.classification, cfg.loss
    if loss.claim_dpd < 30:
        _fail("loss.claim_dpd", loss.claim_dpd, "give at least 30: a loan must be overdue first")
    _prob(cfg, ["loss.recovery_rate"])
    _nonneg(cfg, ["loss.recovery_lag_months"])
    if loss.writeoff_dpd is None:
        return
    first_writeoff = -(-loss.writeoff_dpd // 30)  # month end at which the loan is written off
    if -(-loss.claim_dpd // 30) >= first_writeoff:
        _fail(
            "loss.writeoff_dpd",
            loss.writeoff_dpd,
            f"write-off must come at a later month end than the claim (loss.claim_dpd = "
            f"{loss.claim_dpd}); raise it or set it to null (never)",
        )
    for name, above in (
        ("special mention", 0),
        ("substandard", k.substandard_dpd),
        ("doubtful", k.doubtful_dpd),
        ("loss", k.loss_dpd),
    ):
        seen = above // 30 + 1  # first month end with more than ``above`` days past due
        if seen >= first_writeoff:
            _fail(
                "loss.writeoff_dpd",
                loss.writeoff_dpd,
                f"loans would be written off before any month end classes them {name} "
                f"(more than {above} days); give more than {30 * seen} or null (never)",
            )


def _sharing(cfg: DictConfig) -> None:
    """Each channel's shares are probabilities that sum to one; a guarantor share needs one."""
    g = cfg.guarantee
    for channel, guarantor in (
        ("household", g.household_guarantor),
        ("enterprise", g.enterprise_guarantor),
    ):
        shares = cfg.sharing[channel]
        keys = [f"sharing.{channel}.{k}" for k in ("fund", "guarantor", "bank")]
        _prob(cfg, keys)
        total = shares.fund + shares.guarantor + shares.bank
        if abs(total - 1.0) > 1e-9:
            _fail(
                f"sharing.{channel}",
                f"{shares.fund} + {shares.guarantor} + {shares.bank} = {total:g}",
                "the fund, guarantor and bank shares of a loss must sum to 1",
            )
        if shares.guarantor > 0 and guarantor == "none":
            _fail(
                f"sharing.{channel}.guarantor",
                shares.guarantor,
                f"guarantee.{channel}_guarantor is none: set the guarantor share to 0 "
                "or name a guarantor",
            )


def translate_hydra_error(exc: BaseException) -> ConfigError:
    """Turn a Hydra/OmegaConf composition error into a one-line ConfigError."""
    if isinstance(exc, ConfigError):
        return exc
    cause = exc
    while cause.__cause__ is not None and not hasattr(cause, "full_key"):
        cause = cause.__cause__
    name = type(cause).__name__
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else name
    full_key = getattr(cause, "full_key", None)
    missing = re.search(r"Could not find '(\w+)/([^']*)'", str(exc))
    if missing:
        group, name = missing.groups()
        from sim.config import CONFIG_DIR

        options = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
        return ConfigError(f"{group}={name}: no such option; choose one of {', '.join(options)}")
    if name in ("ConfigKeyError", "ConfigAttributeError") and full_key:
        return ConfigError(
            f"{full_key}: unknown key ({text}); check the spelling against sim/config.py"
        )
    if name == "MissingMandatoryValue" and full_key:
        return ConfigError(f"{full_key}: no value given; set it in configs/ or as {full_key}=VALUE")
    if full_key:
        return ConfigError(f"{full_key}: {text}; give a value of the type in sim/config.py")
    return ConfigError(f"configuration: {text}")


def _enterprise(cfg: DictConfig) -> None:
    e = cfg.enterprise
    if e.enabled and e.n_enterprises < 1:
        _fail(
            "enterprise.n_enterprises",
            e.n_enterprises,
            "give at least 1, or set enterprise.enabled=false",
        )
    if e.amount_per_household > cfg.credit.loan_cap:
        _fail(
            "enterprise.amount_per_household",
            e.amount_per_household,
            f"at most credit.loan_cap ({cfg.credit.loan_cap})",
        )
    if e.rho_county + e.rho_sector >= 1:
        _fail(
            "enterprise.rho_county",
            e.rho_county,
            "enterprise.rho_county + enterprise.rho_sector must stay below 1",
        )
    if not e.enabled and (e.leakage_share > 0 or e.able_link_share > 0):
        _fail(
            "enterprise.enabled",
            False,
            "leakage_share and able_link_share need the enterprise channel; enable it or set them to 0",
        )


def _guarantee(cfg: DictConfig) -> None:
    g = cfg.guarantee
    for key in ("household_guarantor", "enterprise_guarantor"):
        if g[key] not in GUARANTORS:
            _fail(f"guarantee.{key}", g[key], f"choose one of {', '.join(GUARANTORS)}")


def _poverty(cfg: DictConfig) -> None:
    p = cfg.poverty
    _length(cfg, "income.base_per_person", 3, "labour class [full, weak, none]")
    if len(p.line_years) == 0 or len(p.line_years) != len(p.line_yuan):
        _fail(
            "poverty.line_yuan",
            list(p.line_yuan),
            "give one poverty line per year of poverty.line_years",
        )
    years = list(p.line_years)
    if years != sorted(set(years)):
        _fail("poverty.line_years", years, "years must be distinct and increasing")
    if p.withdrawal_rule not in WITHDRAWAL_RULES:
        _fail(
            "poverty.withdrawal_rule",
            p.withdrawal_rule,
            f"choose one of {', '.join(WITHDRAWAL_RULES)}",
        )
    _nonneg(cfg, ["poverty.exit_margin", "poverty.cohort_noise_sd"])
    _nonneg(cfg, ["income.job_wage"])
    _positive(cfg, ["poverty.taper_years", "poverty.retention_payout_years"])
    _positive(cfg, ["poverty.floor_tekun_multiplier"])
    _prob(cfg, ["poverty.retention_share", "poverty.monitoring_catch", "income.job_share"])
    _life_course(cfg)


def _life_course(cfg: DictConfig) -> None:
    """Social-assistance floor and the exit cohorts before the first simulated year."""
    i, p = cfg.income, cfg.poverty
    _length(cfg, "income.floor_coverage", 3, "labour class [full, weak, none]")
    for k, v in enumerate(i.floor_coverage):
        if not 0.0 <= v <= 1.0:
            _fail(f"income.floor_coverage[{k}]", v, "a share must lie in [0, 1]")
    if len(p.floor_yuan) != len(p.line_years):
        _fail(
            "poverty.floor_yuan",
            list(p.floor_yuan),
            "give one social-assistance standard per year of poverty.line_years",
        )
    if any(v < 0 for v in p.floor_yuan):
        _fail("poverty.floor_yuan", list(p.floor_yuan), "standards must not be negative yuan")
    years, shares = list(p.exit_cohort_years), list(p.exit_cohort_shares)
    if len(years) != len(shares):
        _fail(
            "poverty.exit_cohort_shares",
            shares,
            "give one share per year of poverty.exit_cohort_years",
        )
    if years != sorted(set(years)):
        _fail("poverty.exit_cohort_years", years, "years must be distinct and increasing")
    start = int(str(cfg.horizon.start)[:4])
    # a county read from files starts with the exits of its roster, not with these cohorts
    if years and years[-1] >= start and not cfg.county.path:
        _fail(
            "poverty.exit_cohort_years",
            years,
            f"early exit cohorts must lie before the first simulated year {start}",
        )
    if any(v < 0 for v in shares) or sum(shares) > 1.0 + 1e-9:
        _fail(
            "poverty.exit_cohort_shares",
            shares,
            "shares must be non-negative and add up to at most 1 (the rest are still poor)",
        )
