"""A tiny company for the activation plan, built by hand so every month's value and every
target's status can be computed on paper (fiscal year = calendar year; as of 15 April 2026).

Won deals (amount, created → closed, cycle days): d0 100, 21 Nov → 11 Dec 2025 (20);
d1 200, 22 Dec → 11 Jan (20); d2 100, 10 Jan → 19 Feb (40); d3 300, 28 Feb → 10 Mar (10);
d4 50, 26 Mar → 5 Apr (10); and after the as-of day d5 1,000, closed 20 April. Lost: l1,
closed 20 March; l2, closed 18 April (after the as-of day). Every deal is Ana's; Cy, her
colleague, has none.

Monthly values (Oct 2025 … Mar 2026, then April to date):
  bookings          0, 0, 100, 200, 100, 300; April 50
  sales_cycle_days  -, -, 20, 20, 40, 10; April 10
  win_rate          -, -, 1, 1, 1, 0.5; April 1

"Grow bookings" (Jan–Jun, owner Mia by e-mail):
  bookings at least 100, 150, 200, 250 …: Jan met, Feb missed, Mar met; trend of Jan–Mar
  (200, 100, 300) = +50/month, so April projects 350 ≥ 250: on track, improving.
  sales_cycle_days at most 30, 30, 25, 4 …: Jan met, Feb missed, Mar met; trend of Jan–Mar
  (20, 40, 10) = -5/month, so April projects 5 > 4: at risk, improving.
"Win more" (Feb–Jul, owner Ana by user id):
  win_rate at least 0.5, 0.6, 0.7: Feb met, Mar (0.5) missed: missed; trend of Jan–Mar
  (1, 1, 0.5) = -0.25/month, April projects 0.25, worsening.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import POSTGRES_URL
from support import Company, company_on

AS_OF = "2026-04-15"
PLAN = """
version: 1
initiatives:
  - name: Grow bookings
    owner: mia@acme.test
    start_date: 2026-01-01
    end_date: 2026-06-30
    targets:
      - metric: bookings
        direction: at_least
        monthly: {2026-01: 100, 2026-02: 150, 2026-03: 200, 2026-04: 250, 2026-05: 300,
                  2026-06: 350}
      - metric: sales_cycle_days
        direction: at_most
        monthly: {2026-01: 30, 2026-02: 30, 2026-03: 25, 2026-04: 4}
  - name: Win more
    owner: ana
    start_date: 2026-02-01
    end_date: 2026-07-31
    targets:
      - metric: win_rate
        direction: at_least
        monthly: {2026-02: 0.5, 2026-03: 0.6, 2026-04: 0.7}
"""


def _deal(deal: str, amount: int, created: str, closed: str, won: bool = True) -> dict[str, Any]:
    return {"opportunity_id": deal, "name": deal.upper(), "account_id": "a1", "type": "new",
            "stage": "Closed Won" if won else "Closed Lost", "amount": amount,
            "currency": "USD", "owner_id": "ana", "created_at": created, "is_won": won,
            "is_closed": True, "closed_at": closed, "close_date": closed[:10]}  # fmt: skip


def build(company: Company, *, later: bool = True) -> None:
    """The company's rows (with the deals closed after the as-of day when `later`) and its
    plan file."""
    company.add("team", {"team_id": "west", "name": "West", "manager_id": "mia"})
    company.add(
        "user",
        {"user_id": "ana", "name": "Ana Diaz", "email": "ana@acme.test", "role": "AE",
         "team_id": "west", "manager_id": "mia"},
        {"user_id": "mia", "name": "Mia Lund", "email": "mia@acme.test", "role": "manager",
         "team_id": "west"},
        {"user_id": "cy", "name": "Cy Chen", "email": "cy@acme.test", "role": "AE",
         "team_id": "west", "manager_id": "mia"},
    )  # fmt: skip
    company.add("account", {"account_id": "a1", "name": "Acme", "owner_id": "ana"})
    company.add(
        "opportunity",
        _deal("d0", 100, "2025-11-21", "2025-12-11"),
        _deal("d1", 200, "2025-12-22", "2026-01-11"),
        _deal("d2", 100, "2026-01-10", "2026-02-19"),
        _deal("d3", 300, "2026-02-28", "2026-03-10"),
        _deal("d4", 50, "2026-03-26", "2026-04-05"),
        _deal("l1", 100, "2026-02-01", "2026-03-20", won=False),
    )
    if later:
        add_later(company)
    write_plan(company.ws.root, PLAN)


def add_later(company: Company) -> None:
    """Deals closed after the as-of day: a big win and a loss."""
    company.add(
        "opportunity",
        _deal("d5", 1000, "2026-04-01", "2026-04-20"),
        _deal("l2", 100, "2026-04-02", "2026-04-18", won=False),
    )


def write_plan(root: Path, text: str) -> Path:
    """Write `plans/activation.yaml`."""
    path = root / "plans" / "activation.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def planned(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The tiny company and its plan, on DuckDB and on PostgreSQL."""
    with company_on(tmp_path / "acme", request.param, POSTGRES_URL) as made:
        build(made)
        yield made


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Company]:
    """An empty DuckDB workspace."""
    with company_on(tmp_path / "acme", "duckdb", POSTGRES_URL) as made:
        yield made
