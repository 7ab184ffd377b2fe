"""ws.territories on a small company in the warehouse: measures as of a day, rules and
pins, apply and revert."""

from __future__ import annotations

from datetime import date

import pytest

from revops.errors import ConfigError

from .conftest import Company

DAY = date(2026, 6, 30)
EMPLOYEES_ONLY = """
potential: {employees: 1}
workload: {accounts: 1}
balance: {potential: 1, workload: 0}
continuity_weight: 0
solver: {time_limit_seconds: 10}
"""


def test_potential_is_balanced_and_accounts_created_later_are_left_out(company: Company) -> None:
    company.accounts(("a1", 30, "u-ann", "smb"), ("a2", 30, "u-ann", "smb"),
                     ("a3", 20, "u-ann", "smb"), ("a4", 20, "u-bob", "smb"),
                     ("a5", 20, "u-bob", "smb"))  # fmt: skip
    company.add("account", {"account_id": "late", "name": "Late Co", "employees": 500,
                            "owner_id": "u-ann", "created_at": "2026-07-02T00:00:00"})  # fmt: skip
    company.design(
        EMPLOYEES_ONLY + "reps: {source: listed, people: [{user: u-ann}, {user: u-bob}]}"
    )
    found = company.ws.territories.plan(DAY)
    assert {a.account_id for a in found.accounts} == {"a1", "a2", "a3", "a4", "a5"}
    reps = {r["rep_id"]: r for r in found.rep_rows()}
    assert sorted(r["potential"] for r in reps.values()) == [60, 60]  # 30+30 / 20+20+20
    by_name = {r["assignment"]: r for r in found.comparison_rows()}
    # Today: Ann 80, Bob 40: mean 60, deviation 20, CV 1/3; greedy: 30,30 → 20,20,20 ... 70/50.
    assert by_name["current"]["cv_potential"] == pytest.approx(1 / 3, abs=1e-4)
    assert by_name["greedy"]["cv_potential"] == pytest.approx(10 / 60, abs=1e-4)
    assert by_name["optimiser"]["cv_potential"] == 0


def test_segment_rules_and_pins_hold_and_names_are_beside_ids(company: Company) -> None:
    company.accounts(("e1", 900, "u-ann", "enterprise"), ("e2", 800, "u-bob", "enterprise"),
                     ("s1", 50, "u-dan", "smb"), ("s2", 40, "u-dan", "smb"),
                     ("s3", 30, "u-ann", "smb"), ("s4", 20, "u-bob", "smb"))  # fmt: skip
    company.design(
        EMPLOYEES_ONLY
        + """
rules:
  - {field: segment, values: [Enterprise], teams: [Enterprise]}
  - {field: segment, values: [smb], reps: [ann@acme.test, u-bob]}
pinned:
  - {account: s4, rep: u-ann}
"""
    )
    found = company.ws.territories.plan(DAY)
    assert found.proposed["e1"] == found.proposed["e2"] == "u-dan"
    assert found.proposed["s4"] == "u-ann"
    assert {found.proposed[a] for a in ("s1", "s2", "s3")} <= {"u-ann", "u-bob"}
    moves = {m["account_id"]: m for m in found.move_rows()}
    assert moves["e1"]["account"] == "Acme e1"
    assert (moves["e1"]["from_rep"], moves["e1"]["to_rep"]) == ("Ann Archer", "Dan Dorn")


def test_unknown_rep_in_a_rule_names_the_key(company: Company) -> None:
    company.accounts(("a1", 1, "u-ann", "smb"))
    company.design("rules: [{field: segment, values: [smb], reps: [nobody@acme.test]}]")
    with pytest.raises(ConfigError, match=r"rules\[0\]\.reps\[0\].*nobody@acme.test"):
        company.ws.territories.plan(DAY)


