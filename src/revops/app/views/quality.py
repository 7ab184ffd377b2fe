"""The data-quality page: scores of the latest stored run per entity and team, the rules
failing most, the worst offenders by owner with what to fix, and the trend over runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.errors import QualityError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

NO_RUN = "No quality run is stored yet: run `revops quality run` to score the warehouse."


class Score(BaseModel):
    """Records checked and passing in one group (an entity, an owner, a team)."""

    name: str
    records: int
    passing: int
    failing: int
    score: float | None = Field(description="Share of records passing every rule.")


class FailingRule(BaseModel):
    """A rule with failing records."""

    entity: str
    rule: str
    severity: str
    team: str | None
    failures: int
    share: float | None = Field(description="Share of the records it applies to that fail.")
    fix: str


class Offender(BaseModel):
    """An owner's records failing one rule, what to fix first."""

    owner_id: str | None
    owner: str
    entity: str
    rule: str
    severity: str
    failures: int
    fix: str


class TrendPoint(BaseModel):
    """The overall score of one stored run."""

    run_at: str
    as_of: str
    score: float | None


class QualityView(Page):
    """The data-quality page."""

    problem: str | None = Field(description="Why there is nothing to show, when there is not.")
    run_id: str | None
    run_at: str | None
    run_as_of: str | None = Field(description="The day the stored run evaluated the rules as of.")
    entities: list[Score]
    teams: list[Score]
    owners: list[Score]
    rules: list[FailingRule]
    offenders: list[Offender]
    trend: list[TrendPoint]


def build_quality(state: AppState, principal: Principal) -> QualityView:
    """The latest stored quality run, cut to the records this user's scope owns (scores and
    failures are stored per owner, so the cut happens in the report's queries)."""
    key = ("quality", principal.scope)
    parts = state.memo(key, lambda: _parts(state, principal))
    return QualityView(**page(state, principal), **parts)


def _parts(state: AppState, principal: Principal) -> dict[str, Any]:
    lists = ("entities", "teams", "owners", "rules", "offenders", "trend")
    empty: dict[str, Any] = {"run_id": None, "run_at": None, "run_as_of": None}
    empty.update({name: [] for name in lists})
    try:
        with state.reading():
            report = state.workspace.quality.report(limit=50, scope=principal.scope)
    except QualityError as exc:
        return {**empty, "problem": NO_RUN if "no quality run" in str(exc) else str(exc)}
    return {
        "problem": None,
        "run_id": str(report.run_id),
        "run_at": _day(report.run_at, 19),
        "run_as_of": _day(report.as_of),
        "entities": [_score(r, "entity_name") for r in report.entities],
        "teams": [_score(r, "team_name") for r in report.teams],
        "owners": [_score(r, "owner_name") for r in report.owners],
        "rules": [
            FailingRule(entity=r["entity_name"], rule=r["rule_name"], severity=r["severity"],
                        team=r.get("team"), failures=r["failures"], share=r.get("share"),
                        fix=r["fix"])
            for r in report.rules
        ],
        "offenders": [
            Offender(owner_id=r.get("owner_id"), owner=r.get("owner_name") or "(no owner)",
                     entity=r["entity_name"], rule=r["rule_name"], severity=r["severity"],
                     failures=r["failures"], fix=r["fix"])
            for r in report.offenders
        ],
        "trend": [
            TrendPoint(run_at=_day(r["run_at"], 19) or "", as_of=_day(r["as_of_date"]) or "",
                       score=r["score"])
            for r in report.trend
        ],
    }  # fmt: skip


def _score(row: dict[str, Any], name: str) -> Score:
    return Score(
        name=str(row.get(name) or "(none)"),
        records=row["records"],
        passing=row["passing"],
        failing=row["failing"],
        score=row["score"],
    )


def _day(value: Any, size: int = 10) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(text)[:size]
