"""Qualification by the lifecycle stages' entry criteria, and acceptance with history."""

from __future__ import annotations

import pytest

from leads.conftest import Company, at, lead, touch, write_rules
from revops import Workspace
from revops.errors import LeadsError

RULES = """
half_life_days: 1000
fit:
  - {name: vp, field: seniority, in: [vp], points: 50}
engagement:
  - {name: response, source: campaign_touch, points: 40}
"""
STAGES = """
lifecycle_stages:
  - {name: lead, label: Lead}
  - name: mql
    label: MQL
    team: sales development
    sla_hours: 4
    entry:
      - {name: fit_and_engagement, fit_min: 40, engagement_min: 30}
      - {name: demo_request, conversions: [demo_request]}
  - name: sql
    label: SQL
    entry: [{name: hot, fit_min: 50, engagement_min: 70}]
  - {name: customer, label: Customer}
"""


@pytest.fixture
def leads(company: Company) -> Company:
    write_rules(company.ws.root, RULES)
    config = company.ws.config_file
    config.write_text(config.read_text().split("lifecycle_stages:")[0] + STAGES)
    company.ws.close()
    company.ws = Workspace.open(config.parent)
    company.add(
        "lead",
        lead("l-fit", "2026-03-01", first_name="Ana", last_name="Ruiz", title="VP Sales"),
        lead("l-hot", "2026-03-01", first_name="Bo", last_name="Li", title="VP Marketing"),
        lead("l-demo", "2026-03-01", first_name="Cy", title="Analyst"),
        lead("l-cold", "2026-03-01", first_name="Di", title="VP Finance"),
    )
    company.add(
        "campaign_touch",
        touch("l-fit", "2026-03-02"),
        touch("l-hot", "2026-03-02"),
        touch("l-hot", "2026-03-03"),
    )
    company.add(
        "web_session",
        {"visitor_key": "v", "person_id": "l-demo", "person_type": "lead",
         "started_at": "2026-03-04", "conversion_type": "demo_request"},
    )  # fmt: skip
    return company


def test_the_plan_names_who_moves_where_and_by_which_rule(leads: Company) -> None:
    plan = leads.ws.leads.plan(at("2026-03-10"))
    moves = {r["lead_id"]: (r["from_stage"], r["to_stage"], r["rule"]) for r in plan.rows}
    assert moves == {
        "l-fit": ("lead", "mql", "mql.fit_and_engagement"),
        "l-hot": ("lead", "sql", "sql.hot"),  # fit 50, engagement 80: the furthest stage
        "l-demo": ("lead", "mql", "mql.demo_request"),
    }
    assert {r["name"] for r in plan.rows} == {"Ana Ruiz", "Bo Li", "Cy"}
    assert plan.considered == 4


def test_the_plan_as_of_a_day_ignores_what_happened_after(leads: Company) -> None:
    plan = leads.ws.leads.plan(at("2026-03-02T12:00:00"))
    assert {r["lead_id"] for r in plan.rows} == {"l-fit", "l-hot"}
    assert {r["rule"] for r in plan.rows} == {"mql.fit_and_engagement"}


def test_apply_records_events_once_and_a_second_plan_is_empty(leads: Company) -> None:
    applied = leads.ws.leads.apply(at("2026-03-10"), by="ana@acme.com")
    events = leads.ws.leads.events()
    assert len(events) == len(applied.rows) == 3
    assert {e["rule"] for e in events} == {"mql.fit_and_engagement", "sql.hot", "mql.demo_request"}
    assert {e["recorded_by"] for e in events} == {"ana@acme.com"}
    assert leads.ws.leads.plan(at("2026-03-10")).rows == []
    # later engagement moves the MQL on to SQL, from its recorded stage
    leads.add("campaign_touch", touch("l-fit", "2026-03-11"))
    again = leads.ws.leads.plan(at("2026-03-12")).rows
    assert [(r["lead_id"], r["from_stage"], r["to_stage"]) for r in again] == [
        ("l-fit", "mql", "sql")
    ]


def test_acceptance_keeps_its_history_and_a_rejected_lead_is_not_requalified(
    leads: Company,
) -> None:
    leads.ws.leads.accept("l-fit", "accepted", by="bo@acme.com", at=at("2026-03-05"))
    leads.ws.leads.accept(
        "l-fit", "rejected", reason="no budget", by="bo@acme.com", at=at("2026-03-06")
    )
    history = leads.ws.leads.acceptance("l-fit")
    assert [(h["decision"], h["reason"]) for h in history] == [
        ("rejected", "no budget"),
        ("accepted", None),
    ]
    assert "l-fit" not in {r["lead_id"] for r in leads.ws.leads.plan(at("2026-03-10")).rows}
    # as of before the rejection, it still qualifies
    assert "l-fit" in {r["lead_id"] for r in leads.ws.leads.plan(at("2026-03-05T12:00")).rows}


def test_a_recycled_lead_goes_back_to_lead_with_an_event(leads: Company) -> None:
    leads.ws.leads.apply(at("2026-03-10"))
    leads.ws.leads.accept("l-demo", "recycled", reason="not now", at=at("2026-03-11"))
    recycled = [e for e in leads.ws.leads.events("l-demo") if e["rule"] == "recycled"]
    assert [(e["from_stage"], e["stage"]) for e in recycled] == [("mql", "lead")]


@pytest.mark.parametrize(
    ("lead_id", "decision", "reason", "problem"),
    [
        ("l-fit", "rejected", None, "needs a reason"),
        ("l-nobody", "accepted", None, "no lead 'l-nobody'"),
        ("l-fit", "maybe", None, "decision must be one of"),
    ],
)
def test_a_bad_decision_is_refused(
    leads: Company, lead_id: str, decision: str, reason: str | None, problem: str
) -> None:
    with pytest.raises(LeadsError, match=problem):
        leads.ws.leads.accept(lead_id, decision, reason=reason)  # type: ignore[arg-type]


def test_no_entry_criteria_is_a_clear_error(company: Company) -> None:
    config = company.ws.config_file
    text = config.read_text().split("lifecycle_stages:")[0]
    config.write_text(text + "lifecycle_stages: [{name: lead, label: L}, {name: x, label: X}]\n")
    ws = Workspace.open(company.ws.root)
    try:
        with pytest.raises(LeadsError, match="no lifecycle stage has entry criteria"):
            ws.leads.plan(at("2026-03-10"))
    finally:
        ws.close()
