"""What every warehouse backend offers: namespaces, DDL, atomic loads, as-of reads."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from sqlglot import exp

from revops.errors import WarehouseError
from revops.warehouse.asof import as_of
from revops.warehouse.batch import ConformedBatch, QueryRows, conform, new_load_id
from revops.warehouse.compiled import CompiledQueries
from revops.warehouse.url import BackendName, WarehouseURL

if TYPE_CHECKING:
    from pathlib import Path

    import ibis.expr.schema as sch
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

    from revops.model.base import Entity

log = logging.getLogger(__name__)

NAMESPACES = (
    "raw",
    "core",
    "history",
    "identity",
    "quarantine",
    "leads",
    "routing",
    "automate",
    "comp",
    "desk",
    "territories",
    "quotas",
)
SOURCE_KEY = ("source_system", "source_id")
LoadMode = Literal["append", "replace", "upsert"]
Progress = Callable[[str], None]
"""Called with the name of each step of a load as it completes: `staged` (the rows to
write are ready), `deleted` and `inserted` (inside the transaction, on backends that have
one), `applied` (readers see the new content)."""


@dataclass(frozen=True)
class LoadSpec:
    """One table's part of a load (see :meth:`Warehouse.load` for the arguments).

    `scope` narrows a `replace` to the rows whose columns hold one of the given values
    (`{"file": ["a.csv"]}` replaces only the rows of a.csv); without it the batch
    becomes the whole table.
    """

    name: str
    data: Any
    namespace: str = "core"
    mode: LoadMode = "upsert"
    key: tuple[str, ...] = SOURCE_KEY
    scope: Mapping[str, Sequence[str]] | None = field(default=None)
    distinct: bool = False
    """The batch holds no exact duplicate rows (the caller removed and counted them)."""
    restore: bool = False
    """The batch brings back rows as they were (before-images): it keeps their own
    `load_id` instead of getting this load's, so an undo restores them exactly."""


class Write(NamedTuple):
    """One table's conformed rows to write, and the table as the load found it."""

    spec: LoadSpec
    rows: Any
    """A conformed batch (pyarrow Table) or a query's rows (:class:`QueryRows`)."""
    target: ir.Table


@dataclass(frozen=True)
class LoadResult:
    """What a load did. `rows_in = inserted + updated + unchanged + duplicates`."""

    table: str
    load_id: str
    mode: LoadMode
    rows_in: int
    inserted: int
    updated: int
    unchanged: int
    duplicates: int


@dataclass(frozen=True)
class TableStatus:
    """One table of the warehouse and how many rows it holds."""

    namespace: str
    name: str
    rows: int


@dataclass(frozen=True)
class Changes:
    """The rows a load writes, and how they divide into new and changed ones."""

    rows: ir.Table | None
    """None when the batch itself is written (every row of it)."""
    inserted: int
    updated: int


