"""Run a mapping over source rows: canonical rows that pass every check, and the rest
as quarantine rows naming file, row, field, value and reason.

The work happens in an in-process DuckDB, whatever the warehouse: it reads the rows
as Arrow without copying them and checks every column of every row in one query.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from collections.abc import Mapping as MappingOf
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from revops.errors import RevOpsError
from revops.ingest.compile import (
    FILE,
    ROW,
    SOURCE,
    CompiledMapping,
    compile_mapping,
    expression_fields,
    ident,
    literal,
    lookup_sql,
)
from revops.ingest.functions import create_functions
from revops.ingest.mapping import Mapping
from revops.ingest.reference import country_aliases, currency_codes
from revops.ingest.suspicious import flagged_sql
from revops.ingest.vocabulary import Vocabulary
from revops.model import get_entity

if TYPE_CHECKING:
    from revops.ingest.readers import ReadProblem, SourceRows

REJECTED_COLUMNS = ("file", "row", "source_id", "field", "column", "value", "reason", "record")


class MappingError(RevOpsError):
    """A mapping cannot run on a file: a broken expression, a lookup with no rows."""


@dataclass(frozen=True)
class MappedRows:
    """What a mapping made of its source rows:
    `rows_in = len(good) + duplicates + quarantined + skipped`.

    Rows are source records, except for an unpivot, which counts the records it makes
    (one per non-empty unpivoted field).
    """

    mapping: Mapping
    files: tuple[str, ...]
    good_rows: pa.Table | None
    """The accepted rows, or None when they were written to `good_file`."""
    rejected: pa.Table
    rows_in: int
    duplicates: int
    quarantined: int
    skipped: int
    missing_fields: tuple[str, ...]
    flagged: pa.Table | None = None
    """Values of accepted rows that look wrong (see :mod:`revops.ingest.suspicious`),
    as quarantine rows naming file, row and field; they load all the same."""
    good_file: Path | None = None
    """For a load of files read in parts: the accepted rows as a Parquet file of the
    engine's temporary directory (there while the engine is open), so memory need not
    hold them; a warehouse that reads files loads them from it."""

    @property
    def good(self) -> pa.Table:
        """The accepted rows (read from `good_file` when they were written there)."""
        if self.good_rows is not None:
            return self.good_rows
        assert self.good_file is not None
        rows: pa.Table = pq.read_table(self.good_file)
        return rows


@contextmanager
def engine(memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the reference tables the checks use, closed after.

    Past `memory_limit` (``"1GB"``; default DuckDB's, 80 % of the machine's) it spills to
    a temporary directory of its own, removed after.
    """
    _remove_stale(Path(tempfile.gettempdir()))
    spill = Path(tempfile.mkdtemp(prefix=f"{_SPILL}{os.getpid()}-"))
    try:
        con = duckdb.connect(":memory:", config={"temp_directory": str(spill)})
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit.replace(' ', '')}'")
        _prepare(con)
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


_SPILL = "revops-ingest-"


