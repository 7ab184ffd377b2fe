"""Atomic loads on backends with transactions (DuckDB, PostgreSQL)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager, ExitStack
from typing import TYPE_CHECKING, Any

from revops.warehouse.base import Changes, LoadSpec, Progress, Warehouse, Write
from revops.warehouse.batch import QueryRows
from revops.warehouse.tables import create_table_sql

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir
    import pyarrow as pa


class TransactionalWarehouse(Warehouse):
    """Stages the batch in a temporary table, then deletes and inserts in one transaction.

    A process killed before the commit leaves the table as it was: the database rolls
    the open transaction back.
    """

    upserts_queries = True

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """A context whose value has `execute(sql)`, committed on exit."""

    def execute(self, sql: str) -> None:
        with self.transaction() as cursor:
            cursor.execute(sql)

    def create_table(self, name: str, schema: sch.Schema, namespace: str) -> None:
        self.create_tables([(name, schema, namespace)])

    def create_tables(self, tables: Sequence[tuple[str, sch.Schema, str]]) -> None:
        if not tables:
            return
        dialect = self.con.dialect
        with self.transaction() as cursor:
            for name, schema, namespace in tables:
                cursor.execute(create_table_sql(dialect, self.schema_name(namespace), name, schema))

    def rewrite_table(self, name: str, namespace: str, content: ir.Table) -> None:
        # Ibis materialises `content` under a temporary name before swapping it in.
        self.con.create_table(name, content, database=self.schema_name(namespace), overwrite=True)

    def _apply_many(self, writes: Sequence[Write], progress: Progress) -> list[Changes]:
        with ExitStack() as temporaries:
            changes: list[Changes] = []
            sources: list[str | pa.Table] = []
            for spec, rows, target in writes:
                suffix = f"{spec.namespace}_{spec.name}"
                stage = f"_revops_stage_{suffix}"
                everything = spec.mode != "upsert" or self._is_empty(target)
                if isinstance(rows, QueryRows) and everything:
                    # Read straight from the warehouse inside the transaction: no copy of
                    # a large result in a temporary table.
                    sql = self.con.compile(rows.expr)
                    changes.append(Changes(rows.expr, rows.num_rows, 0))
                    sources.append(f"({sql})")
                    continue
                if isinstance(rows, QueryRows):  # compared with the table: staged first
                    rows = rows.expr
                elif everything:
                    # Every row is written as it is (an upsert into an empty table: every
                    # row is new): no comparison to make.
                    changes.append(Changes(None, rows.num_rows, 0))
                    if self.writes_batches:  # straight into the table, in the transaction
                        sources.append(rows)
                    else:
                        temporaries.enter_context(self._temporary(stage, rows))
                        sources.append(stage)
                    continue
                staged = temporaries.enter_context(self._temporary(stage, rows))
                to_write = self._changed_rows(staged, target, spec.mode, spec.key)
                changed = f"_revops_changes_{suffix}"
                written = temporaries.enter_context(self._temporary(changed, to_write))
                changes.append(self._count_changes(written, target, spec.mode, spec.key))
                sources.append(changed)
            progress("staged")
            with self.transaction() as cursor:
                for (spec, _, target), source in zip(writes, sources, strict=True):
                    self._write(cursor, spec, target.columns, source)
                progress("deleted")
                progress("inserted")
            progress("applied")
        return changes

    @staticmethod
    def _is_empty(table: ir.Table) -> bool:
        return int(table.limit(1).count().execute()) == 0

    def _lock(self, cursor: Any, target: str) -> None:
        """Keep other writers of `target` out until the transaction ends (readers go on)."""

    def _temporary(self, name: str, obj: Any) -> AbstractContextManager[Any]:
        return _TemporaryTable(self, name, obj)

    def create_temporary(self, name: str, obj: pa.Table | ir.Table) -> ir.Table:
        """A session-private table holding `obj` (a batch or a query's result)."""
        return self.con.create_table(name, obj, temp=True, overwrite=True)

    def drop_temporary(self, name: str) -> None:
        """Drop what :meth:`create_temporary` made under `name`."""
        self.con.drop_table(name, force=True)

    writes_batches: bool = False
    """Whether :meth:`insert_batch` writes a batch into a table faster than staging it
    and inserting what was staged."""

    def insert_batch(
        self, cursor: Any, target: str, batch: pa.Table, key: Sequence[str] = ()
    ) -> None:
        """Inside the open transaction, which holds the lock on `target` (quoted): write
        `batch` into it. With a `key`, the table was empty when the load began: should a
        concurrent load have written since, the rows of the keys `batch` brings are
        replaced, not written twice."""
        raise NotImplementedError

    def _write(
        self, cursor: Any, spec: LoadSpec, names: Sequence[str], source: str | pa.Table
    ) -> None:
        """Inside the open transaction: remove what `source` (a staged table's or a
        query's name, or a batch) replaces, then insert it into the columns `names` of
        the target."""
        target = self.qualified(spec.name, spec.namespace)
        self._lock(cursor, target)
        if spec.mode == "replace":
            where = f" WHERE {self.scope_sql(spec.scope)}" if spec.scope is not None else ""
            cursor.execute(f"DELETE FROM {target}{where}")
        if not isinstance(source, str):
            self.insert_batch(cursor, target, source, spec.key if spec.mode == "upsert" else ())
            return
        source_sql = source if source.startswith("(") else self.quote(source)
        columns = ", ".join(self.quote(c) for c in names)
        if spec.mode == "upsert":
            match = " AND ".join(f"t.{self.quote(k)} = s.{self.quote(k)}" for k in spec.key)
            cursor.execute(f"DELETE FROM {target} AS t USING {source_sql} AS s WHERE {match}")
        cursor.execute(
            f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {source_sql} AS "
            + self.quote("_revops_source")
        )


class _TemporaryTable(AbstractContextManager[Any]):
    """A session-private table, dropped on exit."""

    def __init__(self, warehouse: TransactionalWarehouse, name: str, obj: Any) -> None:
        self.warehouse = warehouse
        self.name = name
        self.obj = obj

    def __enter__(self) -> Any:
        return self.warehouse.create_temporary(self.name, self.obj)

    def __exit__(self, *exc: object) -> None:
        self.warehouse.drop_temporary(self.name)
