"""The jobs page in headless Chromium: a revops user uploads an export, the job runs and
the page lists it with what it loaded; no content-security-policy violation; a rep has no
Jobs link."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import PASSWORD, REP, Cockpit, role_email, serving
from app.test_browser import CHROMIUM, served
from app.test_jobs import ACCOUNTS

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def base_url(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    root = tmp_path_factory.mktemp("browser_jobs") / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    cockpit: Cockpit
    with serving(root) as cockpit, served(cockpit) as url:
        yield url


def _signed_in(browser: Any, base_url: str, email: str) -> tuple[Any, list[str]]:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{base_url}/jobs")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page, problems


def test_a_revops_user_uploads_an_export_and_follows_its_job(
    browser: Any, base_url: str, tmp_path: Path
) -> None:
    page, problems = _signed_in(browser, base_url, role_email("revops"))
    page.wait_for_url(f"{base_url}/jobs")
    assert page.locator("nav a[href='/jobs']").count() == 1
    assert page.locator("#jobs tbody").inner_text() == "No jobs yet."
    export = tmp_path / "accounts export.csv"
    export.write_text(ACCOUNTS, encoding="utf-8")
    page.set_input_files("#ingest-form input[name=file]", str(export))
    page.select_option("#ingest-form select[name=source]", "salesforce")
    page.fill("#ingest-form input[name=object]", "Account")
    page.click("#ingest-form button")
    page.wait_for_url(f"{base_url}/jobs")
    deadline = time.monotonic() + 300
    while page.locator("#jobs tr[data-status=succeeded]").count() == 0:
        assert page.locator("#jobs tr[data-status=failed]").count() == 0, page.content()
        assert time.monotonic() < deadline
        time.sleep(0.5)
        page.reload()
    row = page.locator("#jobs tr[data-status=succeeded]").first.inner_text()
    assert "ingest" in row
    assert "salesforce/Account: 2 loaded, 1 quarantined" in row
    assert role_email("revops") in row
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_a_rep_has_no_jobs_link_and_no_jobs_page(browser: Any, base_url: str) -> None:
    page, _ = _signed_in(browser, base_url, REP)
    page.wait_for_load_state()
    assert page.locator("nav a[href='/jobs']").count() == 0
    assert "403" in page.title() or "may not" in page.content()
