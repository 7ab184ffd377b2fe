"""Script injection through every text a user or a source file sets, in headless Chromium.

A copy of the demo company ingests a Salesforce export whose user, account, campaign and
deal texts are payloads (:mod:`app.injection`); an admin whose display name is a payload
adds a user with a payload e-mail and creates a token with a payload name through the
admin page; every page showing one of them is opened. Nothing may run (``window.__pwned``
unset, no dialog, no Content-Security-Policy violation, no inline handler or
``javascript:`` link in the DOM) and each text must read literally.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from app.conftest import AS_OF, PASSWORD, QUARTER, YEAR, Cockpit, serving
from app.injection import (
    APP_USER_EMAIL,
    APP_USER_NAME,
    CRM_TEXT,
    OWNER_NAME,
    PAYLOADS,
    SF,
    TOKEN_NAME,
    write_salesforce_export,
)
from app.test_browser import CHROMIUM, VIEWPORTS, served
from revops import Workspace
from revops.app import users
from revops.ingest.runner import ingest

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)

ADMIN = "mallory.admin@example.com"
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
INSPECT = """() => {
  const handlers = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) {
      if (attr.toLowerCase().startsWith("on")) handlers.push(el.tagName + " " + attr);
    }
  }
  const links = Array.from(document.querySelectorAll("[href],[src],[action],[formaction]"))
    .map((el) => el.getAttribute("href") || el.getAttribute("src") || el.getAttribute("action")
      || el.getAttribute("formaction"))
    .filter((url) => /^\\s*(javascript|data|vbscript):/i.test(url || ""));
  return {pwned: window.__pwned === undefined ? null : String(window.__pwned),
          csp: window.__csp || [], handlers: handlers, links: links,
          scripts: Array.from(document.scripts).filter((s) => !s.src
            && s.type !== "application/json").length,
          header: document.querySelector("header").textContent,
          main: (document.querySelector("main") || document.body).textContent};
}"""


@pytest.fixture(scope="module")
def injected(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The demo company plus the payload export (ingested, then a quality run), served
    with an admin whose display name is a payload and a user with a payload e-mail."""
    base = tmp_path_factory.mktemp("injected")
    root = base / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    ws = Workspace.open(root)
    try:
        report = ingest(ws, [str(write_salesforce_export(base / "export"))])
        assert report.failed == []
        ws.quality.run(AS_OF)
    finally:
        ws.close()
    with serving(root) as cockpit:
        users.add_user(cockpit.db, ADMIN, "admin", PASSWORD, name=APP_USER_NAME)
        users.add_user(cockpit.db, APP_USER_EMAIL, "rep", PASSWORD, name=OWNER_NAME)
        yield cockpit


@pytest.fixture(scope="module")
def url(injected: Cockpit) -> Iterator[str]:
    with served(injected) as base:
        yield base


@pytest.fixture(scope="module")
def page(browser: Any, url: str) -> Iterator[Any]:
    """A tab signed in as the payload-named admin, recording dialogs."""
    context = browser.new_context(viewport=VIEWPORTS["laptop"])
    context.add_init_script(WATCH)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.goto(f"{url}/signin")
    tab.fill("input[name=email]", ADMIN)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{url}/")
    yield tab
    context.close()


def _open(page: Any, address: str, *, charts: bool = True, header: bool = True) -> dict[str, Any]:
    """Open `address` and say what the page ran and shows."""
    page.goto(address)
    if charts:
        page.wait_for_selector("body[data-charts=ready]")
    return _state(page, header=header)


def _state(page: Any, *, header: bool = True) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(INSPECT)
    assert state["pwned"] is None, f"a payload ran: {state['pwned']}"
    assert page.dialogs == [], f"a payload opened a dialog: {page.dialogs}"
    assert state["csp"] == [], f"the policy blocked something: {state['csp']}"
    assert state["handlers"] == [], f"inline event handlers: {state['handlers']}"
    assert state["links"] == [], f"script links: {state['links']}"
    assert state["scripts"] == 0, "an inline script"
    if header:
        assert APP_USER_NAME in state["header"]  # the viewer's name, literally
    return state


def _shows(state: dict[str, Any], *texts: str) -> None:
    for text in texts:
        assert text in state["main"], f"not shown literally: {text!r}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_search_query_is_shown_literally_and_never_runs(
    page: Any, url: str, payload: str
) -> None:
    text = PAYLOADS[payload]
    _open(page, f"{url}/search?q={quote(text)}")
    assert page.input_value("input[name=q]") == text
    assert json.loads(page.text_content("#view-data"))["query"] == text


