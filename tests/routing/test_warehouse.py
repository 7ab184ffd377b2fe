"""Routing on a warehouse: the account owner through golden records, the logged
assignments with their history, a rotation that continues across runs, `why`."""

from __future__ import annotations

import pytest

from revops.errors import ConfigError, RoutingError
from routing.conftest import Company

from support import at

RULES = """
pools:
  - name: smb
    reps: [ann@acme.test, bob@acme.test, cat@acme.test]
rules:
  - name: existing_owner
    kind: account_owner
  - name: smb_pool
    kind: pool
    pool: smb
"""


def known_and_new(company: Company) -> None:
    company.add("account", {"account_id": "a-1", "name": "Globex", "domain": "globex.com",
                            "owner_id": "u-dan", "segment": "enterprise"})  # fmt: skip
    company.add(
        "lead",
        {"lead_id": "l-1", "email": "x@globex.com", "company": "Globex", "status": "open",
         "created_at": "2026-03-02T10:00:00", "first_name": "Xia", "last_name": "Li"},
        *[{"lead_id": f"l-{n}", "email": f"p{n}@new{n}.io", "company": f"New {n}",
           "status": "open", "created_at": f"2026-03-02T1{n}:00:00", "owner_id": "u-cat"}
          for n in range(2, 6)],
    )  # fmt: skip
    company.resolve()


def test_a_lead_goes_to_the_owner_of_its_matched_accounts_golden_record(company: Company) -> None:
    known_and_new(company)
    company.rules(RULES)
    plan = company.ws.routing.plan(at=at("2026-03-03T00:00:00"))
    rows = {r["lead_id"]: r for r in plan.rows()}
    assert (rows["l-1"]["owner"], rows["l-1"]["rule"]) == ("Dan Dorn", "existing_owner")
    assert rows["l-1"]["account"] == "Globex"
    # The others are new companies: dealt in turn, in the order they came in.
    assert [rows[f"l-{n}"]["owner"] for n in range(2, 6)] == [
        "Ann Archer", "Bob Baker", "Cat Cole", "Ann Archer"
    ]  # fmt: skip
    assert rows["l-2"]["previous_owner"] == "Cat Cole"


def test_apply_logs_each_assignment_and_the_next_run_continues_the_rotation(
    company: Company,
) -> None:
    known_and_new(company)
    company.rules(RULES)
    routing = company.ws.routing
    first = routing.apply(at=at("2026-03-03T00:00:00"))
    assert len(first.decisions) == 5
    assert routing.plan(at=at("2026-03-03T01:00:00")).decisions == []
    company.add("lead", *[
        {"lead_id": f"l-{n}", "email": f"p{n}@new{n}.io", "status": "open",
         "created_at": "2026-03-04T10:00:00"} for n in (6, 7)
    ])  # fmt: skip
    second = routing.apply(at=at("2026-03-05T00:00:00"))
    assert [d.owner_id for d in second.decisions] == ["u-bob", "u-cat"]
    log, _directory = routing.assignments()
    assert len(log) == 7
    assert log[0]["run_id"] == second.run_id
    assert {r["lead_id"]: r["previous_owner_id"] for r in log}["l-2"] == "u-cat"
    rows, _, planned = routing.why("l-1")
    assert not planned
    assert rows[0]["rule"] == "existing_owner"
    assert rows[0]["inputs"]["account_name"] == "Globex"
    assert [s["matched"] for s in rows[0]["trail"]] == [True]


def test_why_explains_a_lead_not_routed_yet_and_refuses_an_unknown_one(company: Company) -> None:
    known_and_new(company)
    company.rules(RULES)
    rows, directory, planned = company.ws.routing.why("l-2")
    assert planned
    assert rows[0]["trail"][0]["reason"] == "no matched account"
    assert directory.name(rows[0]["owner_id"]) == "Ann Archer"
    with pytest.raises(RoutingError, match="no lead 'l-99'"):
        company.ws.routing.why("l-99")


def test_capacity_counts_the_leads_reps_already_hold(company: Company) -> None:
    known_and_new(company)
    company.rules("capacity: 4\n" + RULES)
    plan = company.ws.routing.plan(at=at("2026-03-03T00:00:00"))
    # Cat holds the four new leads in the CRM already: she is full from the start.
    assert [d.owner_id for d in plan.decisions[1:]] == ["u-ann", "u-bob", "u-ann", "u-bob"]


def test_a_rule_naming_a_rep_that_does_not_exist_is_refused(company: Company) -> None:
    company.rules(RULES.replace("cat@acme.test", "zed@acme.test"))
    with pytest.raises(ConfigError, match=r"pools\[smb\]\.reps: no user 'zed@acme.test'"):
        company.ws.routing.plan()
