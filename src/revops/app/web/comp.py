"""Commission pages: a statement, and the payout summary with its CSV/XLSX export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from revops.app.deps import CompViewer, Csrf, StateDep
from revops.app.export import table_response
from revops.app.views.common import page
from revops.app.views.comp import (
    CompWhatIfView,
    build_statement,
    build_summary,
    summary_table,
    whatif_rows,
)
from revops.app.web.render import render

router = APIRouter()


@router.get("/comp")
def statement_page(
    request: Request,
    state: StateDep,
    principal: CompViewer,
    rep: str | None = None,
    period: str | None = None,
) -> HTMLResponse:
    """A rep's statement (default: yours); JSON twin /api/v1/comp/statement."""
    view = build_statement(state, principal, rep, period)
    return render(request, "comp_statement.html", view, principal)


@router.get("/comp/summary")
def summary_page(
    request: Request, state: StateDep, principal: CompViewer, period: str | None = None
) -> HTMLResponse:
    """The payout summary; JSON twin /api/v1/comp/summary."""
    return render(request, "comp_summary.html", build_summary(state, principal, period), principal)


@router.get("/comp/summary/export")
def summary_export(
    state: StateDep, principal: CompViewer, period: str | None = None, format: str = "csv"
) -> Response:
    """The payout summary as CSV or XLSX."""
    if not principal.can("export"):
        raise HTTPException(403, "your role may not export")
    if format not in ("csv", "xlsx"):
        raise HTTPException(422, "format is csv or xlsx")
    view = build_summary(state, principal, period)
    header, rows = summary_table(view)
    return table_response(f"payouts-{view.period}", header, rows, format)


@router.post("/comp/whatif", dependencies=[Csrf])
def whatif_page(
    request: Request,
    state: StateDep,
    principal: CompViewer,
    amount: Annotated[Decimal, Form(ge=0, le=10**12)],
    close_date: Annotated[date, Form()],
    rep: Annotated[str | None, Form(max_length=200)] = None,
    deal: Annotated[str | None, Form(max_length=200)] = None,
) -> HTMLResponse:
    """What a deal would pay (the deal page's form); JSON twin POST /api/v1/comp/whatif."""
    rows = whatif_rows(state, principal, amount, close_date, rep or None, deal or None)
    view = CompWhatIfView(**page(state, principal), results=rows, deal=deal)
    return render(request, "comp_whatif.html", view, principal)
