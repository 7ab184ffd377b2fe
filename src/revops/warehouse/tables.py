"""A table as an ibis expression, from the column types the database reports; and the
statement that creates a table.

Ibis parses each column's type text with sqlglot every time it looks a table up: a
load looks up a few tables, and an ingest of forty files spent more time parsing the
same few dozen type texts than the database spent describing the tables. The database
is still asked every time (a table may have changed); only the parse is remembered.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.datatypes as dt
    import ibis.expr.schema as sch
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend


@lru_cache(maxsize=4096)
def data_type(mapper: Any, text: str, nullable: bool) -> dt.DataType:
    """The ibis type of a column the backend describes as `text` (parsed once per
    backend dialect, type text and nullability)."""
    found: dt.DataType = mapper.from_string(text, nullable=nullable)
    return found


def bound_table(
    con: BaseBackend,
    name: str,
    database: str | None,
    columns: Iterable[tuple[str, str, bool]],
) -> ir.Table:
    """The table `database.name` of the backend `con`, whose columns are given as
    (name, type text as the backend writes it, nullable)."""
    import ibis.expr.operations as ops
    import ibis.expr.schema as sch

    mapper = con.compiler.type_mapper
    schema = sch.Schema({column: data_type(mapper, text, null) for column, text, null in columns})
    namespace = ops.Namespace(catalog=None, database=database)
    return ops.DatabaseTable(name, schema=schema, source=con, namespace=namespace).to_expr()


@lru_cache(maxsize=1024)
def create_table_sql(dialect: Any, database: str, name: str, schema: sch.Schema) -> str:
    """`CREATE TABLE database.name (…)` in `dialect`, as ibis writes it (written once per
    dialect, table and schema: a warehouse's tables are created again for every new
    warehouse, and writing the statement cost more than running it)."""
    import sqlglot.expressions as sge

    target = sge.Schema(
        this=sge.table_(name, db=database, quoted=True),
        expressions=schema.to_sqlglot_column_defs(dialect),
    )
    return sge.Create(kind="TABLE", this=target).sql(dialect)
