"""A scoped user's numbers are the numbers of a company that holds only their rows.

The reference is built by hand: a copy of the demo warehouse with every row the user may
not see deleted, computed without a scope; on DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from app.conftest import AS_OF, MANAGER, REP, YEAR
from revops import Workspace
from revops.metrics import Scope
from revops.warehouse import NAMESPACES

from conftest import POSTGRES_URL, ingest_demo

METRICS = [
    "bookings", "won_deals", "lost_deals", "open_pipeline", "pipeline_created", "win_rate",
    "average_deal_size", "arr", "mrr_new", "customers", "quota_amount", "quota_attainment",
    "leads_created", "lifecycle_entries", "stage_entries", "tickets_opened", "meetings_booked",
]  # fmt: skip
BY_ACCOUNT = ("subscription_line", "invoice", "order", "product_usage", "support_ticket",
              "campaign_touch", "web_session", "partner_deal")  # fmt: skip


Execute = Callable[[str], object]
Qualify = Callable[[str, str], str]


def _delete_other_rows(execute: Execute, table: Qualify, owners: frozenset[str]) -> None:
    """Delete every row the owners may not see, in SQL that DuckDB and PostgreSQL share."""
    listed = ", ".join(f"'{o}'" for o in sorted(owners))

    def mine(column: str) -> str:
        return f"coalesce({column} IN ({listed}), false)"

    for name, columns in [
        ("opportunity", ["owner_id"]),
        ("account", ["owner_id", "csm_id"]),
        ("lead", ["owner_id"]),
        ("contact", ["owner_id"]),
        ("activity", ["owner_id"]),
        ("quota", ["user_id"]),
        ("tool_usage", ["user_id"]),
        ("content_usage", ["user_id"]),
    ]:
        execute(f"DELETE FROM {table('core', name)} WHERE NOT ({' OR '.join(map(mine, columns))})")
    execute(
        f"DELETE FROM {table('history', 'opportunity_history')} WHERE opportunity_id NOT IN "
        f"(SELECT opportunity_id FROM {table('core', 'opportunity')})"
    )
    for name in BY_ACCOUNT:
        execute(
            f"DELETE FROM {table('core', name)} WHERE NOT coalesce(account_id IN "
            f"(SELECT account_id FROM {table('core', 'account')}), false)"
        )
    execute(
        f"DELETE FROM {table('core', 'lifecycle_event')} WHERE person_id NOT IN "
        f"(SELECT lead_id FROM {table('core', 'lead')} "
        f"UNION SELECT contact_id FROM {table('core', 'contact')})"
    )


def _only_rows_of(source: Path, target: Path, owners: frozenset[str]) -> Workspace:
    """A copy of the workspace at `source` holding only the rows of `owners`: on DuckDB
    a copy of the file, on PostgreSQL a copy of its schemas under a prefix of its own."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("demo-data", "app.db*"))
    original = Workspace.open(source, read_only=True)
    if original.warehouse.backend == "duckdb":
        original.close()
        con = duckdb.connect(str(target / "warehouse.duckdb"))
        _delete_other_rows(con.execute, lambda ns, name: f'{ns}."{name}"', owners)
        con.close()
        return Workspace.open(target)
    prefix = f"alone{secrets.token_hex(4)}_"
    config = target / "revops.yaml"
    old = original.warehouse.schema_prefix
    config.write_text(
        config.read_text().replace(f"schema_prefix: {old}", f"schema_prefix: {prefix}")
    )
    copy = Workspace.open(target)
    warehouse = copy.warehouse
    for namespace in NAMESPACES:
        warehouse.execute(f"CREATE SCHEMA {warehouse.quote(warehouse.schema_name(namespace))}")
        for name in original.warehouse.list_tables(namespace):
            warehouse.execute(
                f"CREATE TABLE {warehouse.qualified(name, namespace)} AS "
                f"SELECT * FROM {original.warehouse.qualified(name, namespace)}"
            )
    original.close()
    _delete_other_rows(warehouse.execute, lambda ns, name: warehouse.qualified(name, ns), owners)
    return copy


@pytest.fixture(scope="module")
def postgres_root(demo_company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo company ingested into PostgreSQL, under a schema prefix of its own."""
    root = tmp_path_factory.mktemp("scope-postgres") / "ws"
    ingest_demo(demo_company, root, POSTGRES_URL).close()
    yield root
    ws = Workspace.open(root)
    ws.warehouse.drop()
    ws.close()


@pytest.mark.parametrize(
    "backend", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize(("email", "team"), [(REP, False), (MANAGER, True)])
def test_scoped_values_equal_values_on_only_those_rows(
    request: pytest.FixtureRequest, tmp_path: Path, email: str, team: bool, backend: str
) -> None:
    root: Path = request.getfixturevalue("demo_root" if backend == "duckdb" else "postgres_root")
    full = Workspace.open(root, read_only=True)
    try:
        scope = full.metrics.scope_for(email, team=team)
        assert scope is not None
        scoped = full.metrics.compute(METRICS, YEAR, as_of=AS_OF, scope=scope)
        sliced = full.metrics.compute("bookings", YEAR, by=["segment"], as_of=AS_OF, scope=scope)
        everything = full.metrics.compute(METRICS, YEAR, as_of=AS_OF, scope=Scope.everything())
    finally:
        full.close()
    alone = _only_rows_of(root, tmp_path / "alone", scope.owners)
    try:
        reference = alone.metrics.compute(METRICS, YEAR, as_of=AS_OF)
    finally:
        if backend == "postgres":
            alone.warehouse.drop()
        alone.close()
    for metric in METRICS:
        assert scoped.value(metric) == pytest.approx(reference.value(metric), nan_ok=True), metric
    assert scoped.value("bookings") < everything.value("bookings")  # type: ignore[operator]
    assert scoped.value("won_deals") > 0  # type: ignore[operator]
    # A slice labels the user's own rows with the segment of their account even when the
    # account is someone else's (dimension lookups are not scoped): the slices add up.
    assert sliced.frame["value"].sum() == pytest.approx(scoped.value("bookings"))
