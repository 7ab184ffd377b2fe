"""GET /api/v1/comp/statement and /api/v1/comp/summary: commission statements and the
payout summary within the viewer's rows; POST /api/v1/comp/disputes: a rep flags a line of
their statement; POST /api/v1/comp/disputes/{id}/resolve: finance resolves it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from revops.app import audit
from revops.app.deps import CompPlansViewer, CompViewer, Csrf, StateDep
from revops.app.views.comp import (
    CompStatementView,
    PayoutSummaryView,
    build_statement,
    build_summary,
)
from revops.app.views.comp_plans import CompPlansView, build_plans, change_plan
from revops.errors import CompError

router = APIRouter(tags=["comp"])


class DisputeIn(BaseModel):
    """A flag on one line of a statement."""

    period: str = Field(description="The statement's period, e.g. FY2027-Q1.")
    line: int = Field(ge=1, description="The line number on the statement.")
    note: str = Field(min_length=1, max_length=2000, description="What is wrong.")
    rep: str | None = Field(default=None, description="Whose statement; default: yours.")
    plan: str | None = None


class ResolutionIn(BaseModel):
    """The decision on a dispute."""

    status: str = Field(description="accepted or rejected.")
    resolution: str = Field(min_length=1, max_length=2000, description="What was decided.")


@router.get("/comp/statement")
def statement(
    state: StateDep, principal: CompViewer, rep: str | None = None, period: str | None = None
) -> CompStatementView:
    """A rep's statements for a period (default: yours, this quarter): every line with its
    deal, rule, rate, base and amount; only statements in your rows (the page `/comp`)."""
    return build_statement(state, principal, rep, period)


@router.get("/comp/summary")
def summary(state: StateDep, principal: CompViewer, period: str | None = None) -> PayoutSummaryView:
    """Every statement of a period within your rows, with totals (the page `/comp/summary`)."""
    return build_summary(state, principal, period)


class WhatIfIn(BaseModel):
    """A deal that might close."""

    amount: Decimal = Field(ge=0, le=10**12, description="Deal amount, reporting currency.")
    close_date: date = Field(description="The day it would close.")
    rep: str | None = Field(default=None, description="Whose deal; default: yours.")
    deal: str | None = Field(default=None, description="An open deal (opportunity_id).")


@router.post("/comp/whatif", dependencies=[Csrf])
def whatif(state: StateDep, principal: CompViewer, body: WhatIfIn) -> list[dict[str, object]]:
    """What a deal would pay the rep (default: you) under each of their plans if it closed
    at this amount on this day; only for reps in your rows (nothing is recorded)."""
    from revops.app.views.comp import whatif_rows

    return whatif_rows(state, principal, body.amount, body.close_date, body.rep, body.deal)


@router.get("/comp/disputes")
def disputes(state: StateDep, principal: CompViewer) -> list[dict[str, Any]]:
    """Disputes on statements in your rows, latest state, newest first."""
    with state.reading():
        return state.workspace.comp.disputes(scope=principal.scope)


@router.post("/comp/disputes", dependencies=[Csrf])
def dispute(state: StateDep, principal: CompViewer, body: DisputeIn) -> dict[str, object]:
    """Flag a line of a statement in your rows with a note."""
    view = build_statement(state, principal, body.rep, body.period)
    if not view.statements:
        raise HTTPException(404, view.problem or "no statement among your rows")
    rep = view.statements[0].participant.id
    try:
        with state.writing() as ws:
            row = ws.comp.dispute(rep, body.period, body.line, body.note, plan=body.plan,
                                  by=principal.account.email, as_of=state.today)  # fmt: skip
    except CompError as exc:
        raise HTTPException(422, str(exc)) from None
    audit.record(state.db, principal.account.email, "comp.dispute", str(row["dispute_id"]),
                 f"{rep} {body.period} line {body.line}")  # fmt: skip
    return row


@router.post("/comp/disputes/{dispute_id}/resolve", dependencies=[Csrf])
def resolve(
    state: StateDep, principal: CompViewer, dispute_id: str, body: ResolutionIn
) -> dict[str, object]:
    """Resolve a dispute (finance, RevOps and admins)."""
    from revops.app.access import COMP_RESOLVERS

    if principal.account.role not in COMP_RESOLVERS:
        raise HTTPException(403, "your role may not resolve commission disputes")
    try:
        with state.writing() as ws:
            row = ws.comp.resolve(dispute_id, body.status, body.resolution,
                                  by=principal.account.email)  # fmt: skip
    except CompError as exc:
        raise HTTPException(422, str(exc)) from None
    audit.record(state.db, principal.account.email, f"comp.dispute.{body.status}", dispute_id,
                 body.resolution[:200])  # fmt: skip
    return row


class PlanDiffIn(BaseModel):
    """A changed plan to cost over a period."""

    plan: str = Field(min_length=1, max_length=100_000, description="The changed plan's YAML.")
    period: str = Field(description="The period to cost it over, e.g. FY2027-Q1.")
    effective: date | None = Field(
        default=None, description="As a version from this day (default: the whole plan)."
    )


class PlanChangeIn(BaseModel):
    """A changed plan to apply from a day."""

    plan: str = Field(min_length=1, max_length=100_000, description="The changed plan's YAML.")
    effective: date = Field(description="First day in effect: the start of an open period.")


class PlanRevertIn(BaseModel):
    """A version to revert."""

    plan: str = Field(min_length=1, max_length=200, description="The plan's name.")
    effective: date = Field(description="The day the version starts.")


@router.get("/comp/plans")
def plans(state: StateDep, principal: CompPlansViewer) -> CompPlansView:
    """Every plan's base file and versions (the page `/comp/plans`)."""
    return build_plans(state, principal)


@router.post("/comp/plans/diff", dependencies=[Csrf])
def plan_diff(state: StateDep, principal: CompPlansViewer, body: PlanDiffIn) -> CompPlansView:
    """What the changed plan would pay each participant in the period against the plans
    now (recomputed, locks ignored); nothing is recorded."""
    view = build_plans(state, principal, body.plan, body.period, body.effective)
    if view.problem:
        raise HTTPException(422, view.problem)
    return view


@router.post("/comp/plans/apply", dependencies=[Csrf])
def plan_apply(
    state: StateDep, principal: CompPlansViewer, body: PlanChangeIn
) -> dict[str, object]:
    """Apply the changed plan as a version from `effective` (RevOps and admins; audited)."""
    return change_plan(state, principal, "apply", body.plan, body.effective)


@router.post("/comp/plans/revert", dependencies=[Csrf])
def plan_revert(
    state: StateDep, principal: CompPlansViewer, body: PlanRevertIn
) -> dict[str, object]:
    """Revert the version of a plan from `effective` (RevOps and admins; audited)."""
    return change_plan(state, principal, "revert", body.plan, body.effective)
