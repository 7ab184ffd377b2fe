"""The metrics resource: catalog, values, drill-down rows, exports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from revops.app.api.params import By, ExportFormat, GrainParam, MetricName, Where, Window
from revops.app.deps import Exporter, RowReader, StateDep, Viewer
from revops.app.export import XLSX, table_response
from revops.app.views.explorer import (
    EXPORT_LIMIT,
    ExplorerView,
    MetricOption,
    RowsView,
    build_explorer,
    build_rows,
    catalog_options,
    drill_tables,
)

router = APIRouter(prefix="/metrics", tags=["metrics"])
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The table as a file: CSV (text/csv) or XLSX.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
"""A download's documented answer (not JSON)."""


@router.get("")
def catalog(state: StateDep, _principal: Viewer) -> list[MetricOption]:
    """Every metric of the catalog."""
    return catalog_options(state)


@router.get("/explore")
def explore(
    state: StateDep,
    principal: Viewer,
    metric: MetricName = "bookings",
    window: Window = None,
    grain: GrainParam = None,
    by: By = None,
) -> ExplorerView:
    """Values of a metric for a window, grain and slice (the page `/metrics`)."""
    return build_explorer(state, principal, metric, window, grain, by)


@router.get("/rows")
def rows(
    state: StateDep, principal: RowReader, metric: MetricName, window: Window = None,
    where: Where = [],  # noqa: B006 - FastAPI copies defaults per request
) -> RowsView:  # fmt: skip
    """The rows behind a value (the page `/metrics/rows`)."""
    return build_rows(state, principal, metric, window, where)


@router.get("/export", response_class=Response, responses=DOWNLOAD)
def export(
    state: StateDep,
    principal: Exporter,
    metric: MetricName,
    fmt: ExportFormat = "csv",
    window: Window = None,
    grain: GrainParam = None,
    by: By = None,
) -> Response:
    """The explorer's table as CSV or XLSX."""
    view = build_explorer(state, principal, metric, window, grain, by)
    header = ["metric", "period", view.by or "slice", "value"]
    body = [[view.metric, r.period, r.slice, r.value] for r in view.rows]
    return table_response(f"{metric}-{view.window}", header, body, fmt)


@router.get("/rows/export", response_class=Response, responses=DOWNLOAD)
def export_rows(
    state: StateDep, principal: Exporter, metric: MetricName, fmt: ExportFormat = "csv",
    window: Window = None,
    where: Where = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:  # fmt: skip
    """The rows behind a value as CSV or XLSX (the first aggregate's rows)."""
    label, _, tables = drill_tables(state, principal, metric, window, where, EXPORT_LIMIT)
    first = tables[0]
    return table_response(f"{metric}-{label}-rows", first.columns, first.rows, fmt)
