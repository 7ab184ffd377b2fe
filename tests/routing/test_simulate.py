"""Simulation: the last days of leads replayed under a proposed and the current rules,
figures checked by hand (capacity evolving in time order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from revops.errors import RoutingError
from routing.conftest import Company

from support import at

CURRENT = """
capacity: 2
pools:
  - {name: p, reps: [ann@acme.test, bob@acme.test]}
rules:
  - {name: existing_owner, kind: account_owner}
  - {name: pool, kind: pool, pool: p}
"""
PROPOSED = """
capacity: 2
pools:
  - {name: p3, reps: [ann@acme.test, bob@acme.test, cat@acme.test]}
rules:
  - {name: pool3, kind: pool, pool: p3}
"""


def replay_company(company: Company) -> Path:
    company.add(
        "account",
        {"account_id": "a-1", "name": "Globex", "domain": "globex.com", "owner_id": "u-dan"},
    )
    old = {"lead_id": "l-0", "email": "o@old.io", "status": "open", "owner_id": "u-ann",
           "created_at": "2026-03-01T09:00:00"}  # fmt: skip
    known = {"lead_id": "l-1", "email": "x@globex.com", "company": "Globex", "status": "open",
             "created_at": "2026-03-04T10:00:00"}  # fmt: skip
    new = [
        {"lead_id": f"l-{n}", "email": f"p{n}@new{n}.io", "status": "open",
         "created_at": f"2026-03-04T{9 + n}:00:00"}
        for n in range(2, 6)
    ]  # fmt: skip
    new[0].update(status="converted", converted_at=at("2026-03-04T12:30:00"))
    future = {"lead_id": "l-9", "email": "f@later.io", "status": "open",
              "created_at": "2026-03-11T09:00:00"}  # fmt: skip
    company.add("lead", old, known, *new, future)
    company.resolve()
    company.rules(CURRENT)
    return company.rules(PROPOSED, "proposed.yaml")


def test_simulation_compares_the_two_rule_files_over_the_same_leads(company: Company) -> None:
    proposed = replay_company(company)
    sim = company.ws.routing.simulate(proposed, days=7, as_of=at("2026-03-10T00:00:00"))
    current, new = sim.comparison.current, sim.comparison.proposed
    # Current: l-1 to its account's owner Dan; the pool deals l-2 to Ann (who holds l-0:
    # now 2, full), l-3 to Bob, l-4 to Bob (l-2 closed at 12:30 but the turn is Bob's),
    # l-5 to Ann (Bob full).
    assert current.per_rep == {"u-ann": 2, "u-bob": 2, "u-cat": 0, "u-dan": 1}
    # Proposed: l-1 to Ann (full then), l-2 to Bob, l-3 to Cat, l-4 to Bob (tie with Cat,
    # listed first; l-2 closed so Bob has room), l-5 to Cat.
    assert new.per_rep == {"u-ann": 1, "u-bob": 2, "u-cat": 2, "u-dan": 0}
    # Leads per rep 2, 2, 0, 1 and 1, 2, 2, 0: mean 1.25, variance 0.6875 both.
    assert current.cv == pytest.approx(0.6875**0.5 / 1.25)
    assert new.cv == pytest.approx(0.6875**0.5 / 1.25)
    assert (current.owner_share, new.owner_share) == (0.2, 0.0)
    moves = [(m.lead_id, m.current, m.proposed) for m in sim.comparison.moves]
    assert moves == [
        ("l-1", "u-dan", "u-ann"),
        ("l-2", "u-ann", "u-bob"),
        ("l-3", "u-bob", "u-cat"),
        ("l-5", "u-ann", "u-cat"),
    ]
    flows = {(r["from"], r["to"]): r["leads"] for r in sim.flow_rows()}
    assert flows[("Dan Dorn", "Ann Archer")] == 1
    reps = {r["rep"]: (r["current"], r["proposed"]) for r in sim.rep_rows()}
    assert reps["Cat Cole"] == (0, 2)
    assert sim.rule_rows() == [
        {"rule": "existing_owner", "current": 1, "proposed": 0},
        {"rule": "pool", "current": 4, "proposed": 0},
        {"rule": "pool3", "current": 0, "proposed": 5},
    ]


def test_a_simulation_is_repeatable_and_reads_nothing_after_its_end(company: Company) -> None:
    proposed = replay_company(company)
    first = company.ws.routing.simulate(proposed, days=7, as_of=at("2026-03-10T00:00:00"))
    company.add("lead", {"lead_id": "l-10", "email": "z@z.io", "status": "open",
                         "created_at": "2026-03-12T00:00:00"})  # fmt: skip
    # Nor do assignments decided after its start: capacity starts from what was known then.
    company.rules("rules:\n  - {name: all, kind: territory, rep: cat@acme.test}\n")
    company.ws.routing.apply(at=at("2026-03-12T06:00:00"))  # l-0 moves from Ann to Cat
    company.rules(CURRENT)
    again = company.ws.routing.simulate(proposed, days=7, as_of=at("2026-03-10T00:00:00"))
    assert again.comparison == first.comparison
    with pytest.raises(RoutingError, match="at least 1"):
        company.ws.routing.simulate(proposed, days=0)
