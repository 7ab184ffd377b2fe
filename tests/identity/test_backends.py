"""Identity resolution computed on the warehouse's own PostgreSQL, against the embedded
DuckDB engine on the same demo company.

The leads, contacts and accounts of the DuckDB demo workspace are copied into a fresh
PostgreSQL warehouse, so both engines resolve the very same records. Scores may differ a
little: each engine draws its own random pairs for u (the sample is a hash of the record
ids, and the hash is each backend's), and on PostgreSQL Jaro-Winkler is only scored
within half the longer value's length in edits (docs/identity.md, Engines). A pair F1
within 0.01 of DuckDB's is about 15 of the 1,512 true person pairs.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops import Workspace
from revops.identity import Identity, RunSummary
from revops.identity.engines import SplinkEngine
from revops.model import ENTITIES

from conftest import POSTGRES_URL

F1_TOLERANCE = 0.01
RESOLVED = ("lead", "contact", "account")


def _copy_of(demo: Workspace, root: Path, url: str) -> Workspace:
    """A workspace on `url` holding the demo's leads, contacts and accounts."""
    Workspace.create(root)
    config = root / "revops.yaml"
    text = config.read_text().replace("url: duckdb:///warehouse.duckdb", f"url: {url}")
    text = text.replace('schema_prefix: ""', f"schema_prefix: b{secrets.token_hex(4)}_")
    config.write_text(text)
    ws = Workspace.open(root)
    ws.warehouse.init([ENTITIES[name] for name in RESOLVED])
    for name in RESOLVED:
        rows = demo.warehouse.table(name).to_pyarrow()
        ws.warehouse.load(name, rows, mode="replace")
    return ws


class EngineSpy:
    """Records, while a run's engine is open, what that engine is and holds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[dict[str, Any]] = []
        batches = SplinkEngine.batches

        # Every run reads its scored pairs back through `batches`.
        def spy(engine: SplinkEngine, table: Any, *args: Any, **kwargs: Any) -> Any:
            self.seen.append(self.inspect(engine))
            return batches(engine, table, *args, **kwargs)

        monkeypatch.setattr(SplinkEngine, "batches", spy)

    def inspect(self, engine: SplinkEngine) -> dict[str, Any]:
        seen: dict[str, Any] = {"engine": engine.name, "schema": engine.work_schema}
        if engine.name == "postgres":
            tables = engine.db_api._execute_sql_against_backend(
                "SELECT count(*) FROM information_schema.tables "
                f"WHERE table_schema = '{engine.work_schema}'"
            ).scalar()
            seen["tables"] = int(tables)
        return seen


def _scores(ws: Workspace, company: Path) -> dict[str, Any]:
    return {s.kind: s for s in ws.identity.evaluate(company)}


def _dialects(ws: Workspace) -> set[str]:
    runs = ws.warehouse.table("run", "identity").to_pyarrow().to_pylist()
    return {json.loads(r["model"])["sql_dialect"] for r in runs}


def _assert_close_to_duckdb(ws: Workspace, demo: Workspace, company: Path) -> None:
    theirs, ours = _scores(ws, company), _scores(demo, company)
    for kind in ("person", "company"):
        found, embedded = theirs[kind], ours[kind]
        assert found.true_pairs > 30, found.as_row()
        assert found.pair_precision >= 0.98, found.as_row()
        assert abs(found.pair_f1 - embedded.pair_f1) <= F1_TOLERANCE, (
            found.as_row(),
            embedded.as_row(),
        )
        assert abs(found.cluster_f1 - embedded.cluster_f1) <= F1_TOLERANCE


@pytest.fixture
def postgres_copy(demo: Workspace, tmp_path: Path) -> Iterator[Workspace]:
    ws = _copy_of(demo, tmp_path / "pg", POSTGRES_URL)
    yield ws
    ws.warehouse.drop()
    ws.close()


@pytest.mark.postgres
def test_postgres_warehouse_resolves_in_a_work_schema_it_drops_after(
    postgres_copy: Workspace,
    demo: Workspace,
    company: Path,
    resolved: list[RunSummary],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = postgres_copy
    spy = EngineSpy(monkeypatch)
    ws.identity.run()
    prefix = ws.warehouse.schema_prefix
    assert {s["engine"] for s in spy.seen} == {"postgres"}
    # The records, Splink's tables and the comparison functions were in the work schema.
    assert all(s["schema"].startswith(f"{prefix}identity_work_") for s in spy.seen)
    assert all(s["tables"] > 5 for s in spy.seen)
    assert _dialects(ws) == {"postgres"}
    with ws.warehouse.con.con.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
            (f"{prefix}identity_work%",),
        )
        assert cursor.fetchall() == []
    _assert_close_to_duckdb(ws, demo, company)


@pytest.mark.postgres
def test_engine_duckdb_keeps_a_postgres_warehouse_run_embedded(
    postgres_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = postgres_copy
    settings = ws.config.identity.model_copy(update={"engine": "duckdb"})
    spy = EngineSpy(monkeypatch)
    Identity(settings, lambda: ws.warehouse).run(["company"])
    assert {s["engine"] for s in spy.seen} == {"duckdb"}
    assert _dialects(ws) == {"duckdb"}
