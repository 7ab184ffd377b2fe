"""The admin, sign-in, home and search flows in headless Chromium: a deep link kept
through sign-in, a password reset by a one-time link, disabling and enabling a user, the
home's honest comparison and the search's pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from app.conftest import PASSWORD, QUARTER, Cockpit
from app.test_browser import CHROMIUM, served
from revops.app import users

ADMIN = "admin@example.com"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def base_url(cockpit: Cockpit) -> Iterator[str]:
    with served(cockpit) as url:
        yield url


def _fresh(browser: Any) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(60_000)
    return page


def _sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_deep_link_opens_after_signing_in(browser: Any, base_url: str) -> None:
    page = _fresh(browser)
    asked = f"/pipeline?{urlencode({'window': QUARTER, 'by': 'owner'})}"
    page.goto(base_url + asked)
    assert "/signin?next=" in page.url
    _sign_in(page, ADMIN)
    page.wait_for_url(base_url + asked)
    assert page.locator("h1").first.inner_text().startswith("Pipeline")


def test_an_admin_resets_a_password_and_the_link_works_once(browser: Any, base_url: str,
                                                            cockpit: Cockpit) -> None:  # fmt: skip
    user = users.add_user(cockpit.db, "browser.reset@example.com", "executive", PASSWORD)
    admin = _fresh(browser)
    admin.goto(f"{base_url}/admin")
    _sign_in(admin, ADMIN)
    admin.wait_for_url(f"{base_url}/admin")
    admin.click(f"form[action='/admin/users/{user.id}/reset'] button")
    link = admin.locator("#reset-link").inner_text()
    assert re.match(rf"{re.escape(base_url)}/reset\?token=\S+$", link)

    person = _fresh(browser)
    person.goto(link)
    person.fill("input[name=password]", "my own new passphrase")
    person.fill("input[name=confirm]", "my own new passphrase")
    person.click("button[type=submit]")
    person.wait_for_url(f"{base_url}/signin?reset=1")
    assert "Your password is set" in person.content()
    _sign_in(person, user.email, "my own new passphrase")
    person.wait_for_url(f"{base_url}/")

    again = _fresh(browser)
    again.goto(link)
    assert "already used" in again.locator(".error").inner_text()


def test_an_admin_disables_and_enables_a_user(browser: Any, base_url: str,
                                              cockpit: Cockpit) -> None:  # fmt: skip
    user = users.add_user(cockpit.db, "browser.away@example.com", "finance", PASSWORD)
    admin = _fresh(browser)
    admin.goto(f"{base_url}/admin")
    _sign_in(admin, ADMIN)
    admin.wait_for_url(f"{base_url}/admin")
    assert admin.locator("form[action='/admin/users'] select[name=role]").input_value() == ""
    admin.click(f"form[action='/admin/users/{user.id}/disable'] button")
    admin.click(f"form[action='/admin/users/{user.id}/enable'] button")
    assert admin.locator(f"form[action='/admin/users/{user.id}/disable']").count() == 1
    assert users.authenticate(cockpit.db, user.email, PASSWORD) is not None


def test_the_home_compares_to_date_and_colours_attainment(browser: Any, base_url: str) -> None:
    page = _fresh(browser)
    page.goto(f"{base_url}/")
    _sign_in(page, ADMIN)
    page.wait_for_url(f"{base_url}/")
    page.wait_for_selector("body[data-charts=ready]")
    assert "vs 2026-08-01..2026-08-22" in page.locator("h1").inner_text()
    view = page.evaluate("JSON.parse(document.getElementById('view-data').textContent)")
    win = next(c for c in view["cards"] if c["metric"] == "win_rate")
    assert win["change_display"].endswith(" pp")
    assert win["change_display"] in page.locator(".kpi").nth(view["cards"].index(win)).inner_text()


def test_search_pages_through_golden_records(browser: Any, base_url: str) -> None:
    page = _fresh(browser)
    page.goto(f"{base_url}/search?q=a&per_page=5")
    _sign_in(page, ADMIN)
    page.wait_for_url(re.compile(r".*/search\?q=a&per_page=5$"))
    assert page.locator("#search-total").count() == 1, (page.url, page.content()[:3000])
    total = page.locator("#search-total").inner_text()
    assert "page 1 of" in total
    first = page.locator("tbody tr").all_inner_texts()
    page.click("a[rel=next]")
    page.wait_for_url(re.compile(r".*page=2.*"))
    assert "kind=" not in page.url
    assert "page 2 of" in page.locator("#search-total").inner_text()
    assert page.locator("tbody tr").all_inner_texts() != first
    # The form's "all" kind (an empty value) is every kind, not an error.
    page.click("form.inline button")
    page.wait_for_url(re.compile(r".*kind=.*"))
    assert "page 1 of" in page.locator("#search-total").inner_text()
