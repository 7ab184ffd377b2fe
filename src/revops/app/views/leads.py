"""The leads page: the queue by learned score with its reasons, names beside ids and
links to the person pages, the stored evaluation, and the qualification plan. A rep sees
their own leads, a manager their team's (the row scope, applied here)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page
from revops.app.views.records import RecordLink, link, record_url
from revops.leads.evaluate import LABELS

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

QUEUE_LIMIT = 200


class QueuedLead(BaseModel):
    """One lead of the queue."""

    lead: RecordLink = Field(description="The lead, named, linked to its person page.")
    company: str | None
    owner: RecordLink | None = Field(description="Its owner, named, linked to the rep page.")
    fit: float | None = Field(description="Fit score, 0-100, from rules/leads.yaml.")
    engagement: float | None = Field(description="Engagement score, 0-100, decayed.")
    model_score: float | None = Field(description="Learned chance of the outcome, 0-1.")
    reasons: list[str] = Field(description="Top contributions to the learned score.")


class QualifyChange(BaseModel):
    """A lead that would enter a stage, and the rule that fires."""

    lead: RecordLink
    company: str | None
    from_stage: str
    to_stage: str
    rule: str
    fit: float | None
    engagement: float | None


class LeadsView(Page):
    """The leads page and its JSON twin `/api/v1/leads`."""

    scored_as_of: str | None = Field(description="The as-of instant of the latest scoring.")
    model_version: str | None
    queue: list[QueuedLead]
    evaluation: dict[str, Any] | None = Field(
        description="The latest `revops leads evaluate`: AUC per score, lift, calibration."
    )
    score_labels: dict[str, str] = Field(
        default_factory=lambda: dict(LABELS), description="Each score's name as read."
    )
    problem: str | None = None


class QualifyView(BaseModel):
    """Who would change stage as of now, within the viewer's rows."""

    as_of: str
    considered: int
    changes: list[QualifyChange]


def _lead_link(lead_id: str, name: Any) -> RecordLink:
    """The lead by its id and name, linked to its person page (`/people/lead:<id>`)."""
    url = record_url("person", f"lead:{lead_id}")
    return RecordLink(kind="person", id=lead_id, name=str(name or lead_id), url=url)


def _owners(principal: Principal) -> frozenset[str] | None:
    return principal.scope.owners


def build_leads(state: AppState, principal: Principal) -> LeadsView:
    """The queue of the latest scoring run within the viewer's rows."""
    leads = state.workspace.leads
    with state.reading():
        rows = leads.queue(limit=QUEUE_LIMIT, owners=_owners(principal))
        evaluation = leads.evaluation()
    queue = [
        QueuedLead(
            lead=_lead_link(r["lead_id"], r["name"]),
            company=r["company"],
            owner=link("rep", r["owner_id"], r["owner_name"]),
            fit=number(r["fit"]),
            engagement=number(r["engagement"]),
            model_score=number(r["model_score"]),
            reasons=r["reasons"],
        )
        for r in rows
    ]
    first = rows[0] if rows else None
    scored = first["as_of"] if first else None
    return LeadsView(
        **page(state, principal),
        scored_as_of=scored.isoformat() if isinstance(scored, datetime) else None,
        model_version=first["model_version"] if first else None,
        queue=queue,
        evaluation=evaluation,
        problem=None if rows else "No scores yet: run `revops leads score`.",
    )


def build_qualify(state: AppState, principal: Principal) -> QualifyView:
    """The qualification plan as of the cockpit's day, cut to the viewer's rows."""
    owners = _owners(principal)
    with state.reading():
        plan = state.workspace.leads.plan(state.today)
    changes = [
        QualifyChange(
            lead=_lead_link(r["lead_id"], r["name"]),
            company=r["company"],
            from_stage=r["from_stage"],
            to_stage=r["to_stage"],
            rule=r["rule"],
            fit=number(r["fit"]),
            engagement=number(r["engagement"]),
        )
        for r in plan.rows
        if owners is None or r["owner_id"] in owners
    ]
    return QualifyView(as_of=plan.as_of.isoformat(), considered=plan.considered, changes=changes)
