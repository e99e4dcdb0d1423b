"""The county files: their columns, Chinese and English headers, types, units and values.

One :class:`Col` per column is the single description used to read the files
(header mapping, types, allowed values), to write them (:mod:`sim.data.export`) and to
document them (``docs/data.md`` is checked against :func:`markdown` by a test).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# kinds: text, int, float, month ("YYYY-MM"; a date "YYYY-MM-DD" is read as its month),
# bool (1/0, true/false, 是/否), enum (one of ``values``), personal (hashed, then dropped)
KINDS = ("text", "int", "float", "month", "bool", "enum", "personal")


@dataclass(frozen=True)
class Col:
    """One column of a county file."""

    name: str  # English header, the name used inside the model
    zh: str  # Chinese header
    kind: str
    required: bool
    unit: str
    meaning: str
    values: dict[str, str] = field(default_factory=dict)  # accepted text -> canonical value
    aliases: tuple[str, ...] = ()  # further accepted headers

    def headers(self) -> tuple[str, ...]:
        """Every header this column is recognised by."""
        return (self.name, self.zh, *self.aliases)


LABOUR = {
    "full": "full",
    "weak": "weak",
    "none": "none",
    "有劳动力": "full",
    "强劳动力": "full",
    "普通劳动力": "full",
    "弱劳动力": "weak",
    "半劳动力": "weak",
    "无劳动力": "none",
    "丧失劳动力": "none",
}
POVERTY = {"poor": "poor", "exited": "exited", "未脱贫": "poor", "已脱贫": "exited"}
CHANNEL = {
    "household": "household",
    "enterprise": "enterprise",
    "户贷户用": "household",
    "企贷企用": "enterprise",
}
GUARANTOR = {
    "none": "none",
    "provincial": "provincial",
    "county": "county",
    "无": "none",
    "省农信担保": "provincial",
    "省担保": "provincial",
    "县担保": "county",
    "县政府担保": "county",
}

VILLAGES = (
    Col("township", "乡镇", "text", True, "", "township (乡镇/街道) the village belongs to"),
    Col("village", "行政村", "text", True, "", "administrative village", aliases=("村",)),
    Col(
        "registered_households",
        "建档立卡户数",
        "int",
        True,
        "households",
        "registered poor households; must equal the village's rows in the household roster",
    ),
    Col(
        "bank",
        "合作银行",
        "text",
        True,
        "",
        "partner bank serving the village; one bank per township (分片包干)",
    ),
    Col(
        "health_shock",
        "疫情村",
        "bool",
        False,
        "",
        "village hit by the 1990s epidemic (default no)",
    ),
)

HOUSEHOLDS = (
    Col("household", "户编号", "text", False, "", "roster key; needed unless ID numbers are given"),
    Col("township", "乡镇", "text", True, "", "township, as in the villages file"),
    Col("village", "行政村", "text", True, "", "village, as in the villages file", aliases=("村",)),
    Col("size", "家庭人口", "int", True, "persons", "household members (1 to 100)"),
    Col(
        "labour",
        "劳动能力",
        "enum",
        True,
        "",
        "labour capacity of the household",
        values=LABOUR,
    ),
    Col(
        "grade",
        "信用等级",
        "enum",
        False,
        "",
        "credit grade, one of rating.grade_names; computed from credit_score and skills if absent",
    ),
    Col("age", "户主年龄", "int", False, "years", "age of the household head at the start month"),
    Col("sector", "产业", "enum", False, "", "project sector, one of county.sector_names"),
    Col(
        "poverty_status",
        "贫困状态",
        "enum",
        False,
        "",
        "poor or exited at the start month (default poor)",
        values=POVERTY,
    ),
    Col(
        "exit_year",
        "脱贫年度",
        "int",
        False,
        "year",
        "year of exit from poverty (if exited; not after the year of the ledgers)",
    ),
    Col("skills", "技能评分", "float", False, "score in [0, 1]", "skills score (model input)"),
    Col(
        "credit_score",
        "信用评分",
        "float",
        False,
        "standard normal",
        "latent creditworthiness (model input)",
    ),
    Col("willing", "借贷意愿", "bool", False, "", "willing to borrow if able (model input)"),
    Col(
        "rated_month",
        "评级月份",
        "month",
        False,
        "YYYY-MM",
        "month the grade is given (default: already rated)",
    ),
    Col(
        "aware_month",
        "知晓月份",
        "month",
        False,
        "YYYY-MM",
        "month the household learns of the policy (default: already aware)",
    ),
    Col(
        "enterprise",
        "带贫企业",
        "text",
        False,
        "",
        "enterprise the household is linked to (企贷企用), as in the enterprises file",
    ),
    Col(
        "employer",
        "务工企业",
        "text",
        False,
        "",
        "enterprise employing a member of the household, as in the enterprises file",
    ),
    Col("name", "姓名", "personal", False, "", "head of household; hashed on reading, never kept"),
    Col(
        "id_number",
        "身份证号码",
        "personal",
        False,
        "",
        "ID number of the head; hashed on reading to join the ledgers, never kept",
        aliases=("身份证号",),
    ),
)

ENTERPRISES = (
    Col(
        "enterprise",
        "企业",
        "text",
        True,
        "",
        "enterprise name or key (企业名称)",
        aliases=("企业名称",),
    ),
    Col("township", "乡镇", "text", True, "", "township where it operates"),
    Col("village", "行政村", "text", True, "", "village where it operates", aliases=("村",)),
    Col("sector", "产业", "enum", True, "", "sector, one of county.sector_names"),
    Col(
        "cash",
        "现金",
        "float",
        False,
        "yuan",
        "cash at the start month (default enterprise.initial_cash_share x its loan)",
    ),
)

LOANS = (
    Col("loan", "贷款编号", "text", True, "", "loan (contract) number, unique within its bank"),
    Col(
        "as_of",
        "数据日期",
        "month",
        True,
        "YYYY-MM",
        "month of the ledger; the same in every row and file; the run starts this month",
    ),
    Col("borrower", "户编号", "text", False, "", "roster key of the borrowing household"),
    Col(
        "borrower_id",
        "身份证号码",
        "personal",
        False,
        "",
        "ID number of the borrower (instead of the roster key); hashed, never kept",
        aliases=("身份证号", "借款人身份证号码"),
    ),
    Col(
        "borrower_name",
        "借款人姓名",
        "personal",
        False,
        "",
        "checked against the roster entry of the ID number; hashed, never kept",
        aliases=("姓名",),
    ),
    Col("bank", "贷款银行", "text", True, "", "lending bank, the partner bank of the village"),
    Col("channel", "贷款方式", "enum", True, "", "household or enterprise channel", values=CHANNEL),
    Col("enterprise", "企业", "text", False, "", "borrowing enterprise (企贷企用 rows)"),
    Col(
        "amount",
        "贷款金额",
        "float",
        True,
        "yuan",
        "amount disbursed (at least 100; a household loan at most `credit.loan_cap`)",
    ),
    Col("start", "放款日期", "month", True, "YYYY-MM", "month of disbursement"),
    Col(
        "maturity",
        "到期日期",
        "month",
        True,
        "YYYY-MM",
        "current maturity (after renewals and extensions)",
    ),
    Col(
        "term_months",
        "贷款期限",
        "int",
        False,
        "months",
        "original term (default: maturity - start; at most one month more than that)",
    ),
    Col("rate", "年利率", "float", True, "per year, decimal", "interest rate, e.g. 0.0435"),
    Col(
        "balance",
        "贷款余额",
        "float",
        True,
        "yuan",
        "outstanding principal (0, or 100 to amount)",
    ),
    Col(
        "dpd",
        "逾期天数",
        "int",
        True,
        "days",
        "days past due (0 if performing; at most the days since `start`); a loan at or past "
        "`loss.claim_dpd` is taken as already claimed, its `balance` being what the bank "
        "still carries",
    ),
    Col("guarantor", "担保机构", "enum", True, "", "guarantor of the loan", values=GUARANTOR),
    Col("renewals", "续贷次数", "int", False, "", "renewals granted so far (0 to 100; default 0)"),
    Col(
        "extensions",
        "展期次数",
        "int",
        False,
        "",
        "extensions granted so far (0 to 100; default 0)",
    ),
)

FILES = {
    "villages": VILLAGES,
    "households": HOUSEHOLDS,
    "enterprises": ENTERPRISES,
    "loans": LOANS,
}
FILE_TITLES = {
    "villages": "villages (行政村名单)",
    "households": "households (建档立卡户名册)",
    "enterprises": "enterprises (带贫企业名单), optional",
    "loans": "loans (贷款台账), one file per bank or one in all",
}


def lookup(cols: tuple[Col, ...]) -> dict[str, Col]:
    """Header (English, Chinese or alias; case and surrounding spaces ignored) -> column."""
    return {h.strip().lower(): c for c in cols for h in c.headers()}


def _allowed(c: Col) -> str:
    if c.values:
        return ", ".join(c.values)
    if c.kind == "bool":
        return "1/0, true/false, yes/no, 是/否"
    if c.name == "grade":
        return "rating.grade_names (AAA, AA, A, B, C)"
    if c.name == "sector":
        return "county.sector_names"
    return ""


def markdown() -> str:
    """The column tables of ``docs/data.md``."""
    out = []
    for key, cols in FILES.items():
        out += [
            f"### {FILE_TITLES[key]}",
            "",
            "| English header | 中文表头 | type | unit | required | allowed values | meaning |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in cols:
            zh = " / ".join((c.zh, *c.aliases))
            req = "yes" if c.required else "no"
            out.append(
                f"| `{c.name}` | {zh} | {c.kind} | {c.unit} | {req} | {_allowed(c)} | {c.meaning} |"
            )
        out.append("")
    return "\n".join(out)
