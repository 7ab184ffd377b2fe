"""The tech-stack audit on the tiny company: figures on paper, usage resolved by e-mail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from leads.conftest import Company
from revops.desk.audit import consolidation, overlaps, unused_seat_cost

AS_OF = date(2026, 6, 30)


def _tools(company: Company) -> dict[str, dict[str, object]]:
    report = company.ws.desk.stack.run(AS_OF)
    return {t["name"]: t for t in report.tools}


def test_usage_resolves_to_users_by_email_and_counts_a_person_once(
    desk_company: Company,
) -> None:
    report = desk_company.ws.desk.stack.run(AS_OF)
    # 9 rows; only the ghost's row names no user (raw ids would resolve 1 row of 9).
    assert (report.usage_rows, report.resolved_rows) == (9, 8)
    assert report.unresolved == [{"user_id": "email:ghost@acme.io", "rows": 1}]
    tools = {t["name"]: t for t in report.tools}
    # Gong: Ana (by id in June, by e-mail in May) and Cy (April); Bo's June row has no
    # active day and his January use is before the 90 days (from 2026-04-01).
    assert (tools["Gong"]["active_90d"], tools["Gong"]["active_30d"]) == (2, 1)
    assert tools["Gong"]["seat_holders_90d"] == 3
    assert (tools["Chorus"]["active_90d"], tools["Slack"]["active_90d"]) == (2, 2)


def test_unused_seats_and_cost_per_active_user_on_paper(desk_company: Company) -> None:
    tools = _tools(desk_company)
    # Gong: 10 seats, 2 active: 8 unused × 12,000 / 10; 12,000 / 2 per active user.
    assert tools["Gong"]["unused_seats"] == 8
    assert tools["Gong"]["unused_seat_cost"] == Decimal("9600.00")
    assert tools["Gong"]["cost_per_active_user"] == Decimal("6000.00")
    # Chorus: 5 seats, 2 active (Cy and the unresolved ghost): 3 × 6,000 / 5.
    assert tools["Chorus"]["unused_seat_cost"] == Decimal("3600.00")
    assert tools["Slack"]["unused_seat_cost"] == Decimal("600.00")
    assert unused_seat_cost(Decimal("100"), 3, 0) == Decimal("100.00")


def test_overlap_and_consolidation(desk_company: Company) -> None:
    report = desk_company.ws.desk.stack.run(AS_OF)
    assert report.overlap_rows() == [
        {"capability": "call_recording", "tools": "Chorus, Gong", "count": 2}
    ]
    # Chorus goes (Gong records calls too); Gong cannot (only it coaches).
    assert report.option_rows() == [{
        "retire": "Chorus", "covered_by": "Gong", "capabilities": "call_recording",
        "active_users_90d": 2, "savings": Decimal("6000.00"), "currency": "USD",
    }]  # fmt: skip
    summary = report.summary()
    assert summary["money"]["USD"] == {
        "annual_cost": "19200.00",
        "unused_seat_cost": "13800.00",
        "savings": "6000.00",
    }


def test_overlap_needs_a_keep_one_capability_and_an_active_tool() -> None:
    tools = [
        {"name": "A", "capabilities": ("dialer", "reporting"), "is_active": True},
        {"name": "B", "capabilities": ("dialer", "reporting"), "is_active": True},
        {"name": "C", "capabilities": ("dialer",), "is_active": False},
    ]
    assert [(o.capability, o.tools) for o in overlaps(tools, {"dialer"})] == [
        ("dialer", ("A", "B"))
    ]
    priced = [{**t, "active_90d": n, "annual_cost": Decimal(c), "currency": "USD"}
              for t, n, c in zip(tools, (5, 1, 0), ("10", "20", "0"), strict=True)]  # fmt: skip
    assert [o.retire for o in consolidation(priced, {"dialer"})] == ["B"]


def test_adoption_by_team_and_role_and_reps_selling_time(desk_company: Company) -> None:
    report = desk_company.ws.desk.stack.run(AS_OF)
    adoption = {(r["tool"], r["team"], r["role"]): (r["active_users"], r["users"])
                for r in report.adoption}  # fmt: skip
    assert adoption == {
        ("Chorus", "Sales", "SDR"): (1, 1),
        ("Gong", "Sales", "AE"): (1, 1),
        ("Gong", "Sales", "SDR"): (1, 1),
        ("Slack", "RevOps", "revops"): (1, 1),
        ("Slack", "Sales", "SDR"): (1, 1),
    }
    reps = {r["rep"]: (r["selling_days"], r["admin_days"]) for r in report.reps}
    # Ana: Gong 10 + 8; Cy: Gong 3 + Chorus 5 selling, Slack 4 admin.
    assert reps == {"Ana Silva": (18, 0), "Cy Chen": (8, 4)}


def test_the_html_report_escapes_and_lists_the_options(
    desk_company: Company, tmp_path: Path
) -> None:
    from revops.desk.report import stack_html

    text = stack_html(desk_company.ws.desk.stack.run(AS_OF))
    assert "<td>Chorus</td><td>Gong</td>" in text
    assert "8 of 9" in text
