"""Typed configuration schema, scenario registry and loading.

Every parameter of the model is declared once here, with its type, unit and meaning.
Default *values* and their sources live in ``configs/`` (YAML, one comment per value);
named scenarios are small override files in ``scenarios/``. Hydra composes them; the
structured schema refuses unknown keys and wrong types, and :func:`sim.validate.validate`
checks ranges and cross-field rules before the first step.

Money is in yuan, rates are per year unless the name says ``_monthly``, durations in
months unless the name says ``_dpd`` (days past due) or ``_years``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from omegaconf import MISSING, DictConfig, OmegaConf

from sim.derive import register_resolvers

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "configs"
SCENARIO_DIR = ROOT / "scenarios"


@dataclass
class HorizonConfig:
    """Simulated calendar."""

    start: str = MISSING  # first simulated month, "YYYY-MM"
    months: int = MISSING  # number of monthly steps
    campaign_end: str = MISSING  # last month of the poverty-alleviation campaign, "YYYY-MM"
    end: str | None = None  # last month when the start follows county files, "YYYY-MM"


@dataclass
class CountyConfig:
    """The embedded synthetic county (docs/sources.md [S5]-[S11])."""

    n_townships: int = MISSING  # township-level units (乡镇/街道)
    n_villages: int = MISSING  # administrative villages with registered poor households
    n_households: int = MISSING  # registered poor households (建档立卡)
    village_size_sigma: float = MISSING  # log-sd of the lognormal village-size weights (skew)
    min_village_households: int = MISSING  # smallest village, households
    household_size_probs: list[float] = MISSING  # P(size = 1, 2, ..., k persons)
    head_age_mean: float = MISSING  # years
    head_age_sd: float = MISSING  # years
    head_age_min: int = MISSING  # years
    head_age_max: int = MISSING  # years
    labour_shares: list[float] = MISSING  # shares of [full, weak, none] labour capacity
    n_health_shock_villages: int = MISSING  # villages hit by the 1990s plasma-donation epidemic
    health_shock_no_labour_share: float = MISSING  # share without labour capacity there
    skills_beta: list[float] = MISSING  # Beta(a, b) of the skills score in [0, 1]
    sector_names: list[str] = MISSING  # project sectors (§11)
    sector_shares: list[float] = MISSING  # share of households whose project is in each sector
    n_banks: int = MISSING  # partner banks, each serving a contiguous block of townships (分片包干)
    path: str | None = None  # folder of county files (docs/data.md); None: the synthetic county
    files_digest: str | None = None  # SHA-256 of those files, recorded when the config is made


@dataclass
class RatingConfig:
    """Information collection, credit rating and publicity (§9, §12)."""

    coverage_start: float = MISSING  # share of households rated at the start
    months_to_full_coverage: int = MISSING  # months until every household is rated
    awareness_start: float = MISSING  # share aware of the policy at the start
    months_to_full_awareness: int = MISSING  # months until every household is aware
    skill_weight: float = MISSING  # weight of skills in the rating score (sd units)
    noise_sd: float = MISSING  # rating error, sd of the latent-score noise
    grade_names: list[str] = MISSING  # from best to worst
    grade_thresholds: list[float] = MISSING  # score cut-offs between grades, descending
    grade_credit_lines: list[float] = MISSING  # yuan, credit line per grade (0 = not lent)


@dataclass
class UptakeConfig:
    """Applications for household-channel loans (户贷户用, §1)."""

    p_willing: list[float] = MISSING  # P(willing to borrow) for [full, weak] labour capacity
    hazard_monthly_campaign: float = MISSING  # monthly P(apply) of an eligible household
    hazard_monthly_transition: float = MISSING  # same, after the campaign period
    repeat_hazard_multiplier: float = MISSING  # hazard multiplier after a loan was repaid
    reapply_wait_months: int = MISSING  # wait after a rejection or a repayment
    amount_beta: list[float] = MISSING  # Beta(a, b): amount as a share of the credit line
    amount_step: float = MISSING  # yuan; amounts are rounded down to this step
    term_probs: list[float] = MISSING  # P(term = 1, 2, 3 years)
    initial_loan_share: float = MISSING  # share of eligible households with a loan at start


@dataclass
class CreditConfig:
    """Loan terms (§3, §9)."""

    loan_cap: float = MISSING  # yuan per household
    age_limit: int = MISSING  # oldest household head a bank lends to, years
    rate_1y: float = MISSING  # benchmark rate for 1-year loans, per year
    rate_multi: float = MISSING  # benchmark rate for 1-5-year loans, per year
    rate_transition: float = MISSING  # LPR cap for loans signed after the campaign, per year
    blacklist_on_loss: bool = MISSING  # a written-off borrower may not borrow again


@dataclass
class SubsidyConfig:
    """Fiscal interest subsidy (全额贴息, §3)."""

    enabled: bool = MISSING
    max_amount: float = MISSING  # yuan; larger loans are not subsidised
    max_term_years: int = MISSING  # longer loans are not subsidised
    transition_share: float = MISSING  # share of interest subsidised on post-campaign loans
    settlement_delay_quarters: int = MISSING  # quarters between interest paid and reimbursed
    household_float_quarters: int = MISSING  # quarters of interest a household can front
    interest_payer: str = (
        MISSING  # "household" (pays quarterly, reimbursed) or "county" (pays the bank)
    )


@dataclass
class Shock:
    """A shared shock: the latent factor of one year set to a fixed value."""

    year: int = MISSING  # calendar year of loan-years starting then
    scope: str = MISSING  # "county", "township" or "sector"
    name: str = MISSING  # township index as text, sector name, or "" for county
    z: float = MISSING  # factor value in sd units (negative = bad year)


@dataclass
class DefaultConfig:
    """Project failure: a Gaussian copula with county, township and sector factors."""

    pd_annual: float = MISSING  # yearly P(failure) of the reference project (grade A, full, crops)
    rho_county: float = MISSING  # asset correlation through the county factor
    rho_township: float = MISSING  # through the township factor
    rho_sector: float = MISSING  # through the sector factor
    grade_pd_multipliers: list[float] = MISSING  # per grade, relative to the reference
    labour_pd_multipliers: list[float] = MISSING  # for [full, weak] labour capacity
    sector_pd_multipliers: list[float] = MISSING  # per sector
    p_wilful: float = MISSING  # share of failures that are wilful (not 非主观因素)
    extension_pd_multiplier: float = MISSING  # PD multiplier in the year after an extension
    p_cure_monthly: float = MISSING  # monthly P(an overdue borrower repays in full)
    shocks: list[Shock] = field(default_factory=list)


@dataclass
class MaturityConfig:
    """What happens when a loan falls due (§5)."""

    renewal_enabled: bool = MISSING  # 无还本续贷 for performing loans
    renewal_max_term_years: int = MISSING  # only loans of at most this term are renewed
    p_renewal_request: float = MISSING  # P(a performing borrower asks to renew)
    renewal_after_campaign: bool = MISSING  # renewals also after the campaign period
    extension_enabled: bool = MISSING  # 展期 for failures beyond the household's control
    extension_max_months: int = MISSING  # cap on an extension; never longer than the term
    max_extensions: int = MISSING  # extensions per loan
    extension_after_campaign: bool = MISSING


@dataclass
class ClassificationConfig:
    """Five-category loan classification by days past due (CBIRC)."""

    substandard_dpd: int = MISSING  # more than this many days overdue = substandard (次级)
    doubtful_dpd: int = MISSING  # more than this = doubtful (可疑)
    loss_dpd: int = MISSING  # more than this = loss (损失)


@dataclass
class BreakerConfig:
    """NPL circuit breaker (风险熔断, §6)."""

    enabled: bool = MISSING
    township_npl: float = MISSING  # suspend a township above this NPL ratio
    village_npl: float = MISSING  # suspend a village above this NPL ratio
    blocks_renewals: bool = MISSING  # suspension also stops renewals (暂停贷款发放)


@dataclass
class LossConfig:
    """Claims, write-off and recovery of non-performing loans (§6, §10)."""

    claim_dpd: int = MISSING  # days overdue at which the fund and guarantor pay their shares
    writeoff_dpd: int | None = MISSING  # days overdue at which the bank writes off (None = never)
    recovery_rate: float = MISSING  # share of a written-off debt recovered later
    recovery_lag_months: int = MISSING  # months from write-off to recovery


@dataclass
class Shares:
    """Shares of a loss borne by the fund, the guarantor and the bank (they sum to one)."""

    fund: float = MISSING
    guarantor: float = MISSING
    bank: float = MISSING


@dataclass
class SharingConfig:
    """A named loss-sharing arrangement (config group ``sharing``, §6 风险共担)."""

    name: str = MISSING  # the arrangement's name (file in configs/sharing/)
    source: str = MISSING  # where the split comes from (docs/sources.md)
    household: Shares = field(default_factory=Shares)  # household channel (户贷户用)
    enterprise: Shares = field(default_factory=Shares)  # enterprise channel (企贷企用)


@dataclass
class FundConfig:
    """Risk-compensation fund (风险补偿金, §10)."""

    initial: float = MISSING  # yuan deposited with the partner banks at the start
    leverage: float = MISSING  # lending capacity = deposit x leverage (放大倍数)
    topup_rule: str = MISSING  # "none", "fixed" (topup_amount a year) or "restore" (to target)
    topup_amount: float = MISSING  # yuan a year under "fixed"
    target: float = MISSING  # yuan; "restore" tops up to this (0 = the initial fund)
    topup_month: int = MISSING  # calendar month of the yearly top-up, 1-12
    rebalance: bool = MISSING  # yearly reallocation of deposits by lending (§10)
    rebalance_month: int = MISSING  # calendar month of the reallocation, 1-12
    provincial_deposit: float = MISSING  # yuan of the fund held at the provincial guarantor (§10)
    provincial_leverage: float = MISSING  # its guarantees for the county <= deposit x this


@dataclass
class EnterpriseConfig:
    """Poverty-linked enterprises and the 企贷企用 channel (§1, §2, §14)."""

    enabled: bool = MISSING  # the enterprise channel exists
    n_enterprises: int = MISSING  # leading firms and cooperatives (带贫企业)
    link_share_no_labour: float = (
        MISSING  # share of households without labour linked to an enterprise
    )
    able_link_share: float = (
        MISSING  # share of able households linked too (0: Henan 2018 rule, 分红养懒)
    )
    amount_per_household: float = MISSING  # yuan of enterprise loan per linked household
    term_years: int = MISSING  # enterprise loan term
    return_rate: float = MISSING  # yearly return paid to a linked household, share of its principal
    interest_subsidy_rate: float = (
        MISSING  # per year, county subsidy on the poverty-linked principal
    )
    workers_mean: float = MISSING  # poor workers employed per enterprise (Poisson mean)
    wage: float = MISSING  # yuan a year per employed poor worker
    roa_mean: float = MISSING  # mean yearly return on the loan-financed assets
    roa_sd: float = MISSING  # sd of that return
    rho_county: float = MISSING  # loading of the county factor in enterprise profits
    rho_sector: float = MISSING  # loading of the sector factor
    initial_cash_share: float = MISSING  # cash buffer at the start, share of the loan
    insolvency_cash_share: float = MISSING  # default when cash falls below -this x loan
    p_breach: float = MISSING  # yearly P(breaking the link although able to pay)
    p_breach_persists: float = MISSING  # P(a breach is not rectified within the window)
    rectification_months: int = MISSING  # window to rectify after a failed review (§2)
    review_months: int = MISSING  # months between profit and solvency reviews (12: yearly)
    renewal: bool = MISSING  # compliant enterprises' loans are renewed at maturity (续贷)
    p_apply_monthly: float = MISSING  # monthly P(an enterprise without a loan applies)
    new_loans_after_campaign: bool = MISSING  # new enterprise loans also after the campaign
    recall_liquid_share: float = MISSING  # share of loan-financed assets sold to repay a recall
    leakage_share: float = (
        MISSING  # share of able households' own loans handed to an enterprise (户贷企用, §14)
    )


@dataclass
class GuaranteeConfig:
    """Government guarantors and guarantee fees (§4, §10)."""

    household_guarantor: str = (
        MISSING  # "county", "provincial" or "none": who guarantees household loans
    )
    enterprise_guarantor: str = MISSING  # same, for enterprise loans
    household_fee_rate: float = MISSING  # per year of the guaranteed balance
    enterprise_fee_rate: float = MISSING  # per year of the guaranteed balance
    fee_subsidy_share: float = MISSING  # share of fees the county pays
    county_reimbursement_share: float = (
        MISSING  # share of the county guarantor's payouts the county refunds
    )
    provincial_net_assets: float = (
        MISSING  # yuan of the provincial guarantor's capital for this county
    )
    county_net_assets: float = MISSING  # yuan, county guarantor
    compensation_fund: float = MISSING  # yuan of the county's fund that refunds its guarantor's payouts (§10 风险代偿补偿金)
    leverage_limit: float = MISSING  # outstanding guarantees <= this x net assets


@dataclass
class IncomeConfig:
    """Household income per person per year (yuan)."""

    base_per_person: list[float] = MISSING  # market income by labour [full, weak, none], 2019
    base_sd: float = MISSING  # log-sd of persistent household differences
    growth: float = MISSING  # yearly growth of market income
    shock_sd: float = MISSING  # log-sd of a household's yearly income shock
    transfer_per_person: float = MISSING  # yearly transfers and supports while supported
    project_return: float = MISSING  # net yearly income of a performing project, share of principal
    failed_project_return: float = MISSING  # same in a year the project fails (may be negative)
    project_persistence: float = (
        MISSING  # share of project assets still earning a year after repayment
    )
    job_wage: float = MISSING  # public-welfare job (公益岗位), yuan per household a year
    job_share: float = MISSING  # chance an able poor household gets a job, per campaign year
    floor_coverage: list[float] = MISSING  # share covered by 低保 below the standard, by labour


@dataclass
class PovertyConfig:
    """Yearly poverty assessment, exit, return to poverty and the withdrawal of supports."""

    line_years: list[int] = MISSING  # calendar years of the poverty-line table
    line_yuan: list[float] = MISSING  # yuan per person per year in each of those years
    assessment_month: int = MISSING  # calendar month of the yearly assessment, 1-12
    exit_margin: float = (
        MISSING  # exit needs income >= line x (1 + margin) (稳定超过); return below the line
    )
    floor_yuan: list[float] = MISSING  # social-assistance (低保) standard in each line year
    floor_tekun_multiplier: float = MISSING  # 特困供养 standard / 低保 standard
    exit_cohort_years: list[int] = MISSING  # years in which registered households exited early
    exit_cohort_shares: list[float] = MISSING  # share of registered households exiting each year
    cohort_noise_sd: float = MISSING  # log-sd of the noise in ranking households for early exit
    monitoring_catch: float = MISSING  # share of would-be relapses caught while supported
    support_end_year: int = MISSING  # last year of full supports (end of the transition period)
    withdrawal_rule: str = MISSING  # "abrupt", "tapered" or "profit_retention"
    taper_years: int = MISSING  # years over which "tapered" withdraws supports
    retention_share: float = MISSING  # share of enterprise returns retained while supported (§2)
    retention_payout_years: int = MISSING  # years over which retained profit is paid out after


@dataclass
class RunConfig:
    """Run settings (not model parameters)."""

    seed: int = MISSING  # root seed of every random stream
    out_dir: str | None = None  # output folder for the CLI (None = outputs/<scenario>/<time>)
    check_books: bool = MISSING  # verify the ledger identities every month
    household_agents: bool = (
        MISSING  # create every Household agent up front (False: on first inspection)
    )


@dataclass
class LabelConfig:
    """Display names of the scenario, declared in its file (not a model parameter)."""

    zh: str = MISSING  # Chinese name shown by the explorer and the briefing pack
    en: str = MISSING  # English name


@dataclass
class Config:
    """The whole model configuration."""

    scenario: str = MISSING  # name of the scenario file applied on top of the defaults
    label: LabelConfig = field(default_factory=LabelConfig)
    horizon: HorizonConfig = field(default_factory=HorizonConfig)
    county: CountyConfig = field(default_factory=CountyConfig)
    rating: RatingConfig = field(default_factory=RatingConfig)
    uptake: UptakeConfig = field(default_factory=UptakeConfig)
    credit: CreditConfig = field(default_factory=CreditConfig)
    subsidy: SubsidyConfig = field(default_factory=SubsidyConfig)
    default: DefaultConfig = field(default_factory=DefaultConfig)
    maturity: MaturityConfig = field(default_factory=MaturityConfig)
    classification: ClassificationConfig = field(default_factory=ClassificationConfig)
    breaker: BreakerConfig = field(default_factory=BreakerConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    sharing: SharingConfig = field(default_factory=SharingConfig)
    fund: FundConfig = field(default_factory=FundConfig)
    enterprise: EnterpriseConfig = field(default_factory=EnterpriseConfig)
    guarantee: GuaranteeConfig = field(default_factory=GuaranteeConfig)
    income: IncomeConfig = field(default_factory=IncomeConfig)
    poverty: PovertyConfig = field(default_factory=PovertyConfig)
    run: RunConfig = field(default_factory=RunConfig)


_SCHEMAS = {
    cls.__name__: cls
    for cls in (
        LabelConfig,
        HorizonConfig,
        CountyConfig,
        RatingConfig,
        UptakeConfig,
        CreditConfig,
        SubsidyConfig,
        DefaultConfig,
        MaturityConfig,
        ClassificationConfig,
        BreakerConfig,
        LossConfig,
        Shares,
        SharingConfig,
        FundConfig,
        EnterpriseConfig,
        GuaranteeConfig,
        IncomeConfig,
        PovertyConfig,
        RunConfig,
    )
}


class ConfigError(ValueError):
    """A configuration that cannot be run; the message names the key and the fix."""


def available_scenarios() -> list[str]:
    """Names of the scenario override files in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def scenario_label(name: str, lang: str) -> str:
    """Display name of scenario ``name`` in ``lang`` ("zh" or "en"), from its file's ``label``.

    A name that is not a scenario file (e.g. a folder of an older experiment) is returned as is.
    """
    path = SCENARIO_DIR / f"{name}.yaml"
    if not path.exists():
        return name
    label = (OmegaConf.load(path) or {}).get("label") or {}
    return str(label.get(lang) or name)