def _remove_stale(parent: Path) -> None:
    """Remove the temporary directories of engines whose process is gone (killed: the
    spilled rows of a large load can take gigabytes)."""
    for folder in parent.glob(f"{_SPILL}*-*"):
        pid = folder.name[len(_SPILL) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET TimeZone = 'UTC'")
    aliases = country_aliases()
    con.register(
        "__country_aliases",
        pa.table({"alias": list(aliases), "code": list(aliases.values())}),
    )
    con.execute("CREATE TABLE __countries AS SELECT DISTINCT code FROM __country_aliases")
    con.execute(
        "CREATE MACRO country_code(x) AS "
        "(SELECT code FROM __country_aliases WHERE alias = lower(trim(x)))"
    )
    con.register("__currencies", pa.table({"code": sorted(currency_codes())}))
    create_functions(con)


def map_rows(
    con: duckdb.DuckDBPyConnection,
    mapping: Mapping,
    sources: Sequence[SourceRows],
    lookups: MappingOf[str, Sequence[SourceRows]] | None = None,
    allowed: MappingOf[str, Vocabulary] | None = None,
) -> MappedRows:
    """Apply `mapping` to the rows of `sources` (several files of one object at once).

    Raises:
        MappingError: the mapping's SQL does not run on these files.
    """
    files = tuple(str(s.file) for s in sources)
    lookups = lookups or {}
    for name, lookup in mapping.lookups.items():
        if not lookups.get(lookup.object) and not lookup.optional:
            raise MappingError(
                f"mapping {mapping.name} ({mapping.path}) joins {lookup.object} as {name!r}, "
                f"but no {lookup.object} file of {mapping.source} was given"
            )
    lookup_rows = {
        name: _only(
            _stack(lookups.get(lookup.object, ())),
            expression_fields(mapping, name)
            | {lookup.key}
            | {
                field.partition(".")[2]
                for field in [
                    *(o.on for o in mapping.lookups.values()),
                    *(f for rule in mapping.rules().values() for f in rule.fields),
                ]
                if field.startswith(f"{name}.")
            },
        )
        for name, lookup in mapping.lookups.items()
    }
    staged = any(s.later is not None for s in sources)
    try:
        for name, table in lookup_rows.items():
            # Made once per load, not in each part's query.
            con.register("__lookup_rows", table)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {ident('lookup_' + name)} AS "
                + lookup_sql(mapping, name, "__lookup_rows")
            )
            con.unregister("__lookup_rows")
        checked = _check(con, mapping, sources, lookup_rows, allowed)
        return _finish(con, checked, files)
    except duckdb.OutOfMemoryException as exc:
        raise MappingError(
            f"mapping {mapping.name} ran out of memory on {', '.join(files)} "
            f"({str(exc).splitlines()[0]}): raise ingest.memory_limit in revops.yaml"
        ) from None
    except duckdb.Error as exc:
        raise MappingError(
            f"mapping {mapping.name} ({mapping.path}) cannot run on {', '.join(files)}: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    finally:  # nothing of this load stays held by the engine
        for name in lookup_rows:
            con.execute(f"DROP TABLE IF EXISTS {ident('lookup_' + name)}")
        for table in ("__checked", "__refused", "__good", *(("__source_all",) if staged else ())):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        if not staged:
            con.unregister("__source_all")


@dataclass(frozen=True)
class _Checked:
    """`__checked` made: every source row mapped, with its raw values and reasons."""

    mapping: Mapping
    compiled: CompiledMapping
    columns: list[str]
    absent: list[str]
    rows_read: int
    kept: int
    problems: list[ReadProblem]
    staged: bool = False
    """Whether files read in parts were copied into the engine part by part."""


def _check(
    con: duckdb.DuckDBPyConnection,
    mapping: Mapping,
    sources: Sequence[SourceRows],
    lookup_rows: MappingOf[str, pa.Table],
    allowed: MappingOf[str, Vocabulary] | None,
) -> _Checked:
    """Map every row of `sources` into the temporary table `__checked`, their rows into
    `__source_all` (read again only for the refused rows' records).

    Sources read whole are one Arrow table DuckDB reads where it is, mapped in one query.
    When a file was read in parts, each part is copied into `__source_all` and mapped
    into `__checked` in a statement of its own, and DuckDB may move what each committed
    to disk past its memory limit: memory holds one part at a time.
    """
    lookup_fields = {name: table.column_names for name, table in lookup_rows.items()}
    where = f"WHERE {mapping.where}" if mapping.where else ""
    if all(s.later is None for s in sources):
        rows = _stack(sources)
        con.register("__source_all", rows)
        columns = rows.column_names
        compiled, absent = _compiled(mapping, columns, lookup_fields, allowed)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS SELECT *{_nulls(absent)} "
            f"FROM __source_all {where}"
        )
        kept = _count(con, f"SELECT count(*) FROM {SOURCE}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE __checked AS {compiled.select_sql()}")
        whole = [p for s in sources for p in s.problems]
        return _Checked(mapping, compiled, columns, absent, rows.num_rows, kept, whole)
    firsts = [_with_file(s.rows, s.file) for s in sources]
    shape = pa.unify_schemas([t.schema for t in firsts], promote_options="permissive")
    columns = shape.names
    compiled, absent = _compiled(mapping, columns, lookup_fields, allowed)
    con.register("__source_shape", shape.empty_table())
    con.execute("CREATE OR REPLACE TEMP TABLE __source_all AS SELECT * FROM __source_shape")
    # A part of a file lacking a column of another file reads it as empty.
    part = "(SELECT * FROM __source_shape UNION ALL BY NAME SELECT * FROM __source_part)"
    rows_read = kept = 0
    problems: list[ReadProblem] = []
    made = False
    for source in sources:
        for rows, found in source.parts():
            con.register("__source_part", _with_file(rows, source.file))
            con.execute(f"INSERT INTO __source_all SELECT * FROM {part}")
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS SELECT *{_nulls(absent)} "
                f"FROM {part} {where}"
            )
            kept += _count(con, f"SELECT count(*) FROM {SOURCE}")
            select = compiled.select_sql()
            con.execute(
                f"INSERT INTO __checked {select}"
                if made
                else f"CREATE OR REPLACE TEMP TABLE __checked AS {select}"
            )
            made = True
            con.unregister("__source_part")
            rows_read += rows.num_rows
            problems += found
    con.unregister("__source_shape")
    return _Checked(mapping, compiled, columns, absent, rows_read, kept, problems, staged=True)


