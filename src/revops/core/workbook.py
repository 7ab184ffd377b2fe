"""XLSX workbooks of small tables (openpyxl), one sheet per table; text that would run as a
spreadsheet formula is escaped (:func:`revops.core.cells.spreadsheet_safe`)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from revops.core.cells import spreadsheet_safe

Sheet = tuple[Sequence[str], Sequence[Sequence[Any]]]
"""A sheet: its header and its rows."""


def workbook_bytes(sheets: Mapping[str, Sheet]) -> bytes:
    """An XLSX file of `sheets` (name → header, rows), in order."""
    from openpyxl import Workbook

    book = Workbook()
    first = True
    for name, (header, rows) in sheets.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = name[:31]  # Excel's limit
        first = False
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_of(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Sheet:
    """A sheet of dict rows under `columns`."""
    return columns, [[row.get(c) for c in columns] for row in rows]


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # a number in the sheet; amounts here are whole cents
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # XLSX has no time zones; revops's are UTC
    if value is None or isinstance(value, bool | int | float | date):
        return value
    if isinstance(value, list | tuple):
        return spreadsheet_safe(", ".join(str(v) for v in value))
    return spreadsheet_safe(value)
