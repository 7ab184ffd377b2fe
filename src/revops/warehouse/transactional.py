"""Atomic loads on backends with transactions (DuckDB, PostgreSQL)."""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from revops.warehouse.base import Changes, LoadMode, Progress, Warehouse

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir
    import pyarrow as pa


class TransactionalWarehouse(Warehouse):
    """Stages the batch in a temporary table, then deletes and inserts in one transaction.

    A process killed before the commit leaves the table as it was: the database rolls
    the open transaction back.
    """

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """A context whose value has `execute(sql)`, committed on exit."""

    def execute(self, sql: str) -> None:
        with self.transaction() as cursor:
            cursor.execute(sql)

    def create_table(self, name: str, schema: sch.Schema, namespace: str) -> None:
        self.con.create_table(name, schema=schema, database=self.schema_name(namespace))

    def _apply(
        self,
        name: str,
        namespace: str,
        rows: pa.Table,
        mode: LoadMode,
        key: tuple[str, ...],
        progress: Progress,
    ) -> Changes:
        target = self.table(name, namespace)
        changed = f"_revops_changes_{name}"
        with self._temporary(f"_revops_stage_{name}", rows) as staged:
            to_write = self._changed_rows(staged, target, mode, key)
            with self._temporary(changed, to_write) as written:
                changes = self._count_changes(written, target, mode, key)
                progress("staged")
                self._write(name, namespace, changed, mode, key, progress)
        return changes

    def _lock(self, cursor: Any, target: str) -> None:
        """Keep other writers of `target` out until the transaction ends (readers go on)."""

    def _temporary(self, name: str, obj: Any) -> AbstractContextManager[Any]:
        return _TemporaryTable(self, name, obj)

    def create_temporary(self, name: str, obj: pa.Table | ir.Table) -> ir.Table:
        """A session-private table holding `obj` (a batch or a query's result)."""
        return self.con.create_table(name, obj, temp=True, overwrite=True)

    def _write(
        self,
        name: str,
        namespace: str,
        source: str,
        mode: LoadMode,
        key: tuple[str, ...],
        progress: Progress,
    ) -> None:
        target = self.qualified(name, namespace)
        source_sql = self.quote(source)
        columns = ", ".join(self.quote(c) for c in self.table(name, namespace).columns)
        with self.transaction() as cursor:
            self._lock(cursor, target)
            if mode == "replace":
                cursor.execute(f"DELETE FROM {target}")
            elif mode == "upsert":
                match = " AND ".join(f"t.{self.quote(k)} = s.{self.quote(k)}" for k in key)
                cursor.execute(f"DELETE FROM {target} AS t USING {source_sql} AS s WHERE {match}")
            progress("deleted")
            cursor.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {source_sql}")
            progress("inserted")
        progress("applied")


class _TemporaryTable(AbstractContextManager[Any]):
    """A session-private table, dropped on exit."""

    def __init__(self, warehouse: TransactionalWarehouse, name: str, obj: Any) -> None:
        self.warehouse = warehouse
        self.name = name
        self.obj = obj

    def __enter__(self) -> Any:
        return self.warehouse.create_temporary(self.name, self.obj)

    def __exit__(self, *exc: object) -> None:
        self.warehouse.con.drop_table(self.name, force=True)
