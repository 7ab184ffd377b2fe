"""CSV and XLSX downloads of small tables (XLSX by :mod:`revops.core.workbook`); text that
would run as a spreadsheet formula is escaped (:func:`revops.core.cells.spreadsheet_safe`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from revops.core.cells import spreadsheet_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(
    name: str, header: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str
) -> Response:
    """A download of `rows` under `header`, as ``csv`` or ``xlsx``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    if fmt == "xlsx":
        from revops.core.workbook import workbook_bytes

        return Response(
            workbook_bytes({safe: (header, rows)}),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{safe}.xlsx"'},
        )
    text = io.StringIO()
    # CRLF, as RFC 4180 says: it also makes the csv module quote a cell holding a lone CR.
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else spreadsheet_safe(v) for v in row] for row in rows])
    return Response(
        text.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
    )