def test_apply_then_revert_restores_the_previous_assignment_exactly(company: Company) -> None:
    company.accounts(*[(f"a{i}", 10 + i, "u-ann" if i < 6 else "u-bob", "smb")
                       for i in range(8)])  # fmt: skip
    company.design(EMPLOYEES_ONLY)
    territories = company.ws.territories
    first = territories.apply(territories.plan(DAY), effective=DAY)
    _, before = territories.assignment_at(DAY)
    company.design(
        EMPLOYEES_ONLY + "pinned: [{account: a0, rep: u-dan}, {account: a1, rep: u-dan}]"
    )
    again = territories.plan(DAY)
    assert again.current == before  # the version in effect is the current assignment
    second = territories.apply(again, effective=DAY)
    assert second.version == first.version + 1
    assert territories.assignment_at(DAY)[1]["a0"] == "u-dan"
    assert [v.state for v in territories.versions()] == ["archived", "active"]
    reverted, restored = territories.revert()
    assert reverted.version == second.version
    assert reverted.reverted_at is not None
    assert restored is not None
    assert restored.version == first.version
    version, after = territories.assignment_at(DAY)
    assert version is not None
    assert version.version == first.version
    assert after == before
    assert [v.state for v in territories.versions()] == ["active", "archived"]
    # History: before the first version took effect there was no territory.
    assert territories.assignment_at(date(2026, 6, 1)) == (None, {})


def test_apply_works_on_a_warehouse_made_before_the_territories_namespace(
    company: Company,
) -> None:
    company.accounts(("a1", 10, "u-ann", "smb"), ("a2", 20, "u-bob", "smb"))
    company.design(EMPLOYEES_ONLY)
    warehouse = company.ws.warehouse
    warehouse.execute(f"DROP SCHEMA {warehouse.quote(warehouse.schema_name('territories'))}")
    territories = company.ws.territories
    assert territories.versions() == []
    version = territories.apply(territories.plan(DAY), effective=DAY)
    assert territories.assignment_at(DAY)[0] == version


def test_a_company_is_one_account_and_its_billing_customers_arr_counts_for_it(
    company: Company,
) -> None:
    """A CRM account and the billing customer identity resolution put in its company are
    one account of the design, carried by the CRM record (which has the owner), with the
    billing customer's ARR: never two accounts, never a CRM account without its ARR."""
    from revops.identity.crosswalk import NAMESPACE, ensure_tables

    company.accounts(("a1", 10, "u-ann", "smb"), ("a2", 10, "u-bob", "smb"))
    company.add("account", {"account_id": "stripe:cus_1", "name": "Acme Billing",
                            "source_system": "stripe", "employees": 40})  # fmt: skip
    company.add(
        "subscription_line",
        {"subscription_line_id": "si_1", "account_id": "stripe:cus_1", "product_id": "plan",
         "start_date": "2026-01-01",
         "quantity": 10, "billing_interval": "month", "mrr": 1000, "currency": "USD"},
    )  # fmt: skip
    ensure_tables(company.ws.warehouse)
    rows = [
        {"kind": "companies", "entity": "account", "record_id": record,
         "unique_id": f"account:{record}", "source_system": "test", "source_id": record,
         "cluster_id": "c1", "cluster_size": 2, "run_id": "r1", "load_id": "l1"}
        for record in ("a1", "stripe:cus_1")
    ]  # fmt: skip
    company.ws.warehouse.load("crosswalk", rows, namespace=NAMESPACE, mode="replace")
    company.design(
        """
potential: {arr: 1, employees: 100}
workload: {accounts: 1}
balance: {potential: 1, workload: 0}
continuity_weight: 0
solver: {time_limit_seconds: 10}
reps: {source: listed, people: [{user: u-ann}, {user: u-bob}]}
"""
    )
    found = company.ws.territories.plan(DAY)
    potential = {a.account_id: a.potential for a in found.accounts}
    # a1: ARR 12 x 1,000 from its billing customer + 100 x the 40 employees it states.
    assert potential == {"a1": 12_000 + 100 * 40, "a2": 100 * 10}
