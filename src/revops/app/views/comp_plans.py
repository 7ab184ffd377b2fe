"""The comp plans page: every plan's versions, what a plan change would cost across the
team for a period, and (RevOps and admins) applying it as a new version from a day, or
reverting one. The same functions serve the page and `/api/v1/comp/plans/...`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.app.views.records import RecordLink, link
from revops.errors import CompError, ConfigError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState


class PlanVersionRow(BaseModel):
    """A plan's base file or one of its versions."""

    plan: str
    effective: str = Field(description="`base` (the plan file), or the day a version starts.")
    label: str | None
    period: str
    measure: str
    tiers: int
    file: str = Field(description="The version's file in plans/comp/versions/<plan>/.")


class PlanDiffRow(BaseModel):
    """What one participant would be paid in one period, now and with the change."""

    participant: RecordLink
    period: str
    current: str
    candidate: str
    difference: str


class CompPlansView(Page):
    """The plans page and its JSON twin `/api/v1/comp/plans`."""

    versions: list[PlanVersionRow]
    can_apply: bool = Field(description="The viewer may apply and revert changes.")
    candidate: str = Field(default="", description="The changed plan's YAML, when costed.")
    period: str | None = None
    effective: str | None = None
    diff: list[PlanDiffRow] = Field(default_factory=list)
    current_total: str | None = None
    candidate_total: str | None = None
    problem: str | None = None


def can_apply(principal: Principal) -> bool:
    """Whether the viewer may apply and revert plan changes."""
    from revops.app.access import COMP_PLANNERS

    return principal.account.role in COMP_PLANNERS


def build_plans(
    state: AppState,
    principal: Principal,
    candidate: str = "",
    period: str | None = None,
    effective: date | None = None,
) -> CompPlansView:
    """The plans' versions; with a candidate and a period, what it would pay each
    participant against the plans now (and from `effective` as a version)."""
    problem = _far(state, effective)
    diff: list[PlanDiffRow] = []
    comp = state.workspace.comp
    with state.reading():
        try:
            versions = [PlanVersionRow.model_validate(r) for r in comp.plan_versions()]
        except ConfigError as exc:
            versions, problem = [], str(exc)
        if candidate.strip() and period and problem is None:
            try:
                rows = comp.plan_diff(candidate, period, effective=effective, as_of=state.today)
                diff = [_diff_row(r) for r in rows]
            except (CompError, ConfigError) as exc:
                problem = str(exc)
    totals = {
        key: f"{sum((Decimal(getattr(r, key)) for r in diff), Decimal(0)):.2f}"
        for key in ("current", "candidate")
    }
    return CompPlansView(
        **page(state, principal),
        versions=versions,
        can_apply=can_apply(principal),
        candidate=candidate,
        period=period,
        effective=effective.isoformat() if effective else None,
        diff=diff,
        current_total=totals["current"] if diff else None,
        candidate_total=totals["candidate"] if diff else None,
        problem=problem,
    )


def _far(state: AppState, effective: date | None) -> str | None:
    """Why `effective` is refused: more than twenty years from today (None when fine)."""
    if effective is not None and abs((effective - state.today).days) > 366 * 20:
        return "the effective day must be within twenty years of today"
    return None


def _diff_row(row: dict[str, object]) -> PlanDiffRow:
    participant = link("rep", str(row["participant_id"]), str(row["participant_name"]))
    assert participant is not None
    return PlanDiffRow(
        participant=participant,
        period=str(row["period"]),
        current=str(row["current"]),
        candidate=str(row["candidate"]),
        difference=str(row["difference"]),
    )


def change_plan(
    state: AppState, principal: Principal, action: str, text_or_name: str, effective: date
) -> dict[str, object]:
    """Apply a change (`text_or_name`: the plan's YAML) or revert one (the plan's name),
    audited; 403 for a role that may not, 422 with the reason when refused."""
    from fastapi import HTTPException

    from revops.app import audit

    if not can_apply(principal):
        raise HTTPException(403, "your role may not change comp plans")
    far = _far(state, effective)
    if far:
        raise HTTPException(422, far)
    comp = state.workspace.comp
    try:
        with state.reading():
            if action == "apply":
                done = comp.apply_plan(text_or_name, effective)
            else:
                done = comp.revert_plan(text_or_name, effective)
    except (CompError, ConfigError) as exc:
        raise HTTPException(422, str(exc)) from None
    audit.record(state.db, principal.account.email, f"comp.plan.{action}", str(done["plan"]),
                 f"from {done['effective']}: {done['file']}")  # fmt: skip
    return done
