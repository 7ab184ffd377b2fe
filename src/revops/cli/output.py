"""The one console layer: rich tables for people, JSON and CSV for machines."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from revops.core.cells import spreadsheet_safe


class OutputFormat(StrEnum):
    """How a read command prints its result."""

    table = "table"
    json = "json"
    csv = "csv"


PIPE_WIDTH = 160


def console() -> Console:
    """The console for people-facing output on stdout.

    A terminal sets its own width; into a pipe or file, tables get room to stay readable
    (rich's default there is 80 columns) unless $COLUMNS says otherwise.
    """
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(soft_wrap=True, width=PIPE_WIDTH if wide else None)


def error_console() -> Console:
    """The console for errors on stderr; never wraps, so an error stays one line."""
    return Console(stderr=True, soft_wrap=True)


def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: OutputFormat,
    *,
    title: str | None = None,
) -> None:
    """Print `rows` (with these `columns`, in order) as a table, JSON or CSV."""
    if fmt is OutputFormat.json:
        payload = [{c: row.get(c) for c in columns} for row in rows]
        sys.stdout.write(json.dumps(payload, indent=2, default=_plain) + "\n")
    elif fmt is OutputFormat.csv:
        sys.stdout.write(csv_line(columns))
        for row in rows:
            sys.stdout.write(csv_line([csv_cell(row.get(c)) for c in columns]))
    else:
        table = Table(title=title, title_justify="left")
        for index, column in enumerate(columns):
            # The first column names the row: keep it whole so it can be searched for.
            table.add_column(column, no_wrap=index == 0)
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        console().print(table)


def render_document(document: Any, fmt: OutputFormat) -> None:
    """Print a nested document: JSON for `json`, dotted key/value rows otherwise."""
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(document, indent=2, default=_plain) + "\n")
        return
    rows = [{"key": k, "value": v} for k, v in _flatten(document, "")]
    render(rows, ("key", "value"), fmt)


def _flatten(value: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(value, Mapping):
        items: list[tuple[str, Any]] = []
        for key, inner in value.items():
            items += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return items
    if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        items = []
        for index, inner in enumerate(value):
            items += _flatten(inner, f"{prefix}[{index}]")
        return items
    return [(prefix, value)]


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: text a spreadsheet would run as a formula escaped, numbers
    as they are (:func:`revops.core.cells.spreadsheet_safe`)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return _cell(value)
    return spreadsheet_safe(_cell(value))


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write `rows` under `columns` to the CSV file `path` (cells as :func:`csv_cell`);
    returns the number of rows."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(csv_line(columns))
        for row in rows:
            handle.write(csv_line([csv_cell(row.get(c)) for c in columns]))
            count += 1
    return count


def csv_line(cells: Sequence[Any]) -> str:
    """One CSV record ending in a newline. A cell holding a line break of either kind is
    quoted (the csv module quotes a lone carriage return only when the record ends in
    one, hence the CRLF written and trimmed)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2] + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(_plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
