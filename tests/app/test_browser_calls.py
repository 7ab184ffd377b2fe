"""The forecast call form in headless Chromium: a rep signs in, submits a call from the
forecast page, and sees it in the calls table and the history; a bad amount is one clear
message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from app.conftest import AS_OF, MANAGER, PASSWORD, QUARTER, REP, Cockpit
from app.test_browser import ARGS, CHROMIUM, served
from revops.app import create_app, users
from revops.app.db import AppDatabase

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def base_url(cockpit: Cockpit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The cockpit's warehouse served with an app database of its own (the form writes)."""
    folder: Path = tmp_path_factory.mktemp("browser-calls")
    db = AppDatabase(f"sqlite:///{folder / 'app.db'}", folder)
    state = cockpit.app.state.revops
    app = create_app(state.workspace, db=db, as_of=AS_OF, warm=False)
    app.state.revops.cache = state.cache
    users.add_user(db, REP, "rep", PASSWORD)
    users.add_user(db, MANAGER, "manager", PASSWORD)
    with served(Cockpit(cockpit.root, app, db)) as url:
        yield url
    db.close()


def test_a_rep_submits_a_call_from_the_forecast_page(base_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(90_000)
        asked = f"/forecast?{urlencode({'period': QUARTER})}"
        page.goto(base_url + asked)
        page.fill("input[name=email]", REP)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base_url + asked)
        form = page.locator("#rep-call-form")
        assert form.locator("select[name=owner] option").all_inner_texts() == ["John Hernandez"]
        form.locator("input[name=commit]").fill("18,500")
        form.locator("input[name=best_case]").fill("30000")
        form.locator("input[name=pipeline]").fill("70000")
        form.locator("input[name=note]").fill("Acme signs in December")
        form.locator("button").click()
        page.wait_for_url(f"{base_url}{asked}#calls")
        row = page.locator("#calls-table tbody tr").first
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == "John Hernandez"
        assert cells[2:5] == ["$18.5k", "$30k", "$70k"]
        assert cells[12] == "Acme signs in December"
        history = page.locator("#call-history-table tbody tr").first.text_content() or ""
        assert "John Hernandez" in history
        assert REP in history

        # Commit above best case: one message naming the field, the call unchanged.
        form = page.locator("#rep-call-form")
        form.locator("input[name=commit]").fill("50000")
        form.locator("input[name=best_case]").fill("30000")
        form.locator("input[name=pipeline]").fill("70000")
        form.locator("button").click()
        page.wait_for_load_state()
        assert "commit 50,000 is above best_case 30,000" in page.content()
        page.goto(base_url + asked)
        assert page.locator("#calls-table tbody tr").first.locator("td").nth(2).inner_text() == (
            "$18.5k"
        )
        browser.close()
