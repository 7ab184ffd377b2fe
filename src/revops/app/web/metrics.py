"""The metrics explorer and drill-down pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.params import By, GrainParam, MetricName, Where, Window
from revops.app.deps import RowReader, StateDep, Viewer
from revops.app.views.explorer import build_explorer, build_rows
from revops.app.web.render import render

router = APIRouter()


@router.get("/metrics")
def explorer(
    request: Request,
    state: StateDep,
    principal: Viewer,
    metric: MetricName = "bookings",
    window: Window = None,
    grain: GrainParam = None,
    by: By = None,
) -> HTMLResponse:
    """Any metric, window, grain and slice; JSON twin /api/v1/metrics/explore."""
    view = build_explorer(state, principal, metric, window, grain, by)
    return render(request, "metrics.html", view, principal)


@router.get("/metrics/rows")
def rows(
    request: Request, state: StateDep, principal: RowReader, metric: MetricName,
    window: Window = None,
    where: Where = [],  # noqa: B006 - FastAPI copies defaults per request
) -> HTMLResponse:  # fmt: skip
    """The rows behind a value; JSON twin /api/v1/metrics/rows."""
    view = build_rows(state, principal, metric, window, where)
    return render(request, "rows.html", view, principal)
