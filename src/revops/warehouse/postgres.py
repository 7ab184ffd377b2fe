"""A company warehouse on PostgreSQL."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from revops.errors import QueryTimeout, WarehouseError
from revops.warehouse.base import NAMESPACES, timeout_message
from revops.warehouse.tables import bound_table
from revops.warehouse.transactional import TransactionalWarehouse
from revops.warehouse.url import WarehouseURL

if TYPE_CHECKING:
    import ibis.expr.types as ir


_COPY_ROWS = 50_000
_COLUMNS = """
SELECT attribute.attname,
       CASE WHEN type.typtype = 'e' THEN 'enum'
            ELSE pg_catalog.format_type(attribute.atttypid, attribute.atttypmod) END,
       NOT attribute.attnotnull
FROM pg_catalog.pg_attribute AS attribute
JOIN pg_catalog.pg_class AS class ON class.oid = attribute.attrelid
JOIN pg_catalog.pg_namespace AS namespace ON namespace.oid = class.relnamespace
JOIN pg_catalog.pg_type AS type ON type.oid = attribute.atttypid
WHERE namespace.nspname = %(schema)s AND class.relname = %(name)s
  AND attribute.attnum > 0 AND NOT attribute.attisdropped
ORDER BY attribute.attnum
"""
"""A table's columns: name, type as PostgreSQL writes it, nullable."""


def _csv_writable(schema: pa.Schema) -> bool:
    """Whether every column is a type whose CSV text PostgreSQL reads back as it was:
    text, numbers, booleans, dates and timestamps (not times, lists or structs)."""
    import pyarrow.types as t

    checks = (t.is_string, t.is_large_string, t.is_integer, t.is_floating, t.is_boolean,
              t.is_decimal, t.is_date, t.is_timestamp, t.is_null)  # fmt: skip
    return all(any(check(field.type) for check in checks) for field in schema)


def _csv(batch: pa.RecordBatch) -> bytes:
    import io

    import pyarrow.csv as pacsv

    out = io.BytesIO()
    pacsv.write_csv(batch, out, pacsv.WriteOptions(include_header=False))
    return out.getvalue()


class PostgresWarehouse(TransactionalWarehouse):
    """A PostgreSQL database; revops keeps its tables in its own schemas."""

    backend = "postgres"

    @classmethod
    def connect(cls, url: WarehouseURL, schema_prefix: str = "") -> PostgresWarehouse:
        """Connect to the server named by `url`.

        Raises:
            WarehouseError: the server cannot be reached or refuses the login.
        """
        import ibis
        import psycopg

        try:
            con = ibis.connect(url.raw.replace("postgresql://", "postgres://", 1))
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[-1]
            raise WarehouseError(f"cannot connect to {url.display}: {reason}") from None
        return cls(con, url, schema_prefix)

    concurrent_readers = True

    def reader(self) -> PostgresWarehouse:
        """A connection of its own, for one reading thread (the server runs the queries of
        several connections in parallel)."""
        reader = type(self).connect(self.url, self.schema_prefix)
        reader.compiled = self.compiled
        self.compiled.install(reader.con)
        return reader

    def interrupt(self) -> None:
        self.con.con.cancel_safe()

    @contextmanager
    def deadline(
        self, seconds: float | None, setting: str = "statement_timeout_seconds"
    ) -> Iterator[None]:
        """`statement_timeout` on this connection for the block: the server stops any one
        statement that runs longer."""
        import psycopg

        if seconds is None:
            yield
            return
        self.con.raw_sql(f"SET statement_timeout = {max(1, int(seconds * 1000))}").close()
        try:
            yield
        except psycopg.errors.QueryCanceled:
            raise QueryTimeout(timeout_message(seconds, setting)) from None
        finally:
            self.con.raw_sql("SET statement_timeout = 0").close()

    def _lookup(self, name: str, schema: str | None) -> ir.Table:
        if schema is None:
            return super()._lookup(name, schema)
        with self.con.con.cursor() as cursor:
            cursor.execute(_COLUMNS, {"schema": schema, "name": name}, prepare=True)
            described = cursor.fetchall()
        if not described:
            raise WarehouseError(f"no table {schema}.{name}")
        return bound_table(self.con, name, schema, described)

    def create_temporary(self, name: str, obj: pa.Table | ir.Table) -> ir.Table:
        if not isinstance(obj, pa.Table):
            return super().create_temporary(name, obj)
        import ibis

        # COPY is several times faster than the row-by-row INSERTs ibis uses for batches.
        table = self.con.create_table(
            name, schema=ibis.Schema.from_pyarrow(obj.schema), temp=True, overwrite=True
        )
        with self.transaction() as cursor:
            self._copy(cursor, self.quote(name), obj)
        return table

    writes_batches = True

    def insert_batch(
        self, cursor: Any, target: str, batch: pa.Table, key: Sequence[str] = ()
    ) -> None:
        """COPY `batch` into the table `target` (quoted), its columns by name."""
        if key:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {target})")
            row = cursor.fetchone()
            if row is not None and row[0]:
                self._replace_keys(cursor, target, batch, key)
                return
        self._copy(cursor, target, batch)

    def _replace_keys(self, cursor: Any, target: str, batch: pa.Table, key: Sequence[str]) -> None:
        """Stage `batch` for this transaction only, then replace the rows of its keys."""
        stage = self.quote("_revops_late_stage")
        cursor.execute(f"CREATE TEMP TABLE {stage} (LIKE {target}) ON COMMIT DROP")
        self._copy(cursor, stage, batch)
        match = " AND ".join(f"t.{self.quote(k)} = s.{self.quote(k)}" for k in key)
        columns = ", ".join(self.quote(c) for c in batch.column_names)
        cursor.execute(f"DELETE FROM {target} AS t USING {stage} AS s WHERE {match}")
        cursor.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {stage}")

    def _copy(self, cursor: Any, target: str, batch: pa.Table) -> None:
        columns = ", ".join(self.quote(c) for c in batch.column_names)
        statement = f"COPY {target} ({columns}) FROM STDIN"
        if _csv_writable(batch.schema):
            # Arrow writes the CSV in C; a null is an empty field and an empty text
            # "", as PostgreSQL's CSV format reads them.
            with cursor.copy(f"{statement} (FORMAT csv)") as copy:
                for part in batch.to_batches(max_chunksize=_COPY_ROWS):
                    copy.write(_csv(part))
        else:
            with cursor.copy(statement) as copy:
                for part in batch.to_batches(max_chunksize=_COPY_ROWS):
                    values = (column.to_pylist() for column in part.columns)
                    for row in zip(*values, strict=True):
                        copy.write_row(row)

    def data_version(self) -> Hashable | None:
        """Rows inserted, updated and deleted in the revops schemas so far, as the server's
        statistics count them: a write shows there once its session reports it (at once
        when it ends, else within seconds)."""
        schemas = [self.schema_name(ns) for ns in NAMESPACES]
        with self.con.con.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_user_tables WHERE schemaname = ANY(%s)",
                (schemas,),
            )
            row = cursor.fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def _lock(self, cursor: Any, target: str) -> None:
        # Two loads of one table at once could both insert a key; readers are not blocked.
        cursor.execute(f"LOCK TABLE {target} IN SHARE ROW EXCLUSIVE MODE")

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        raw = self.con.con
        with raw.transaction(), raw.cursor() as cursor:
            yield cursor
