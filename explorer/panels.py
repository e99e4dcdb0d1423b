"""What the explorer shows besides its charts: the levers, the summary table, saving a run.

Everything here reads the model (its recorder's rows and month-by-village arrays) and never
changes it; the charts are in :mod:`explorer.live`.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import fmt
from analysis.labels import Lang
from explorer.text import text
from sim.breaker import ratio
from sim.config import CONFIG_DIR, ConfigError, available_scenarios, scenario_label
from sim.mesa_model import ShangcaiModel
from sim.results import outputs_root
from sim.runner import collect

HIDDEN_SCENARIOS = ("validation_vasicek", "validation_village")  # oracle set-ups, not policy


class ExplorerModel(ShangcaiModel):
    """:class:`sim.ShangcaiModel` with the fund size in 万元 (10,000 yuan), as its slider shows it.

    Args:
        fund_wan: ``fund.initial`` in 10,000 yuan (``None``: the scenario's).
        **kwargs: as for :class:`sim.ShangcaiModel`.
    """

    def __init__(self, fund_wan: float | None = None, **kwargs: Any):
        if fund_wan is not None:
            kwargs["fund.initial"] = float(fund_wan) * 1e4
        super().__init__(**kwargs)


def scenarios() -> list[str]:
    """Scenario names offered by the picker (the policy scenarios, baseline first)."""
    names = [s for s in available_scenarios() if s not in HIDDEN_SCENARIOS]
    return sorted(names, key=lambda s: (s != "baseline", s))


def counties() -> list[str]:
    """The synthetic counties the explorer can run (``configs/county/``, without ``files``)."""
    return sorted(p.stem for p in (CONFIG_DIR / "county").glob("*.yaml") if p.stem != "files")


def explorer_county(value: str | None) -> str:
    """The county named by ``EXPLORER_COUNTY`` (``shangcai`` when unset), or ConfigError.

    Checked when the page starts, so a typo fails there in one line rather than on the first
    page load. County files are run with ``python -m sim county=files county.path=DIR``.
    """
    county = "shangcai" if value is None else value
    if county not in counties():
        raise ConfigError(
            f"EXPLORER_COUNTY={county}: choose one of {', '.join(counties())} (county files "
            "are run with python -m sim county=files county.path=DIR)"
        )
    return county


def sharing_arrangements() -> list[str]:
    """Names of the loss-sharing arrangements (files in ``configs/sharing/``)."""
    return sorted(p.stem for p in (CONFIG_DIR / "sharing").glob("*.yaml"))


def _get(model: ShangcaiModel, key: str) -> Any:
    node: Any = model.cfg
    for part in key.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def levers(model: ShangcaiModel, lang: Lang) -> dict[str, Any]:
    """Mesa ``model_params`` for ``SolaraViz``: the fixed choices and the levers.

    Each lever starts at the current model's value, so the panel always shows the settings
    of the run on screen. A lever whose key the configuration lacks is left out.
    """
    fund_wan = float(model.cfg.fund.initial) / 1e4
    top = max(1000.0, 4 * fund_wan)
    step = 100 if top <= 10_000 else 500
    params: dict[str, Any] = {
        "scenario": model.scenario_name,
        "county": model.params.get("county") or "shangcai",
        "seed": model.seed,
        "fund_wan": {
            "type": "SliderInt",
            "value": int(round(fund_wan / step) * step) or step,
            "min": step,
            "max": int(top // step * step),
            "step": step,
        },
    }
    specs = [
        ("fund.leverage", "SliderInt", 1, 25, 1),
        ("breaker.enabled", "Checkbox", None, None, None),
        ("breaker.township_npl", "SliderFloat", 0.01, 0.20, 0.005),
        ("breaker.village_npl", "SliderFloat", 0.01, 0.30, 0.005),
        ("breaker.blocks_renewals", "Checkbox", None, None, None),
        ("maturity.renewal_enabled", "Checkbox", None, None, None),
        ("maturity.extension_enabled", "Checkbox", None, None, None),
        ("default.pd_annual", "SliderFloat", 0.005, 0.20, 0.005),
    ]
    for key, kind, lo, hi, step in specs:
        value = _get(model, key)
        if value is None:
            continue
        spec: dict[str, Any] = {"type": kind, "value": value}
        if kind == "SliderInt":
            spec["value"] = int(round(value))
        if kind != "Checkbox":
            spec.update(min=lo, max=hi, step=step)
        params[key] = spec
    params["sharing"] = {  # who pays which share of a claim (configs/sharing/)
        "type": "Select",
        "value": model.cfg.sharing.name,
        "values": sharing_arrangements(),
    }
    for key, spec in params.items():
        if isinstance(spec, dict):
            spec["label"] = text(f"lever_{key}", lang)
    return params


def township_matrices(model: ShangcaiModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Township x month NPL ratio and suspension level (2 township, 1 some village, 0 none).

    Every month of the horizon is a column; months not yet run are empty (NaN).
    """
    rec, c = model.recorder, model.county
    n = model.t
    months = [model.calendar.label(t) for t in range(model.calendar.months)]
    tw = c.village_township
    shape = (c.n_townships, len(months))
    npl = np.full(shape, np.nan)
    level = np.zeros(shape)
    for t in range(n):
        bal = np.bincount(tw, weights=rec.village_balance[t], minlength=c.n_townships)
        bad = np.bincount(tw, weights=rec.village_npl[t], minlength=c.n_townships)
        npl[:, t] = ratio(bad, bal)
        some = np.bincount(tw, weights=rec.village_own_suspended[t], minlength=c.n_townships)
        level[:, t] = np.where(rec.township_suspended[t], 2, np.where(some > 0, 1, 0))
    index = pd.Index(np.arange(c.n_townships), name="township")
    return (
        pd.DataFrame(npl, index=index, columns=months),
        pd.DataFrame(level, index=index, columns=months),
    )


def summary_rows(model: ShangcaiModel, lang: Lang) -> list[tuple[str, str, str]]:
    """(key, name, value) rows of the running summary; the keys name the page's cells."""
    rows = [
        ("scenario", text("sum_scenario", lang), scenario_label(model.scenario_name, lang)),
        ("agreed_leverage", text("sum_agreed_leverage", lang), f"{model.cfg.fund.leverage:g}"),
    ]
    if not model.recorder.rows:
        return rows
    r = model.recorder.rows[-1]
    cal = model.calendar
    lev = r["fund_leverage"]
    rows += [
        (
            "month",
            text("sum_month", lang),
            text("sum_month_value", lang).format(month=r["month"], t=r["t"] + 1, n=cal.months),
        ),
        (
            "household_loan_rate",
            text("sum_household_loan_rate", lang),
            fmt.pct(r["household_loan_rate"]),
        ),
        ("loan_balance", text("sum_loan_balance", lang), fmt.money(r["loan_balance"], lang)),
        ("npl_ratio", text("sum_npl_ratio", lang), fmt.pct(r["npl_ratio"], 2)),
        (
            "suspended",
            text("sum_suspended", lang),
            f"{r['n_townships_suspended']} / {r['n_villages_suspended']}",
        ),
        ("fund_balance", text("sum_fund_balance", lang), fmt.money(r["fund_balance"], lang)),
        (
            "fund_leverage",
            text("sum_fund_leverage", lang),
            f"{lev:.2f}" if np.isfinite(lev) else "–",
        ),
        (
            "lending_capacity",
            text("sum_lending_capacity", lang),
            fmt.money(r["lending_capacity"], lang),
        ),
        ("cum_losses", text("sum_cum_losses", lang), fmt.money(r["cum_losses"], lang)),
        (
            "cum_fiscal_cost",
            text("sum_cum_fiscal_cost", lang),
            fmt.money(r["cum_fiscal_cost"], lang),
        ),
    ]
    return rows


def summary_html(model: ShangcaiModel, lang: Lang) -> str:
    """The running summary as an HTML table whose value cells carry ``data-key``."""
    cells = "".join(
        f'<tr><th style="text-align:left;padding:2px 12px 2px 0;font-weight:normal">'
        f"{html.escape(name)}</th>"
        f'<td data-key="{key}" style="text-align:right">{html.escape(value)}</td></tr>'
        for key, name, value in summary_rows(model, lang)
    )
    note = "" if model.recorder.rows else f"<p>{html.escape(text('not_started', lang))}</p>"
    return f'<table class="explorer-summary" style="font-size:14px">{cells}</table>{note}'


def save_run(model: ShangcaiModel, root: Path | None = None) -> Path:
    """Write the run so far as a run folder under ``outputs/explorer/`` and return it.

    ``root`` replaces ``outputs/explorer/``; without it, ``$MICROCREDIT_OUTPUTS/explorer/``
    when that variable is set.

    The folder (``<date>_<time>_<scenario>``) is new: an existing folder is never replaced.
    ``python -m analysis.briefing FOLDER`` makes the briefing pack of it.
    """
    if model.t == 0:
        raise ConfigError("explorer: the model has not run a month yet; step it before saving")
    root = outputs_root() / "explorer" if root is None else Path(root)
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    path = root / f"{stamp}_{model.scenario_name}"
    k = 1
    while path.exists():
        k += 1
        path = root / f"{stamp}_{model.scenario_name}_{k}"
    result = collect(model, model.seed)
    result.metadata["source"] = "explorer"
    result.metadata["explorer_params"] = {k: v for k, v in model.params.items()}
    return result.save(path)
