"""Small county folders for the county-file tests (tests/test_data_*.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# Fictitious people: the personal-data scan looks for every one of these strings
NAMES = ["张伟测", "王芳测", "李娜测", "刘洋测", "陈静测", "杨磊测", "赵敏测", "黄强测", "周婷测"]
IDS = [f"41172219{y}0101{k:03d}X" for k, y in zip(range(9), range(1950, 1959), strict=True)]
SALT = "test-salt-not-secret"

TOWNS = ["东岗乡", "西湖镇"]
VILLAGES = [
    ("东岗乡", "前楼村", "农商银行"),
    ("东岗乡", "后楼村", "农商银行"),
    ("西湖镇", "河口村", "邮储银行"),
]


def tiny_tables(as_of: str = "2022-06") -> dict[str, pd.DataFrame]:
    """Three villages, nine households, one enterprise and six loans (valid as written)."""
    villages = pd.DataFrame(
        {
            "乡镇": [v[0] for v in VILLAGES],
            "行政村": [v[1] for v in VILLAGES],
            "建档立卡户数": [3, 3, 3],
            "合作银行": [v[2] for v in VILLAGES],
        }
    )
    homes = [VILLAGES[i // 3] for i in range(9)]
    households = pd.DataFrame(
        {
            "姓名": NAMES,
            "身份证号码": IDS,
            "乡镇": [h[0] for h in homes],
            "行政村": [h[1] for h in homes],
            "家庭人口": [3, 2, 4, 1, 5, 3, 2, 2, 4],
            "劳动能力": ["有劳动力", "弱劳动力", "无劳动力"] * 3,
            "信用等级": ["AAA", "AA", "A", "B", "A", "AA", "AAA", "A", "B"],
            "户主年龄": [45, 52, 60, 38, 66, 41, 57, 49, 35],
            "贫困状态": ["已脱贫"] * 8 + ["未脱贫"],
            "脱贫年度": [2019, 2019, 2020, 2020, 2018, 2019, 2020, 2020, None],
            "带贫企业": [None, None, "上蔡县兴农合作社", None, None, None, None, None, None],
            "备注": ["x"] * 9,  # an unknown column: ignored and listed
        }
    )
    enterprises = pd.DataFrame(
        {
            "企业": ["上蔡县兴农合作社"],
            "乡镇": ["东岗乡"],
            "行政村": ["前楼村"],
            "产业": ["livestock"],
        }
    )
    loans = pd.DataFrame(
        {
            "贷款编号": ["D1", "D2", "D3", "D4", "D5", "E1"],
            "数据日期": [as_of] * 6,
            "身份证号码": [IDS[0], IDS[1], IDS[3], IDS[6], IDS[7], None],
            "借款人姓名": [NAMES[0], NAMES[1], NAMES[3], NAMES[6], NAMES[7], None],
            "贷款银行": ["农商银行", "农商银行", "农商银行", "邮储银行", "邮储银行", "农商银行"],
            "贷款方式": ["户贷户用"] * 5 + ["企贷企用"],
            "企业": [None] * 5 + ["上蔡县兴农合作社"],
            "贷款金额": [50000, 30000, 40000, 50000, 20000, 50000],
            "放款日期": ["2021-09", "2021-12", "2020-10", "2021-03", "2022-01", "2021-01"],
            "到期日期": ["2022-09", "2022-12", "2022-10", "2024-03", "2023-01", "2024-01"],
            "年利率": [0.0385, 0.0385, 0.0475, 0.0385, 0.0385, 0.0475],
            "贷款余额": [50000, 30000, 40000, 45000, 20000, 50000],
            "逾期天数": [0, 45, 95, 200, 0, 0],
            "担保机构": ["县担保", "县担保", "无", "省担保", "县担保", "省担保"],
            "续贷次数": [1, 0, 0, 0, 0, 0],
            "展期次数": [0, 0, 1, 0, 0, 0],
        }
    )
    return {
        "villages": villages,
        "households": households,
        "enterprises": enterprises,
        "loans": loans,
    }


def write_folder(folder: Path, tables: dict[str, pd.DataFrame], encoding: str = "utf-8") -> Path:
    """Write ``tables`` as CSV files into ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding=encoding)
    return folder
