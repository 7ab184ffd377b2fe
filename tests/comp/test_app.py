"""Commission statements in the cockpit on the demo company with the shipped example
plans: who sees which statements (a rep their own, a manager their team's, finance all),
names and deal links on every line, the CSV export, disputes, and the page in Chromium."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import MANAGER, OTHER_REP, REP, Cockpit, role_email, serving
from app.conftest import browser as browser  # Chromium, once a module
from app.conftest import demo_root as demo_root  # the served demo company, once a run
from app.test_browser import CHROMIUM, served
from revops.app.access import COMP_ROLES, ROLES
from revops.comp.plan import write_example_plans

from support import csrf

PERIOD = "FY2027-Q3"


@pytest.fixture(scope="module")
def cockpit(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The demo company with the example comp plans, served."""
    root = tmp_path_factory.mktemp("comp") / "ws"
    shutil.copytree(demo_root, root)
    (root / "app.db").unlink(missing_ok=True)
    assert [p.name for p in write_example_plans(root)] == ["ae.yaml", "managers.yaml"]
    with serving(root) as served_app:
        yield served_app


def _summary(cockpit: Cockpit, email: str) -> list[dict[str, Any]]:
    response = cockpit.client(email).get(f"/api/v1/comp/summary?period={PERIOD}")
    assert response.status_code == 200, response.text[:300]
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_sales_finance_and_revops_roles_see_statements(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    expected = 200 if role in COMP_ROLES else 403
    assert client.get(f"/api/v1/comp/summary?period={PERIOD}").status_code == expected
    assert client.get(f"/comp/summary?period={PERIOD}").status_code == expected


def test_a_rep_sees_only_their_own_statements_a_manager_the_teams(cockpit: Cockpit) -> None:
    ws = cockpit.app.state.revops.workspace
    everyone = _summary(cockpit, role_email("finance"))
    mine = _summary(cockpit, REP)
    team = _summary(cockpit, MANAGER)
    rep_scope = ws.metrics.scope_for(REP, team=False)
    assert mine
    assert {r["participant"]["id"] for r in mine} <= set(rep_scope.owners)
    assert len(mine) < len(team) < len(everyone)
    manager_scope = ws.metrics.scope_for(MANAGER, team=True)
    assert {r["participant"]["id"] for r in team} <= set(manager_scope.owners)
    other = cockpit.client(REP).get(f"/api/v1/comp/statement?rep={OTHER_REP}&period={PERIOD}")
    body = other.json()
    assert body["statements"] == []
    assert "not among the rows you may see" in body["problem"]


def test_every_line_names_and_links_its_deal(cockpit: Cockpit) -> None:
    body = cockpit.client(REP).get(f"/api/v1/comp/statement?period={PERIOD}").json()
    (statement,) = [s for s in body["statements"] if s["plan"] == "ae"]
    deals = [ln for ln in statement["lines"] if ln["kind"] == "commission"]
    assert deals, statement
    for line in deals:
        assert line["deal"]["name"] != line["deal"]["id"]
        assert line["deal"]["url"].startswith("/deals/")
        assert line["rule"]
        assert line["base"]
        assert line["amount"]
    assert statement["participant"]["url"].startswith("/reps/")


def test_what_if_for_ones_own_deal_not_another_reps(cockpit: Cockpit) -> None:
    rep = cockpit.client(REP)
    ask = {"amount": "50000", "close_date": "2026-09-15"}
    headers = {"X-CSRF-Token": csrf(rep)}
    found = rep.post("/api/v1/comp/whatif", json=ask, headers=headers)
    assert found.status_code == 200, found.text[:300]
    (ae,) = [r for r in found.json() if r["plan"] == "ae"]
    assert ae["period"] == PERIOD
    assert float(ae["deal_pays"]) > 0
    assert ae["items"]
    assert all(i["deal_id"] == "what-if" for i in ae["items"])
    other = rep.post("/api/v1/comp/whatif", json={**ask, "rep": OTHER_REP}, headers=headers)
    assert other.status_code == 404


def test_the_summary_exports_to_csv_within_the_rows(cockpit: Cockpit) -> None:
    response = cockpit.client(REP).get(f"/comp/summary/export?period={PERIOD}&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(_summary(cockpit, REP))
    assert rows[0]["participant_name"]
    assert rows[0]["total"]
    xlsx = cockpit.client(role_email("finance")).get(
        f"/comp/summary/export?period={PERIOD}&format=xlsx"
    )
    assert xlsx.content[:2] == b"PK"


def test_a_rep_disputes_their_own_line_and_finance_resolves_it(cockpit: Cockpit) -> None:
    rep = cockpit.client(REP)
    body = {"period": PERIOD, "line": 1, "note": "this deal was split with my SE", "plan": "ae"}
    assert rep.post("/api/v1/comp/disputes", json=body).status_code == 403  # no CSRF token
    opened = rep.post("/api/v1/comp/disputes", json=body, headers={"X-CSRF-Token": csrf(rep)})
    assert opened.status_code == 200, opened.text[:300]
    dispute_id = opened.json()["dispute_id"]
    other = rep.post("/api/v1/comp/disputes", json={**body, "rep": OTHER_REP},
                     headers={"X-CSRF-Token": csrf(rep)})  # fmt: skip
    assert other.status_code == 404
    decision = {"status": "accepted", "resolution": "split 70/30 from next period"}
    refused = rep.post(f"/api/v1/comp/disputes/{dispute_id}/resolve", json=decision,
                       headers={"X-CSRF-Token": csrf(rep)})  # fmt: skip
    assert refused.status_code == 403
    finance = cockpit.client(role_email("finance"))
    done = finance.post(f"/api/v1/comp/disputes/{dispute_id}/resolve", json=decision,
                        headers={"X-CSRF-Token": csrf(finance)})  # fmt: skip
    assert done.status_code == 200, done.text[:300]
    (seen,) = [d for d in rep.get("/api/v1/comp/disputes").json() if d["dispute_id"] == dispute_id]
    assert (seen["status"], seen["note"]) == ("accepted", body["note"])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_the_statement_page_shows_the_reps_lines(cockpit: Cockpit, browser: Any) -> None:
    from app.conftest import PASSWORD

    with served(cockpit) as base_url:
        page = browser.new_context().new_page()
        page.set_default_timeout(90_000)
        page.goto(f"{base_url}/signin?next=/comp?period={PERIOD}")
        page.fill("input[name=email]", REP)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/comp?period={PERIOD}")
        assert page.locator("nav a[href='/comp']").get_attribute("aria-current") == "page"
        statement = page.locator(".comp-statement[data-plan=ae]")
        assert statement.locator(".comp-lines tbody tr[data-kind=commission]").count() >= 1
        assert "total" in statement.locator(".comp-total").inner_text()
        first = statement.locator(".comp-lines tbody a[href^='/deals/']").first
        name = first.inner_text()
        first.click()
        page.wait_for_url("**/deals/**")
        assert name in page.locator("h1").inner_text()


def test_the_deal_page_asks_what_an_open_deal_would_pay_its_owner(cockpit: Cockpit) -> None:
    rep = cockpit.client(REP)
    home = rep.get("/api/v1/home").json()
    deal = home["deals"][0]  # the rep's own open deals
    page = rep.get(deal["url"])
    assert page.status_code == 200
    assert 'id="whatif-form"' in page.text
    deal_id = deal["opportunity_id"]
    form = {"csrf_token": csrf(rep), "deal": deal_id, "amount": "50000",
            "close_date": "2026-09-15", "rep": ""}  # fmt: skip
    shown = rep.post("/comp/whatif", data=form)
    assert shown.status_code == 200, shown.text[:300]
    ask = {"amount": "50000", "close_date": "2026-09-15", "deal": deal_id}
    api = rep.post("/api/v1/comp/whatif", headers={"X-CSRF-Token": form["csrf_token"]}, json=ask)
    (ae,) = [r for r in api.json() if r["plan"] == "ae"]
    assert ae["deal_id"] == deal_id
    assert ae["deal_name"] == deal["name"]
    # Exact to the cent, as the statement is.
    assert f'<strong class="deal-pays">${float(ae["deal_pays"]):,.2f}</strong>' in shown.text
    # A role without statements gets no form.
    marketing = cockpit.client(role_email("marketing"))
    assert 'id="whatif-form"' not in marketing.get(deal["url"]).text


def test_revops_costs_applies_and_reverts_a_plan_change_finance_only_costs_it(
    cockpit: Cockpit,
) -> None:
    from revops.app.access import COMP_PLANNERS, COMP_RESOLVERS

    for role in ROLES:
        expected = 200 if role in COMP_RESOLVERS else 403
        assert cockpit.client(role_email(role)).get("/comp/plans").status_code == expected
        assert cockpit.client(role_email(role)).get("/api/v1/comp/plans").status_code == expected
    root = cockpit.app.state.revops.workspace.root
    text = (root / "plans" / "comp" / "ae.yaml").read_text().replace("rate: 0.10", "rate: 0.12")
    ws = cockpit.app.state.revops.workspace
    start = ws.calendar.parse(PERIOD).start.isoformat()
    before = _summary(cockpit, role_email("finance"))
    finance = cockpit.client(role_email("finance"))
    costed = finance.post(
        "/comp/plans/diff",
        data={"csrf_token": csrf(finance), "plan": text, "period": PERIOD, "effective": start},
    )
    assert costed.status_code == 200
    assert 'id="plan-diff"' in costed.text
    assert 'id="plan-apply-form"' not in costed.text  # finance costs, does not apply
    refused = finance.post(
        "/api/v1/comp/plans/apply",
        json={"plan": text, "effective": start},
        headers={"X-CSRF-Token": csrf(finance)},
    )
    assert refused.status_code == 403
    revops = cockpit.client(role_email("revops"))
    assert "revops" in COMP_PLANNERS
    shown = revops.post(
        "/comp/plans/diff",
        data={"csrf_token": csrf(revops), "plan": text, "period": PERIOD, "effective": start},
    )
    assert 'id="plan-apply-form"' in shown.text
    headers = {"X-CSRF-Token": csrf(revops)}
    diff = revops.post(
        "/api/v1/comp/plans/diff",
        headers=headers,
        json={"plan": text, "period": PERIOD, "effective": start},
    ).json()
    assert any(row["difference"] != "0.00" for row in diff["diff"])
    applied = revops.post(
        "/comp/plans/apply",
        data={"csrf_token": csrf(revops), "plan": text, "effective": start},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    assert (root / "plans" / "comp" / "versions" / "ae" / f"{start}.yaml").read_text() == text
    after = _summary(cockpit, role_email("finance"))
    paid = {(r["participant"]["id"], r["plan"]): r["total"] for r in after}
    for row in diff["diff"]:
        assert paid[(row["participant"]["id"], "ae")] == row["candidate"]
    bad = revops.post(
        "/api/v1/comp/plans/apply", json={"plan": text, "effective": start}, headers=headers
    )
    assert bad.status_code == 422
    assert "revert it first" in bad.json()["detail"]
    reverted = revops.post(
        "/api/v1/comp/plans/revert", json={"plan": "ae", "effective": start}, headers=headers
    )
    assert reverted.status_code == 200, reverted.text[:300]
    assert _summary(cockpit, role_email("finance")) == before
