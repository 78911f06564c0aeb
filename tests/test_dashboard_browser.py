"""The dashboard end to end: served by Voilà, driven in Chromium with Playwright.

Voilà serves ``notebooks/05_policy_dashboard.ipynb`` on a free localhost port in quick mode
(``DUDAO_SIM_QUICK=1``: a small synthetic province, few seeds, short runs). Chromium is
Debian's (``/usr/bin/chromium``; Playwright never downloads a browser here). The test starts
from ``announced_only`` (no unannounced visits), sets the unannounced-visit share to 1, runs,
and reads the numbers from the page's ``data-value`` attributes: window dressing falls; a
second Run after clearing the caches gives identical numbers; a changed lever different ones;
中文 shows Chinese labels; no error appears; every request goes to localhost. A screenshot is
saved under the test's tmp dir and, if ``DUDAO_SIM_ARTIFACTS`` is set, there too.

Under ``CI=true`` a missing Chromium fails the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dudao_sim.dashboard.serve import NOTEBOOK, voila_command, voila_env
from dudao_sim.policy.scenarios import load_scenario

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: The metric the test reads: schools' window dressing before announced visits.
METRIC = "dressing_mean"


def _need_browser() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is missing (pip install -e '.[dev]')")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs the browser test: {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory):
    _need_browser()
    port = _free_port()
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            voila_command(NOTEBOOK, port=port, timeout=600),
            env=voila_env(quick=True),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=NOTEBOOK.parent,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Voilà did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _value(page, scenario: str = "edited", metric: str = METRIC) -> float:
    cell = page.locator(f'.dd-headline td[data-metric="{metric}"][data-scenario="{scenario}"]')
    return float(cell.get_attribute("data-value"))


def _headline(page) -> dict[str, str]:
    cells = page.locator(".dd-headline td[data-metric]")
    return {
        f"{c.get_attribute('data-scenario')}:{c.get_attribute('data-metric')}": c.get_attribute(
            "data-value"
        )
        for c in cells.all()
    }


def _set_slider(page, lever: str, value: str) -> None:
    readout = page.locator(f".dd-lever-{lever} .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([sel, v]) => parseFloat(document.querySelector(sel).textContent) === parseFloat(v)",
        arg=[f".dd-lever-{lever} .widget-readout", value],
    )


def _run(page) -> dict[str, str]:
    before = page.locator(".dd-status").inner_text()
    page.locator(".dd-run button, button.dd-run").first.click()
    page.wait_for_function(
        "(before) => { const s = document.querySelector('.dd-status');"
        " return s && (s.querySelector('.dd-ok, .dd-error')) && s.innerText !== before"
        " && !document.querySelector('button.dd-run').disabled; }",
        arg=before,
        timeout=60_000,
    )
    assert page.locator(".dd-error").count() == 0, page.locator(".dd-status").inner_text()
    return _headline(page)


def test_dashboard_in_a_real_browser(voila_url, tmp_path):
    from playwright.sync_api import Error

    url, log = voila_url
    try:
        _drive(url, tmp_path)
    except (Error, AssertionError):
        print(f"Voilà log:\n{log.read_text()[-4000:]}")
        raise


def _drive(voila_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(voila_url, timeout=120_000)
            page.wait_for_selector("button.dd-run", timeout=120_000)
            assert page.locator("text=Policy levers").count() >= 1
            # no code cells
            assert page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor").count() == 0
            assert page.locator("text=from dudao_sim").count() == 0

            # start without unannounced visits, then make every visit unannounced
            page.locator(".dd-scenario select").select_option(
                label=load_scenario("announced_only").label_en
            )
            page.wait_for_function(
                "() => parseFloat(document.querySelector("
                "'.dd-lever-unannounced_share .widget-readout').textContent) === 0"
            )
            page.get_by_text("II. Operation").click()
            page.wait_for_selector(".dd-lever-unannounced_share .widget-readout")
            start = time.monotonic()
            first = _run(page)
            seconds = time.monotonic() - start
            announced = _value(page)
            _set_slider(page, "unannounced_share", "1")
            unannounced = _run(page)
            assert float(unannounced[f"edited:{METRIC}"]) < announced, (announced, unannounced)
            assert first[f"reform_2021:{METRIC}"] == unannounced[f"reform_2021:{METRIC}"]
            assert page.locator('.dd-lever-table tr[data-lever="unannounced_share"]').count() == 1

            # the same settings again, caches cleared: identical numbers
            page.locator("button.dd-clear").click()
            page.wait_for_selector("text=Cache cleared.")
            again = _run(page)
            assert again == unannounced
            # a changed lever: different numbers
            _set_slider(page, "unannounced_share", "0.5")
            changed = _run(page)
            assert changed[f"edited:{METRIC}"] != unannounced[f"edited:{METRIC}"]

            # 中文
            page.locator(".dd-lang button", has_text="中文").click()
            page.wait_for_selector("text=政策杠杆")
            page.wait_for_selector("text=主要发现")
            page.wait_for_selector(".dd-export >> text=导出")  # drawn last
            page.wait_for_selector(".dd-status >> text=完成")
            assert page.locator("text=暗访比例").count() >= 1
            assert page.locator(".dd-error").count() == 0
            # Voilà's page scrolls inside its own container: a tall viewport shows it all.
            height = page.evaluate("document.querySelector('.dd-app').scrollHeight")
            page.set_viewport_size({"width": 1280, "height": min(int(height) + 400, 6000)})
            page.wait_for_timeout(500)
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    artefacts = os.environ.get("DUDAO_SIM_ARTIFACTS")
    if artefacts:
        Path(artefacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artefacts) / "dashboard.png")
    outside = [u for u in requests if urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    outside = [u for u in outside if not u.startswith(("data:", "blob:"))]
    assert not outside, outside
    assert requests, "no request was recorded"
    print(f"first Run (cold caches): {seconds:.1f} s; {len(requests)} requests, all localhost")
