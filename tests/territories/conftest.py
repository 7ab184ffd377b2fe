"""A small hand-built company for the territory tests: three reps, accounts with
employees and open deals, on DuckDB and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops import Workspace
from revops.model import ENTITIES

from conftest import POSTGRES_URL
from support import typed_value

TEAMS = [{"team_id": "t-smb", "name": "SMB"}, {"team_id": "t-ent", "name": "Enterprise"}]
USERS = [
    {"user_id": "u-ann", "name": "Ann Archer", "email": "ann@acme.test", "team_id": "t-smb"},
    {"user_id": "u-bob", "name": "Bob Baker", "email": "bob@acme.test", "team_id": "t-smb"},
    {"user_id": "u-dan", "name": "Dan Dorn", "email": "dan@acme.test", "team_id": "t-ent"},
]


class Company:
    """A workspace whose warehouse the test fills row by row."""

    def __init__(self, root: Path, warehouse_url: str | None = None) -> None:
        self.root = root
        Workspace.create(root)
        if warehouse_url is not None:
            config = root / "revops.yaml"
            text = config.read_text().replace(
                "url: duckdb:///warehouse.duckdb", f"url: {warehouse_url}"
            )
            prefix = f"t{secrets.token_hex(4)}_"
            config.write_text(text.replace('schema_prefix: ""', f"schema_prefix: {prefix}"))
        self.ws = Workspace.open(root)
        self.ws.init_warehouse()
        self.add("team", *TEAMS)
        self.add("user", *[{**u, "is_active": True, "hire_date": "2020-01-01"} for u in USERS])

    def add(self, entity: str, *rows: dict[str, Any]) -> None:
        """Load `rows` into `entity`; lineage defaults, ISO strings become dates/times."""
        spec = ENTITIES[entity]
        batch = []
        for row in rows:
            full = {"source_system": "salesforce", "load_id": "l1", **row}
            full.setdefault("source_id", full[spec.id_column])
            full.setdefault("created_at", "2026-01-01T00:00:00")
            full.setdefault("updated_at", "2026-01-01T00:00:00")
            batch.append({k: typed_value(spec.column(k).type, v) for k, v in full.items()})
        self.ws.warehouse.load(entity, batch, namespace=spec.namespace, mode="append")

    def accounts(self, *rows: tuple[str, int, str | None, str]) -> None:
        """Accounts as (id, employees, owner, segment)."""
        self.add("account", *[
            {"account_id": a, "name": f"Acme {a}", "employees": e, "owner_id": o, "segment": s}
            for a, e, o, s in rows
        ])  # fmt: skip

    def design(self, text: str) -> None:
        (self.root / "plans" / "territories.yaml").write_text(text)


@pytest.fixture(
    params=[pytest.param(None, id="duckdb"), pytest.param(POSTGRES_URL, id="postgres",
                                                          marks=pytest.mark.postgres)]
)  # fmt: skip
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The company on DuckDB, and on PostgreSQL under a schema prefix of its own."""
    made = Company(tmp_path / "ws", request.param)
    yield made
    if request.param is not None:
        made.ws.warehouse.drop()
    made.ws.close()
