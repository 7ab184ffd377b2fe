"""The cockpit in headless Chromium: sign in, every page, window and slice, drill-down,
export; one screenshot per page and viewport in artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import MANAGER, PASSWORD, QUARTER, REP, YEAR, Cockpit

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def base_url(cockpit: Cockpit) -> Iterator[str]:
    """The cockpit served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(cockpit.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _page(browser: Any, base_url: str, viewport: str, email: str) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/")
    assert page.url.endswith("/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    # Nothing wider than the screen: tables scroll inside their card.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name}: the page is {overflow}px wider than the screen"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_renders_with_charts_and_screenshots(
    browser: Any, base_url: str, viewport: str
) -> None:
    page = _page(browser, base_url, viewport, "admin@example.com")
    page.goto(f"{base_url}/?window={YEAR}")
    page.wait_for_selector(".spark svg")
    assert page.locator(".kpi").count() == 6
    _shot(page, f"home-{viewport}")

    page.goto(f"{base_url}/metrics?metric=bookings&window={YEAR}&grain=quarter&by=segment")
    page.wait_for_selector("#chart svg")
    assert page.locator("#chart svg text.legend").count() >= 2  # a legend entry per segment
    assert page.locator("#chart svg text.tick").count() >= 4  # axis labels
    _shot(page, f"metrics-{viewport}")

    page.goto(f"{base_url}/funnel?window={YEAR}")
    page.wait_for_selector("#funnel-chart svg rect")
    _shot(page, f"funnel-{viewport}")

    page.goto(f"{base_url}/metrics/rows?metric=won_deals&window={YEAR}")
    assert page.locator("table tbody tr").count() > 0
    _shot(page, f"rows-{viewport}")

    page.goto(f"{base_url}/pipeline?window={QUARTER}")
    page.wait_for_selector("#stage-chart svg rect")
    page.wait_for_selector("#waterfall-chart svg rect")
    assert page.locator("#stage-chart svg text.legend").count() == 2
    assert page.locator("#waterfall-chart svg text.tick").count() >= 9  # steps and amounts
    _shot(page, f"pipeline-{viewport}")

    page.goto(f"{base_url}/forecast?period={QUARTER}")
    page.wait_for_selector("#range-chart svg rect")
    assert page.locator("#range-chart svg text.legend").count() >= 3  # a method each, the key
    assert page.locator("text=revops forecast backtest").count() == 1  # none stored: the hint
    _shot(page, f"forecast-{viewport}")

    page.goto(f"{base_url}/quality")
    page.wait_for_selector("#quality-chart svg rect")
    page.wait_for_selector("#trend-chart svg rect")
    page.fill("input[data-filter=offender-table]", "zzz-no-such-owner")
    assert page.locator("#offender-table tbody tr:not([hidden])").count() == 0
    page.fill("input[data-filter=offender-table]", "")
    _shot(page, f"quality-{viewport}")

    page.goto(f"{base_url}/search?q=a")
    _shot(page, f"search-{viewport}")
    page.goto(f"{base_url}/admin")
    assert page.locator("text=Audit log").count() == 1
    _shot(page, f"admin-{viewport}")
    page.context.close()


def test_change_window_and_slice_drill_down_and_export(browser: Any, base_url: str) -> None:
    page = _page(browser, base_url, "laptop", MANAGER)
    page.goto(f"{base_url}/metrics?metric=bookings")
    page.fill("#explore input[name=window]", YEAR)
    page.select_option("#explore select[name=grain]", "month")
    page.select_option("#explore select[name=by]", "owner")
    page.click("#explore button")
    page.wait_for_url("**grain=month**")
    page.wait_for_selector("#chart svg path")
    assert "by=owner" in page.url
    page.click("#values th:has-text('Value')")  # sorts without a reload
    assert page.locator("#values th[aria-sort]").count() == 1
    with page.expect_download() as download:
        page.click("text=Export CSV")
    assert download.value.suggested_filename.endswith(".csv")
    page.locator("#values a:has-text('rows')").first.click()
    page.wait_for_url("**/metrics/rows**")
    assert "Rows behind Bookings" in page.inner_text("h1")
    _shot(page, "drill-manager-laptop")
    page.context.close()


def test_a_rep_sees_the_same_pages_with_own_rows(browser: Any, base_url: str) -> None:
    page = _page(browser, base_url, "phone", REP)
    assert "rep" in page.inner_text("header")
    page.goto(f"{base_url}/metrics/rows?metric=won_deals&window={YEAR}")
    owners = page.locator("table tbody tr td:nth-child(4)").all_inner_texts()
    assert owners
    assert len(set(owners)) == 1
    _shot(page, "rows-rep-phone")
    page.goto(f"{base_url}/pipeline?window={QUARTER}&by=owner")
    page.wait_for_selector("#stage-chart svg rect")
    owners = page.locator("#stage-table tbody tr td:nth-child(2)").all_inner_texts()
    assert len(set(owners)) == 1  # the rep's own deals only
    _shot(page, "pipeline-rep-phone")
    page.goto(f"{base_url}/admin")
    assert page.locator("text=Users").count() == 0  # no user admin for a rep
    page.context.close()
