"""A small hand-built company for the territory tests: three reps, accounts with
employees and open deals, on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import POSTGRES_URL
from support import Company as Rows
from support import company_on

TEAMS = [{"team_id": "t-smb", "name": "SMB"}, {"team_id": "t-ent", "name": "Enterprise"}]
USERS = [
    {"user_id": "u-ann", "name": "Ann Archer", "email": "ann@acme.test", "team_id": "t-smb"},
    {"user_id": "u-bob", "name": "Bob Baker", "email": "bob@acme.test", "team_id": "t-smb"},
    {"user_id": "u-dan", "name": "Dan Dorn", "email": "dan@acme.test", "team_id": "t-ent"},
]


@dataclass
class Company(Rows):
    """The shared test company (:class:`support.Company`) with the territory design's
    helpers."""

    root: Path = Path()

    def accounts(self, *rows: tuple[str, int, str | None, str]) -> None:
        """Accounts as (id, employees, owner, segment)."""
        self.add("account", *[
            {"account_id": a, "name": f"Acme {a}", "employees": e, "owner_id": o, "segment": s}
            for a, e, o, s in rows
        ])  # fmt: skip

    def design(self, text: str) -> None:
        (self.root / "plans" / "territories.yaml").write_text(text)


@pytest.fixture(
    params=[pytest.param("duckdb", id="duckdb"),
            pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
)  # fmt: skip
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The company on DuckDB, and on PostgreSQL under a schema prefix of its own."""
    root = tmp_path / "ws"
    with company_on(root, request.param, POSTGRES_URL) as rows:
        made = Company(rows.ws, root=root)
        made.add("team", *TEAMS)
        made.add("user", *[{**u, "is_active": True, "hire_date": "2020-01-01"} for u in USERS])
        yield made