def _compiled(
    mapping: Mapping,
    columns: list[str],
    lookup_fields: MappingOf[str, list[str]],
    allowed: MappingOf[str, Vocabulary] | None,
) -> tuple[CompiledMapping, list[str]]:
    """The mapping's query for rows of `columns`, and the fields an expression reads that
    the rows lack (read as empty, like fields)."""
    absent = sorted(expression_fields(mapping) - set(columns) - {"__name", "__value"})
    compiled = compile_mapping(
        mapping, [c for c in columns if c not in (FILE, ROW)] + absent, lookup_fields, allowed
    )
    return compiled, absent


def _nulls(absent: Sequence[str]) -> str:
    return "".join(f", CAST(NULL AS VARCHAR) AS {ident(name)}" for name in absent)


def _finish(
    con: duckdb.DuckDBPyConnection, checked: _Checked, files: tuple[str, ...]
) -> MappedRows:
    """The accepted rows, the refused and flagged ones, and the counts, from `__checked`."""
    mapping, compiled, columns = checked.mapping, checked.compiled, checked.columns
    absent, rows_read, kept = checked.absent, checked.rows_read, checked.kept
    read_problems = checked.problems
    entity = get_entity(mapping.entity)
    canonical = [c.name for c in entity.all_columns if c.name != "load_id"]
    repeated = _reject_conflicting_ids(con, canonical)
    errors = [ident(f"__error_{c.name}") for c in compiled.columns if c.error != "NULL"]
    bad = " OR ".join(f"{e} IS NOT NULL" for e in errors) or "FALSE"
    bad_rows = _count(con, f"SELECT count(*) FROM __checked WHERE {bad}")
    present = [c for c in canonical if c in {col.name for col in compiled.columns}]
    listed = ", ".join(ident(c) for c in present)
    if repeated:
        # Exact duplicate rows collapse here, where it is cheap, and are counted.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE __good AS SELECT {listed}, count(*) AS __copies "
            f"FROM __checked WHERE NOT ({bad}) GROUP BY ALL"
        )
        duplicates = _count(con, "SELECT coalesce(sum(__copies) - count(*), 0) FROM __good")
        good_sql = f"SELECT {listed} FROM __good"
    else:  # every row has an id of its own: none can be a copy of another
        good_sql = f"SELECT {listed} FROM __checked WHERE NOT ({bad})"
        duplicates = 0
    good_file = _spill_file(con, "accepted.parquet") if checked.staged else None
    if good_file is not None:
        con.execute(f"COPY ({good_sql}) TO {literal(str(good_file))} (FORMAT parquet)")
        good = None
    else:
        good = con.execute(good_sql).fetch_arrow_table()
    # The refused rows, in one pass: each column's reasons read only them.
    con.execute(f"CREATE OR REPLACE TEMP TABLE __refused AS SELECT * FROM __checked WHERE {bad}")
    rejected_sql = " UNION ALL ".join(
        f"SELECT {ident(FILE)} AS {ident('file')}, {ident(ROW)} AS {ident('row')}, "
        f"__raw_source_id AS {ident('source_id')}, {literal(c.origin)} AS {ident('field')}, "
        f"{literal(c.name)} AS {ident('column')}, {ident('__raw_' + c.name)} AS {ident('value')}, "
        f"{ident('__error_' + c.name)} AS {ident('reason')} "
        f"FROM __refused WHERE {ident('__error_' + c.name)} IS NOT NULL"
        for c in compiled.columns
        if c.error != "NULL" and bad_rows
    )
    order = ", ".join(f"refused.{ident(c)}" for c in ("file", "row", "column"))
    # The whole source record, as JSON, only for the rows refused: cheap when few are.
    with_record = (
        f"SELECT refused.*, to_json(original) AS {ident('record')} "
        f"FROM ({rejected_sql}) AS refused "
        f"LEFT JOIN __source_all AS original ON original.{ident(FILE)} = refused.{ident('file')} "
        f"AND original.{ident(ROW)} = refused.{ident('row')} ORDER BY {order}"
    )
    rejected = con.execute(with_record).fetch_arrow_table() if rejected_sql else _empty_rejected()
    filled = {c.name: c.origin for c in compiled.columns}
    flags = flagged_sql(mapping.entity, filled, filled, f"NOT ({bad})")
    flagged = (
        con.execute(f"{flags} ORDER BY 1, 2, 5").fetch_arrow_table().cast(_rejected_schema())
        if flags
        else _empty_rejected()
    )
    mapped = _count(con, "SELECT count(*) FROM __checked")
    problems = _problem_rows(read_problems)
    return MappedRows(
        mapping=mapping,
        files=files,
        good_rows=good,
        good_file=good_file,
        rejected=pa.concat_tables([rejected.cast(_rejected_schema()), problems]),
        rows_in=mapped + problems.num_rows + rows_read - kept,
        duplicates=duplicates,
        quarantined=bad_rows + problems.num_rows,
        skipped=rows_read - kept,
        missing_fields=tuple(
            name
            for name in dict.fromkeys((*compiled.missing_fields, *absent))
            if not inside_empty_object(name, columns)
        ),
        flagged=flagged,
    )


