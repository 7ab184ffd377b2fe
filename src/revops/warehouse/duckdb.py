"""The embedded default: a DuckDB file in the workspace."""

from __future__ import annotations

import re
import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from revops.errors import QueryTimeout, WarehouseError
from revops.warehouse.base import timeout_message
from revops.warehouse.tables import bound_table
from revops.warehouse.transactional import TransactionalWarehouse
from revops.warehouse.url import WarehouseURL

if TYPE_CHECKING:
    from pathlib import Path

    import ibis.expr.types as ir
    import pyarrow as pa


class DuckDBWarehouse(TransactionalWarehouse):
    """A DuckDB database file (or memory). One process at a time may write to a file."""

    backend = "duckdb"

    @classmethod
    def connect(
        cls, url: WarehouseURL, schema_prefix: str = "", *, read_only: bool = False
    ) -> DuckDBWarehouse:
        """Open the database file, creating it (and its folder) when missing.

        With `read_only`, the file must exist and other processes may read it too; none
        may write while it is open (the web app reads the warehouse so).

        Raises:
            WarehouseError: another process holds the file (DuckDB allows one writer).
        """
        import duckdb
        import ibis

        if url.path is None:
            return cls(ibis.duckdb.connect(":memory:"), url, schema_prefix)
        if read_only and not url.path.is_file():
            raise WarehouseError(f"the warehouse {url.path} does not exist yet")
        url.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = ibis.duckdb.connect(str(url.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise WarehouseError(_lock_message(str(exc), str(url.path))) from None
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc):
                raise
            if not read_only:
                raise WarehouseError(
                    f"the warehouse {url.path} is open read-only in this process; "
                    "close that workspace before writing to it"
                ) from None
            # This process already holds the file read-write, so no other process can
            # write it: reading through that same database is what read-only promises.
            con = ibis.duckdb.connect(str(url.path))
        return cls(con, url, schema_prefix)

    concurrent_readers = True

    def reader(self) -> DuckDBWarehouse:
        """A cursor on the same database: DuckDB runs the queries of several cursors of
        one database in parallel (one connection is not safe across threads)."""
        import ibis

        cursor = self.con.con.cursor()
        return type(self)(
            ibis.duckdb.from_connection(cursor),
            self.url,
            self.schema_prefix,
            compiled=self.compiled,
        )

    def interrupt(self) -> None:
        self.con.con.interrupt()

    def file_rows(self, path: Path) -> ir.Table:
        from sqlglot import exp

        location = exp.Literal.string(str(path)).sql(self.con.dialect)
        return self.con.sql(f"SELECT * FROM read_parquet({location})")

    @contextmanager
    def memory_held(self, limit: str) -> Iterator[None]:
        """Else DuckDB keeps every page written in memory up to its default, 80 % of
        the machine's."""
        if self.url.path is None:
            yield
            return
        raw = self.con.con
        before = raw.sql("SELECT current_setting('memory_limit')").fetchone()
        raw.execute(f"SET memory_limit = '{limit.replace(' ', '')}'")
        try:
            yield
        finally:
            if before:
                raw.execute(f"SET memory_limit = '{before[0]}'")

    def create_temporary(self, name: str, obj: pa.Table | ir.Table) -> ir.Table:
        """A batch is read where it is, as a view of the Arrow table: no copy is made
        (a query's result is still stored, as every backend does)."""
        import pyarrow as pa

        if not isinstance(obj, pa.Table):
            return super().create_temporary(name, obj)
        self.drop_temporary(name)
        self.con.con.register(name, obj)
        return self._lookup(name, None)

    def drop_temporary(self, name: str) -> None:
        registered = self.con.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = ?", [name]
        ).fetchone()
        if registered and registered[0]:
            self.con.con.unregister(name)
        else:
            super().drop_temporary(name)

    def _lookup(self, name: str, schema: str | None) -> ir.Table:
        where = f"{self.quote(schema)}.{self.quote(name)}" if schema else self.quote(name)
        described = self.con.con.execute(f"DESCRIBE {where}").fetchall()
        columns = ((row[0], row[1], row[2] == "YES") for row in described)
        return bound_table(self.con, name, schema, columns)

    @contextmanager
    def deadline(
        self, seconds: float | None, setting: str = "statement_timeout_seconds"
    ) -> Iterator[None]:
        """Interrupt this connection's query once `seconds` have passed (and every query
        it starts after that, until the block ends)."""
        import duckdb

        if seconds is None:
            yield
            return
        raw = self.con.con
        over = threading.Event()
        done = threading.Event()

        def interrupt() -> None:
            if done.wait(seconds):
                return
            over.set()
            while not done.wait(0.05):
                raw.interrupt()

        timer = threading.Thread(target=interrupt, name="revops-deadline", daemon=True)
        timer.start()
        outer, self._past_deadline = self._past_deadline, over
        try:
            yield
        except (duckdb.Error, RuntimeError):
            if over.is_set():
                raise QueryTimeout(timeout_message(seconds, setting)) from None
            raise
        finally:
            self._past_deadline = outer
            done.set()
            timer.join()

    exact_data_version = True

    def data_version(self) -> Hashable | None:
        """The size and modification time of the file and its write-ahead log: every
        committed write changes one of them (an in-memory database: None)."""
        if self.url.path is None:
            return None
        stamps: list[int] = []
        for path in (self.url.path, self.url.path.with_name(self.url.path.name + ".wal")):
            try:
                found = path.stat()
            except FileNotFoundError:
                stamps += [0, 0]
            else:
                stamps += [found.st_size, found.st_mtime_ns]
        return tuple(stamps)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        raw = self.con.con
        raw.begin()
        try:
            yield raw
        except BaseException:
            raw.rollback()
            raise
        raw.commit()


def _lock_message(error: str, path: str) -> str:
    holder = re.search(r"PID (\d+)", error)
    if "lock" in error.lower():
        who = f"process {holder.group(1)}" if holder else "another process"
        return (
            f"the warehouse {path} is in use by {who} (DuckDB allows one writer at a time); "
            "stop it, or run this command through it"
        )
    return f"cannot open the warehouse {path}: {error}"
