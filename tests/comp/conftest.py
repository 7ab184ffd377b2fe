"""A tiny company for comp: two AEs and their manager in one team, quarterly quotas, and
deals whose history changes after the first quarter, so every statement, close and
adjustment can be computed on paper (fiscal year = calendar year).

FY2027-Q1 as of 31 March: Ana has `big` (60,000, 10 Feb) and `grown` (40,000, 1 Mar)
against a quota of 100,000: 10 % of 100,000 = 10,000.00. Bo has `bo1` (20,000) against
40,000 (his quota names him by e-mail): 2,000.00.
Later: `grown` is raised to 50,000 on 10 April, and `late` (10,000) is entered on 2 April
with a close date backdated to 30 March; read on 30 June, Ana's Q1 is 120,000: 10,000 +
20 % of 20,000 = 14,000.00.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import POSTGRES_URL
from support import Company, company_on

PLAN = """
name: ae
label: Account executives
period: quarter
participants:
  - role: ae
rates:
  - {from: 0, to: 100, rate: 0.10}
  - {from: 100, rate: 0.20, name: accelerator}
"""


def _deal(
    deal: str, owner: str, amount: int, created: str, closed: str, **extra: Any
) -> dict[str, Any]:
    return {"opportunity_id": deal, "name": extra.pop("name", deal.title()), "account_id": "a1",
            "type": "new", "stage": "Closed Won", "amount": amount, "currency": "USD",
            "owner_id": owner, "created_at": created, "is_won": True, "is_closed": True,
            "closed_at": closed, "close_date": closed[:10], **extra}  # fmt: skip


def _version(deal: str, at: str, stage: str, amount: int, close: str) -> dict[str, Any]:
    return {"opportunity_id": deal, "valid_from": at, "stage": stage, "amount": amount,
            "close_date": close, "currency": "USD"}  # fmt: skip


def build(company: Company) -> None:
    """The company's rows and its plan file."""
    company.add("team", {"team_id": "west", "name": "West", "manager_id": "mia"})
    company.add(
        "user",
        {"user_id": "ana", "name": "Ana Diaz", "email": "ana@acme.test", "role": "AE",
         "team_id": "west", "manager_id": "mia"},
        {"user_id": "bo", "name": "Bo Chen", "email": "bo@acme.test", "role": "AE",
         "team_id": "west", "manager_id": "mia"},
        {"user_id": "mia", "name": "Mia Lund", "email": "mia@acme.test", "role": "manager",
         "team_id": "west"},
        {"user_id": "cy", "name": "Cy Park", "email": "cy@acme.test", "role": "AE"},
    )  # fmt: skip
    company.add("account", {"account_id": "a1", "name": "Acme Corp", "owner_id": "ana"})
    company.add(
        "quota",
        {"user_id": "ana", "period_start_date": "2027-01-01", "period_end_date": "2027-03-31",
         "amount": 100000, "currency": "USD"},
        {"user_id": "ana", "period_start_date": "2027-04-01", "period_end_date": "2027-06-30",
         "amount": 100000, "currency": "USD"},
        {"user_id": "email:bo@acme.test", "period_start_date": "2027-01-01",
         "period_end_date": "2027-03-31", "amount": 40000, "currency": "USD"},
    )  # fmt: skip
    company.add(
        "opportunity",
        _deal("big", "ana", 60000, "2027-01-05", "2027-02-10", name="Acme Rollout"),
        _deal("grown", "ana", 50000, "2027-01-06", "2027-03-01", name="Acme Analytics"),
        _deal("late", "ana", 10000, "2027-04-02", "2027-03-30", name="Acme Late Entry"),
        _deal("bo1", "bo", 20000, "2027-01-10", "2027-02-20", name="Bolt Start"),
        _deal("lost", "ana", 90000, "2027-01-10", "2027-02-25", stage="Closed Lost",
              is_won=False, name="Lost Cause"),
    )  # fmt: skip
    company.add(
        "opportunity_history",
        _version("big", "2027-01-05", "Prospecting", 60000, "2027-03-31"),
        _version("big", "2027-02-10", "Closed Won", 60000, "2027-02-10"),
        _version("grown", "2027-01-06", "Prospecting", 40000, "2027-03-31"),
        _version("grown", "2027-03-01", "Closed Won", 40000, "2027-03-01"),
        _version("grown", "2027-04-10", "Closed Won", 50000, "2027-03-01"),
        _version("late", "2027-04-02", "Closed Won", 10000, "2027-03-30"),
    )
    write_plan(company.ws.root, "ae.yaml", PLAN)


def write_plan(root: Path, name: str, text: str) -> Path:
    """Write `plans/comp/<name>`."""
    folder = root / "plans" / "comp"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The comp company, on DuckDB and on PostgreSQL."""
    with company_on(tmp_path / "acme", request.param, POSTGRES_URL) as made:
        build(made)
        yield made
