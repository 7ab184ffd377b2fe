"""The cockpit's result cache: built once under concurrency, dropped when the warehouse's
data changes (DuckDB and PostgreSQL tell), and warmed in the background at start."""

from __future__ import annotations

import threading
import time
import warnings
from pathlib import Path

import pyarrow as pa
import pytest

from app.conftest import AS_OF, PASSWORD, Cockpit, role_email
from revops import Workspace
from revops.app import create_app, users
from revops.app.cache import CHECK_SECONDS, ResultCache
from revops.app.db import AppDatabase
from revops.metrics import Scope
from revops.warehouse import Warehouse, connect

from conftest import POSTGRES_URL, open_warehouse
from support import DEAL

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for the httpx2 fork; httpx works the same
    from fastapi.testclient import TestClient


def test_a_value_asked_for_by_many_at_once_is_built_once() -> None:
    cache = ResultCache(lambda: 1)
    builds: list[int] = []
    start = threading.Barrier(8)

    def build() -> str:
        builds.append(1)
        time.sleep(0.2)
        return "value"

    found: list[str] = []

    def ask() -> None:
        start.wait()
        found.append(cache.get("key", build))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == ["value"] * 8
    assert len(builds) == 1


def test_a_new_data_version_drops_the_kept_values_and_says_so() -> None:
    version = [1]
    changes: list[int] = []
    cache = ResultCache(lambda: version[0], on_change=lambda: changes.append(version[0]))
    cache.get("key", lambda: "old")
    cache._checked -= CHECK_SECONDS  # the next lookup asks for the version again
    assert cache.get("key", lambda: "new") == "old"
    version[0] = 2
    cache._checked -= CHECK_SECONDS
    assert cache.get("key", lambda: "new") == "new"
    assert changes == [2]


def test_a_value_built_while_the_data_changed_is_not_kept() -> None:
    version = [1]
    cache = ResultCache(lambda: version[0])

    def build_across_a_change() -> str:
        version[0] = 2
        cache._checked -= CHECK_SECONDS
        cache.refresh()  # another request notices the change meanwhile
        return "stale"

    assert cache.get("key", build_across_a_change) == "stale"
    assert "key" not in cache


def test_a_failed_build_reaches_the_caller_and_is_not_kept() -> None:
    cache = ResultCache(lambda: 1)

    def fail() -> str:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        cache.get("key", fail)
    assert "key" not in cache
    assert cache.get("key", lambda: "yes") == "yes"


def _write_a_deal(warehouse: Warehouse) -> None:
    if not warehouse.has_table(DEAL.name, DEAL.namespace):
        warehouse.init([DEAL])
    row = {"source_system": "crm", "source_id": f"d{time.time_ns()}", "deal_id": "d1",
           "stage": "won", "currency": "USD"}  # fmt: skip
    warehouse.load(DEAL.name, pa.Table.from_pylist([row]), namespace=DEAL.namespace)


def test_a_duckdb_file_changes_its_data_version_with_every_write(tmp_path: Path) -> None:
    warehouse = connect("duckdb:///warehouse.duckdb", tmp_path)
    _write_a_deal(warehouse)
    warehouse.close()
    reader = connect("duckdb:///warehouse.duckdb", tmp_path, read_only=True)
    first = reader.data_version()
    assert first is not None
    assert reader.data_version() == first  # reading changes nothing
    reader.close()
    writer = connect("duckdb:///warehouse.duckdb", tmp_path)
    _write_a_deal(writer)
    assert writer.data_version() != first
    writer.close()


@pytest.mark.postgres
def test_a_postgres_warehouse_changes_its_data_version_when_another_session_writes(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    reader = open_warehouse("postgres", tmp_path, request)
    _write_a_deal(reader)
    before = reader.data_version()
    writer = connect(POSTGRES_URL, tmp_path, schema_prefix=reader.schema_prefix)
    _write_a_deal(writer)
    writer.close()  # a session reports its counts when it ends
    deadline = time.monotonic() + 15
    while reader.data_version() == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert reader.data_version() != before
    reader.drop()
    reader.close()


def test_a_started_server_warms_the_default_pages_of_every_scope(
    cockpit: Cockpit, tmp_path: Path
) -> None:
    db = AppDatabase(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
    ws = Workspace.open(cockpit.root, read_only=True)
    app = create_app(ws, db=db, as_of=AS_OF)  # migrates the app database
    for role in ("admin", "rep", "manager"):
        users.add_user(db, role_email(role), role, PASSWORD)
    state = app.state.revops
    warmer = app.state.warmer
    with TestClient(app):  # a lifespan that ends stops the warm-up ...
        pass
    state.cache.clear()
    with TestClient(app):  # ... and the next one starts it again
        assert warmer.done.wait(240), "the warm-up finished"
        health = TestClient(app).get("/healthz").json()
    ws.close()
    db.close()
    assert health == {"status": "ok", "warm": "yes"}
    parts = {key[1] for key, _ in state.cache.items() if key[0] == "part"}
    assert {"home", "pipeline", "forecast", "quality"} <= parts
    homes = {key[-2] for key, _ in state.cache.items() if key[:2] == ("part", "home")}
    assert Scope.everything() in homes
    assert any(scope.restricted for scope in homes), "the rep's and manager's homes too"


def test_an_app_told_not_to_warm_computes_only_what_it_is_asked(cockpit: Cockpit) -> None:
    with TestClient(cockpit.app) as client:
        time.sleep(0.2)
        health = client.get("/healthz").json()
    assert health == {"status": "ok", "warm": "no"}
    assert not any(t.name == "revops-warmup" for t in threading.enumerate())
