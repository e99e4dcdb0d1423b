"""Every word the explorer shows, in Chinese and English (chart words come from analysis.labels)."""

from __future__ import annotations

from analysis.labels import Lang

TEXT: dict[str, tuple[str, str]] = {
    "title": ("上蔡县扶贫小额信贷政策模拟", "Shangcai microcredit policy explorer"),
    "language": ("语言", "Language"),
    "scenario": ("情景", "Scenario"),
    "scenario_hint": (
        "选择情景即按其设定重新开始；调整下方参数后点 RESET 生效。",
        "Picking a scenario restarts with its settings; move the levers below, then RESET.",
    ),
    # levers (Mesa's parameter panel)
    "lever_fund_wan": ("风险补偿金（万元）", "Risk fund (10,000 yuan)"),
    "lever_fund.leverage": ("放大倍数", "Leverage multiple"),
    "lever_breaker.enabled": ("启用风险熔断", "NPL circuit breaker on"),
    "lever_breaker.township_npl": ("乡镇熔断线（不良率）", "Township breaker (NPL ratio)"),
    "lever_breaker.village_npl": ("行政村熔断线（不良率）", "Village breaker (NPL ratio)"),
    "lever_breaker.blocks_renewals": ("熔断期间停办续贷", "Suspension also stops renewals"),
    "lever_maturity.renewal_enabled": ("无还本续贷", "Renewal without repaying principal"),
    "lever_maturity.extension_enabled": ("非主观因素展期", "Extension for causes beyond control"),
    "lever_sharing": ("损失分担安排", "Loss-sharing arrangement"),
    "lever_default.pd_annual": ("年违约概率（基准项目）", "Yearly default risk (reference)"),
    # panels
    "panel_lending": ("放贷与户贷率", "Lending and household loan rate"),
    "new_lending": ("当月新增放贷", "New lending in the month"),
    "loan_rate": ("户贷率（右轴）", "Household loan rate (right)"),
    "panel_npl": ("全县不良贷款率与熔断线", "County NPL ratio and the breaker lines"),
    "npl_county": ("全县不良率", "County NPL ratio"),
    "panel_fund": ("风险补偿金与放大倍数", "Risk fund and leverage"),
    "fund_balance": ("补偿金余额", "Fund balance"),
    "leverage_actual": ("实际放大倍数（右轴）", "Actual leverage (right)"),
    "leverage_agreed": ("约定放大倍数 {value:g} 倍", "Agreed leverage {value:g}×"),
    "panel_summary": ("运行概况", "Running summary"),
    "not_started": ("尚未开始：点 STEP 或 ▶ 运行。", "Not started: press STEP or ▶."),
    # summary rows
    "sum_scenario": ("情景", "Scenario"),
    "sum_month": ("月份", "Month"),
    "sum_month_value": ("{month}（第 {t} / {n} 个月）", "{month} (month {t} of {n})"),
    "sum_household_loan_rate": ("户贷率", "Household loan rate"),
    "sum_loan_balance": ("贷款余额", "Loan balance"),
    "sum_npl_ratio": ("不良贷款率", "NPL ratio"),
    "sum_suspended": ("暂停放贷：乡镇 / 行政村", "Suspended: townships / villages"),
    "sum_fund_balance": ("补偿金余额", "Fund balance"),
    "sum_fund_leverage": ("实际放大倍数", "Actual leverage"),
    "sum_agreed_leverage": ("约定放大倍数", "Agreed leverage"),
    "sum_lending_capacity": ("剩余放贷能力", "Lending capacity left"),
    "sum_cum_losses": ("累计损失", "Cumulative losses"),
    "sum_cum_fiscal_cost": ("累计财政支出", "Cumulative fiscal cost"),
    # saving
    "save": ("保存本次运行", "Save this run"),
    "saved": (
        "已保存到 {path}；生成简报：python -m analysis.briefing {path}",
        "Saved to {path}; briefing pack: python -m analysis.briefing {path}",
    ),
    "save_first": ("先运行至少一个月再保存。", "Run at least one month before saving."),
    "save_failed": ("未能保存：{why}", "Not saved: {why}"),
}


def text(key: str, lang: Lang) -> str:
    """The explorer's text for ``key`` in ``lang``."""
    if key not in TEXT:
        raise KeyError(f"{key}: no text; add it to explorer/text.py")
    return TEXT[key][0 if lang == "zh" else 1]
