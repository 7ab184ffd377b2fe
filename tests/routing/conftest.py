"""A small hand-built company for the routing tests: users, accounts, leads, people and
their golden records, written through the real identity path."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops import Workspace
from revops.identity.crosswalk import ensure_tables
from revops.identity.golden import write_golden
from revops.model import ENTITIES

from conftest import POSTGRES_URL
from support import typed_value

TEAMS = [
    {"team_id": "t-smb", "name": "SMB Development"},
    {"team_id": "t-ent", "name": "Enterprise"},
]
USERS = [
    {"user_id": "u-ann", "name": "Ann Archer", "email": "ann@acme.test", "team_id": "t-smb"},
    {"user_id": "u-bob", "name": "Bob Baker", "email": "bob@acme.test", "team_id": "t-smb"},
    {"user_id": "u-cat", "name": "Cat Cole", "email": "cat@acme.test", "team_id": "t-smb"},
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
            prefix = f"r{secrets.token_hex(4)}_"
            config.write_text(text.replace('schema_prefix: ""', f"schema_prefix: {prefix}"))
        self.ws = Workspace.open(root)
        self.ws.init_warehouse()
        ensure_tables(self.ws.warehouse)
        self.add("team", *TEAMS)
        self.add("user", *[{**u, "is_active": True, "hire_date": "2020-01-01"} for u in USERS])

    def add(self, entity: str, *rows: dict[str, Any]) -> None:
        """Load `rows` into `entity`; lineage defaults, ISO strings become dates/times."""
        spec = ENTITIES[entity]
        batch = []
        for row in rows:
            full = {"source_system": "salesforce", **row}
            full.setdefault("source_id", full[spec.id_column])
            full.setdefault("updated_at", "2026-01-01T00:00:00")
            batch.append({k: typed_value(spec.column(k).type, v) for k, v in full.items()})
        self.ws.warehouse.load(entity, batch, namespace=spec.namespace, mode="append")

    def resolve(self, people: dict[str, str] | None = None) -> None:
        """One cluster per account and per person (records listed in `people` share the
        cluster named there); golden records built; leads matched to accounts."""
        warehouse = self.ws.warehouse
        rows = []
        for entity in ("account", "lead", "contact"):
            ids = warehouse.table(entity).select(f"{entity}_id", "source_system", "source_id")
            for r in ids.to_pyarrow().to_pylist():
                record = r[f"{entity}_id"]
                cluster = (people or {}).get(record, f"g-{record}")
                rows.append({
                    "kind": "company" if entity == "account" else "person", "entity": entity,
                    "record_id": record, "unique_id": record, "source_system": r["source_system"],
                    "source_id": r["source_id"], "cluster_id": cluster, "cluster_size": 1,
                    "run_id": "run-1", "load_id": "load-1",
                })  # fmt: skip
        warehouse.load("crosswalk", rows, namespace="identity", mode="replace")
        write_golden(warehouse)
        self.ws.identity.match_leads()

    def rules(self, text: str, name: str = "routing.yaml") -> Path:
        path = self.root / "rules" / name
        path.write_text(text)
        return path


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
