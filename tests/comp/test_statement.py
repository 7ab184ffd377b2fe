"""The period chain by hand: credit (owner, splits, roll-up), clawbacks across periods, pay
on invoice paid, draws across periods, locked periods and their adjustments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from revops.comp.calculate import total
from revops.comp.inputs import Deal, Org, QuotaRow, Team, User
from revops.comp.plan import CompPlan
from revops.comp.statement import Statement, run_chain
from revops.comp.versions import PlanVersions
from revops.core import FiscalCalendar

D = Decimal
CAL = FiscalCalendar()
QUARTERS = [CAL.quarter(2027, q) for q in (1, 2, 3, 4)]

ORG = Org(
    {
        "ana": User("ana", "Ana Diaz", "ana@acme.test", "AE", "t-west", None),
        "bo": User("bo", "Bo Chen", "bo@acme.test", "AE", "t-west", None),
        "cy": User("cy", "Cy Park", "cy@acme.test", "AE", "t-east", None),
        "mia": User("mia", "Mia Lund", "mia@acme.test", "manager", "t-west", "vp"),
        "vp": User("vp", "Val Pérez", "vp@acme.test", "manager", "t-top", None),
    },
    {
        "t-west": Team("t-west", "West", "mia", "t-top"),
        "t-east": Team("t-east", "East", None, "t-top"),
        "t-top": Team("t-top", "Sales", "vp", None),
    },
)


def plan(**extra: Any) -> CompPlan:
    """10 % of bookings up to quota, 20 % above, on a fixed quota of 100,000 per quarter."""
    base: dict[str, Any] = {
        "name": "ae",
        "participants": [{"role": "ae"}],
        "quota": {"source": "fixed", "amount": 100000},
        "rates": [{"from": 0, "to": 100, "rate": "0.10"}, {"from": 100, "rate": "0.20"}],
    }
    return CompPlan.model_validate({**base, **extra})


def deal(deal_id: str, owner: str, amount: str, closed: str, **extra: Any) -> Deal:
    return Deal(deal_id, f"Deal {deal_id}", owner, None, extra.pop("deal_type", "new"),
                D(amount), date.fromisoformat(closed), **extra)  # fmt: skip


def chain(
    p: CompPlan, deals: list[Deal], as_of: str = "2027-12-31", **kw: Any
) -> dict[tuple[str, str], Statement]:
    return run_chain(PlanVersions(p), CAL, QUARTERS, ORG, deals, kw.pop("quotas", []),
                     date.fromisoformat(as_of), **kw)  # fmt: skip


def test_owners_are_credited_and_everyone_on_the_plan_gets_a_statement() -> None:
    found = chain(plan(), [deal("d1", "ana", "30000", "2027-02-01")])
    assert found[("ana", "FY2027-Q1")].total == D("3000.00")
    assert found[("bo", "FY2027-Q1")].total == 0
    assert ("mia", "FY2027-Q1") not in found  # a manager is not on the AE plan
    line = found[("ana", "FY2027-Q1")].lines[0]
    assert (line.deal_id, line.deal_name, line.rate, line.base) == (
        "d1",
        "Deal d1",
        D("0.10"),
        D(30000),
    )


def test_splits_share_the_credit_and_sum_to_the_deal() -> None:
    splits = [
        {"deal": "d1", "shares": {"ana": "33.33", "bo@acme.test": "33.33", "Cy Park": "33.34"}}
    ]
    found = chain(plan(credit={"splits": splits}), [deal("d1", "ana", "10000", "2027-02-01")])
    credited = [found[(u, "FY2027-Q1")].credited for u in ("ana", "bo", "cy")]
    assert credited == [D("3333.0000"), D("3333.0000"), D("3334.0000")]
    assert sum(credited) == D(10000)
    assert [found[(u, "FY2027-Q1")].total for u in ("ana", "bo", "cy")] == [
        D("333.30"), D("333.30"), D("333.40")
    ]  # fmt: skip
    assert found[("bo", "FY2027-Q1")].lines[0].note == "split 33.33 %"


def test_managers_roll_up_their_reports_deals_through_the_team_hierarchy() -> None:
    managers = plan(participants=[{"role": "manager"}], credit={"rollup": True},
                    rates=[{"from": 0, "rate": "0.02"}])  # fmt: skip
    deals = [deal("d1", "ana", "50000", "2027-02-01"), deal("d2", "cy", "20000", "2027-03-01")]
    found = chain(managers, deals)
    # Mia leads West (Ana); Val leads Sales, the parent of West and East (Ana and Cy).
    assert found[("mia", "FY2027-Q1")].total == D("1000.00")
    assert found[("vp", "FY2027-Q1")].total == D("1400.00")
    assert found[("vp", "FY2027-Q1")].lines[1].note == "roll-up of Cy Park"


def test_participants_effective_dates_bound_the_deals_that_credit_them() -> None:
    p = plan(participants=[{"user": "ana", "from": "2027-02-15"}])
    deals = [deal("d1", "ana", "10000", "2027-02-01"), deal("d2", "ana", "20000", "2027-03-01")]
    found = chain(p, deals)
    assert [ln.deal_id for ln in found[("ana", "FY2027-Q1")].lines] == ["d2"]


def test_quota_from_the_table_is_prorated_by_days() -> None:
    # A year's quota of 365,000 over a 90-day quarter: 90,000.
    rows = [QuotaRow("ana", date(2027, 1, 1), date(2027, 12, 31), D(365000))]
    p = plan(quota={"source": "table"})
    found = chain(p, [deal("d1", "ana", "99000", "2027-02-01")], quotas=rows)
    statement = found[("ana", "FY2027-Q1")]
    assert statement.quota == D("90000.00")
    assert statement.attainment == D(110)
    assert statement.total == D("9000.00") + D("1800.00")


def test_an_unpaid_deal_is_clawed_back_in_the_period_the_window_ends() -> None:
    p = plan(clawback={"days": 90, "events": ["unpaid"]})
    deals = [deal("d1", "ana", "30000", "2027-02-01", invoiced=True)]
    # 90 days after 2027-02-01 is 2027-05-02: unpaid by then, known on 05-03 (Q2).
    before = chain(p, deals, as_of="2027-05-02")
    assert before[("ana", "FY2027-Q2")].total == 0
    after = chain(p, deals, as_of="2027-06-30")
    assert after[("ana", "FY2027-Q1")].total == D("3000.00")
    line = after[("ana", "FY2027-Q2")].lines[0]
    assert (line.kind, line.deal_id, line.amount, line.earned_period) == (
        "clawback", "d1", D("-3000.00"), "FY2027-Q1"
    )  # fmt: skip
    assert "unpaid 90 days after close on 2027-05-03" in line.rule
    paid = chain(p, [deal("d1", "ana", "30000", "2027-02-01", invoiced=True,
                          paid_on=date(2027, 4, 1))])  # fmt: skip
    assert paid[("ana", "FY2027-Q2")].total == 0
    # Without any invoice linked to the deal, nothing says it is unpaid.
    unbilled = chain(p, [deal("d1", "ana", "30000", "2027-02-01")], as_of="2027-06-30")
    assert unbilled[("ana", "FY2027-Q2")].total == 0


def test_a_churned_deal_is_clawed_back_across_the_fiscal_year() -> None:
    p = plan(clawback={"days": 120, "events": ["churned"]})
    deals = [deal("d1", "ana", "30000", "2027-03-20", churned_on=date(2027, 7, 2))]
    found = chain(p, deals)
    assert found[("ana", "FY2027-Q3")].lines[0].amount == D("-3000.00")
    late = chain(p, [deal("d1", "ana", "30000", "2027-03-20", churned_on=date(2027, 8, 2))])
    assert total(late[("ana", "FY2027-Q3")].lines) == 0  # after the 120 days


def test_pay_on_invoice_paid_holds_a_deal_until_its_invoice_is_paid() -> None:
    p = plan(pay_on="invoice_paid")
    deals = [deal("d1", "ana", "30000", "2027-02-01", paid_on=date(2027, 4, 20))]
    found = chain(p, deals)
    q1, q2 = found[("ana", "FY2027-Q1")], found[("ana", "FY2027-Q2")]
    assert (q1.total, total(q1.held)) == (0, D("3000.00"))
    assert q2.total == D("3000.00")
    assert q2.lines[0].earned_period == "FY2027-Q1"
    assert "invoice paid 2027-04-20" in q2.lines[0].note
    unpaid = chain(p, [deal("d1", "ana", "30000", "2027-02-01")])
    assert all(unpaid[("ana", q.label)].total == 0 for q in QUARTERS)


def test_a_draw_runs_across_periods_and_resets_with_the_fiscal_year() -> None:
    p = plan(draw={"amount": 1000})
    deals = [deal("d1", "ana", "3000", "2027-02-01"), deal("d2", "ana", "15000", "2027-05-01")]
    found = chain(p, deals)
    q1, q2 = found[("ana", "FY2027-Q1")], found[("ana", "FY2027-Q2")]
    assert [(ln.kind, ln.amount) for ln in q1.lines] == [
        ("commission", D("300.00")), ("draw", D("700.00"))
    ]  # fmt: skip
    assert [(ln.kind, ln.amount) for ln in q2.lines] == [
        ("commission", D("1500.00")), ("draw_recovery", D("-500.00"))
    ]  # fmt: skip
    assert (q1.total, q2.total) == (D("1000.00"), D("1000.00"))
    # Q3: nothing earned, the draw is paid again; 200 still owed from Q1.
    assert found[("ana", "FY2027-Q3")].lines[0].amount == D("1000.00")


def test_a_locked_period_keeps_its_lines_and_the_change_is_adjusted_next_period() -> None:
    p = plan()
    first = chain(p, [deal("d1", "ana", "30000", "2027-02-01")], as_of="2027-03-31")
    locked = {key: s.lines for key, s in first.items() if key[1] == "FY2027-Q1"}
    # Later the deal's amount is corrected to 35,000 and a backdated deal appears.
    changed = [deal("d1", "ana", "35000", "2027-02-01"), deal("d9", "ana", "1000", "2027-03-30")]
    found = chain(p, changed, as_of="2027-06-30", locked=locked)
    q1, q2 = found[("ana", "FY2027-Q1")], found[("ana", "FY2027-Q2")]
    assert q1.locked
    assert q1.total == D("3000.00")
    adjustments = [(ln.kind, ln.deal_id, ln.amount, ln.adjusts_period) for ln in q2.lines]
    assert adjustments == [
        ("adjustment", "d1", D("500.00"), "FY2027-Q1"),
        ("adjustment", "d9", D("100.00"), "FY2027-Q1"),
    ]
    # Once Q2 is locked with them, Q3 adjusts nothing more.
    locked |= {key: s.lines for key, s in found.items() if key[1] == "FY2027-Q2"}
    again = chain(p, changed, as_of="2027-09-30", locked=locked)
    assert again[("ana", "FY2027-Q3")].lines == []


@settings(max_examples=60, deadline=None)
@given(
    amount=st.decimals(min_value="0.01", max_value=10**7, places=2),
    percent=st.decimals(min_value="0.5", max_value="99.5", places=1),
    engineers=st.integers(min_value=1, max_value=4),
)
def test_an_overlay_split_and_the_owners_credit_sum_to_the_deal(
    amount: Decimal, percent: Decimal, engineers: int
) -> None:
    from revops.comp.statement import credits, members

    org = Org(
        {**ORG.users, **{f"se{i}": User(f"se{i}", f"SE {i}", None, "se", None, None)
                         for i in range(engineers)}},
        ORG.teams,
    )  # fmt: skip
    team = tuple((f"se{i}", "Sales Engineer") for i in range(engineers))
    won = deal("d1", "ana", str(amount), "2027-02-01", team=team)
    owner = plan(credit={"split_with": [{"by": "team", "role": "sales engineer",
                                          "percent": str(percent)}]})  # fmt: skip
    overlay = plan(
        participants=[{"role": "se"}],
        credit={"by": "team", "role": "Sales Engineer", "percent": str(percent)},
    )
    found = [
        d.value
        for p in (owner, overlay)
        for deals in credits(p, org, [won], members(p, org)).values()
        for d in deals
    ]
    assert len(found) == 1 + engineers
    assert abs(sum(found, D(0)) - amount) < D("1e-20")
