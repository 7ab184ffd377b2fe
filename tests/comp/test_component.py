"""`ws.comp` on the tiny company (see conftest): statements from the warehouse as of a
day, close, adjustments, what-if, plan change, disputes, plan file errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from comp.conftest import PLAN, write_plan
from revops.errors import CompError, ConfigError

from support import Company

D = Decimal
Q1_END, Q2_END = date(2027, 3, 31), date(2027, 6, 30)


def lines(statement: object) -> list[tuple[str | None, str | None, Decimal, Decimal]]:
    return [(ln.deal_id, ln.deal_name, ln.base, ln.amount) for ln in statement.lines]  # type: ignore[attr-defined]


def test_statements_read_deals_as_they_stood_on_the_as_of_day(company: Company) -> None:
    found = company.ws.comp.statements("FY2027-Q1", as_of=Q1_END)
    by_rep = {s.participant_name: s for s in found}
    assert sorted(by_rep) == ["Ana Diaz", "Bo Chen", "Cy Park"]
    ana = by_rep["Ana Diaz"]
    assert (ana.quota, ana.credited, ana.total) == (D("100000.00"), D(100000), D("10000.00"))
    assert lines(ana) == [
        ("big", "Acme Rollout", D(60000), D("6000.00")),
        ("grown", "Acme Analytics", D(40000), D("4000.00")),
    ]
    bo = by_rep["Bo Chen"]
    assert (bo.quota, bo.attainment, bo.total) == (D("40000.00"), D(50), D("2000.00"))
    assert by_rep["Cy Park"].quota is None
    assert by_rep["Cy Park"].total == 0


def test_a_rep_is_found_by_id_email_or_name(company: Company) -> None:
    for ref in ("ana", "ana@acme.test", "Ana Diaz"):
        (statement,) = company.ws.comp.statements("FY2027-Q1", rep=ref, as_of=Q1_END)
        assert statement.participant_id == "ana"
    with pytest.raises(CompError, match="no user 'nobody'"):
        company.ws.comp.statements("FY2027-Q1", rep="nobody", as_of=Q1_END)
    with pytest.raises(CompError, match=r"Mia Lund \(mia\) is on no plan"):
        company.ws.comp.statements("FY2027-Q1", rep="mia", as_of=Q1_END)


def test_a_year_gives_each_quarter_of_a_quarterly_plan(company: Company) -> None:
    found = company.ws.comp.statements("FY2027", rep="ana", as_of=Q2_END)
    assert [s.period for s in found] == ["FY2027-Q1", "FY2027-Q2", "FY2027-Q3", "FY2027-Q4"]
    assert found[0].total == D("14000.00")  # not closed: recomputed with what is known now


def test_a_closed_period_is_locked_and_later_changes_adjust_the_next_one(company: Company) -> None:
    comp = company.ws.comp
    with pytest.raises(CompError, match="not over"):
        comp.close("FY2027-Q1", as_of=date(2027, 3, 30))
    done = comp.close("FY2027-Q1", as_of=Q1_END, by="fay")
    assert done == [{"plan": "ae", "period": "FY2027-Q1", "participants": 3, "total": "12000.00"}]
    with pytest.raises(CompError, match="closed already"):
        comp.close("FY2027-Q1", as_of=Q1_END)
    (q1,) = comp.statements("FY2027-Q1", rep="ana", as_of=Q2_END)
    assert q1.locked
    assert q1.total == D("10000.00")
    (q2,) = comp.statements("FY2027-Q2", rep="ana", as_of=Q2_END)
    assert [
        (ln.kind, ln.deal_id, ln.deal_name, ln.amount, ln.adjusts_period) for ln in q2.lines
    ] == [
        ("adjustment", "grown", "Acme Analytics", D("2000.00"), "FY2027-Q1"),
        ("adjustment", "late", "Acme Late Entry", D("2000.00"), "FY2027-Q1"),
    ]
    (cy,) = comp.statements("FY2027-Q1", rep="cy", as_of=Q2_END)
    assert cy.locked
    assert cy.lines == []
    comp.close("FY2027-Q2", as_of=Q2_END)
    (q3,) = comp.statements("FY2027-Q3", rep="ana", as_of=date(2027, 9, 30))
    assert q3.lines == []


def test_what_if_shows_what_a_deal_would_pay(company: Company) -> None:
    (result,) = company.ws.comp.whatif("ana@acme.test", D(50000), date(2027, 5, 10), as_of=Q2_END)
    doc = result.as_dict()
    assert (doc["period"], doc["deal_pays"], doc["attainment_after"]) == (
        "FY2027-Q2",
        "5000.00",
        "50.00",
    )
    (bigger,) = company.ws.comp.whatif("ana", D(150000), date(2027, 5, 10), as_of=Q2_END)
    assert bigger.pays == D("20000.00")  # 10,000 to quota + 20 % of 50,000
    (named,) = company.ws.comp.whatif("bo", D(1000), date(2027, 2, 1), deal="lost", as_of=Q1_END)
    assert named.as_dict()["deal_name"] == "Lost Cause"
    assert named.pays == D("100.00")


def test_a_plan_change_is_costed_on_a_past_period(company: Company, tmp_path: object) -> None:
    candidate = write_plan(company.ws.root, "../candidate.yaml", PLAN.replace("0.10", "0.12"))
    rows = company.ws.comp.plan_diff(candidate, "FY2027-Q1", as_of=Q1_END)
    assert [
        (r["participant_name"], r["current"], r["candidate"], r["difference"]) for r in rows
    ] == [
        ("Ana Diaz", "10000.00", "12000.00", "2000.00"),
        ("Bo Chen", "2000.00", "2400.00", "400.00"),
        ("Cy Park", "0.00", "0.00", "0.00"),
    ]


def test_a_disputed_line_keeps_its_note_and_its_resolution(company: Company) -> None:
    comp = company.ws.comp
    opened = comp.dispute("ana", "FY2027-Q1", 2, "grown closed at 45k", by="ana@acme.test",
                          as_of=Q1_END)  # fmt: skip
    assert opened["line"] == "commission grown Acme Analytics: tier 0–100 % = 4000.00"
    comp.resolve(str(opened["dispute_id"]), "rejected", "CRM shows 40k on 31 March", by="fay")
    (latest,) = comp.disputes()
    assert (latest["status"], latest["resolution"], latest["note"]) == (
        "rejected", "CRM shows 40k on 31 March", "grown closed at 45k"
    )  # fmt: skip
    assert [r["status"] for r in comp.disputes(history=True)] == ["rejected", "open"]
    with pytest.raises(CompError, match=r"lines 1\.\.2, not 3"):
        comp.dispute("ana", "FY2027-Q1", 3, "no", as_of=Q1_END)


def test_a_bad_plan_file_names_the_file_and_the_key(company: Company) -> None:
    path = write_plan(company.ws.root, "broken.yaml", PLAN.replace("rate: 0.10", "rate: -1"))
    with pytest.raises(ConfigError) as caught:
        _ = company.ws.comp.plans
    assert caught.value.file == path
    assert caught.value.key == "rates[0].rate"


def _billing(company: Company) -> None:
    """`big` billed and paid on 5 April (within 60 days of its close); `bo1` billed on
    25 February and never paid."""
    company.add(
        "order",
        {"order_id": "o-big", "account_id": "a1", "opportunity_id": "big"},
        {"order_id": "o-bo1", "account_id": "a1", "opportunity_id": "bo1"},
    )
    company.add(
        "invoice",
        {"account_id": "a1", "order_id": "o-big", "issue_date": "2027-02-15",
         "paid_date": "2027-04-05", "status": "paid", "created_at": "2027-02-15"},
        {"account_id": "a1", "order_id": "o-bo1", "issue_date": "2027-02-25",
         "status": "open", "created_at": "2027-02-25"},
    )  # fmt: skip


def test_an_unpaid_invoice_claws_back_in_the_period_it_is_known(company: Company) -> None:
    _billing(company)
    write_plan(company.ws.root, "ae.yaml", PLAN + "clawback: {days: 60, events: [unpaid]}\n")
    (q2,) = company.ws.comp.statements("FY2027-Q2", rep="bo", as_of=Q2_END)
    # Closed 20 February, unpaid 60 days later: known on 22 April.
    assert [(ln.kind, ln.deal_id, ln.amount) for ln in q2.lines] == [
        ("clawback", "bo1", D("-2000.00"))
    ]
    assert "on 2027-04-22" in q2.lines[0].rule
    # Ana's deals are paid (big) or have no invoice (grown, late): nothing taken back.
    (ana,) = company.ws.comp.statements("FY2027-Q2", rep="ana", as_of=Q2_END)
    assert ana.lines == []


def test_pay_on_invoice_paid_moves_a_deal_to_the_period_it_is_paid(company: Company) -> None:
    _billing(company)
    write_plan(company.ws.root, "ae.yaml", PLAN + "pay_on: invoice_paid\n")
    q1, q2, *_ = company.ws.comp.statements("FY2027", rep="ana", as_of=Q2_END)
    assert (q1.total, q2.total) == (D(0), D("6000.00"))
    assert [(ln.deal_id, ln.earned_period) for ln in q2.lines] == [("big", "FY2027-Q1")]
    assert {ln.deal_id for ln in q2.held} == {"grown", "late"}
