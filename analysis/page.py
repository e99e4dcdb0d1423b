"""The summary page of a pack, as Markdown and as HTML (same content, charts embedded).

The HTML uses inline styles only, so the page carries no template braces.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis import fmt, kinds
from analysis.contents import Contents
from analysis.labels import Lang, label
from analysis.localise import localise

WORKBOOK = "briefing.xlsx"


def e(text: str) -> str:
    """Text escaped for an HTML element (quotes stay as typed)."""
    return html.escape(text, quote=False)


def display_table(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """A table with every number formatted as text for a reader."""
    out = table.copy().astype(object)
    for col in table.columns:
        k = kinds.kind(col)
        if col.startswith("change_") and k in ("share", "money"):
            out[col] = [
                fmt.signed(v, k, lang) if not fmt.is_missing(v) else "–" for v in table[col]
            ]
        elif k not in ("text", "month"):
            out[col] = [fmt.value(v, k, lang) for v in table[col]]
    return localise(out, lang)


def _bulletin_heading(contents: Contents, lang: Lang) -> str:
    month = contents.bulletin["month"].iloc[0]
    return label("h_bulletin", lang).format(month=month)


def markdown(contents: Contents, lang: Lang, footer: str) -> str:
    """The page in Markdown."""
    lines = [
        f"# {contents.title}",
        "",
        f"*{contents.provenance}*",
        "",
        f"## {label('h_key_numbers', lang)}",
        "",
    ]
    lines += [f"- {s}" for s in contents.sentences]
    lines += ["", f"## {label('h_charts', lang)}", ""]
    for c in contents.charts:
        lines += [
            f"### {c.caption}",
            "",
            f"![{c.caption}](charts/{c.name}.png)",
            "",
            f"*{c.source}* · [SVG](charts/{c.name}.svg)",
            "",
        ]
    if contents.bulletin is not None:
        lines += [
            f"## {_bulletin_heading(contents, lang)}",
            "",
            _md_table(display_table(contents.bulletin.drop(columns="month"), lang)),
            "",
        ]
    lines += [
        f"## {label('h_files', lang)}",
        "",
        f"- {label('files_workbook', lang).format(workbook=WORKBOOK)}",
        f"- {footer}",
        "",
    ]
    return "\n".join(lines)


def _md_table(table: pd.DataFrame) -> str:
    def row(cells: list) -> str:
        return "| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |"

    lines = [row(list(table.columns)), row(["---"] * len(table.columns))]
    lines += [row(list(r)) for r in table.itertuples(index=False)]
    return "\n".join(lines)


STYLE_BODY = (
    "font-family: 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif; "
    "max-width: 60em; margin: 2em auto; line-height: 1.6; color: #222"
)
# a number never breaks from its unit (1,757 万元, +0.00 个百分点); the table is set smaller
STYLE_TABLE = "border-collapse: collapse; font-size: 0.85em"
STYLE_CELL = "border: 1px solid #bbb; padding: 2px 6px; text-align: right; white-space: nowrap"
STYLE_HEAD = "border: 1px solid #bbb; padding: 2px 6px; background: #ddebf7"


def html_page(contents: Contents, lang: Lang, footer: str) -> str:
    """The page in HTML (UTF-8, images linked from the charts folder)."""
    parts = [
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        f'<head><meta charset="utf-8"><title>{e(contents.title)}</title></head>',
        f'<body style="{STYLE_BODY}">',
        f"<h1>{e(contents.title)}</h1>",
        f"<p><em>{e(contents.provenance)}</em></p>",
        f"<h2>{e(label('h_key_numbers', lang))}</h2>",
        "<ul>",
    ]
    parts += [f"<li>{e(s)}</li>" for s in contents.sentences]
    parts += ["</ul>", f"<h2>{e(label('h_charts', lang))}</h2>"]
    for c in contents.charts:
        parts += [
            f"<h3>{e(c.caption)}</h3>",
            f'<img src="charts/{c.name}.png" alt="{html.escape(c.caption)}" style="max-width: 100%">',
            f'<p><small>{e(c.source)} · <a href="charts/{c.name}.svg">SVG</a></small></p>',
        ]
    if contents.bulletin is not None:
        parts += [
            f"<h2>{e(_bulletin_heading(contents, lang))}</h2>",
            _html_table(display_table(contents.bulletin.drop(columns="month"), lang)),
        ]
    parts += [
        f"<h2>{e(label('h_files', lang))}</h2>",
        f"<p>{e(label('files_workbook', lang).format(workbook=WORKBOOK))}</p>",
        f"<p><small>{e(footer)}</small></p>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _html_table(table: pd.DataFrame) -> str:
    head = "".join(f'<th style="{STYLE_HEAD}">{e(str(c))}</th>' for c in table.columns)
    rows = [
        "".join(f'<td style="{STYLE_CELL}">{e(str(v))}</td>' for v in r)
        for r in table.itertuples(index=False)
    ]
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f'<table style="{STYLE_TABLE}"><tr>{head}</tr>{body}</table>'
