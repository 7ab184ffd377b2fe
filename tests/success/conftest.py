"""A tiny company for customer success, every feature computable on paper, as of
2026-06-30 (see tests/success/test_features.py for the sums).

- `acme`: 10 seats, MRR 1,000, monthly since 2025-01-01. Usage rows of April, May and June
  (5, 6 and 4 active users; 500, 600, 400 events; each dated its month's last day) and one
  of July (after the day). An
  urgent ticket opened 10 June and closed 5 July (open on the day, its CSAT 1 unknown); a
  normal one opened 1 May, closed 2 May, CSAT 4. An invoice due 15 May paid 10 May, one due
  15 June paid 10 July (overdue on the day). A call on 20 June, another on 2 July.
- `bolt`: 5 seats, MRR 500, yearly from 2026-01-01; cancelled on 15 June to end 31 August:
  notice known on the day, churned 90 days later. No usage, ticket or invoice.
- `core`: 8 seats, MRR 800, monthly from 2025-06-01, ends 15 August (cancelled 1 August,
  after the day): an unannounced churn.
- `dyno`: starts 15 July: not a customer on the day.
- `ever`: a buyer without subscription: invoices on 2026-01-05, 2026-02-05 and 2026-04-05.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import POSTGRES_URL
from support import Company, company_on

DAY = "2026-06-30"


def line(account: str, seats: int, mrr: float, start: str, interval: str = "month",
         end: str | None = None, canceled: str | None = None) -> dict[str, object]:  # fmt: skip
    return {
        "account_id": account,
        "product_id": "plan",
        "start_date": start,
        "end_date": end,
        "canceled_at": canceled,
        "quantity": seats,
        "billing_interval": interval,
        "mrr": mrr,
        "currency": "USD",
    }


def build(company: Company) -> None:
    company.add(
        "account",
        *({"account_id": a, "name": a.title()} for a in ("acme", "bolt", "core", "dyno", "ever")),
    )
    company.add(
        "subscription_line",
        line("acme", 10, 1000, "2025-01-01"),
        line("bolt", 5, 500, "2026-01-01", "year", "2026-08-31", "2026-06-15T10:00:00"),
        line("core", 8, 800, "2025-06-01", end="2026-08-15", canceled="2026-08-01T10:00:00"),
        line("dyno", 3, 300, "2026-07-15"),
    )
    company.add(
        "product_usage",
        *(
            {"account_id": "acme", "usage_date": d, "active_users": u, "event_count": e}
            for d, u, e in (
                ("2026-04-30", 5, 500),
                ("2026-05-31", 6, 600),
                ("2026-06-30", 4, 400),
                ("2026-07-31", 10, 10_000),
            )
        ),
    )
    company.add(
        "support_ticket",
        {"account_id": "acme", "opened_at": "2026-06-10T09:00:00", "priority": "urgent",
         "closed_at": "2026-07-05T09:00:00", "csat": 1},
        {"account_id": "acme", "opened_at": "2026-05-01T09:00:00", "priority": "normal",
         "closed_at": "2026-05-02T09:00:00", "csat": 4},
    )  # fmt: skip
    company.add(
        "invoice",
        {"account_id": "acme", "status": "paid", "issue_date": "2026-05-01",
         "due_date": "2026-05-15", "paid_date": "2026-05-10", "amount": 1000, "currency": "USD"},
        {"account_id": "acme", "status": "paid", "issue_date": "2026-06-01",
         "due_date": "2026-06-15", "paid_date": "2026-07-10", "amount": 1000, "currency": "USD"},
        *({"account_id": "ever", "status": "paid", "issue_date": d, "amount": a,
           "tax_amount": 10, "currency": "USD"}
          for d, a in (("2026-01-05", 110), ("2026-02-05", 60), ("2026-04-05", 90))),
    )  # fmt: skip
    company.add(
        "activity",
        {"type": "call", "account_id": "acme", "occurred_at": "2026-06-20T10:00:00"},
        {"type": "call", "account_id": "acme", "occurred_at": "2026-07-02T10:00:00"},
    )


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The success company, on DuckDB and on PostgreSQL."""
    with company_on(tmp_path / "acme", request.param, POSTGRES_URL) as made:
        build(made)
        yield made