def _register(scenario: str) -> None:
    """Register the schema and the scenario file ``scenario`` with Hydra's ConfigStore.

    Only the scenario asked for is read, so a broken file in ``scenarios/`` breaks only the
    runs that use it; its problem is reported in one line naming the file.
    """
    from hydra.core.config_store import ConfigStore

    cs = ConfigStore.instance()
    cs.store(name="schema", node=Config)
    node = read_scenario(scenario)
    node = OmegaConf.merge(OmegaConf.create(node), {"scenario": scenario})
    cs.store(group="scenario", name=scenario, node=node, package="_global_")


def read_scenario(name: str) -> dict[str, Any]:
    """The overrides of ``scenarios/NAME.yaml`` as a dict, checked against the schema.

    Raises:
        ConfigError: naming the file and the problem (not YAML, not a mapping of keys to
            values, or a key the schema does not know, named like a command-line key).
    """
    path = SCENARIO_DIR / f"{name}.yaml"
    where = f"scenarios/{name}.yaml"
    try:
        node = OmegaConf.load(path)
    except Exception as exc:  # yaml.YAMLError, UnicodeDecodeError, OSError
        problem = " ".join(str(exc).split())[:200]
        raise ConfigError(
            f"{where}: not readable YAML ({problem}); fix or remove the file"
        ) from None
    if node is None or (isinstance(node, DictConfig) and len(node) == 0):
        return {}
    if not isinstance(node, DictConfig):
        raise ConfigError(
            f"{where}: holds a {type(node).__name__.removesuffix('Config').lower()}, "
            "not KEY: VALUE entries; write the keys that differ from the defaults, e.g. fund: {leverage: 12}"
        )
    data = OmegaConf.to_container(node)
    try:
        refuse_unknown_keys(data, Config)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    from sim.validate import translate_hydra_error

    try:  # each value against its type in the schema, named as on the command line
        OmegaConf.merge(OmegaConf.structured(Config), data)
    except Exception as exc:
        raise ConfigError(f"{where}: {translate_hydra_error(exc)}") from None
    return data


