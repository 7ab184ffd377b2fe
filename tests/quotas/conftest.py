"""A small hand-built company for the quota tests (fiscal year from February): three AEs
of one team (Cat starts in August 2026), and three deals won in FY2026."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import POSTGRES_URL
from support import Company, company_on

USERS = [
    {"user_id": "u-mia", "name": "Mia Moss", "role": "manager", "team_id": "t-smb",
     "hire_date": "2019-01-01"},
    {"user_id": "u-ann", "name": "Ann Archer", "role": "AE", "team_id": "t-smb",
     "manager_id": "u-mia", "hire_date": "2020-01-01"},
    {"user_id": "u-bob", "name": "Bob Baker", "role": "AE", "team_id": "t-smb",
     "manager_id": "u-mia", "hire_date": "2020-01-01"},
    {"user_id": "u-cat", "name": "Cat Cole", "role": "ae", "team_id": "t-smb",
     "manager_id": "u-mia", "hire_date": "2026-08-01"},
]  # fmt: skip
WON = [("d1", "u-ann", 100_000, "2025-03-10"), ("d2", "u-ann", 100_000, "2025-09-10"),
       ("d3", "u-bob", 200_000, "2025-12-10")]  # fmt: skip


@pytest.fixture(
    params=[pytest.param("duckdb", id="duckdb"),
            pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
)  # fmt: skip
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The company on DuckDB, and on PostgreSQL under a schema prefix of its own."""
    root = tmp_path / "ws"
    with company_on(root, request.param, POSTGRES_URL, fiscal_year_start_month=2) as rows:
        rows.add("team", {"team_id": "t-smb", "name": "SMB", "manager_id": "u-mia"})
        rows.add("user", *[{**u, "email": f"{u['user_id'][2:]}@acme.test", "is_active": True}
                           for u in USERS])  # fmt: skip
        rows.add("account", {"account_id": "a1", "name": "Acme", "owner_id": "u-ann"})
        rows.add("opportunity", *[
            {"opportunity_id": d, "account_id": "a1", "owner_id": o, "name": d, "type": "new",
             "stage": "Closed Won", "amount": a, "currency": "USD", "is_closed": True,
             "is_won": True, "close_date": day, "closed_at": f"{day}T12:00:00",
             "created_at": "2025-01-01T00:00:00"}
            for d, o, a, day in WON
        ])  # fmt: skip
        (root / "plans" / "quotas.yaml").write_text("split: {even: 1}\nhistory_years: 1\n")
        yield rows
