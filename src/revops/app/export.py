"""CSV and XLSX downloads of small tables."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(
    name: str, header: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str
) -> Response:
    """A download of `rows` under `header`, as ``csv`` or ``xlsx``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(header))
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return Response(
            buffer.getvalue(),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{safe}.xlsx"'},
        )
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return Response(
        text.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
    )


def _xlsx_cell(value: Any) -> Any:
    # A text cell starting with = would run as a formula in the reader's spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
