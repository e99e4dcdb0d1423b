"""The explorer page in a real browser: headless Debian chromium driven by Playwright.

Starts ``solara run explorer.app`` on 127.0.0.1 with the small county, moves the leverage
slider from 10 to 5, resets, steps twelve months, and checks the numbers the page shows
against the same run made in this process (and against the run at leverage 10). Saves a
screenshot to the test's folder and to ``outputs/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis import fmt
from sim import ShangcaiModel, load_config

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
MONTHS = load_config("baseline", ["county=small"]).horizon.months  # the page shows "第 t / MONTHS"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("no /usr/bin/chromium: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("no /usr/bin/chromium; run: apt-get update && apt-get install -y chromium")
    out = tmp_path_factory.mktemp("explorer_runs")
    port = _free_port()
    env = dict(os.environ, EXPLORER_COUNTY="small", EXPLORER_OUT=str(out))
    log = open(out.parent / "solara.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("solara")), "run", "explorer.app"]
        + ["--host", "127.0.0.1", "--port", str(port), "--no-open", "--production"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"explorer server did not start: {(out.parent / 'solara.log').read_text()}")
        time.sleep(0.5)
    yield url, out
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _reference(leverage: int) -> dict:
    """The explorer's run made here: small county, the project's seed, 12 months."""
    seed = int(load_config("baseline").run.seed)
    m = ShangcaiModel(scenario="baseline", county="small", seed=seed, **{"fund.leverage": leverage})
    for _ in range(12):
        m.step()
    return m.recorder.rows[-1]


def _cell(page, key: str) -> str:
    return page.locator(f'td[data-key="{key}"]').inner_text().strip()


def test_leverage_slider_and_twelve_months_show_the_model_numbers(server, tmp_path):
    from playwright.sync_api import sync_playwright

    url, out = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1500})
        page.set_default_timeout(60_000)
        page.goto(url)
        step = page.get_by_role("button", name="Step")
        step.wait_for()
        assert "上蔡县扶贫小额信贷政策模拟" in page.inner_text("body"), "Chinese by default"
        assert _cell(page, "scenario") == "基准情景", "the scenario by its display name"

        # the leverage slider, found by its Chinese label, from 10 down to 5 with the keyboard
        lever = (
            page.locator(".v-input").filter(has_text="放大倍数").filter(has_not_text="风险补偿金")
        )
        thumb = lever.get_by_role("slider")
        assert thumb.get_attribute("aria-valuenow") == "10"
        thumb.focus()
        for _ in range(5):
            thumb.press("ArrowLeft")
            time.sleep(0.2)  # each change travels to the server before the next
        assert thumb.get_attribute("aria-valuenow") == "5"
        time.sleep(1.0)
        page.get_by_role("button", name="Reset").click()
        page.locator('td[data-key="agreed_leverage"]:text-is("5")').wait_for()
        for month in range(1, 13):
            step.click()
            page.get_by_text(f"Step: {month}", exact=True).wait_for()
            page.locator(f'td[data-key="month"]:has-text("第 {month} / {MONTHS}")').wait_for()

        ref5, ref10 = _reference(5), _reference(10)
        assert _cell(page, "month") == f"2019-12（第 12 / {MONTHS} 个月）"
        assert _cell(page, "agreed_leverage") == "5", "the slider's value reached the model"
        shown_rate = _cell(page, "household_loan_rate")
        assert shown_rate == fmt.pct(ref5["household_loan_rate"]), "page = model run here"
        assert _cell(page, "loan_balance") == fmt.money(ref5["loan_balance"], "zh")
        assert _cell(page, "fund_balance") == fmt.money(ref5["fund_balance"], "zh")
        assert _cell(page, "lending_capacity") == fmt.money(ref5["lending_capacity"], "zh")
        # the lever acts the right way on common random numbers: less capacity, fewer borrowers
        assert ref5["lending_capacity"] < ref10["lending_capacity"]
        assert float(shown_rate.rstrip("%")) < 100 * ref10["household_loan_rate"]

        shot = tmp_path / "explorer_zh.png"
        page.screenshot(path=str(shot), full_page=True)

        # English switch: same numbers, English words
        page.get_by_role("button", name="EN").click()
        page.get_by_text("Shangcai microcredit policy explorer").wait_for()
        page.locator('td[data-key="scenario"]:has-text("Baseline")').wait_for()
        assert _cell(page, "household_loan_rate") == shown_rate
        assert _cell(page, "loan_balance") == fmt.money(ref5["loan_balance"], "en")
        assert "Leverage multiple" in page.inner_text("body")
        time.sleep(2)  # the switch re-renders Mesa's panels twice; click once they have settled
        page.get_by_role("button", name="Save this run").click()
        page.get_by_text("Saved to").wait_for()
        page.screenshot(path=str(tmp_path / "explorer_en.png"), full_page=True)

        # the picker lists scenarios by name; picking one restarts with its settings
        page.locator(".v-select").filter(has_text="Baseline").first.click()
        page.get_by_role("option", name="Strict breaker").click()
        page.locator('td[data-key="scenario"]:has-text("Strict breaker")').wait_for()
        assert _cell(page, "agreed_leverage") == "10", (
            "the scenario's own settings, not the slider's"
        )
        township = (
            page.locator(".v-input").filter(has_text="Township breaker").get_by_role("slider")
        )
        assert township.get_attribute("aria-valuenow") == "0.03"
        assert "strict_breaker" not in page.inner_text("body")
        browser.close()

    saved = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(saved) == 1 and saved[0].name.endswith("_baseline")
    from sim import load_run

    res = load_run(saved[0])
    assert len(res.timeseries) == 12 and res.config["fund"]["leverage"] == 5
    assert res.timeseries["household_loan_rate"].iloc[-1] == ref5["household_loan_rate"]

    keep = ROOT / "outputs" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    for name in ("explorer_zh.png", "explorer_en.png"):
        assert (tmp_path / name).stat().st_size > 20_000, "a rendered page, not a blank one"
        shutil.copy(tmp_path / name, keep / name)
