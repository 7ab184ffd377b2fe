"""Read Excel workbooks (.xlsx), every sheet with a header row an object.

The first row of a sheet with a value in it is its header; rows with no value are not
records. Values are the ones Excel last computed (formulas are not evaluated again).
Dates become ISO 8601 (a date-time at midnight is a date, ``2024-03-01``), whole numbers
lose their ``.0``, booleans become ``true`` / ``false``. A row with values beyond the
last header column is a problem.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.ingest.readers.base import (
    ReadProblem,
    RepeatedHeader,
    SourceRows,
    clip,
    column_names,
    repeated_headers,
    string_table,
    unreadable,
)
from revops.ingest.readers.jsonl import text_of

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet


def read_excel(path: Path) -> list[SourceRows]:
    """The sheets of a workbook: one object per sheet with a header row, named after the
    sheet when several sheets have one, else after the file.

    Examples:
        >>> import tempfile, openpyxl
        >>> file = Path(tempfile.mkdtemp()) / "Plan.xlsx"
        >>> book = openpyxl.Workbook()
        >>> book.active.append(["Rep", "Quota"])
        >>> book.active.append(["Ana", 125000.0])
        >>> book.save(file)
        >>> [(s.object, s.rows.to_pylist()) for s in read_excel(file)]
        [('Plan', [{'Rep': 'Ana', 'Quota': '125000', '__row': 2}])]
    """
    from openpyxl import load_workbook

    name = path.stem
    try:
        if path.stat().st_size == 0:
            return [unreadable(path, name, "xlsx", "file is empty")]
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; values are fine.
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except (PermissionError, IsADirectoryError) as error:
        return [unreadable(path, name, "xlsx", f"cannot read the file: {error.strerror}")]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return [unreadable(path, name, "xlsx", f"not an xlsx workbook: {error}")]
    try:
        sheets = [
            (sheet.title, _read_sheet(path, sheet))
            for sheet in book.worksheets
            if hasattr(sheet, "iter_rows")
        ]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return [unreadable(path, name, "xlsx", f"not an xlsx workbook: {error}")]
    finally:
        book.close()
    found = [(title, sheet) for title, sheet in sheets if sheet is not None]
    if not found:
        return [unreadable(path, name, "xlsx", "file is empty (no sheet has a header row)")]
    several = len(found) > 1
    return [
        SourceRows(path, title if several else name, rows, problems, "xlsx", repeated=repeated)
        for title, (rows, problems, repeated) in found
    ]


def _read_sheet(
    path: Path, sheet: ReadOnlyWorksheet
) -> tuple[Any, tuple[ReadProblem, ...], tuple[RepeatedHeader, ...]] | None:
    rows = _rows(sheet)
    for _number, header in rows:
        if any(cell is not None for cell in header):
            break
    else:
        return None
    width = max(i for i, cell in enumerate(header, start=1) if cell is not None)
    names = column_names(header[:width])
    columns: dict[str, list[str | None]] = {column: [] for column in names}
    positions: list[int] = []
    problems: list[ReadProblem] = []
    for number, cells in rows:
        if all(cell is None for cell in cells):
            continue
        beyond = [i for i, cell in enumerate(cells[width:], start=width + 1) if cell is not None]
        if beyond:
            reason = f"has a value in column {_letter(beyond[0])}, which has no header"
            text = ",".join("" if cell is None else cell for cell in cells)
            problems.append(ReadProblem(path, number, reason, clip(text)))
            continue
        for column, cell in zip(names, _padded(cells, width), strict=True):
            columns[column].append(cell)
        positions.append(number)
    repeated = repeated_headers(header[:width])
    return string_table(columns, positions), tuple(problems), repeated


def _rows(sheet: Any) -> Iterator[tuple[int, list[str | None]]]:
    """Each row with its number as Excel shows it, cells as text. (`sheet` is a
    ReadOnlyWorksheet, typed Any: the stubs give its iter_rows a Worksheet as self.)"""
    for cells in sheet.iter_rows():
        number = next((c.row for c in cells if getattr(c, "row", None) is not None), None)
        if number is None:
            continue
        yield number, [cell_text(c.value) for c in cells]


def _padded(cells: Sequence[str | None], width: int) -> list[str | None]:
    return [*cells[:width], *[None] * (width - len(cells))]


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def cell_text(value: object) -> str | None:
    """A cell's value as text.

    Examples:
        >>> import datetime
        >>> [cell_text(v) for v in (3.0, 2.5, True, "", datetime.datetime(2024, 3, 1))]
        ['3', '2.5', 'true', None, '2024-03-01']
        >>> cell_text(datetime.datetime(2024, 3, 1, 14, 5))
        '2024-03-01T14:05:00'
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, str | bool | int | float):
        return text_of(value)
    return str(value)
