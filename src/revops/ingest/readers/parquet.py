"""Read Parquet files, every column turned into text the way a CSV export would show it.

Timestamps become ISO 8601 (``2024-03-01T14:05:00``; time-zone aware ones in UTC with a
``Z``), dates ``2024-03-01``, booleans ``true`` / ``false``, numbers their shortest
text. Struct columns become dotted columns, lists and maps compact JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from revops.ingest.readers.base import ROW, SourceRows, unreadable


def read_parquet(path: Path) -> list[SourceRows]:
    """The records of a Parquet file, as one object named after the file.

    Examples:
        >>> import datetime, tempfile
        >>> file = Path(tempfile.mkdtemp()) / "Deal.parquet"
        >>> pq.write_table(pa.table({"amount": [1.5], "on": [datetime.date(2024, 3, 1)]}), file)
        >>> read_parquet(file)[0].rows.to_pylist()
        [{'amount': '1.5', 'on': '2024-03-01', '__row': 1}]
    """
    name = path.stem
    try:
        if path.stat().st_size == 0:
            return [unreadable(path, name, "parquet", "file is empty")]
        table = pq.read_table(path)
    except (PermissionError, FileNotFoundError, IsADirectoryError) as error:
        return [unreadable(path, name, "parquet", f"cannot read the file: {error.strerror}")]
    except (OSError, pa.ArrowException, ValueError) as error:
        return [unreadable(path, name, "parquet", f"not a Parquet file: {error}")]
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    columns = {field.name: as_text(table.column(field.name)) for field in table.schema}
    columns[ROW] = pa.chunked_array([pa.array(range(1, table.num_rows + 1), pa.int64())])
    return [SourceRows(path, name, pa.table(columns), (), "parquet")]


def as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as strings.

    Examples:
        >>> import datetime
        >>> moments = pa.chunked_array([[datetime.datetime(2024, 3, 1, 14, 5)]])
        >>> as_text(moments).to_pylist()
        ['2024-03-01T14:05:00']
        >>> as_text(pa.chunked_array([[True, None]])).to_pylist()
        ['true', None]
    """
    kind = column.type
    if pa.types.is_dictionary(kind):
        return as_text(column.cast(kind.value_type))
    if pa.types.is_string(kind):
        return column
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            column = column.cast(pa.timestamp(kind.unit, "UTC"))
        if kind.unit != "s" and _whole_seconds(column):
            column = column.cast(pa.timestamp("s", kind.tz and "UTC"))
        return pc.replace_substring(column.cast(pa.string()), " ", "T", max_replacements=1)
    if pa.types.is_time(kind):
        if kind.unit != "s" and _whole_seconds(column):
            column = column.cast(pa.time32("s"))
        return column.cast(pa.string())
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(column), pa.string())])
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        try:
            return column.cast(pa.string())
        except pa.ArrowInvalid:
            return _python(column, lambda value: value.hex())
    if pa.types.is_nested(kind):
        return _python(column, lambda value: json.dumps(value, default=str, separators=(",", ":")))
    try:
        return column.cast(pa.string())
    except pa.ArrowNotImplementedError:
        return _python(column, str)


def _whole_seconds(column: pa.ChunkedArray) -> bool:
    kind = column.type
    seconds = pa.time32("s") if pa.types.is_time(kind) else pa.timestamp("s", kind.tz)
    truncated = column.cast(seconds, safe=False).cast(kind)
    return pc.all(pc.equal(truncated, column)).as_py() is not False


def _python(column: pa.ChunkedArray, convert: Callable[[Any], str]) -> pa.ChunkedArray:
    values = [None if v is None else convert(v) for v in column.to_pylist()]
    return pa.chunked_array([pa.array(values, pa.string())])
