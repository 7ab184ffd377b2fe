"""Conform an incoming batch to its target table before it is loaded."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from revops.errors import LoadError

if TYPE_CHECKING:
    import ibis.expr.schema as sch


def new_load_id() -> str:
    """A new load id: hex, sortable by time, safe as part of a table name."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(6)}"


@dataclass(frozen=True)
class QueryRows:
    """Rows that are a query over the same warehouse, loaded without leaving it (a large
    table built in steps, such as an identity run's scored pairs): `expr` has the target's
    columns and types, `load_id` included; `num_rows` is counted once."""

    expr: Any
    num_rows: int


@dataclass(frozen=True)
class ConformedBatch:
    """A batch with the target's columns and types, exact duplicate rows removed."""

    rows: pa.Table | QueryRows
    rows_in: int
    duplicates: int


def conform(
    data: Any,
    target: sch.Schema,
    *,
    table: str,
    load_id: str,
    key: tuple[str, ...],
    distinct: bool = False,
    restore: bool = False,
) -> ConformedBatch:
    """Give `data` exactly the columns and types of `target`.

    Missing nullable columns become nulls; `load_id` is stamped when the table has one;
    exact duplicate rows collapse to one (counted); rows that share a key but differ
    are refused, because which one wins would be a guess. A caller that already removed
    exact duplicates says `distinct` and saves the work. A batch of before-images says
    `restore` and keeps the `load_id` it carries.

    Raises:
        LoadError: unknown columns, values that do not cast, keys that are missing,
            null or conflicting.
    """
    rows = _to_arrow(data, table)
    rows_in = rows.num_rows
    unknown = [c for c in rows.column_names if c not in target]
    if unknown:
        raise LoadError(table, f"unknown column(s) {', '.join(sorted(unknown))}")
    missing_keys = [k for k in key if k not in rows.column_names]
    if missing_keys:
        raise LoadError(table, f"key column(s) missing from the batch: {', '.join(missing_keys)}")

    arrow_schema = target.to_pyarrow()
    columns = []
    for field in arrow_schema:
        if field.name == "load_id" and not (restore and "load_id" in rows.column_names):
            columns.append(pa.array([load_id] * rows_in, pa.string()))
        elif field.name in rows.column_names:
            columns.append(_cast(rows.column(field.name), field, table))
        else:
            columns.append(pa.nulls(rows_in, field.type))
    conformed = pa.Table.from_arrays(columns, schema=arrow_schema)

    for name in key:
        nulls = conformed.column(name).null_count
        if nulls:
            raise LoadError(table, f"key column {name} is empty in {nulls} row(s)")
    unique = conformed if distinct else _distinct(conformed)
    if key:
        _refuse_conflicting_keys(unique, key, table)
    return ConformedBatch(unique, rows_in, rows_in - unique.num_rows)


def _to_arrow(data: Any, table: str) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, list):
        # Every key of every row: from_pylist would keep only the first row's keys.
        columns = dict.fromkeys(key for row in data for key in row)
        return pa.Table.from_pydict({c: [row.get(c) for row in data] for c in columns})
    raise LoadError(table, f"cannot load a {type(data).__name__}; pass a pyarrow Table")


def _cast(column: pa.ChunkedArray, field: pa.Field, table: str) -> pa.ChunkedArray:
    if column.type == field.type:
        return column
    try:
        return column.cast(field.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise LoadError(
            table, f"column {field.name} cannot be read as {field.type}: {exc}"
        ) from None


def _distinct(rows: pa.Table) -> pa.Table:
    if rows.num_rows < 2:
        return rows
    indexed = rows.append_column("__row", pa.array(range(rows.num_rows), pa.int64()))
    try:
        firsts = indexed.group_by(rows.column_names, use_threads=False).aggregate(
            [("__row", "min")]
        )
    except pa.ArrowNotImplementedError:
        return rows  # a column type arrow cannot group by: keep rows as they are
    keep = pc.sort_indices(firsts.column("__row_min"))
    return rows.take(pc.take(firsts.column("__row_min"), keep))


def _refuse_conflicting_keys(rows: pa.Table, key: tuple[str, ...], table: str) -> None:
    counts = rows.group_by(list(key)).aggregate([([], "count_all")])
    conflicts = counts.filter(pc.greater(counts.column("count_all"), 1))
    if conflicts.num_rows:
        first = conflicts.slice(0, 1).to_pylist()[0]
        shown = ", ".join(f"{k}={first[k]!r}" for k in key)
        raise LoadError(
            table,
            f"{conflicts.num_rows} key(s) appear more than once with different values "
            f"(first: {shown}); deduplicate the batch first",
        )
