"""The routing API and page on the routed demo company: names beside ids, links to
record pages, the row scope, the simulation for managers only."""

from __future__ import annotations

from app.conftest import MANAGER, REP, Cockpit, demo_root
from routing.cockpit import routed

__all__ = ["demo_root", "routed"]


def test_the_page_model_has_the_log_sla_and_simulation(routed: Cockpit) -> None:
    view = routed.client("revops@example.com").get("/api/v1/leads/routing").json()
    assert view["problem"] is None
    assert view["assignments"], "the applied run is logged"
    first = view["assignments"][0]
    assert first["lead"] != first["lead_id"]
    assert first["lead_url"].startswith("/people/")
    assert first["owner"] is None or first["owner_url"].startswith("/reps/")
    assert sum(k["mqls"] for k in view["kpis"]) >= sum(k["breached"] for k in view["kpis"])
    sim = view["simulation"]
    assert sim["proposal"] == "plans/routing.yaml"
    figures = {f["figure"]: f for f in sim["figures"]}
    # The proposal drops the account-owner rule: no lead goes to its owner through it.
    assert figures["leads replayed"]["current"] == figures["leads replayed"]["proposed"]
    assert (
        sum(r["proposed"] for r in sim["reps"]) + figures["queued (no rep)"]["proposed"]
        == (figures["leads replayed"]["proposed"])
    )


def test_why_and_the_log_answer_with_names(routed: Cockpit) -> None:
    client = routed.client("revops@example.com")
    log = client.get("/api/v1/leads/routing/assignments?limit=5").json()
    assert len(log) == 5
    lead_id = log[0]["lead_id"]
    why = client.get(f"/api/v1/leads/routing/why/{lead_id}").json()
    assert not why["planned"]
    assert why["decisions"][0]["trail"][-1]["matched"] is True
    assert why["decisions"][0]["owner"] == log[0]["owner"]
    sla = client.get("/api/v1/leads/sla?by=team").json()
    assert sla["sla_hours"] == 4
    assert client.get("/api/v1/leads/sla?by=colour").status_code == 422


def test_a_rep_sees_only_their_leads_and_no_simulation(routed: Cockpit) -> None:
    client = routed.client(REP)
    view = client.get("/api/v1/leads/routing").json()
    assert view["simulation"] is None
    assert view["simulation_note"] == "The routing simulation is for managers."
    assert client.get("/api/v1/leads/routing/simulate").status_code == 403
    owners = {r["owner"] for r in client.get("/api/v1/leads/sla?by=owner").json()["summary"]}
    assert len(owners) <= 1


def test_a_manager_sees_the_leads_to_or_from_the_team(routed: Cockpit) -> None:
    team = routed.client(MANAGER).get("/api/v1/leads/routing/assignments?limit=1000").json()
    every = routed.client("revops@example.com")
    everyone = every.get("/api/v1/leads/routing/assignments?limit=1000").json()
    assert team
    assert len(team) < len(everyone)
    assert all(r in everyone for r in team)
    manager = routed.client(MANAGER).get("/api/v1/leads/routing/simulate?days=30")
    assert manager.status_code == 200
    assert {"summary", "reps", "flows", "moves"} <= set(manager.json())


def test_the_page_renders_with_links(routed: Cockpit) -> None:
    page = routed.client(MANAGER).get("/leads/routing")
    assert page.status_code == 200
    assert "Speed to lead by team" in page.text
    assert 'href="/reps/' in page.text
    assert "style=" not in page.text