def _spill_file(con: duckdb.DuckDBPyConnection, name: str) -> Path:
    """A path in the engine's temporary directory (see :func:`engine`), removed with it."""
    row = con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert row is not None
    folder = Path(str(row[0]))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _reject_conflicting_ids(con: duckdb.DuckDBPyConnection, canonical: list[str]) -> bool:
    """Rows sharing a source id but differing in content: which is right would be a guess.

    Returns whether two rows may be copies of each other: some id appears more than
    once, or some row has none.
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __repeated AS SELECT source_id, count(*) AS n "
        "FROM __checked WHERE source_id IS NOT NULL GROUP BY source_id HAVING count(*) > 1"
    )
    repeated = _count(con, "SELECT count(*) FROM __repeated") > 0
    if repeated:
        columns = ", ".join(ident(c) for c in canonical if c in _checked_columns(con))
        con.execute(
            f"""
            UPDATE __checked SET __error_source_id =
                'id appears ' || conflicts.n || ' times with different values'
            FROM (
                SELECT source_id, count(*) AS n FROM __checked
                SEMI JOIN __repeated USING (source_id)
                GROUP BY source_id HAVING count(DISTINCT hash({columns})) > 1
            ) AS conflicts
            WHERE __checked.source_id = conflicts.source_id
            """
        )
    con.execute("DROP TABLE __repeated")
    return repeated or _count(con, "SELECT count(*) FROM __checked WHERE source_id IS NULL") > 0


def _checked_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("DESCRIBE __checked").fetchall()}


def _with_file(rows: pa.Table, file: Path) -> pa.Table:
    return rows.append_column(FILE, pa.array([str(file)] * rows.num_rows, pa.string()))


def _stack(sources: Sequence[SourceRows]) -> pa.Table:
    """The rows of several files of one object as one table, with the file of each row."""
    tables = [_with_file(s.whole().rows, s.file) for s in sources]
    if not tables:
        return pa.table({ROW: pa.array([], pa.int64()), FILE: pa.array([], pa.string())})
    return pa.concat_tables(tables, promote_options="permissive")


def inside_empty_object(name: str, columns: Sequence[str]) -> bool:
    """Whether `name` is a field of a nested object the file has, empty (`discount.end`
    beside a column `discount`): its value is empty, not missing from the file.

    Examples:
        >>> inside_empty_object("parent.discount.coupon.duration", ["parent.discount"])
        True
        >>> inside_empty_object("discount_end", ["discount"])
        False
    """
    parts = name.split(".")
    return any(".".join(parts[:n]) in columns for n in range(1, len(parts)))


def _only(table: pa.Table, fields: set[str]) -> pa.Table:
    """A lookup's `table` with only the `fields` the mapping reads of it (those it lacks
    as empty columns: an expression reads them), and the file and row of each record: a
    large lookup joined with all its columns would cost memory for nothing."""
    for name in sorted(fields - set(table.column_names)):
        table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table.select(sorted(fields) + [c for c in (FILE, ROW) if c in table.column_names])


def _rejected_schema() -> pa.Schema:
    return pa.schema(
        [(name, pa.int64() if name == "row" else pa.string()) for name in REJECTED_COLUMNS]
    )


def _empty_rejected() -> pa.Table:
    return _rejected_schema().empty_table()


def _problem_rows(problems: Sequence[ReadProblem]) -> pa.Table:
    """Records the reader could not read, as quarantine rows (no field: the whole row)."""
    rows = [
        {
            "file": str(p.file),
            "row": p.row,
            "source_id": None,
            "field": None,
            "column": None,
            "value": p.text,
            "reason": p.reason,
            "record": None,
        }
        for p in problems
        if p.row is not None
    ]
    return pa.Table.from_pylist(rows, schema=_rejected_schema())
