"""From the quality page to the failing records: the rule and offender counts link to the
records behind them, named and linked to their pages, cut to the viewer's records."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.conftest import MANAGER, REP, Cockpit

from support import run_cli

ADMIN = "admin@example.com"


def _follow(cockpit: Cockpit, email: str, url: str) -> dict[str, Any]:
    assert url.startswith("/quality/failures?")
    response = cockpit.client(email).get(f"/api/v1{url}&limit=500")
    assert response.status_code == 200, response.text[:300]
    body: dict[str, Any] = response.json()
    return body


def test_each_failing_rule_lists_exactly_the_records_it_counts(cockpit: Cockpit) -> None:
    quality = cockpit.client(ADMIN).get("/api/v1/quality").json()
    assert quality["rules"], "the demo company fails some rules"
    users = cockpit.app.state.revops.workspace.warehouse.table("user").execute()
    names = dict(zip(users["user_id"], users["name"], strict=True))
    for rule in quality["rules"][:6]:
        listed = _follow(cockpit, ADMIN, rule["url"])
        assert (listed["entity"], listed["rule"]) == (rule["entity"], rule["rule"])
        assert listed["total"] == rule["failures"] == len(listed["records"])
        assert listed["evaluated_as_of"] == quality["run_as_of"]
        for record in listed["records"]:
            assert record["name"]
            if record["owner_id"]:
                assert record["owner"] == names[record["owner_id"]]
            if rule["entity"] != "invoice":
                assert record["url"]


def test_an_offenders_count_lists_that_owners_records_within_the_scope(
    cockpit: Cockpit,
) -> None:
    ws = cockpit.app.state.revops.workspace
    for email, team in ((REP, False), (MANAGER, True)):
        scope = ws.metrics.scope_for(email, team=team)
        assert scope is not None
        assert scope.owners
        offenders = cockpit.client(email).get("/api/v1/quality").json()["offenders"]
        assert offenders
        for offender in offenders[:4]:
            listed = _follow(cockpit, email, offender["url"])
            assert listed["total"] == offender["failures"]
            assert {r["owner_id"] for r in listed["records"]} == {offender["owner_id"]}
            assert offender["owner_id"] in scope.owners


def test_the_page_links_records_and_pages_through_them(cockpit: Cockpit) -> None:
    client = cockpit.client(ADMIN)
    rule = max(client.get("/api/v1/quality").json()["rules"], key=lambda r: r["failures"])
    page = client.get(rule["url"])
    assert page.status_code == 200
    assert f"Failing {rule['entity']} records: {rule['rule']}" in page.text
    assert rule["fix"].split("'")[0][:30] in page.text
    listed = _follow(cockpit, ADMIN, rule["url"])
    first = listed["records"][0]
    if first["url"]:
        assert f'href="{first["url"]}"' in page.text
        assert client.get(first["url"]).status_code == 200
    quality_page = client.get("/quality").text
    assert f'href="{rule["url"].replace("&", "&amp;")}"' in quality_page
    if rule["failures"] > 1:
        small = client.get(f"/api/v1{rule['url']}&limit=1").json()
        assert small["next_url"]
        assert small["previous_url"] is None
        second = client.get(f"/api/v1{small['next_url']}&limit=1").json()
        assert second["records"][0]["record_id"] == listed["records"][1]["record_id"]


def test_an_unknown_rule_is_400_naming_the_rules_and_bad_names_422(cockpit: Cockpit) -> None:
    client = cockpit.client(ADMIN)
    response = client.get("/api/v1/quality/failures?entity=contact&rule=nosuch")
    assert response.status_code == 400
    assert "no rule 'nosuch' checks contact; its rules:" in response.json()["detail"]
    assert client.get("/quality/failures?entity=contact&rule=nosuch").status_code == 400
    assert client.get("/api/v1/quality/failures?entity=Contact!&rule=x").status_code == 422
    assert client.get("/api/v1/quality/failures?entity=contact").status_code == 422


def test_the_cli_lists_what_the_api_lists(
    cockpit: Cockpit, capsys: pytest.CaptureFixture[str]
) -> None:
    rule = cockpit.client(ADMIN).get("/api/v1/quality").json()["rules"][0]
    listed = _follow(cockpit, ADMIN, rule["url"])
    args = ("quality", "failures", rule["entity"], rule["rule"], "--limit", "500")
    code, out, _ = run_cli(capsys, "--workspace", str(cockpit.root), *args, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["record_id"] for r in rows] == [r["record_id"] for r in listed["records"]]
    assert [r["owner_name"] for r in rows][:1] == [r["owner"] for r in listed["records"]][:1]
    code, _, err = run_cli(capsys, "--workspace", str(cockpit.root), "quality", "failures",
                           rule["entity"], "nosuch")  # fmt: skip
    assert code == 1
    assert "no rule 'nosuch'" in err
