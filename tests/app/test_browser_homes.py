"""Role homes in headless Chromium: a manager sees the team by name with the explorer's
figures, a rep their own deals; every role's home screenshotted at desktop and phone size
into /tmp/homes-shots/ (nothing wider than the screen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import MANAGER, PASSWORD, QUARTER, REP, Cockpit, role_email
from app.test_browser import CHROMIUM, VIEWPORTS, served
from revops.app.views.common import formatted

SHOTS = Path("/tmp/homes-shots")
ROLES = ("executive", "manager", "rep", "marketing", "success", "finance", "revops")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def base_url(cockpit: Cockpit) -> Iterator[str]:
    with served(cockpit) as url:
        yield url


def _signed_in(browser: Any, base_url: str, email: str) -> Any:
    page = browser.new_context(viewport=VIEWPORTS["laptop"]).new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{base_url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


def _view(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("JSON.parse(document.getElementById('view-data').textContent)"))


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.wait_for_selector("body[data-charts=ready]")
        page.screenshot(path=str(SHOTS / f"{name}-{viewport}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} ({viewport}): {overflow}px wider than the screen"
    page.set_viewport_size(VIEWPORTS["laptop"])


def test_a_manager_sees_the_team_by_name_and_a_rep_their_own_deals(
    browser: Any, base_url: str, cockpit: Cockpit
) -> None:
    page = _signed_in(browser, base_url, MANAGER)
    page.goto(f"{base_url}/?window={QUARTER}")
    api = cockpit.client(MANAGER).get(f"/api/v1/home?window={QUARTER}").json()
    assert _view(page)["team"] == api["team"]
    rows = page.locator("#team-table tbody tr")
    assert rows.count() == len(api["team"])
    shown = {rows.nth(k).locator("td").first.inner_text() for k in range(rows.count())}
    assert shown == {r["name"] for r in api["team"]}
    for row in api["team"]:
        cells = page.locator("#team-table tbody tr", has_text=row["name"]).locator("td")
        assert cells.nth(1).inner_text() == formatted(row["open_pipeline"], "money")
        assert cells.nth(3).inner_text() == formatted(row["bookings"], "money")
        assert cells.nth(5).inner_text() == formatted(row["attainment"], "ratio")
    leaders = page.locator("ol.leaders li .name").all_inner_texts()
    assert leaders == [r["name"] for r in api["leaderboard"]]

    rep = _signed_in(browser, base_url, REP)
    rep.goto(f"{base_url}/?window={QUARTER}")
    mine = cockpit.client(REP).get(f"/api/v1/home?window={QUARTER}").json()
    deals = rep.locator("#deals-table tbody tr")
    assert deals.count() == len(mine["deals"]) > 0
    for k, deal in enumerate(mine["deals"]):
        cells = deals.nth(k).locator("td")
        assert cells.nth(1).inner_text() == deal["name"]
        assert cells.nth(2).inner_text() == deal["account"]
        assert cells.nth(4).inner_text() == formatted(deal["amount"], "money")
    assert (
        rep.locator("#attainment .big")
        .inner_text()
        .startswith(formatted(mine["attainment"], "ratio"))
    )
    # The rep's home names none of their teammates.
    own = cockpit.app.state.revops.workspace.metrics.scope_for(REP, team=False).owners
    others = {r["name"] for r in api["team"] if r["owner_id"] not in own}
    assert others
    assert not any(name in rep.content() for name in others)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_home_fits_desktop_and_phone(browser: Any, base_url: str, role: str) -> None:
    page = _signed_in(browser, base_url, role_email(role))
    page.goto(f"{base_url}/?window={QUARTER}")
    assert _view(page)["home"] == role
    _shoot(page, f"home-{role}")
