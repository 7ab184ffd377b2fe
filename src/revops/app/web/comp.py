"""Commission pages: a statement, and the payout summary with its CSV/XLSX export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app.deps import CompPlansViewer, CompViewer, Csrf, StateDep
from revops.app.export import table_response
from revops.app.views.common import page
from revops.app.views.comp import (
    CompWhatIfView,
    build_statement,
    build_summary,
    summary_table,
    whatif_rows,
)
from revops.app.views.comp_plans import build_plans, change_plan
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


@router.get("/comp/plans")
def plans_page(request: Request, state: StateDep, principal: CompPlansViewer) -> HTMLResponse:
    """The plans and their versions; JSON twin /api/v1/comp/plans."""
    return render(request, "comp_plans.html", build_plans(state, principal), principal)


@router.post("/comp/plans/diff", dependencies=[Csrf])
def plan_diff_page(
    request: Request,
    state: StateDep,
    principal: CompPlansViewer,
    plan: Annotated[str, Form(min_length=1, max_length=100_000)],
    period: Annotated[str, Form(min_length=1, max_length=40)],
    effective: Annotated[date | None, Form()] = None,
) -> HTMLResponse:
    """What a changed plan would cost; JSON twin POST /api/v1/comp/plans/diff."""
    view = build_plans(state, principal, plan, period, effective)
    return render(request, "comp_plans.html", view, principal)


@router.post("/comp/plans/apply", dependencies=[Csrf])
def plan_apply_page(
    state: StateDep,
    principal: CompPlansViewer,
    plan: Annotated[str, Form(min_length=1, max_length=100_000)],
    effective: Annotated[date, Form()],
) -> RedirectResponse:
    """Apply the change (the diff's button); JSON twin POST /api/v1/comp/plans/apply."""
    change_plan(state, principal, "apply", plan, effective)
    return RedirectResponse("/comp/plans", status_code=303)


@router.post("/comp/plans/revert", dependencies=[Csrf])
def plan_revert_page(
    state: StateDep,
    principal: CompPlansViewer,
    plan: Annotated[str, Form(min_length=1, max_length=200)],
    effective: Annotated[date, Form()],
) -> RedirectResponse:
    """Revert a version; JSON twin POST /api/v1/comp/plans/revert."""
    change_plan(state, principal, "revert", plan, effective)
    return RedirectResponse("/comp/plans", status_code=303)
