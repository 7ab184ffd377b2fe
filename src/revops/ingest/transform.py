"""Run a mapping over source rows: canonical rows that pass every check, and the rest
as quarantine rows naming file, row, field, value and reason.

The work happens in an in-process DuckDB, whatever the warehouse: it reads the rows
as Arrow without copying them and checks every column of every row in one query.
"""

from __future__ import annotations

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
import pyarrow.compute as pc

from revops.errors import RevOpsError
from revops.ingest.compile import (
    FILE,
    ROW,
    SOURCE,
    compile_mapping,
    expression_fields,
    ident,
    literal,
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
    good: pa.Table
    rejected: pa.Table
    rows_in: int
    duplicates: int
    quarantined: int
    skipped: int
    missing_fields: tuple[str, ...]
    flagged: pa.Table | None = None
    """Values of accepted rows that look wrong (see :mod:`revops.ingest.suspicious`),
    as quarantine rows naming file, row and field; they load all the same."""


@contextmanager
def engine(memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the reference tables the checks use, closed after.

    Past `memory_limit` (``"1GB"``; default DuckDB's, 80 % of the machine's) it spills to
    a temporary directory of its own, removed after.
    """
    spill = Path(tempfile.mkdtemp(prefix="revops-ingest-"))
    con = duckdb.connect(":memory:", config={"temp_directory": str(spill)})
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit.replace(' ', '')}'")
        _prepare(con)
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


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
        columns, rows_read, problems = _register_sources(con, sources)
        for name, table in lookup_rows.items():
            con.register(f"lookup_{name}", table)
        return _map(con, mapping, files, columns, rows_read, problems, lookup_rows, allowed)
    except duckdb.OutOfMemoryException as exc:
        raise MappingError(
            f"mapping {mapping.name} ran out of memory on {', '.join(files)} "
            f"({str(exc).splitlines()[0]}): raise ingest.memory_limit in revops.yaml"
        ) from None
    finally:  # nothing of this load stays held by the engine
        for name in lookup_rows:
            con.unregister(f"lookup_{name}")
        if staged:
            con.execute("DROP TABLE IF EXISTS __source_all")
        else:
            con.unregister("__source_all")


def _register_sources(
    con: duckdb.DuckDBPyConnection, sources: Sequence[SourceRows]
) -> tuple[list[str], int, list[ReadProblem]]:
    """`__source_all`: the rows of every source, with the file of each row; its column
    names, its rows and the sources' problems.

    Sources read whole are one Arrow table DuckDB reads where it is. A file read in parts
    is copied part by part into a temporary table, which DuckDB keeps on disk past its
    memory limit: memory holds one part at a time.
    """
    if all(s.later is None for s in sources):
        rows = _stack(sources)
        con.register("__source_all", rows)
        return rows.column_names, rows.num_rows, [p for s in sources for p in s.problems]
    firsts = [_with_file(s.rows, s.file) for s in sources]
    schema = pa.unify_schemas([t.schema for t in firsts], promote_options="permissive")
    con.register("__source_schema", schema.empty_table())
    con.execute("CREATE OR REPLACE TEMP TABLE __source_all AS SELECT * FROM __source_schema")
    con.unregister("__source_schema")
    count = 0
    problems: list[ReadProblem] = []
    for source in sources:
        for rows, found in source.parts():
            con.register("__source_part", _with_file(rows, source.file))
            con.execute("INSERT INTO __source_all BY NAME SELECT * FROM __source_part")
            con.unregister("__source_part")
            count += rows.num_rows
            problems += found
    return schema.names, count, problems


def _map(
    con: duckdb.DuckDBPyConnection,
    mapping: Mapping,
    files: tuple[str, ...],
    columns: list[str],
    rows_read: int,
    read_problems: Sequence[ReadProblem],
    lookup_rows: MappingOf[str, pa.Table],
    allowed: MappingOf[str, Vocabulary] | None,
) -> MappedRows:
    where = f"WHERE {mapping.where}" if mapping.where else ""
    # Fields an expression reads that these files lack are read as empty, like fields.
    absent = sorted(expression_fields(mapping) - set(columns) - {"__name", "__value"})
    nulls = "".join(f", CAST(NULL AS VARCHAR) AS {ident(name)}" for name in absent)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS SELECT *{nulls} FROM __source_all {where}"
        )
        kept = _count(con, f"SELECT count(*) FROM {SOURCE}")
        compiled = compile_mapping(
            mapping,
            [c for c in columns if c not in (FILE, ROW)] + absent,
            {name: table.column_names for name, table in lookup_rows.items()},
            allowed,
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE __checked AS {compiled.select_sql()}")
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as exc:
        raise MappingError(
            f"mapping {mapping.name} ({mapping.path}) cannot run on {', '.join(files)}: "
            f"{str(exc).splitlines()[0]}"
        ) from None
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
        good = con.execute(
            f"SELECT {listed}, count(*) AS __copies FROM __checked WHERE NOT ({bad}) GROUP BY ALL"
        ).fetch_arrow_table()
        copies = good.column("__copies")
        duplicates = int(pc.sum(copies).as_py() or 0) - good.num_rows
        good = good.drop_columns(["__copies"])
    else:  # every row has an id of its own: none can be a copy of another
        good = con.execute(f"SELECT {listed} FROM __checked WHERE NOT ({bad})").fetch_arrow_table()
        duplicates = 0
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
    con.execute("DROP TABLE __checked")
    con.execute("DROP TABLE __refused")
    return MappedRows(
        mapping=mapping,
        files=files,
        good=good,
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
