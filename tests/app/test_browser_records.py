"""The record pages in headless Chromium: from a search result to the company's page, and
from its deals to a deal's page, by clicking the links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.conftest import PASSWORD, REP, Cockpit
from app.test_browser import ARGS, CHROMIUM, served

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def page(cockpit: Cockpit) -> Iterator[Any]:
    """A signed-in rep's browser page on the served demo company."""
    from playwright.sync_api import sync_playwright

    with served(cockpit) as base_url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        opened = chromium.new_context().new_page()
        opened.set_default_timeout(90_000)
        # Signed in straight to the search page (the home page is not what is tested).
        opened.goto(f"{base_url}/signin?next=/search")
        opened.fill("input[name=email]", REP)
        opened.fill("input[name=password]", PASSWORD)
        opened.click("button[type=submit]")
        opened.wait_for_url(f"{base_url}/search")
        opened.base_url = base_url
        yield opened
        chromium.close()


def test_search_leads_to_the_account_and_on_to_its_deal(page: Any) -> None:
    page.goto(f"{page.base_url}/search?q=xanora&kind=account")
    hit = page.locator("table tbody a[href^='/accounts/']").first
    name = hit.inner_text()
    hit.click()
    page.wait_for_url("**/accounts/**")
    assert page.locator("h1").inner_text().startswith(name)
    deal = page.locator("#account-deals tbody a[href^='/deals/']").first
    deal_name = deal.inner_text()
    deal.click()
    page.wait_for_url("**/deals/**")
    assert page.locator("h1").inner_text().startswith(deal_name)
    account = page.locator("#deal-account a")
    assert account.inner_text() == name
    assert account.get_attribute("href").startswith("/accounts/")
