"""Overlay credit (deal team roles, the account's CSM, the partner's manager) and gross
margin as a measure, on the tiny company of the conftest plus an overlay team, computed
on paper (FY2027-Q1 as of 31 March).

Added: Sam and Lee (sales engineers), Cara (CSM of account a2), Pat (manager of partner
p1), and `exp1` (an expansion of a2 through p1, Bo's, 30,000, closed 10 March). Deal
teams: Sam is the Sales Engineer of `big` (60,000) and, with Lee, of `exp1`; Max joins
`big` as a sales engineer on 20 April (not known on 31 March).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from comp.conftest import PLAN, write_plan
from comp.test_component import Q1_END, Q2_END

from support import Company

D = Decimal
SE_PLAN = """
name: se
period: quarter
participants: [{role: se}]
credit: {by: team, role: sales engineer, percent: %s}
quota: {source: fixed, amount: 1000000}
rates: [{from: 0, rate: 0.05}]
"""
CSM_PLAN = """
name: csm
period: quarter
participants: [{role: csm}]
credit: {by: csm}
deal_types: [expansion]
quota: {source: fixed, amount: 1000000}
rates: [{from: 0, rate: 0.02}]
"""
PARTNER_PLAN = """
name: partners
period: quarter
participants: [{role: partner_manager}]
credit: {by: partner_manager}
quota: {source: fixed, amount: 1000000}
rates: [{from: 0, rate: 0.01}]
"""


def _overlay_company(company: Company) -> None:
    company.add(
        "user",
        {"user_id": "sam", "name": "Sam Ito", "role": "se"},
        {"user_id": "lee", "name": "Lee Moss", "role": "se"},
        {"user_id": "max", "name": "Max Bauer", "role": "se"},
        {"user_id": "cara", "name": "Cara Lin", "email": "cara@acme.test", "role": "csm"},
        {"user_id": "pat", "name": "Pat Kerr", "role": "partner_manager"},
    )  # fmt: skip
    company.add("account", {"account_id": "a2", "name": "Bolt Ltd", "owner_id": "bo",
                            "csm_id": "email:cara@acme.test"})  # fmt: skip
    company.add("partner", {"partner_id": "p1", "name": "Resell Co", "owner_id": "pat"})
    company.add(
        "opportunity",
        {"opportunity_id": "exp1", "name": "Bolt Expansion", "account_id": "a2",
         "partner_id": "p1", "type": "expansion", "stage": "Closed Won", "amount": 30000,
         "currency": "USD", "owner_id": "bo", "created_at": "2027-02-01", "is_won": True,
         "is_closed": True, "closed_at": "2027-03-10", "close_date": "2027-03-10"},
    )  # fmt: skip
    company.add(
        "opportunity_team_member",
        {"opportunity_id": "big", "user_id": "sam", "role": "Sales Engineer"},
        {"opportunity_id": "exp1", "user_id": "sam", "role": "Sales Engineer"},
        {"opportunity_id": "exp1", "user_id": "lee", "role": "Sales Engineer"},
        {"opportunity_id": "exp1", "user_id": "cara", "role": "Executive Sponsor"},
        {"opportunity_id": "big", "user_id": "max", "role": "Sales Engineer",
         "created_at": "2027-04-20"},
    )  # fmt: skip


def _totals(company: Company, plan: str, as_of: date = Q1_END) -> dict[str, Decimal]:
    found = company.ws.comp.statements("FY2027-Q1", plan=plan, as_of=as_of)
    return {s.participant_id: s.total for s in found if s.total}


def test_overlay_roles_are_credited_without_reducing_the_owner(company: Company) -> None:
    _overlay_company(company)
    root = company.ws.root
    write_plan(root, "se.yaml", SE_PLAN % 100)
    write_plan(root, "csm.yaml", CSM_PLAN)
    write_plan(root, "partners.yaml", PARTNER_PLAN)
    # Two sales engineers on exp1 share it: 15,000 each; Sam also has big: 60,000.
    assert _totals(company, "se") == {"sam": D("3750.00"), "lee": D("750.00")}
    (sam,) = company.ws.comp.statements("FY2027-Q1", rep="sam", plan="se", as_of=Q1_END)
    assert [(ln.deal_id, ln.base, ln.note) for ln in sam.lines] == [
        ("big", D(60000), "team sales engineer"),
        ("exp1", D(15000), "team sales engineer 50 %"),
    ]
    # The CSM of exp1's account (named by e-mail) on expansions; the partner's manager.
    assert _totals(company, "csm") == {"cara": D("600.00")}
    assert _totals(company, "partners") == {"pat": D("300.00")}
    # Double credit: Bo keeps all of exp1: 50,000 against 40,000 = 4,000 + 20 % of 10,000.
    assert _totals(company, "ae") == {"ana": D("10000.00"), "bo": D("6000.00")}


def test_a_team_member_added_after_the_as_of_day_is_not_credited(company: Company) -> None:
    _overlay_company(company)
    write_plan(company.ws.root, "se.yaml", SE_PLAN % 100)
    assert "max" not in _totals(company, "se", Q1_END)
    later = _totals(company, "se", Q2_END)
    assert later == {"sam": D("2250.00"), "lee": D("750.00"), "max": D("1500.00")}


def test_an_overlay_split_with_the_owner_takes_its_percent_from_the_owner(
    company: Company,
) -> None:
    _overlay_company(company)
    root = company.ws.root
    write_plan(root, "ae.yaml", PLAN.replace(
        "rates:", "credit:\n  split_with: [{by: team, role: Sales Engineer, percent: 20}]\nrates:"
    ))  # fmt: skip
    write_plan(root, "se.yaml", SE_PLAN % 20)
    # Ana: 80 % of big (48,000) + grown 40,000 = 88,000 of 100,000 → 8,800.
    # Bo: bo1 20,000 + 80 % of exp1 (24,000) = 44,000 of 40,000 → 4,000 + 20 % of 4,000.
    assert _totals(company, "ae") == {"ana": D("8800.00"), "bo": D("4800.00")}
    # Sam: 20 % of big (12,000) and 10 % of exp1 (3,000); Lee 10 % of exp1.
    assert _totals(company, "se") == {"sam": D("750.00"), "lee": D("150.00")}
    credited: dict[str, Decimal] = {}
    for plan in ("ae", "se"):
        for statement in company.ws.comp.statements("FY2027-Q1", plan=plan, as_of=Q1_END):
            for line in statement.lines:
                if line.deal_id == "exp1":
                    # A deal crossing a tier has a line per tier.
                    mine = credited.get(statement.participant_id, D(0))
                    credited[statement.participant_id] = mine + line.base
    # The split sums to the deal.
    assert sum(credited.values()) == D(30000)


MARGIN_PLAN = """
name: margin
period: quarter
participants: [{role: ae}]
measure: margin
margin: {rate: 0.70, products: {analytics: 0.50}}
quota: {source: fixed, amount: 50000}
rates:
  - {from: 0, to: 100, rate: 0.10}
  - {from: 100, rate: 0.20, name: accelerator}
