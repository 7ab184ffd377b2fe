"""The routing page in headless Chromium: a sales manager reads the SLA, the breaches, the
routing log and the simulation, sorts and filters, and follows a link to a rep's page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.conftest import MANAGER, PASSWORD, Cockpit, demo_root
from app.test_browser import ARGS, CHROMIUM, served
from routing.cockpit import routed

__all__ = ["demo_root", "routed"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def page(routed: Cockpit) -> Iterator[Any]:
    """A signed-in sales manager's browser page on the routed demo company."""
    from playwright.sync_api import sync_playwright

    with served(routed) as base_url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        opened = chromium.new_context().new_page()
        opened.set_default_timeout(90_000)
        opened.problems = []
        opened.on(
            "response",
            lambda r: r.status >= 400 and "favicon" not in r.url and opened.problems.append(r.url),
        )
        opened.on(
            "console",
            lambda m: (
                m.type == "error"
                and "Failed to load resource" not in m.text
                and opened.problems.append(m.text)
            ),
        )
        opened.on("pageerror", lambda e: opened.problems.append(str(e)))
        opened.goto(f"{base_url}/signin?next=/leads/routing")
        opened.fill("input[name=email]", MANAGER)
        opened.fill("input[name=password]", PASSWORD)
        opened.click("button[type=submit]")
        opened.wait_for_url(f"{base_url}/leads/routing")
        opened.base_url = base_url
        yield opened
        chromium.close()


def test_the_manager_reads_sla_log_and_simulation(page: Any) -> None:
    assert page.locator("h1").inner_text().startswith("Lead routing")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Routing"
    assert page.locator("#sla-table tbody tr").count() >= 1
    assert page.locator("#log-table tbody tr").count() >= 1
    figures = page.locator("#sim-figures tbody tr")
    assert figures.first.locator("td").first.inner_text() == "leads replayed"
    assert page.locator("#sim-reps tbody tr").count() >= 1
    assert page.problems == []


def test_filtering_the_log_keeps_matching_rows(page: Any) -> None:
    rows = page.locator("#log-table tbody tr")
    total = rows.count()
    rule = rows.first.locator("td").nth(3).inner_text()
    page.fill("input[data-filter=log-table]", "no-such-rule-anywhere")
    visible = page.locator("#log-table tbody tr:visible").count()
    assert visible < total
    page.fill("input[data-filter=log-table]", rule)
    assert page.locator("#log-table tbody tr:visible").count() >= 1


def test_a_rep_link_opens_the_reps_page(page: Any) -> None:
    page.goto(f"{page.base_url}/leads/routing")
    link = page.locator("main a[href^='/reps/']").first
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/reps/**")
    assert name in page.locator("h1").inner_text()
