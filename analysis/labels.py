"""The one label table: every title, axis, legend, header and sentence in Chinese and English.

``label(key, lang)`` returns the text; an unknown key is an error naming this file, so a
chart never shows a raw key. Templates use ``str.format`` fields (``{value}``, ``{n}``...).
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

GENERAL = {
    "amount": ("金额", "Amount"),
    "share_of_households": ("占建档立卡户比例", "Share of registered poor households"),
    "share_of_replicates": ("占 {n} 次重复模拟的比例", "Share of {n} replicates"),
    "median": ("中位数", "Median"),
    "band_5_95": ("5%–95% 区间", "5–95 % range"),
    "each_run": ("各次模拟（次数太少，不画区间）", "Each run (too few for a range)"),
    "band_25_75": ("25%–75% 区间", "25–75 % range"),
    "ci_95": ("95% 置信区间", "95 % confidence interval"),
    "diff_from_baseline": ("与基准情景之差", "Difference from baseline"),
    "unit_pp": ("个百分点", "percentage points"),
    "unit_wan": ("万元", "10,000 yuan"),
    "unit_yi": ("亿元", "100 million yuan"),
    "unit_million": ("百万元", "million yuan"),
    "unit_billion": ("十亿元", "billion yuan"),
    "unit_yuan": ("元", "yuan"),
    "unit_times": ("倍", "times"),
    "unit_times_suffix": (" 倍", "×"),
    "unit_count": ("个", "number"),
    "unit_multiple": ("倍", "times"),
    "candidate_fund": ("补偿金 {fund}", "Fund of {fund}"),
    "candidate_leverage": ("放大倍数 {leverage} 倍", "Leverage {leverage}×"),
    "unit_months": ("个月", "months"),
    "unit_events": ("次", "events"),
    "unit_villages": ("个村", "villages"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "unknown": ("未记录", "not recorded"),
    "list_sep": ("；", "; "),
    "township_n": ("乡镇{n}", "Township {n}"),
    "bank_n": ("银行{n}", "Bank {n}"),
    "village_n": ("行政村{n}", "Village {n}"),
    "scenario_named": ("{name}", "{name}"),
    "outcome_named": ("{name}", "{name}"),
    "budget_other": ("其他财政支出（{name}）", "Other budget line ({name})"),
}

CHARTS = {
    "title_npl": ("不良贷款率与熔断线", "NPL ratio and circuit-breaker thresholds"),
    "title_npl_heatmap": ("各乡镇逐月不良贷款率", "NPL ratio by township and month"),
    "title_suspensions": ("各乡镇暂停放贷时段", "Lending suspensions by township"),
    "title_fiscal": ("各年度财政支出（按预算科目）", "Fiscal cost by budget line and year"),
    "title_return_rate": ("脱贫后返贫率（按退出年数）", "Return to poverty by years since exit"),
    "title_cliff_income": ("帮扶结束前后的人均收入", "Income per person around the end of support"),
    "title_cliff_relapse": (
        "帮扶结束后的累计返贫率",
        "Return to poverty since the end of support",
    ),
    "title_cliff_cohorts": (
        "帮扶结束前后的人均收入（按脱贫年份，{scenario}）",
        "Income around the end of support by exit year ({scenario})",
    ),
    "title_cliff_cohorts_plain": (
        "帮扶结束前后的人均收入（按脱贫年份）",
        "Income around the end of support by exit year",
    ),
    "cohort_named": ("{year}年脱贫", "Exited {year}"),
    "title_comparison": (
        "各情景与{baseline}之差（点：同种子配对差值的均值；线：均值的 95% 置信区间）",
        "Difference from {baseline} (dot: mean of the paired differences; line: 95 % "
        "confidence interval of that mean)",
    ),
    "title_fund_sizing": ("风险补偿金规模测算", "Sizing the risk-compensation fund"),
    "threshold_township_npl": ("乡镇熔断线 {value:.0f}%", "Township threshold {value:.0f} %"),
    "threshold_village_npl": ("行政村熔断线 {value:.0f}%", "Village threshold {value:.0f} %"),
    "suspended_township": ("乡镇暂停", "Township suspended"),
    "suspended_village": ("部分村暂停", "Some villages suspended"),
    "no_suspensions": ("期内没有暂停放贷", "No lending was suspended"),
    "no_data_period": ("模拟期内没有可显示的数据", "No data within the simulated period"),
    "no_cliff_return": (
        "模拟期（{start} 至 {end}）内尚无脱贫满一年的农户\n暂无返贫率数据",
        "No household was out of poverty for a full year\n"
        "within the simulated period ({start} to {end}): no return rate yet",
    ),
    "no_cliff_end": (
        "模拟期（{start} 至 {end}）未到 {year} 年底帮扶结束时的年度评估\n暂无数据",
        "The simulated period ({start} to {end}) ends before the yearly assessment\n"
        "at the end of supports (end of {year}): no data yet",
    ),
    "no_cliff_end_plain": (
        "模拟期（{start} 至 {end}）未到帮扶结束时的年度评估\n暂无数据",
        "The simulated period ({start} to {end}) ends before the yearly assessment\n"
        "at the end of supports: no data yet",
    ),
    "no_cliff_after": (
        "模拟期（{start} 至 {end}）未到 {year} 年底帮扶结束后的首次年度评估\n暂无数据",
        "The simulated period ({start} to {end}) ends before the first yearly\n"
        "assessment after supports end (end of {year}): no data yet",
    ),
    "no_cliff_after_plain": (
        "模拟期（{start} 至 {end}）未到帮扶结束后的首次年度评估\n暂无数据",
        "The simulated period ({start} to {end}) ends before the first yearly\n"
        "assessment after supports end: no data yet",
    ),
    "leverage_cap": ("约定放大倍数 {value:g} 倍", "Agreed leverage {value:g}×"),
    "target_alpha": ("目标耗尽概率 {value:.10g}%", "Target exhaustion probability {value:.10g} %"),
    "answer_fund": ("测算结果（满足目标）", "Answer (meets the target)"),
    "budget_interest_subsidy": ("贴息", "Interest subsidy"),
    "budget_fund_payouts_net": ("补偿金代偿（扣除追回）", "Fund payouts net of recoveries"),
    "budget_fund_topups": ("补偿金补充", "Fund top-ups"),
    "budget_guarantee_fee_subsidy": ("担保费补贴", "Guarantee-fee subsidy"),
    "budget_guarantor_reimbursed": ("担保代偿补偿", "Guarantor reimbursement"),
    "budget_provincial_deposit_payouts": (
        "省农信担保存入补偿金代偿",
        "Draws on the deposit at the provincial guarantor",
    ),
    "budget_enterprise_interest_subsidy": ("企业贴息", "Enterprise interest subsidy"),
    "status_normal": ("正常", "normal"),
    "status_township": ("乡镇暂停", "township suspended"),
    "status_villages": ("部分村暂停", "some villages suspended"),
}

SERIES = {
    "t": ("期数", "Step"),
    "month": ("月份", "Month"),
    "year": ("年份", "Year"),
    "in_campaign": ("脱贫攻坚期内", "In campaign period"),
    "n_households": ("建档立卡户数", "Registered poor households"),
    "n_rated": ("已评级户数", "Households rated"),
    "n_aware": ("知晓政策户数", "Households aware"),
    "n_households_with_loan": ("在贷户数", "Households with a loan"),
    "cum_borrower_households": ("累计获贷户数", "Households ever borrowed"),
    "household_loan_rate": ("户贷率", "Household loan rate"),
    "n_applications": ("申请笔数", "Applications"),
    "n_rejected_credit": ("因信用未获批", "Refused on credit"),
    "n_blocked_suspended": ("因熔断未获批", "Blocked by suspension"),
    "n_blocked_capacity": ("因额度不足未获批", "Blocked by capacity"),
    "new_loans": ("新发放笔数", "New loans"),
    "new_borrower_households": ("新增获贷户数", "New borrower households"),
    "new_loan_amount": ("新发放贷款额", "New lending"),
    "principal_repaid": ("归还本金", "Principal repaid"),
    "renewals": ("无还本续贷笔数", "Renewals"),
    "extensions": ("展期笔数", "Extensions"),
    "new_overdue": ("新增逾期笔数", "New overdue loans"),
    "cures": ("逾期后还清笔数", "Overdue loans cured"),
    "loan_balance": ("贷款余额", "Loan balance"),
    "overdue_balance": ("逾期贷款余额", "Overdue balance"),
    "npl_balance": ("不良贷款余额", "NPL balance"),
    "npl_ratio": ("不良贷款率", "NPL ratio"),
    "n_villages_suspended": ("暂停村数", "Villages suspended"),
    "n_townships_suspended": ("暂停乡镇数", "Townships suspended"),
    "new_losses": ("当月核销损失", "Losses written off"),
    "cum_losses": ("累计核销损失", "Cumulative losses"),
    "cum_bank_losses": ("银行累计承担损失", "Cumulative bank losses"),
    "cum_recoveries": ("累计追回", "Cumulative recoveries"),
    "fund_balance": ("风险补偿金余额", "Risk-fund balance"),
    "fund_leverage": ("放大倍数", "Leverage multiple"),
    "lending_capacity": ("可放贷额度", "Lending capacity"),
    "cum_fund_payouts": ("补偿金累计代偿", "Cumulative fund payouts"),
    "cum_fund_shortfall": ("补偿金累计缺口", "Cumulative fund shortfall"),
    "cum_fund_topups": ("补偿金累计补充", "Cumulative fund top-ups"),
    "cum_fund_recoveries": ("补偿金累计追回", "Cumulative fund recoveries"),
    "new_interest_subsidy": ("当月贴息", "Interest subsidy (month)"),
    "cum_interest_subsidy": ("累计贴息", "Cumulative interest subsidy"),
    "interest_arrears": ("欠息", "Interest arrears"),
    "cum_fiscal_cost": ("累计财政成本", "Cumulative fiscal cost"),
    "default_fraction": ("年度违约率", "Yearly default fraction"),
    "cohort_loan_years": ("年度贷款户年数", "Loan-years in cohort"),
    "n_never_borrowed": ("从未贷款户数", "Never borrowed"),
    "n_performing": ("正常还款户数", "Performing"),
    "n_overdue": ("逾期户数", "Overdue"),
    "n_non_performing": ("不良户数", "Non-performing"),
    "n_closed": ("已结清户数", "Closed"),
    "n_written_off": ("已核销户数", "Written off"),
    "cum_guarantee_fee_subsidy": ("累计担保费补贴", "Cumulative guarantee-fee subsidy"),
    "loan_balance_household_channel": ("户贷户用余额", "Balance, household channel"),
    "loan_balance_enterprise_channel": ("企贷企用余额", "Balance, enterprise channel"),
    "cum_losses_household_channel": ("户贷户用累计损失", "Cumulative losses, household channel"),
    "cum_losses_enterprise_channel": ("企贷企用累计损失", "Cumulative losses, enterprise channel"),
    "cum_interest_accrued": ("累计应计利息", "Cumulative interest accrued"),
    "cum_interest_paid": ("累计已付利息", "Cumulative interest paid"),
    "cum_guarantee_fees": ("累计担保费", "Cumulative guarantee fees"),
    "cum_guarantor_payouts": ("担保机构累计代偿", "Cumulative guarantor payouts"),
    "cum_guarantor_recoveries": ("担保机构累计追回", "Cumulative guarantor recoveries"),
    "guarantor_outstanding": ("担保余额", "Guarantees outstanding"),
    "guarantor_net_assets": ("担保机构净资产", "Guarantor net assets"),
    "n_blocked_guarantee": ("因担保额度未获批", "Blocked by guarantee capacity"),
    "n_enterprises_active": ("带贫企业数", "Enterprises active"),
    "n_enterprises_blacklisted": ("列入黑名单企业数", "Enterprises blacklisted"),
    "cum_enterprise_defaults": ("企业累计违约", "Cumulative enterprise defaults"),
    "cum_enterprise_recalls": ("企业累计收回贷款", "Cumulative enterprise recalls"),
    "n_linked_households": ("企业带动户数", "Households linked to enterprises"),
    "cum_leaked_loans": ("累计户贷企用笔数", "Cumulative leaked loans (户贷企用)"),
    "cum_transfers": ("累计转移支付", "Cumulative transfers"),
    "cum_guarantor_reimbursed": ("累计担保代偿补偿", "Cumulative guarantor reimbursement"),
    "cum_enterprise_interest": ("累计企业支付利息", "Cumulative interest paid by enterprises"),
    "cum_provincial_deposit_payouts": (
        "累计省农信担保存入补偿金代偿",
        "Cumulative draws on the deposit at the provincial guarantor",
    ),
    "provincial_deposit": ("省农信担保处补偿金余额", "Fund deposit at the provincial guarantor"),
    "compensation_fund": ("风险代偿补偿金余额", "County guarantor compensation fund"),
    "cum_reimbursement_shortfall": ("累计未能补偿的代偿", "Cumulative unpaid guarantor refunds"),
    "balance_special_mention": ("关注类余额", "Special-mention balance"),
    "balance_substandard": ("次级类余额", "Substandard balance"),
    "balance_doubtful": ("可疑类余额", "Doubtful balance"),
    "balance_loss": ("损失类余额", "Loss balance"),
    "new_npl_balance": ("新增不良余额", "New NPL balance"),
    "npl_outflow": ("不良减少额", "NPL outflow"),
    "npl_outflow_repaid": ("不良减少：借款人还款", "NPL outflow: repaid"),
    "npl_outflow_compensated": ("不良减少：代偿", "NPL outflow: compensated"),
    "npl_outflow_written_off": ("不良减少：核销", "NPL outflow: written off"),
    "new_claims": ("当月代偿额", "Claims paid this month"),
    "new_writeoffs": ("当月核销额", "Written off this month"),
    "bank_deposit_exhausted": ("合作银行存放补偿金是否用尽", "A bank's fund deposit ran dry"),
    "opening_loan_balance": ("期初贷款余额", "Opening loan balance"),
    "opening_book_exceeds_capacity": (
        "期初贷款是否超出放贷能力",
        "Opening book exceeds lending capacity",
    ),
    "cum_enterprise_interest_subsidy": ("累计企业贴息", "Cumulative enterprise interest subsidy"),
    "n_poor": ("贫困户数", "Households in poverty"),
    "n_exited": ("已脱贫户数", "Households exited"),
    "cum_returned_to_poverty": ("累计返贫户数", "Households returned to poverty"),
    "leverage": ("放大倍数（贷款余额 ÷ 补偿金余额）", "Leverage (loan balance ÷ fund balance)"),
    "p_exhausted": ("补偿金耗尽概率", "Probability the fund is exhausted"),
}

TABLES = {
    "township": ("乡镇", "Township"),
    "village": ("行政村", "Village"),
    "bank": ("合作银行", "Partner bank"),
    "n_with_loan": ("在贷户数", "Households with a loan"),
    "cum_borrowers": ("累计获贷户数", "Households ever borrowed"),
    "suspended": ("暂停放贷", "Lending suspended"),
    "village_suspended": ("本村熔断", "Village suspended"),
    "township_suspended": ("乡镇熔断", "Township suspended"),
    "status": ("熔断状态", "Suspension status"),
    "change_loan_balance": ("余额较上月变化", "Change in balance"),
    "change_household_loan_rate": ("户贷率较上月变化", "Change in household loan rate"),
    "change_npl_ratio": ("不良率较上月变化", "Change in NPL ratio"),
    "rating_coverage": ("评级覆盖率", "Rating coverage"),
    "rank_rating_coverage": ("评级覆盖率排名", "Rank: rating coverage"),
    "rank_household_loan_rate": ("户贷率排名", "Rank: household loan rate"),
    "rank_new_loans": ("贷款受理排名", "Rank: loans handled"),
    "rank_new_loan_amount": ("投放额度排名", "Rank: lending volume"),
    "rank_npl_ratio": ("不良率排名", "Rank: NPL ratio"),
    "mean_rank": ("平均名次", "Mean rank"),
    "rank_overall": ("综合排名", "Overall rank"),
    "scenario": ("情景", "Scenario"),
    "replicate": ("重复编号", "Replicate"),
    "seed": ("随机种子", "Seed"),
    "outcome": ("指标", "Outcome"),
    "variable": ("指标", "Variable"),
    "value": ("数值", "Value"),
    "p05": ("5% 分位", "5th percentile"),
    "p95": ("95% 分位", "95th percentile"),
    "mean": ("均值", "Mean"),
    "n": ("样本数", "Count"),
    "diff_mean": ("与基准之差（均值）", "Difference from baseline (mean)"),
    "diff_ci_low": ("差值均值 95% 置信区间下限", "Mean difference, 95 % CI low"),
    "diff_ci_high": ("差值均值 95% 置信区间上限", "Mean difference, 95 % CI high"),
    "fund_initial": ("补偿金初始规模", "Initial fund"),
    "p_exhausted_ci_low": ("耗尽概率 95% 置信区间下限", "P(exhausted), 95 % CI low"),
    "p_exhausted_ci_high": ("耗尽概率 95% 置信区间上限", "P(exhausted), 95 % CI high"),
    "mean_cum_fund_payouts": ("平均累计代偿", "Mean cumulative payouts"),
    "p95_cum_fund_payouts": ("累计代偿 95% 分位", "95th percentile of cumulative payouts"),
    "mean_household_loan_rate": ("平均户贷率", "Mean household loan rate"),
    "mean_cum_fiscal_cost": ("平均累计财政成本", "Mean cumulative fiscal cost"),
    "exit_year": ("脱贫年份", "Exit year"),
    "years_since_exit": ("脱贫后年数", "Years since exit"),
    "n_returned": ("返贫户数", "Households returned"),
    "return_rate": ("返贫率", "Return-to-poverty rate"),
    "years_relative_to_support_end": ("距帮扶结束年数", "Years relative to the end of support"),
    "support_end_marker": (
        "帮扶结束（第 -1 年为最后一个帮扶年）",
        "End of support (year -1 is the last supported year)",
    ),
    "mean_income_per_person": ("人均收入", "Income per person"),
    "relapsed_share": ("累计返贫率", "Share poor again"),
    "enterprise": ("企业", "Enterprise"),
    "sector": ("产业", "Sector"),
}

SUMMARY = {
    "peak_npl_ratio": ("不良贷款率峰值", "Peak NPL ratio"),
    "final_npl_ratio": ("期末不良贷款率", "Final NPL ratio"),
    "final_household_loan_rate": ("期末户贷率", "Final household loan rate"),
    "final_loan_balance": ("期末贷款余额", "Final loan balance"),
    "peak_loan_balance": ("贷款余额峰值", "Peak loan balance"),
    "total_new_lending": ("累计发放贷款", "Total new lending"),
    "mean_new_loan_amount": ("平均每笔贷款", "Mean loan size"),
    "n_suspension_events": ("暂停次数", "Suspension events"),
    "months_with_suspension": ("有暂停的月数", "Months with a suspension"),
    "peak_villages_suspended": ("同时暂停村数最大值", "Most villages suspended at once"),
    "min_fund_balance": ("补偿金最低余额", "Lowest fund balance"),
    "fund_exhausted": ("补偿金是否耗尽", "Fund exhausted"),
    "fund_required": ("本次模拟所需补偿金", "Fund this run required"),
    "fund_claims": ("补偿金应承担的代偿", "Claims on the fund"),
    "months_capacity_bound": (
        "补偿金未动用时放贷额度受限月数",
        "Months capacity-bound, fund whole",
    ),
    "peak_interest_arrears": ("欠息峰值", "Peak interest arrears"),
    "cum_renewals": ("累计续贷笔数", "Renewals"),
    "cum_extensions": ("累计展期笔数", "Extensions"),
    "final_enterprise_channel_share": ("期末企贷企用占比", "Final enterprise-channel share"),
    "final_n_poor": ("期末贫困户数", "Households in poverty at the end"),
    "final_n_exited": ("期末已脱贫户数", "Households exited at the end"),
    "return_to_poverty_rate_1y": ("脱贫 1 年后返贫率", "Return to poverty after 1 year"),
    "return_to_poverty_rate_2y": ("脱贫 2 年后返贫率", "Return to poverty after 2 years"),
    "return_to_poverty_rate_3y": ("脱贫 3 年后返贫率", "Return to poverty after 3 years"),
    "cliff_income_change": ("帮扶结束当年人均收入变化", "Income change in the year supports end"),
    "relapse_after_support_end_1y": (
        "帮扶结束后 1 年内返贫比例",
        "Poor again within 1 year after supports end",
    ),
    "relapse_after_support_end_2y": (
        "帮扶结束后 2 年内返贫比例",
        "Poor again within 2 years after supports end",
    ),
    "relapse_after_support_end_3y": (
        "帮扶结束后 3 年内返贫比例",
        "Poor again within 3 years after supports end",
    ),
    "mean_income_per_person_campaign_end": (
        "攻坚期末人均收入",
        "Income per person at the end of the campaign",
    ),
    "ensemble_set": ("参数组编号", "Parameter set"),
    "poor_share": ("贫困比例", "Share poor"),
}

SHEETS = {
    "sheet_summary": ("摘要", "Summary"),
    "sheet_replicates": ("各次模拟", "Replicates"),
    "sheet_monthly": ("月度序列", "Monthly series"),
    "sheet_fiscal": ("年度财政支出", "Fiscal cost by year"),
    "sheet_bulletin": ("乡镇通报", "Township bulletin"),
    "sheet_scorecard_township": ("乡镇年度考评", "Township scorecard"),
    "sheet_scorecard_bank": ("银行年度考评", "Bank scorecard"),
    "sheet_comparison": ("情景比较", "Scenario comparison"),
    "sheet_fund_sizing": ("补偿金规模", "Fund sizing"),
}

PAGE = {
    "page_title": (
        "上蔡县扶贫小额信贷政策模拟简报",
        "Shangcai County poverty-alleviation microcredit: simulation briefing",
    ),
    "h_key_numbers": ("主要数字", "Key numbers"),
    "h_charts": ("图表", "Charts"),
    "h_bulletin": ("最近一期乡镇通报（{month}）", "Latest township bulletin ({month})"),
    "h_files": ("文件", "Files"),
    "files_workbook": (
        "完整表格见工作簿 {workbook}，各表另存为 csv 文件夹中的 CSV 文件。",
        "All tables are in the workbook {workbook}; each is also a CSV file in the csv folder.",
    ),
    "footer": (
        "生成时间 {created}；模型版本 {version}，代码版本 {git}。",
        "Generated {created}; model version {version}, code revision {git}.",
    ),
    "cap_lending": (
        "贷款余额、新发放贷款与户贷率",
        "Loan balance, new lending and household loan rate",
    ),
    "cap_npl": ("不良贷款率与熔断线", "NPL ratio against the circuit-breaker thresholds"),
    "cap_heatmap": (
        "各乡镇逐月不良贷款率（×：乡镇暂停；·：部分村暂停）",
        "NPL ratio by township and month (×: township suspended; ·: some villages)",
    ),
    "cap_suspensions": ("各乡镇暂停放贷时段", "When lending was suspended in each township"),
    "cap_fund": (
        "风险补偿金余额、放大倍数与耗尽概率",
        "Risk-fund balance, leverage and probability of exhaustion",
    ),
    "cap_fiscal": ("各年度财政支出", "Fiscal cost by year"),
    "cap_comparison": ("情景比较", "Scenario comparison"),
    "cap_fund_sizing": ("风险补偿金规模测算", "Fund sizing"),
    "cap_cliff_return": ("不同退出方式下的返贫率", "Return to poverty under each withdrawal rule"),
    "cap_cliff_income": ("帮扶结束前后的人均收入", "Income around the end of support"),
    "cap_cliff_relapse": (
        "帮扶结束后的累计返贫率（各情景，中位数与5–95%区间）",
        "Return to poverty since the end of support (median and 5-95 % band)",
    ),
    "cap_cliff_cohorts": (
        "帮扶结束前后的人均收入（按脱贫年份）",
        "Income around the end of support, by exit year",
    ),
    "src_run": (
        "数据来源：情景「{scenario}」，随机种子 {seed}",
        "Source: scenario '{scenario}', seed {seed}",
    ),
    "src_exp": (
        "数据来源：试验「{name}」情景「{scenario}」{n} 次重复模拟（根种子 {root_seed}）",
        "Source: experiment '{name}', scenario '{scenario}', {n} replicates "
        "(root seed {root_seed})",
    ),
    "src_exp_rep": (
        "数据来源：试验「{name}」情景「{scenario}」的 {replicate}（随机种子 {seed}）",
        "Source: experiment '{name}', scenario '{scenario}', {replicate} (seed {seed})",
    ),
    "src_exp_all": (
        "数据来源：试验「{name}」全部 {n_scenarios} 个情景（根种子 {root_seed}）",
        "Source: experiment '{name}', all {n_scenarios} scenarios (root seed {root_seed})",
    ),
}

SENTENCES = {
    "s_source_run": (
        "本简报基于情景「{scenario}」、随机种子 {seed} 的一次模拟：合成县共 {n_townships} 个乡镇、"
        "{n_villages} 个行政村、{n_households} 户建档立卡贫困户，模拟期 {start} 至 {end}，共 {months} 个月。",
        "This briefing is based on one simulation of scenario '{scenario}' with random seed {seed}: "
        "a synthetic county of {n_townships} townships, {n_villages} villages and {n_households} "
        "registered poor households, from {start} to {end} ({months} months).",
    ),
    "s_source_run_files": (
        "本简报基于情景「{scenario}」、随机种子 {seed} 的一次模拟：县级数据（建档立卡户名册与贷款台账）共 "
        "{n_townships} 个乡镇、{n_villages} 个行政村、{n_households} 户，自台账月份 {start} 起至 {end}，共 {months} 个月。",
        "This briefing is based on one simulation of scenario '{scenario}' with random seed {seed}: "
        "the county's own data (household roster and loan ledgers) with {n_townships} townships, "
        "{n_villages} villages and {n_households} households, from the ledgers' month {start} "
        "to {end} ({months} months).",
    ),
    "s_source_run_short": (
        "本简报基于情景「{scenario}」、随机种子 {seed} 的一次模拟，模拟期 {start} 至 {end}，共 {months} 个月。",
        "This briefing is based on one simulation of scenario '{scenario}' with random seed {seed}, "
        "from {start} to {end} ({months} months).",
    ),
    "s_lending": (
        "期末贷款余额 {final_balance}，峰值 {peak_balance}；期内累计发放贷款 {total_lending}，"
        "平均每笔 {mean_loan}。期末户贷率（曾获贷户数 ÷ 建档立卡户数）为 {loan_rate}。",
        "Loans outstanding end at {final_balance} (peak {peak_balance}); {total_lending} was lent "
        "in all, {mean_loan} per loan on average. By the end {loan_rate} of registered poor "
        "households had borrowed (household loan rate).",
    ),
    "s_risk": (
        "不良贷款率峰值 {peak_npl}，期末 {final_npl}；熔断线为乡镇 {t_township}、行政村 {t_village}。"
        "期内共触发暂停 {n_susp} 次，{months_susp} 个月有村或乡镇处于暂停状态，同时暂停的村最多 {peak_villages} 个。",
        "The NPL ratio peaks at {peak_npl} and ends at {final_npl}; the circuit breaker stops "
        "lending above {t_township} in a township or {t_village} in a village. It fired "
        "{n_susp} times; in {months_susp} months some village or township was suspended; "
        "most villages suspended at once: {peak_villages}.",
    ),
    "s_fund_ok": (
        "风险补偿金初始 {initial}，最低余额 {min_fund}，期内未耗尽；累计代偿 {payouts}。",
        "The risk-compensation fund starts at {initial}, never falls below {min_fund} and is "
        "never exhausted; it pays {payouts} of compensation in all.",
    ),
    "s_fund_exhausted": (
        "风险补偿金初始 {initial}，最低余额 {min_fund}，期内曾经耗尽，出现代偿缺口；累计代偿 {payouts}。",
        "The risk-compensation fund starts at {initial}, falls to {min_fund} and runs out, "
        "leaving compensation unpaid; it pays {payouts} in all.",
    ),
    "s_fiscal": (
        "累计财政成本 {fiscal}（各项补贴与代偿之和，扣除追回），其中贴息 {subsidy}。",
        "The budget pays {fiscal} in all (subsidies and compensation, net of recoveries), "
        "of which {subsidy} is interest subsidy.",
    ),
    "s_topups": (
        "此外，财政向风险补偿金补充资金 {topups}。",
        "In addition the budget tops up the fund by {topups}.",
    ),
    "s_bulletin": (
        "最近一期（{month}）不良贷款率最高的乡镇是{township}（{npl}），{n_susp} 个乡镇有村或乡镇处于暂停状态。",
        "In the latest bulletin ({month}) the highest NPL ratio is in {township} ({npl}); "
        "{n_susp} townships have a suspension in force.",
    ),
    "s_bulletin_clean": (
        "最近一期（{month}）各乡镇均无不良贷款，{n_susp} 个乡镇有村或乡镇处于暂停状态。",
        "In the latest bulletin ({month}) no township has a non-performing loan; "
        "{n_susp} townships have a suspension in force.",
    ),
    "s_scorecard": (
        "{year} 年度考评综合排名第一的乡镇是{township}，合作银行中排名第一的是{bank}。",
        "In the {year} scorecards {township} ranks first among townships and {bank} among "
        "partner banks.",
    ),
    "s_source_exp": (
        "本简报基于试验「{name}」：{n_scenarios} 个情景，每个情景 {n_reps} 次重复模拟（根种子 "
        "{root_seed}，各次种子见工作簿），模拟期 {start} 至 {end}；基准情景为「{baseline}」。",
        "This briefing is based on experiment '{name}': {n_scenarios} scenarios, {n_reps} "
        "replicates each (root seed {root_seed}; every replicate's seed is in the workbook), "
        "from {start} to {end}; the baseline is '{baseline}'.",
    ),
    "s_scenario": (
        "情景「{scenario}」：期末户贷率中位数 {loan_rate}（90% 的模拟在 {lo}–{hi} 之间），"
        "不良贷款率峰值中位数 {npl}，补偿金耗尽概率 {p_ex}，累计财政成本中位数 {fiscal}。",
        "Scenario '{scenario}': median household loan rate {loan_rate} (90 % of runs between "
        "{lo} and {hi}), median peak NPL ratio {npl}, probability the fund runs out {p_ex}, "
        "median fiscal cost {fiscal}.",
    ),
    "s_scenario_few": (
        "情景「{scenario}」（仅 {n} 次模拟，不足以给出分布区间）：期末户贷率中位数 {loan_rate}，"
        "不良贷款率峰值中位数 {npl}，补偿金耗尽概率 {p_ex}，累计财政成本中位数 {fiscal}。",
        "Scenario '{scenario}' ({n} run(s) only, too few for a range): median household loan "
        "rate {loan_rate}, median peak NPL ratio {npl}, probability the fund runs out {p_ex}, "
        "median fiscal cost {fiscal}.",
    ),
    "s_diff_few": (
        "「{scenario}」与基准只有 {n} 对同种子模拟，太少，无法给出差值的置信区间；请增加重复模拟次数（--n）。",
        "'{scenario}' has only {n} replicate pair(s) with the baseline: too few for a confidence "
        "interval of the difference; run more replicates (--n).",
    ),
    "s_diff_part": (
        "{outcome}平均变化 {diff}（95% 置信区间 {lo} 至 {hi}）",
        "{outcome} changes by {diff} on average (95 % confidence interval {lo} to {hi})",
    ),
    "s_diff": (
        "与基准相比，「{scenario}」：{parts}。",
        "Compared with the baseline, '{scenario}': {parts}.",
    ),
    "s_no_diff": (
        "「{scenario}」与基准相比，所列指标平均差值的 95% 置信区间均包含零，看不出明显差别。",
        "'{scenario}' shows no clear difference from the baseline: every 95 % confidence "
        "interval of a mean difference includes zero.",
    ),
    "s_sizing_ok": (
        "要使补偿金耗尽概率不超过 {alpha}，补偿金至少需要 {fund}（放大倍数 {leverage} 倍）；"
        "此时耗尽概率为 {p}（95% 置信区间 {lo}–{hi}），户贷率 {rate}。",
        "To keep the probability that the fund runs out at or below {alpha}, the fund needs at "
        "least {fund} (leverage {leverage}×); it then runs out with probability {p} (95 % "
        "confidence interval {lo}–{hi}) and the household loan rate is {rate}.",
    ),
    "s_sizing_edge": (
        "测试的最小补偿金规模 {fund}（放大倍数 {leverage} 倍）已能使耗尽概率不超过 {alpha}：耗尽概率 {p}"
        "（95% 置信区间 {lo}–{hi}），户贷率 {rate}；更小的规模也可能满足，需向下扩展测试范围。",
        "The smallest fund tried, {fund} (leverage {leverage}×), already keeps the probability "
        "that the fund runs out at or below {alpha}: {p} (95 % confidence interval {lo}–{hi}), "
        "household loan rate {rate}; a smaller fund may be enough too (the sizes tried must "
        "extend lower to tell).",
    ),
    "s_sizing_lev": (
        "补偿金为 {fund} 时，要使耗尽概率不超过 {alpha}，放大倍数最多为 {leverage} 倍；此时耗尽概率为 {p}"
        "（95% 置信区间 {lo}–{hi}），户贷率 {rate}。",
        "At a fund of {fund}, the leverage multiple may be at most {leverage}× to keep the "
        "probability that the fund runs out at or below {alpha}; it then runs out with "
        "probability {p} (95 % confidence interval {lo}–{hi}) and the household loan rate is "
        "{rate}.",
    ),
    "s_sizing_lev_edge": (
        "补偿金为 {fund} 时，测试的最大放大倍数 {leverage} 倍已能使耗尽概率不超过 {alpha}：耗尽概率 {p}"
        "（95% 置信区间 {lo}–{hi}），户贷率 {rate}；更高的倍数也可能满足，需向上扩展测试范围。",
        "At a fund of {fund}, the largest leverage multiple tried, {leverage}×, already keeps the "
        "probability that the fund runs out at or below {alpha}: {p} (95 % confidence interval "
        "{lo}–{hi}), household loan rate {rate}; a higher multiple may be admissible too (the "
        "multiples tried must extend higher to tell).",
    ),
    "s_sizing_check": (
        "在 {n} 组新的随机种子上复核该结果：耗尽概率 {p}（95% 置信区间 {lo}–{hi}）。",
        "Re-simulated on {n} fresh replicate seeds, the fund runs out with probability {p} (95 % "
        "confidence interval {lo}–{hi}).",
    ),
    "s_sizing_few": (
        "注意：目标耗尽概率为 {alpha} 时，{n} 次重复模拟中只有约 {k} 次补偿金耗尽，结果仅依赖少数几次模拟；"
        "请至少使用 {need} 次重复模拟（--n）。",
        "Caution: at a target of {alpha}, {n} replicates hold only about {k} in which the fund "
        "runs out, so the answer rests on a handful of runs; use at least {need} replicates "
        "(--n).",
    ),
    "s_sizing_few_one": (
        "注意：目标耗尽概率为 {alpha} 时，{n} 次重复模拟中预计补偿金耗尽不到 1 次，结果仅依赖极少数模拟；"
        "请至少使用 {need} 次重复模拟（--n）。",
        "Caution: at a target of {alpha}, {n} replicates are expected to hold fewer than one run "
        "in which the fund runs out, so the answer rests on very few runs; use at least {need} "
        "replicates (--n).",
    ),
    "s_sizing_none": (
        "所测试的补偿金规模中，没有一个能把耗尽概率控制在 {alpha} 以内（最大规模 {max_fund} 时为 {p}）。",
        "None of the fund sizes tried keeps the probability of running out at or below {alpha} "
        "(at the largest, {max_fund}, it is {p}).",
    ),
    "s_sizing_none_plain": (
        "所测试的补偿金规模中，没有一个能把耗尽概率控制在 {alpha} 以内。",
        "None of the fund sizes tried keeps the probability of running out at or below {alpha}.",
    ),
    "s_cliff_part": ("「{scenario}」{rate}", "{scenario} {rate}"),
    "s_cliff": (
        "脱贫后第 {k} 年的返贫率：{parts}。",
        "Share back in poverty {k} years after exit: {parts}.",
    ),
    "s_cliff_end": (
        "帮扶结束后 {k} 年内返贫的比例（各次模拟的中位数）：{parts}。",
        "Share poor again within {k} years after supports end (median over replicates): {parts}.",
    ),
    "s_cliff_end_one": (
        "帮扶结束后 {k} 年内返贫的比例：{parts}。",
        "Share poor again within {k} years after supports end: {parts}.",
    ),
}

DISCOVERY = {
    "title_discovery": ("情形发现：{outcome}", "Scenario discovery: {outcome}"),
    "title_tradeoff": ("PRIM 剥离轨迹", "PRIM peeling trajectory"),
    "title_box_limits": ("第 {n} 个区域的条件", "Conditions of box {n}"),
    "coverage": ("覆盖率", "Coverage"),
    "density": ("密度", "Density"),
    "res_dim": ("受限参数个数", "Restricted inputs"),
    "chosen_box": ("所选区域", "Chosen box"),
    "position_in_range": ("在抽样范围中的位置", "Position within the sampled range"),
    "box_stats": (
        "覆盖率 {coverage:.0%}，密度 {density:.0%}",
        "coverage {coverage:.0%}, density {density:.0%}",
    ),
    "no_box": ("未找到区域", "No box found"),
    "outcome_fund_exhausted": ("风险补偿金耗尽", "Risk fund exhausted"),
    "outcome_township_suspended_6m": (
        "乡镇连续暂停放贷 6 个月以上",
        "A township suspended 6 months or more",
    ),
    "outcome_fiscal_cost_above": ("财政成本超过阈值", "Fiscal cost above the threshold"),
    "title_frontier": (
        "政策前沿：户贷率、补偿金耗尽概率与财政成本",
        "Policy frontier: loan rate, fund exhaustion and fiscal cost",
    ),
    "candidates_evaluated": ("已评估的政策组合", "Settings evaluated"),
    "frontier_points": ("非劣政策组合", "Non-dominated settings"),
    "configured_dominated": ("现行政策（被占优）", "Configured policy (dominated)"),
    "configured_frontier": ("现行政策（非劣）", "Configured policy (non-dominated)"),
    "mean_fund_exhausted": ("补偿金耗尽概率", "Probability the fund is exhausted"),
    "cap_discovery": ("情形发现（PRIM）", "Scenario discovery (PRIM)"),
    "cap_frontier": ("政策前沿", "Policy frontier"),
    "sheet_discovery": ("情形发现", "Scenario discovery"),
    "sheet_discovery_boxes": ("情形发现区域", "Discovery boxes"),
    "sheet_frontier": ("政策前沿", "Policy frontier"),
    "s_discovery": (
        "「{outcome}」在 {n} 次模拟中出现 {k} 次；主要出现在以下条件下：{conditions}"
        "（覆盖 {coverage} 的出现情形，区域内出现比例 {density}）。",
        "'{outcome}' happened in {k} of {n} runs, mostly under these conditions: {conditions} "
        "(the box holds {coverage} of the runs where it happened; it happens in {density} of the "
        "runs inside the box).",
    ),
    "s_discovery_none": (
        "「{outcome}」在 {n} 次模拟中出现 {k} 次；未找到集中出现的条件区域。",
        "'{outcome}' happened in {k} of {n} runs; no box of conditions concentrates it.",
    ),
    "s_frontier_dominated": (
        "在评估的 {n} 个政策组合中，{k} 个为非劣组合（户贷率更高、补偿金耗尽概率和财政成本更低，"
        "每个组合 {reps} 次共同随机数模拟）；现行政策被其中 {m} 个组合占优。",
        "Of {n} lever settings evaluated ({reps} common replicates each), {k} are non-dominated "
        "(higher household loan rate, lower probability of fund exhaustion and fiscal cost); the "
        "configured policy is dominated by {m} of them.",
    ),
    "s_frontier_ok": (
        "在评估的 {n} 个政策组合中，{k} 个为非劣组合（每个组合 {reps} 次共同随机数模拟）；"
        "现行政策本身为非劣组合。",
        "Of {n} lever settings evaluated ({reps} common replicates each), {k} are non-dominated; "
        "the configured policy is one of them.",
    ),
}

PARAMETERS = {
    "param_breaker.township_npl": ("乡镇熔断线", "Township breaker threshold"),
    "param_breaker.village_npl": ("行政村熔断线", "Village breaker threshold"),
    "param_fund.leverage": ("放大倍数", "Leverage multiple"),
    "param_fund.initial": ("补偿金初始规模", "Initial fund"),
    "param_loss.claim_dpd": ("代偿启动逾期天数", "Days overdue before fund and guarantor pay"),
    "param_loss.writeoff_dpd": ("核销逾期天数", "Days overdue before the bank writes off"),
    "param_sharing": ("损失分担安排", "Loss-sharing arrangement"),
    "param_maturity.p_renewal_request": ("无还本续贷申请概率", "Probability of asking to renew"),
    "param_maturity.renewal_after_campaign": ("2020 年后允许续贷", "Renewals after the campaign"),
    "param_maturity.extension_enabled": ("允许展期", "Extensions allowed"),
    "param_subsidy.settlement_delay_quarters": ("贴息拨付滞后（季）", "Subsidy delay (quarters)"),
    "param_credit.age_limit": ("贷款年龄上限", "Borrower age limit"),
    "param_enterprise.enabled": ("企贷企用渠道", "Enterprise channel"),
    "param_poverty.retention_share": ("收益留存比例", "Share of returns retained"),
    "param_default.pd_annual": ("年违约概率", "Annual default probability"),
    "param_default.rho_county": ("县级违约相关性", "County default correlation"),
    "param_default.rho_township": ("乡镇违约相关性", "Township default correlation"),
    "param_default.rho_sector": ("产业违约相关性", "Sector default correlation"),
    "param_default.p_cure_monthly": ("逾期户月度还款概率", "Monthly cure probability"),
    "param_default.p_wilful": ("恶意违约比例", "Share of wilful defaults"),
    "param_loss.recovery_rate": ("损失回收率", "Recovery rate"),
    "param_uptake.hazard_monthly_campaign": ("集中推进期月申请率", "Monthly uptake, campaign"),
    "param_uptake.hazard_monthly_transition": ("过渡期月申请率", "Monthly uptake, transition"),
    "param_uptake.p_willing[0]": ("有劳动能力户借款意愿", "Willingness, full labour capacity"),
    "param_uptake.p_willing[1]": ("弱劳动能力户借款意愿", "Willingness, weak labour capacity"),
    "param_rating.noise_sd": ("评级误差", "Rating noise"),
    "param_enterprise.roa_sd": ("企业收益波动", "Enterprise profit volatility"),
    "param_classification.loss_dpd": ("损失类逾期天数", "Days overdue for the loss class"),
}

LABELS: dict[str, tuple[str, str]] = {
    **GENERAL,
    **CHARTS,
    **SERIES,
    **TABLES,
    **SUMMARY,
    **SHEETS,
    **PAGE,
    **SENTENCES,
    **DISCOVERY,
    **PARAMETERS,
}


def label(key: str, lang: Lang) -> str:
    """Text of ``key`` in ``lang`` ("zh" or "en")."""
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}: use one of {', '.join(LANGS)}")
    if key not in LABELS:
        raise KeyError(f"{key}: no label; add it to analysis/labels.py")
    return LABELS[key][LANGS.index(lang)]


def has_label(key: str) -> bool:
    """Whether the table has ``key``."""
    return key in LABELS


def label_or(key: str, lang: Lang, fallback: str, **fields: str) -> str:
    """Text of ``key``, or the ``fallback`` template filled with ``fields`` when unlabelled."""
    return label(key, lang) if has_label(key) else label(fallback, lang).format(**fields)
