"""Range and cross-field checks run before the first step.

Each failed check raises :class:`sim.config.ConfigError` with one line that names the key,
the value found and what to change. Type errors and unknown keys are caught earlier by the
structured schema; :func:`translate_hydra_error` turns those into the same one-line form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TOPUP_RULES = ("none", "fixed", "restore")
GUARANTORS = ("none", "provincial", "county")
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
    """Check every range and cross-field rule of a composed configuration.

    Raises:
        ConfigError: naming the first offending key.
    """
    try:
        OmegaConf.to_container(cfg, throw_on_missing=True)
    except Exception as exc:
        raise translate_hydra_error(exc) from None
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
    if start[0] < 1900:
        _fail("horizon.start", cfg.horizon.start, "give a year after 1900")
    if not 1 <= cfg.horizon.months <= 600:
        _fail("horizon.months", cfg.horizon.months, "must be between 1 and 600 months")


def _county(cfg: DictConfig) -> None:
    c = cfg.county
    _positive(
        cfg, ["county.n_townships", "county.n_villages", "county.n_households", "county.n_banks"]
    )
    _positive(cfg, ["county.head_age_sd", "county.min_village_households"])
    _nonneg(cfg, ["county.village_size_sigma", "county.n_health_shock_villages"])
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
    _prob(cfg, ["county.health_shock_no_labour_share"])
    if len(c.skills_beta) != 2 or min(c.skills_beta) <= 0:
        _fail("county.skills_beta", list(c.skills_beta), "give two positive Beta parameters [a, b]")
    if len(set(c.sector_names)) != len(c.sector_names) or not c.sector_names:
        _fail("county.sector_names", list(c.sector_names), "give distinct, non-empty sector names")
    _shares(cfg, "county.sector_shares", len(c.sector_names))


def _rating_uptake(cfg: DictConfig) -> None:
    r, u = cfg.rating, cfg.uptake
    _prob(cfg, ["rating.coverage_start", "rating.awareness_start"])
    _nonneg(
        cfg,
        ["rating.months_to_full_coverage", "rating.months_to_full_awareness", "rating.noise_sd"],
    )
    n_grades = len(r.grade_names)
    if n_grades < 2:
        _fail("rating.grade_names", list(r.grade_names), "give at least two grades")
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
    for i, p in enumerate(u.p_willing):
        if not 0 <= p <= 1:
            _fail(f"uptake.p_willing[{i}]", p, "a probability must lie in [0, 1]")
    _prob(
        cfg,
        [
            "uptake.hazard_monthly_campaign",
            "uptake.hazard_monthly_transition",
            "uptake.initial_loan_share",
        ],
    )
    _nonneg(cfg, ["uptake.repeat_hazard_multiplier", "uptake.reapply_wait_months"])
    _positive(cfg, ["uptake.amount_step"])
    if len(u.amount_beta) != 2 or min(u.amount_beta) <= 0:
        _fail("uptake.amount_beta", list(u.amount_beta), "give two positive Beta parameters [a, b]")
    _shares(cfg, "uptake.term_probs", 3)


def _credit(cfg: DictConfig) -> None:
    _positive(cfg, ["credit.loan_cap"])
    _prob(cfg, ["credit.rate_1y", "credit.rate_multi", "credit.rate_transition"])
    if not 16 <= cfg.credit.age_limit <= 120:
        _fail("credit.age_limit", cfg.credit.age_limit, "give an age in years between 16 and 120")
    _nonneg(cfg, ["subsidy.max_amount", "subsidy.max_term_years"])
    _nonneg(cfg, ["subsidy.settlement_delay_quarters", "subsidy.household_float_quarters"])
    _prob(cfg, ["subsidy.transition_share"])


def _default(cfg: DictConfig) -> None:
    d = cfg.default
    if not 0 < d.pd_annual < 1:
        _fail(
            "default.pd_annual",
            d.pd_annual,
            "a yearly default probability must lie strictly in (0, 1)",
        )
    _prob(cfg, ["default.rho_county", "default.rho_township", "default.rho_sector"])
    _prob(cfg, ["default.p_wilful", "default.p_cure_monthly"])
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
    for key in (
        "default.grade_pd_multipliers",
        "default.labour_pd_multipliers",
        "default.sector_pd_multipliers",
    ):
        for i, v in enumerate(_get(cfg, key)):
            if v <= 0:
                _fail(f"{key}[{i}]", v, "multipliers must be greater than 0")
    _positive(cfg, ["default.extension_pd_multiplier"])
    for i, s in enumerate(d.shocks):
        key = f"default.shocks[{i}]"
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
    _prob(cfg, ["maturity.p_renewal_request"])
    if not 1 <= m.renewal_max_term_years <= 3:
        _fail("maturity.renewal_max_term_years", m.renewal_max_term_years, "give 1, 2 or 3")
    _nonneg(cfg, ["maturity.extension_max_months", "maturity.max_extensions"])
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
    _threshold(cfg, ["breaker.township_npl", "breaker.village_npl"])
    loss = cfg.loss
    if loss.recognition_dpd <= k.substandard_dpd:
        _fail(
            "loss.recognition_dpd",
            loss.recognition_dpd,
            f"must exceed classification.substandard_dpd ({k.substandard_dpd}), "
            "or no loan is ever non-performing",
        )
    _prob(cfg, ["loss.fund_share", "loss.recovery_rate"])
    _nonneg(cfg, ["loss.recovery_lag_months"])
    f = cfg.fund
    _nonneg(cfg, ["fund.initial", "fund.topup_amount", "fund.target"])
    _positive(cfg, ["fund.leverage"])
    if f.topup_rule not in TOPUP_RULES:
        _fail("fund.topup_rule", f.topup_rule, f"choose one of {', '.join(TOPUP_RULES)}")
    if f.topup_rule == "fixed" and f.topup_amount == 0:
        _fail("fund.topup_amount", 0, 'fund.topup_rule is "fixed": give a positive yearly amount')
    for key in ("fund.topup_month", "fund.rebalance_month"):
        if not 1 <= _get(cfg, key) <= 12:
            _fail(key, _get(cfg, key), "give a calendar month 1-12")


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
    _prob(
        cfg,
        [
            f"enterprise.{k}"
            for k in (
                "link_share_no_labour",
                "able_link_share",
                "return_rate",
                "interest_subsidy_rate",
                "rho_county",
                "rho_sector",
                "p_breach",
                "p_breach_persists",
                "leakage_share",
            )
        ],
    )
    _nonneg(
        cfg,
        [
            f"enterprise.{k}"
            for k in (
                "amount_per_household",
                "workers_mean",
                "wage",
                "roa_sd",
                "initial_cash_share",
                "insolvency_cash_share",
                "rectification_months",
            )
        ],
    )
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
    if not 1 <= e.term_years <= 3:
        _fail("enterprise.term_years", e.term_years, "give 1, 2 or 3 (§3: within 3 years)")
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
    _prob(
        cfg,
        [
            f"guarantee.{k}"
            for k in (
                "household_fee_rate",
                "enterprise_fee_rate",
                "fee_subsidy_share",
                "guarantor_loss_share",
                "county_reimbursement_share",
            )
        ],
    )
    _nonneg(cfg, ["guarantee.provincial_net_assets", "guarantee.county_net_assets"])
    _positive(cfg, ["guarantee.leverage_limit"])


def _poverty(cfg: DictConfig) -> None:
    i, p = cfg.income, cfg.poverty
    _length(cfg, "income.base_per_person", 3, "labour class [full, weak, none]")
    for k, v in enumerate(i.base_per_person):
        if v < 0:
            _fail(f"income.base_per_person[{k}]", v, "must not be negative")
    _nonneg(cfg, ["income.base_sd", "income.shock_sd", "income.transfer_per_person"])
    _prob(cfg, ["income.project_persistence"])
    if len(p.line_years) == 0 or len(p.line_years) != len(p.line_yuan):
        _fail(
            "poverty.line_yuan",
            list(p.line_yuan),
            "give one poverty line per year of poverty.line_years",
        )
    years = list(p.line_years)
    if years != sorted(set(years)):
        _fail("poverty.line_years", years, "years must be distinct and increasing")
    if any(v <= 0 for v in p.line_yuan):
        _fail("poverty.line_yuan", list(p.line_yuan), "poverty lines must be positive yuan")
    if not 1 <= p.assessment_month <= 12:
        _fail("poverty.assessment_month", p.assessment_month, "give a calendar month 1-12")
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
    if years and years[-1] >= start:
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
