"""A territory plan as an XLSX workbook: every account's current and proposed owner
(names beside ids), each rep's book, and the comparison."""

from __future__ import annotations

from typing import Any

from revops.core.workbook import sheet_of, workbook_bytes
from revops.territories.component import ASSIGNMENT_COLUMNS, COMPARISON_COLUMNS, REP_COLUMNS
from revops.territories.pending import PendingPlan


def territory_workbook(found: PendingPlan, assignment: list[dict[str, Any]]) -> bytes:
    """Sheets `assignment` (rows of :meth:`Territories.assignment_rows`), `reps` and
    `comparison`."""
    return workbook_bytes({
        "assignment": sheet_of(assignment, ASSIGNMENT_COLUMNS),
        "reps": sheet_of(found.reps, REP_COLUMNS),
        "comparison": sheet_of(found.comparison, COMPARISON_COLUMNS),
    })  # fmt: skip