#: Keys whose value is a path: passed to Hydra quoted, so that a folder named in Chinese or
#: with brackets, commas, ``=`` or quotes (``county.path=D:/扶贫/上蔡县(2022)``) is read as written.
PATH_KEYS = ("county.path", "run.out_dir")


def quote_paths(overrides: list[str]) -> list[str]:
    """``overrides`` with the values of :data:`PATH_KEYS` quoted for Hydra's override grammar.

    A value already in quotes, empty or ``null`` is left as it is. Inside the quotes a quote
    is escaped, and so are backslashes before a quote or at the end (Hydra's rule).
    """
    out = []
    for o in overrides:
        key, sep, value = o.partition("=")
        quoted = len(value) > 1 and value[0] == value[-1] and value[0] in "'\""
        if sep and key.lstrip("+~") in PATH_KEYS and value not in ("", "null") and not quoted:
            value = re.sub(r"\\+(?='|$)", lambda m: m.group(0) * 2, value).replace("'", "\\'")
            o = f"{key}='{value}'"
        out.append(o)
    return out


def compose_unchecked(scenario: str, overrides: list[str] | None = None) -> DictConfig:
    """Hydra's composition of ``scenario`` and ``overrides``, before any check.

    Interpolations (the size-dependent defaults of ``sim/derive.py``) are left unresolved, so
    a caller can read the rule behind a value; :func:`load_config` is the checked form. Paths
    are quoted (:func:`quote_paths`).
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    _register(scenario)
    register_resolvers()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose(
                config_name="config",
                overrides=[f"scenario={scenario}", *quote_paths(overrides or [])],
            )
    finally:
        GlobalHydra.instance().clear()


def load_config(scenario: str = "baseline", overrides: list[str] | None = None) -> DictConfig:
    """Compose, type-check and validate a configuration.

    Args:
        scenario: name of a file in ``scenarios/`` (without ``.yaml``).
        overrides: Hydra overrides such as ``["fund.leverage=8", "county=small"]``.

    Returns:
        A read-only, fully resolved ``DictConfig`` following :class:`Config`.

    Raises:
        ConfigError: the composed configuration is invalid; the message says what to change.
    """
    from sim.validate import translate_hydra_error, validate

    overrides = list(overrides or [])
    if any(o.split("=", 1)[0].lstrip("+~") == "scenario" for o in overrides):
        raise ConfigError(
            "scenario: pass the scenario as load_config(scenario=...), not as an override"
        )
    if scenario not in available_scenarios():
        raise ConfigError(
            f"scenario={scenario}: no such file scenarios/{scenario}.yaml; "
            f"choose one of {', '.join(available_scenarios())}"
        )
    try:
        cfg = compose_unchecked(scenario, overrides)
    except Exception as exc:  # Hydra wraps OmegaConf errors; turn them into one line
        raise translate_hydra_error(exc) from None
    refuse_unknown_keys(OmegaConf.to_container(cfg), Config)  # "+key=value" bypasses the schema
    from sim.data import is_files, resolve_config

    if "county=files" in overrides and not cfg.county.path:
        raise ConfigError("county.path: no folder given; run with county=files county.path=DIR")
    if cfg.county.path and "county=files" not in overrides:
        # another county's distributions and horizon would be mixed with the files' counts
        raise ConfigError(
            f"county.path={cfg.county.path}: county files are read with county=files; "
            "run with county=files county.path=DIR"
        )
    if is_files(cfg):
        resolve_config(cfg, overrides)  # counts and start month follow the files
    try:
        OmegaConf.resolve(cfg)  # size-dependent defaults (sim/derive.py) become numbers
    except Exception as exc:
        raise translate_hydra_error(exc) from None
    validate(cfg)
    OmegaConf.set_readonly(cfg, True)
    return cfg


def refuse_unknown_keys(data: Any, schema: type, prefix: str = "") -> None:
    """Raise ConfigError for any key in ``data`` that the dataclass ``schema`` does not declare."""
    if not isinstance(data, dict):
        return
    fields = {f.name: f for f in dataclasses.fields(schema)}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if key not in fields:
            known = ", ".join(fields)
            raise ConfigError(f"{full}: unknown key; the keys here are: {known}")
        sub = fields[key].type
        sub = _SCHEMAS.get(sub, sub) if isinstance(sub, str) else sub
        if dataclasses.is_dataclass(sub):
            if not isinstance(value, dict):
                choice = ""
                if not prefix and (CONFIG_DIR / key).is_dir():
                    choice = f"; to use configs/{key}/{value}.yaml, pass {key}={value} on the command line"
                raise ConfigError(
                    f"{full}: a section of keys, not the value {value!r}; "
                    f"write {full}: {{KEY: VALUE, ...}}{choice}"
                )
            refuse_unknown_keys(value, sub, f"{full}.")


def to_container(cfg: DictConfig) -> dict[str, Any]:
    """Plain, picklable dict of a configuration (for saving and for worker processes)."""
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]


def from_container(data: dict[str, Any]) -> DictConfig:
    """Rebuild a validated configuration from :func:`to_container` output."""
    from sim.validate import translate_hydra_error, validate

    refuse_unknown_keys(data, Config)
    try:
        cfg = OmegaConf.merge(OmegaConf.structured(Config), data)
    except Exception as exc:
        raise translate_hydra_error(exc) from None
    validate(cfg)
    OmegaConf.set_readonly(cfg, True)
    return cfg


class Params(SimpleNamespace):
    """A plain, attribute-access copy of a configuration for the hot path.

    OmegaConf attribute access costs microseconds per call; the model reads parameters
    thousands of times a run, so it works on this frozen copy instead.
    """

    def __init__(self, data: dict[str, Any]):
        super().__init__(**{k: _to_params(v) for k, v in data.items()})

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"parameters are read-only ({key})")


def _to_params(value: Any) -> Any:
    if isinstance(value, dict):
        return Params(value)
    if isinstance(value, list):
        return [_to_params(v) for v in value]
    return value


_PARAMS: dict[int, tuple[DictConfig, dict[str, Any], Params]] = {}


def params_of(cfg: DictConfig) -> tuple[dict[str, Any], Params]:
    """The plain dict (:func:`to_container`) and the :class:`Params` of a configuration.

    Converting a configuration costs milliseconds, as much as several months of a replicate;
    a read-only configuration cannot change, so a process running replicate after replicate
    of it converts it once. The dict is shared: callers copy it before handing it out.
    """
    hit = _PARAMS.get(id(cfg))
    if hit is not None and hit[0] is cfg:
        return hit[1], hit[2]
    data = to_container(cfg)
    params = Params(data)
    if OmegaConf.is_readonly(cfg):
        if len(_PARAMS) >= 16:
            _PARAMS.pop(next(iter(_PARAMS)))
        _PARAMS[id(cfg)] = (cfg, data, params)  # holding cfg keeps its id from being reused
    return data, params