class Warehouse(ABC):
    """One warehouse, reached through an ibis backend.

    Subclasses supply how a batch is applied atomically; everything else, including
    which rows change, is computed here with ibis so it is the same on every backend.
    """

    backend: BackendName

    def __init__(
        self,
        con: BaseBackend,
        url: WarehouseURL,
        schema_prefix: str = "",
        *,
        compiled: CompiledQueries | None = None,
    ) -> None:
        import ibis

        # Compiling a metric's query cost more than running it, and ibis's fusing of nested
        # selects was a sixth of that compile time (measured on the cockpit's drill-downs);
        # every backend's planner flattens the nested selects itself.
        ibis.options.sql.fuse_selects = False
        self.con = con
        self.url = url
        self.schema_prefix = schema_prefix
        self.compiled = compiled or CompiledQueries.shared()
        """SQL by query shape (:mod:`revops.warehouse.compiled`): the process's."""
        self._past_deadline: threading.Event | None = None
        self.compiled.install(con, before=self._refuse_past_deadline)

    def _refuse_past_deadline(self) -> None:
        """Refuse to start a query once the deadline of the block it runs in has passed
        (:meth:`deadline`): an interrupt stops only a query running at that instant."""
        if self._past_deadline is not None and self._past_deadline.is_set():
            raise RuntimeError("the deadline passed before this query started")

    # -- names -------------------------------------------------------------------------

    def schema_name(self, namespace: str) -> str:
        """The database schema that holds `namespace` (`core` → `<prefix>core`)."""
        if namespace not in NAMESPACES:
            raise WarehouseError(f"unknown namespace {namespace!r}; one of {', '.join(NAMESPACES)}")
        return f"{self.schema_prefix}{namespace}"

    def qualified(self, name: str, namespace: str) -> str:
        """The quoted `schema.table` name in this backend's SQL dialect."""
        return exp.table_(name, db=self.schema_name(namespace), quoted=True).sql(self.con.dialect)

    def quote(self, identifier: str) -> str:
        """`identifier` quoted in this backend's SQL dialect."""
        return exp.to_identifier(identifier, quoted=True).sql(self.con.dialect)

    # -- reading -----------------------------------------------------------------------

    def table(self, name: str, namespace: str = "core") -> ir.Table:
        """The table `namespace.name` as an ibis expression."""
        schema = self.schema_name(namespace)
        try:
            return self._lookup(name, schema)
        except Exception:
            # Listing tables costs more than a lookup: only when the lookup failed.
            if self.has_table(name, namespace):
                raise
            raise WarehouseError(
                f"no table {namespace}.{name} in the warehouse; run `revops warehouse init`"
            ) from None

    def _lookup(self, name: str, schema: str | None) -> ir.Table:
        """The table `schema.name` (the session's own when `schema` is None), as ibis
        describes it; a backend may describe it faster.

        Raises:
            Exception: the backend's own error when there is no such table.
        """
        return self.con.table(name, database=schema)

    def has_table(self, name: str, namespace: str = "core") -> bool:
        """Whether `namespace.name` exists."""
        return name in self.list_tables(namespace)

    def list_tables(self, namespace: str) -> list[str]:
        """Tables of `namespace`, sorted; empty when the namespace does not exist yet."""
        schema = self.schema_name(namespace)
        if schema not in self.con.list_databases():
            return []
        return sorted(self.con.list_tables(database=schema))

    concurrent_readers: bool = False
    """Whether :meth:`reader` gives connections that read concurrently with this one."""

    def reader(self) -> Warehouse:
        """A warehouse on its own connection to the same data, for one reading thread
        (backends that cannot read concurrently: this one)."""
        return self

    @contextmanager
    def deadline(
        self, seconds: float | None, setting: str = "statement_timeout_seconds"
    ) -> Iterator[None]:
        """Stop the queries of this connection that run past `seconds` from now.

        Raises:
            QueryTimeout: a query was stopped (the block's own exception is replaced).
        """
        yield

    @contextmanager
    def memory_held(self, limit: str) -> Iterator[None]:
        """Hold an embedded engine to `limit` (``"1GB"``) while the block runs, then set
        it back: past it, it spills to disk. A server's memory is the server's own
        (nothing happens)."""
        yield

    def data_version(self) -> Hashable | None:
        """A value that changes whenever the data changes, for caches of computed results;
        None when this backend cannot tell cheaply (then caches must expire by time)."""
        return None

    exact_data_version = False
    """Whether :meth:`data_version` changes with every committed write at once (else it
    may lag a write by seconds, and only caches that expire by time may rely on it)."""

    def status(self) -> list[TableStatus]:
        """Every revops table with its row count."""
        return [
            TableStatus(ns, name, int(self.table(name, ns).count().execute()))
            for ns in NAMESPACES
            for name in self.list_tables(ns)
        ]

    def as_of(
        self,
        name: str,
        at: datetime,
        key: str,
        *,
        namespace: str = "history",
        valid_from: str = "valid_from",
    ) -> ir.Table:
        """The version of each record of a history table that was valid at `at`."""
        return as_of(self.table(name, namespace), at, key, valid_from=valid_from)

    # -- DDL ---------------------------------------------------------------------------

    def ensure_namespace(self, namespace: str) -> None:
        """Create `namespace` when it is missing (a warehouse made before a release that
        added the namespace has no schema for it)."""
        schema = self.schema_name(namespace)
        if schema not in self.con.list_databases():
            self.con.create_database(schema, force=True)

    def ensure_tables(self, namespace: str, schemas: Mapping[str, sch.Schema]) -> None:
        """Create `namespace` and those of its tables in `schemas` that are missing (a
        component's own tables, made on first use)."""
        self.ensure_namespace(namespace)
        present = set(self.list_tables(namespace))
        self.create_tables(
            [(name, schema, namespace) for name, schema in schemas.items() if name not in present]
        )

    def init(self, entities: Iterable[Entity]) -> tuple[list[str], list[str]]:
        """Create the namespaces and the tables of `entities` that do not exist yet.

        Returns:
            The qualified names created and those already there.

        Raises:
            WarehouseError: an existing table whose columns differ from the model.
        """
        existing_schemas = set(self.con.list_databases())
        for namespace in NAMESPACES:
            if self.schema_name(namespace) not in existing_schemas:
                self.con.create_database(self.schema_name(namespace), force=True)
        entities = list(entities)
        tables = {ns: set(self.list_tables(ns)) for ns in {e.namespace for e in entities}}
        created, present, missing = [], [], []
        for entity in entities:
            label = f"{entity.namespace}.{entity.name}"
            if entity.name in tables[entity.namespace]:
                self._check_columns(entity)
                present.append(label)
            else:
                missing.append((entity.name, entity.schema(), entity.namespace))
                created.append(label)
        self.create_tables(missing)
        return created, present

    def _check_columns(self, entity: Entity) -> None:
        actual = list(self.table(entity.name, entity.namespace).columns)
        expected = [c.name for c in entity.all_columns]
        if actual == expected:
            return
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        if not extra and not any(entity.column(name).required for name in missing):
            # A release that adds optional columns must not strand the warehouses made
            # before it: the rows stay, the new columns start empty.
            self._upgrade(entity, actual)
            log.info("table %s gained columns %s", entity.name, ", ".join(missing))
            return
        raise WarehouseError(
            f"table {entity.namespace}.{entity.name} does not match the model "
            f"(missing: {', '.join(missing) or '-'}; "
            f"not in the model: {', '.join(extra) or '-'})"
        )

    def _upgrade(self, entity: Entity, actual: Sequence[str]) -> None:
        """Rewrite the table in the model's column order, new columns null."""
        import ibis

        old = self.table(entity.name, entity.namespace)
        columns = [
            old[c.name] if c.name in actual else ibis.null().cast(c.type).name(c.name)
            for c in entity.all_columns
        ]
        self.rewrite_table(entity.name, entity.namespace, old.select(*columns))

    @abstractmethod
    def rewrite_table(self, name: str, namespace: str, content: ir.Table) -> None:
        """Replace a table by `content`, a query that may read the table itself."""

    @abstractmethod
    def create_table(self, name: str, schema: sch.Schema, namespace: str) -> None:
        """Create an empty table."""

    def create_tables(self, tables: Sequence[tuple[str, sch.Schema, str]]) -> None:
        """Create the empty tables (name, schema, namespace), at once where the backend can."""
        for name, schema, namespace in tables:
            self.create_table(name, schema, namespace)

    # -- loading -----------------------------------------------------------------------

    def load(
        self,
        name: str,
        data: Any,
        *,
        namespace: str = "core",
        mode: LoadMode = "upsert",
        key: tuple[str, ...] = SOURCE_KEY,
        scope: Mapping[str, Sequence[str]] | None = None,
        progress: Progress | None = None,
    ) -> LoadResult:
        """Load a batch into `namespace.name` atomically.

        Readers see the table as it was before or as it is after the whole batch, never
        in between, also when the process dies mid-load.

        Args:
            name: target table.
            data: a pyarrow Table (or a pandas DataFrame, or a list of dicts).
            namespace: target namespace.
            mode: `upsert` replaces rows with the same `key` and inserts new ones, and
                writes nothing for rows that are already there unchanged, so loading the
                same batch twice changes nothing; `append` adds every row; `replace`
                makes the batch the whole table (or the part of it in `scope`).
            key: the columns that identify a row for `upsert`.
            scope: for `replace`, which rows the batch replaces (see :class:`LoadSpec`).
            progress: called after each step, for progress reporting.

        Raises:
            LoadError: the batch does not fit the table (see `conform`).
        """
        spec = LoadSpec(name, data, namespace, mode, key, scope)
        return self.load_many([spec], progress=progress)[0]

    def load_many(
        self,
        specs: Sequence[LoadSpec],
        *,
        load_id: str | None = None,
        progress: Progress | None = None,
    ) -> list[LoadResult]:
        """Load several tables as one: readers see all of the batches or none of them.

        On backends with transactions (DuckDB, PostgreSQL) every table changes in one
        transaction. Spark has none: each table still swaps atomically, one after the
        other, so a process killed between two swaps leaves the earlier tables loaded.

        Raises:
            LoadError: a batch does not fit its table; nothing is written.
        """
        load_id = load_id or new_load_id()
        report = progress or (lambda step: None)
        batches, targets = [], []
        for spec in specs:
            target = self.table(spec.name, spec.namespace)
            targets.append(target)
            if _is_query(spec.data):
                batch = self._conform_query(spec, target, load_id)
            else:
                batch = conform(
                    spec.data,
                    target.schema(),
                    table=f"{spec.namespace}.{spec.name}",
                    load_id=load_id,
                    key=spec.key if spec.mode == "upsert" else (),
                    distinct=spec.distinct,
                    restore=spec.restore,
                )
            if spec.scope is not None and spec.mode != "replace":
                raise WarehouseError(f"a scope only narrows a replace, not an {spec.mode}")
            batches.append(batch)
        writes = [
            Write(spec, batch.rows, target)
            for spec, batch, target in zip(specs, batches, targets, strict=True)
            if not (spec.mode == "upsert" and batch.rows.num_rows == 0)
        ]
        changes = iter(self._apply_many(writes, report) if writes else [])
        results = []
        for spec, batch in zip(specs, batches, strict=True):
            written = batch.rows.num_rows
            change = None if spec.mode == "upsert" and written == 0 else next(changes)
            inserted = change.inserted if change else 0
            updated = change.updated if change else 0
            result = LoadResult(
                table=f"{spec.namespace}.{spec.name}",
                load_id=load_id,
                mode=spec.mode,
                rows_in=batch.rows_in,
                inserted=inserted,
                updated=updated,
                unchanged=written - inserted - updated,
                duplicates=batch.duplicates,
            )
            log.info("loaded %s", result)
            results.append(result)
        return results

    upserts_queries: bool = False
    """Whether a query's rows may load by upsert (else only by append or replace). The
    query's rows must be distinct with keys of their own: they are not checked."""

    def file_rows(self, path: Path) -> ir.Table | None:
        """The rows of the Parquet file at `path` as a query this warehouse reads the file
        with, without loading it into memory; None when it cannot (a server)."""
        return None

    def _conform_query(self, spec: LoadSpec, target: ir.Table, load_id: str) -> ConformedBatch:
        """A query's rows as a batch: the target's columns in its order and types, this
        load's id stamped; an upsert only where :attr:`upserts_queries`.

        Raises:
            WarehouseError: an upsert, or a column the target has that the query lacks.
        """
        import ibis

        if spec.mode == "upsert" and not self.upserts_queries:
            raise WarehouseError("a query's rows load by append or replace, not upsert")
        query: ir.Table = spec.data
        missing = [c for c in target.columns if c not in query.columns and c != "load_id"]
        if missing:
            raise WarehouseError(
                f"the query loaded into {spec.namespace}.{spec.name} lacks {', '.join(missing)}"
            )
        schema = target.schema()
        columns = [
            ibis.literal(load_id).cast(schema[c]).name(c)
            if c == "load_id"
            else query[c].cast(schema[c]).name(c)
            for c in target.columns
        ]
        rows = query.select(*columns)
        count = int(rows.count().execute())
        return ConformedBatch(QueryRows(rows, count), count, 0)

    def scope_sql(self, scope: Mapping[str, Sequence[str]]) -> str:
        """A SQL condition true for the rows inside `scope`, in this backend's dialect."""
        conditions = [
            exp.column(column, quoted=True).isin(*values) if values else exp.false()
            for column, values in scope.items()
        ]
        return exp.and_(*conditions).sql(self.con.dialect) if conditions else "TRUE"

    def _changed_rows(
        self, staged: ir.Table, target: ir.Table, mode: LoadMode, key: tuple[str, ...]
    ) -> ir.Table:
        """Which staged rows to write: all of them, or for upserts the new and changed ones."""
        if mode != "upsert":
            return staged
        compared = [c for c in staged.columns if c != "load_id" and c not in key]
        same = [staged[k] == target[k] for k in key] + [
            staged[c].identical_to(target[c]) for c in compared
        ]
        return staged.anti_join(target, same)

    def _count_changes(
        self, rows: ir.Table, target: ir.Table, mode: LoadMode, key: tuple[str, ...]
    ) -> Changes:
        """Split `rows` into inserts and updates (rows whose key the target already has)."""
        if mode != "upsert":
            return Changes(rows, int(rows.count().execute()), 0)
        # One query counts both.
        target_keys = target.select(**{f"_target_{k}": target[k] for k in key})
        matched = rows.left_join(target_keys, [rows[k] == target_keys[f"_target_{k}"] for k in key])
        counts = (
            matched.aggregate(total=matched.count(), known=matched[f"_target_{key[0]}"].count())
            .to_pyarrow()
            .to_pylist()[0]
        )
        total, known = int(counts["total"]), int(counts["known"])
        return Changes(rows, total - known, known)

    @abstractmethod
    def _apply_many(self, writes: Sequence[Write], progress: Progress) -> list[Changes]:
        """Write each spec's conformed rows so readers see all of them or none."""

    def drop(self) -> None:
        """Drop every revops namespace with all its tables. There is no undo."""
        existing = set(self.con.list_databases())
        for namespace in NAMESPACES:
            schema = self.schema_name(namespace)
            if schema in existing:
                self.execute(f"DROP SCHEMA IF EXISTS {self.quote(schema)} CASCADE")

    @abstractmethod
    def execute(self, sql: str) -> None:
        """Run one SQL statement that returns no rows."""

    def interrupt(self) -> None:  # noqa: B027 - a backend that cannot does nothing
        """Stop the query this connection runs now, if the backend can (called from
        another thread; the query's caller sees an error)."""

    def close(self) -> None:
        """Release the connection."""
        self.con.disconnect()


def _is_query(data: Any) -> bool:
    """Whether `data` is an ibis table expression (a query over the warehouse)."""
    try:
        import ibis.expr.types as ir
    except ImportError:  # pragma: no cover - ibis is a dependency
        return False
    return isinstance(data, ir.Table)


def timeout_message(seconds: float, setting: str = "statement_timeout_seconds") -> str:
    """What a user is told when the time limit `setting` of the query budget stopped
    their query."""
    return (
        f"the query ran longer than the statement timeout ({seconds:g} s, "
        f"query_budget.{setting} in revops.yaml) and was stopped"
    )
