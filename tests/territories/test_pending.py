"""The pending plan: `--plan` keeps the design, `--apply` stores exactly it (never solving
again), refusing when nothing is pending, when the file was edited, when another plan
than the one reviewed is pending, or when the inputs changed; expected bookings by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest

from revops.errors import TerritoryError
from revops.territories.pending import PENDING_FILE, VERSIONS_DIR

from .conftest import Company

DAY = date(2026, 6, 30)
DESIGN = """
potential: {employees: 1}
workload: {accounts: 1}
balance: {potential: 1, workload: 0}
continuity_weight: 0
solver: {time_limit_seconds: 10}
reps: {source: listed, people: [{user: u-ann}, {user: u-bob}]}
expected_bookings: {headroom: 10}
"""
WON = [("w1", "u-ann", 50, "2026-03-01"), ("w2", "u-bob", 30, "2026-05-01"),
       ("old", "u-bob", 1000, "2025-05-01"), ("later", "u-ann", 1000, "2026-07-05")]  # fmt: skip


def _company(company: Company) -> None:
    company.accounts(("a1", 60, "u-ann", "smb"), ("a2", 40, "u-ann", "smb"),
                     ("a3", 20, "u-bob", "smb"))  # fmt: skip
    company.add("opportunity", *[
        {"opportunity_id": d, "account_id": "a1", "owner_id": o, "name": d, "type": "new",
         "stage": "Closed Won", "amount": a, "currency": "USD", "is_closed": True,
         "is_won": True, "close_date": day, "closed_at": f"{day}T12:00:00",
         "created_at": "2025-01-01T00:00:00"}
        for d, o, a, day in WON
    ])  # fmt: skip
    company.design(DESIGN)


def test_expected_bookings_by_each_reps_rate_of_the_last_year(company: Company) -> None:
    _company(company)
    found = company.ws.territories.plan(DAY)
    # Bookings of the 365 days to 2026-06-30: Ann 50, Bob 30 (the deal of 2025-05-01 is
    # older, the one of 2026-07-05 later). Books today: Ann 100, Bob 20 (all covered:
    # headroom 10). Company rate 80/120; the prior is the average book, 60.
    ann, bob = (50 + 80 / 120 * 60) / (100 + 60), (30 + 80 / 120 * 60) / (20 + 60)
    rows = {r["assignment"]: r for r in found.comparison_rows()}
    now = ann * 100 + bob * 20
    assert rows["current"]["expected_bookings"] == pytest.approx(now, abs=0.01)
    # Balanced: 60 and 60 (a1 alone, a2 + a3), whoever has which.
    assert rows["optimiser"]["expected_bookings"] == pytest.approx(ann * 60 + bob * 60, abs=0.01)
    assert rows["optimiser"]["bookings_change"] == pytest.approx(ann * 60 + bob * 60 - now,
                                                                 abs=0.01)  # fmt: skip
    reps = {r["rep_id"]: r for r in found.rep_rows()}
    assert reps["u-ann"]["bookings"] == 50
    assert reps["u-bob"]["rate"] == pytest.approx(bob, abs=1e-6)


def test_apply_stores_exactly_the_pending_plan_and_files_it(company: Company) -> None:
    _company(company)
    territories = company.ws.territories
    with pytest.raises(TerritoryError, match="no pending territory plan"):
        territories.apply_pending()
    found = territories.plan(DAY)
    _, digest = territories.save_pending(found)
    pending = territories.pending()
    assert pending is not None
    assert pending.plan_sha256 == digest
    with pytest.raises(TerritoryError, match=r"not the .* reviewed"):
        territories.apply_pending(expected_sha256="0" * 64)
    version = territories.apply_pending(effective=DAY, note="reviewed",
                                        expected_sha256=digest)  # fmt: skip
    _, stored = territories.assignment_at(DAY)
    assert stored == {a["account_id"]: a["rep_id"] for a in pending.assignment}
    assert stored == found.proposed
    assert version.moved == pending.moved()
    assert not (company.root / PENDING_FILE).exists()
    kept = json.loads((company.root / VERSIONS_DIR / "v1.json").read_text())
    assert kept["plan_sha256"] == digest
    with pytest.raises(TerritoryError, match="no pending territory plan"):
        territories.apply_pending()
    # Revert then: no version in effect, as before.
    territories.revert()
    assert territories.assignment_at(DAY) == (None, {})


def test_apply_refuses_a_plan_whose_inputs_or_file_changed(company: Company) -> None:
    _company(company)
    territories = company.ws.territories
    territories.save_pending(territories.plan(DAY))
    company.accounts(("a4", 5, "u-bob", "smb"))
    with pytest.raises(TerritoryError, match="inputs changed since the plan of 2026-06-30"):
        territories.apply_pending()
    territories.save_pending(territories.plan(DAY))
    company.design(DESIGN.replace("headroom: 10", "headroom: 5"))
    with pytest.raises(TerritoryError, match="inputs changed"):
        territories.apply_pending()
    company.design(DESIGN)
    path = company.root / PENDING_FILE
    path.write_text(path.read_text().replace('"rep_id": "u-ann"', '"rep_id": "u-bob"'))
    with pytest.raises(TerritoryError, match="was edited since it was planned"):
        territories.apply_pending()
    assert territories.versions() == []


def test_rates_come_from_the_crm_books_so_an_applied_design_keeps_its_expected_bookings(
    company: Company,
) -> None:
    _company(company)
    territories = company.ws.territories
    first = territories.plan(DAY)
    promised = {r["assignment"]: r for r in first.comparison_rows()}["optimiser"]
    territories.save_pending(first)
    territories.apply_pending(effective=DAY)
    # The version in effect is today's assignment now; the rates are still learned on the
    # CRM owners' books, where the bookings were won, so it is expected to book what the
    # plan said.
    again = {r["assignment"]: r for r in territories.plan(DAY).comparison_rows()}
    assert again["current"]["expected_bookings"] == pytest.approx(
        promised["expected_bookings"], abs=0.01
    )
