"""A tiny company for the desk, built by hand so every figure can be computed on paper:
three users in two teams, three tools (two call recorders), their usage logged by user id
and by e-mail, and a hand-written truth file for the ranking check."""

from __future__ import annotations

from pathlib import Path

import pytest

from leads.conftest import Company
from leads.conftest import company as company  # the empty workspace, on each backend

ANA = "user-ana"
BO = "user-bo"
CY = "user-cy"
AS_OF = "2026-06-30"


def org(company: Company) -> None:
    """Two teams and three users: Ana (AE) and Cy (SDR) in sales, Bo in RevOps."""
    company.add("team", {"team_id": "team-sales", "name": "Sales"},
                {"team_id": "team-ops", "name": "RevOps"})  # fmt: skip
    company.add(
        "user",
        {"user_id": ANA, "name": "Ana Silva", "email": "ana@acme.io", "role": "AE",
         "team_id": "team-sales", "is_active": True},
        {"user_id": BO, "name": "Bo Berg", "email": "bo@acme.io", "role": "revops",
         "team_id": "team-ops", "is_active": True},
        {"user_id": CY, "name": "Cy Chen", "email": "cy@acme.io", "role": "SDR",
         "team_id": "team-sales", "is_active": True},
    )  # fmt: skip


def stack(company: Company) -> None:
    """Gong (10 seats, 12,000 a year) and Chorus (5 seats, 6,000) both record calls;
    Slack (messaging) stands alone. Usage: Gong by Ana (under her id and her e-mail: one
    person) and Cy, Chorus by Cy, Slack by Bo and Cy; one Chorus row by an e-mail that is no
    user; Bo holds a Gong seat with no active day in the last 90 days (his January use is
    older)."""
    org(company)
    company.add(
        "tool",
        {"tool_id": "t-gong", "name": "Gong", "category": "conversation_intelligence",
         "capabilities": '["call_recording", "coaching"]', "annual_cost": "12000",
         "currency": "USD", "seats": 10, "is_active": True},
        {"tool_id": "t-chorus", "name": "Chorus", "category": "conversation_intelligence",
         "capabilities": '["call_recording"]', "annual_cost": "6000", "currency": "USD",
         "seats": 5, "is_active": True},
        {"tool_id": "t-slack", "name": "Slack", "category": "collaboration",
         "capabilities": '["messaging"]', "annual_cost": "1200", "currency": "USD",
         "seats": 4, "is_active": True},
    )  # fmt: skip
    company.add(
        "tool_usage",
        {"tool_id": "t-gong", "user_id": ANA, "used_at": "2026-06-01", "event_count": 10},
        {"tool_id": "t-gong", "user_id": "email:ana@acme.io", "used_at": "2026-05-01",
         "event_count": 8},
        {"tool_id": "t-gong", "user_id": "email:cy@acme.io", "used_at": "2026-04-01",
         "event_count": 3},
        {"tool_id": "t-gong", "user_id": "email:bo@acme.io", "used_at": "2026-06-01",
         "event_count": 0},
        {"tool_id": "t-chorus", "user_id": "email:cy@acme.io", "used_at": "2026-06-01",
         "event_count": 5},
        {"tool_id": "t-chorus", "user_id": "email:ghost@acme.io", "used_at": "2026-06-01",
         "event_count": 2},
        {"tool_id": "t-slack", "user_id": "email:bo@acme.io", "used_at": "2026-06-01",
         "event_count": 20},
        {"tool_id": "t-slack", "user_id": "email:cy@acme.io", "used_at": "2026-06-01",
         "event_count": 4},
        {"tool_id": "t-gong", "user_id": "email:bo@acme.io", "used_at": "2026-01-01",
         "event_count": 5},
    )  # fmt: skip


@pytest.fixture
def desk_company(company: Company) -> Company:
    """The tiny company's org and stack."""
    stack(company)
    return company


JIRA = """Summary,Issue key,Reporter,Priority,Created,Due date,Status,Description
Pipeline report by region,OPS-1,ana@acme.io,High,02/Jun/26 9:15 AM,20/Jun/26,Open,For the QBR
Fix duplicate accounts,OPS-2,cy@acme.io,Lowest,03/Jun/26 2:40 PM,,In Progress,
Sync billing into CRM,OPS-3,bo@acme.io,Highest,04/Jun/26 11:00 AM,,Done,Stripe to Salesforce
"""


def write(path: Path, text: str) -> Path:
    """Write `text` to `path` and return the path."""
    path.write_text(text, encoding="utf-8")
    return path
