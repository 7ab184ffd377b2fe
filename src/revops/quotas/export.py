"""Quota and capacity plans as XLSX workbooks (names beside ids)."""

from __future__ import annotations

from revops.core.workbook import sheet_of, workbook_bytes
from revops.quotas.capacity import CapacityPlan
from revops.quotas.component import (
    HIRE_COLUMNS,
    MONTH_COLUMNS,
    QUARTER_REP_COLUMNS,
    REP_COLUMNS,
    TEAM_COLUMNS,
    QuotaPlan,
)

QUARTER_COLUMNS = ("quarter", "start", "season_share", "top_down")


def quota_workbook(found: QuotaPlan) -> bytes:
    """Sheets `quotas` (per rep per quarter), `reps` (the year), `teams` (top-down
    against bottom-up) and `quarters` (seasonality)."""
    return workbook_bytes({
        "quotas": sheet_of(found.quarter_rep_rows(), QUARTER_REP_COLUMNS),
        "reps": sheet_of(found.rep_rows(), REP_COLUMNS),
        "teams": sheet_of(found.team_rows(), TEAM_COLUMNS),
        "quarters": sheet_of(found.quarter_rows(), QUARTER_COLUMNS),
    })  # fmt: skip


def capacity_workbook(found: CapacityPlan) -> bytes:
    """Sheets `months` (per month), `hires` and `totals`."""
    totals = [{"key": k, "value": v} for k, v in found.totals().items()]
    return workbook_bytes({
        "months": sheet_of(found.rows, MONTH_COLUMNS),
        "hires": sheet_of(found.hire_rows(), HIRE_COLUMNS),
        "totals": sheet_of(totals, ("key", "value")),
    })  # fmt: skip