def test_a_token_name_and_user_fields_on_the_admin_page(page: Any, url: str) -> None:
    _open(page, f"{url}/admin", charts=False)
    page.fill("form[action='/admin/tokens'] input[name=name]", TOKEN_NAME)
    page.click("form[action='/admin/tokens'] button")
    page.wait_for_selector("#new-token")
    state = _state(page)
    _shows(state, TOKEN_NAME, APP_USER_EMAIL, OWNER_NAME, APP_USER_NAME)
    state = _open(page, f"{url}/admin", charts=False)  # stored: shown again on a new visit
    _shows(state, TOKEN_NAME, APP_USER_EMAIL)
    page.fill("input[data-filter=audit]", "evil.example")  # the audit log's filter (table.js)
    _state(page)


def test_the_home_page_shows_the_viewer_name_literally(page: Any, url: str) -> None:
    _open(page, f"{url}/?window={YEAR}")


def test_crm_names_on_the_search_page(page: Any, url: str) -> None:
    _shows(_open(page, f"{url}/search?q=Acme"), CRM_TEXT["account"])
    _shows(_open(page, f"{url}/search?q=Deal"), CRM_TEXT["open_deal"])
    _shows(_open(page, f"{url}/search?q=Lost"), CRM_TEXT["lost_deal"])


def test_crm_names_on_the_pipeline_page(page: Any, url: str) -> None:
    _shows(_open(page, f"{url}/pipeline?window={QUARTER}&by=owner"), OWNER_NAME)
    _shows(_open(page, f"{url}/pipeline?window={QUARTER}&by=source"), CRM_TEXT["lead_source"])


def test_crm_names_on_the_forecast_page(page: Any, url: str) -> None:
    _shows(_open(page, f"{url}/forecast?period={QUARTER}"), CRM_TEXT["open_deal"])


def test_crm_names_on_the_quality_page(page: Any, url: str) -> None:
    _shows(_open(page, f"{url}/quality"), OWNER_NAME)


def test_crm_values_as_slices_in_the_metrics_explorer(page: Any, url: str) -> None:
    state = _open(page, f"{url}/metrics?metric=bookings&window={YEAR}&by=industry")
    _shows(state, CRM_TEXT["industry"])
    legend = page.evaluate(
        "window.Chart.getChart(document.querySelector('#chart canvas'))"
        ".legend.legendItems.map((i) => i.text)"
    )
    assert CRM_TEXT["industry"] in legend  # drawn as text on the canvas
    state = _open(page, f"{url}/metrics?metric=lost_deals&window={YEAR}&by=lead_source")
    _shows(state, CRM_TEXT["lead_source"])
    # Slices by campaign and owner name ids today; should they show names, nothing runs.
    for by in ("campaign", "owner"):
        _open(page, f"{url}/metrics?metric=pipeline_created&window={YEAR}&by={by}")


def test_crm_values_in_drill_down_rows(page: Any, url: str) -> None:
    state = _open(page, f"{url}/metrics/rows?metric=lost_deals&window={YEAR}", charts=False)
    _shows(
        state, CRM_TEXT["lost_deal"], CRM_TEXT["type"], CRM_TEXT["lead_source"],
        CRM_TEXT["industry"], CRM_TEXT["loss_reason"],
    )  # fmt: skip
    state = _open(page, f"{url}/metrics/rows?metric=won_deals&window={YEAR}", charts=False)
    _shows(state, CRM_TEXT["won_deal"])
    # A slice value from the address, reflected in the page's title and links.
    where = quote(f"industry={CRM_TEXT['industry']}")
    state = _open(
        page, f"{url}/metrics/rows?metric=lost_deals&window={YEAR}&where={where}", charts=False
    )
    _shows(state, CRM_TEXT["lost_deal"])


def test_an_error_message_quoting_the_address_is_shown_literally(page: Any, url: str) -> None:
    # Short ones: a window of more than 40 characters is refused before any page.
    for text in ("</script><script>alert(9)</script>", "<img src=x onerror=alert(8)>"):
        address = f"{url}/metrics/rows?metric=won_deals&window={quote(text)}"
        state = _open(page, address, charts=False, header=False)
        assert page.locator("p.error").count() == 1
        _shows(state, text)


def test_crm_names_on_the_record_pages(page: Any, url: str) -> None:
    account = _open(page, f"{url}/accounts/salesforce:0018d00000Z0001AAB", charts=False)
    _shows(account, CRM_TEXT["account"], CRM_TEXT["open_deal"], OWNER_NAME)
    deal = _open(page, f"{url}/deals/salesforce:0068d00000Z0001AAB", charts=False)
    _shows(deal, CRM_TEXT["open_deal"], CRM_TEXT["account"], OWNER_NAME)
    rep = _open(page, f"{url}/reps/salesforce:{SF}", charts=False)
    _shows(rep, OWNER_NAME, CRM_TEXT["account"])