"""


def test_margin_is_the_amount_at_the_rates_of_the_products_sold(company: Company) -> None:
    company.add(
        "product",
        {"product_id": "prod-core", "name": "Core", "family": "core"},
        {"product_id": "prod-an", "name": "Analytics", "sku": "analytics", "family": "add_on"},
    )
    company.add(
        "subscription_line",
        {"account_id": "a1", "product_id": "prod-core", "opportunity_id": "big",
         "start_date": "2027-02-10", "mrr": 4000, "currency": "USD"},
        {"account_id": "a1", "product_id": "prod-an", "opportunity_id": "big",
         "start_date": "2027-02-10", "mrr": 1000, "currency": "USD"},
    )  # fmt: skip
    write_plan(company.ws.root, "margin.yaml", MARGIN_PLAN)
    found = company.ws.comp.statements("FY2027-Q1", plan="margin", as_of=Q1_END)
    ana = next(s for s in found if s.participant_id == "ana")
    # big: 60,000 × (4,000 × 0.70 + 1,000 × 0.50) / 5,000 = 39,600; grown (no lines):
    # 40,000 × 0.70 = 28,000. 67,600 against 50,000: 3,960 + 1,040 + 20 % of 17,600.
    assert ana.credited == D("67600.00")
    assert [(ln.deal_id, ln.base, ln.amount) for ln in ana.lines] == [
        ("big", D("39600.00"), D("3960.00")),
        ("grown", D("10400.00"), D("1040.00")),
        ("grown", D("17600.00"), D("3520.00")),
    ]
    assert ana.total == D("8520.00")
    bo = next(s for s in found if s.participant_id == "bo")
    assert (bo.credited, bo.total) == (D("14000.00"), D("1400.00"))
