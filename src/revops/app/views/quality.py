"""The data-quality page: scores of the latest stored run per entity and team, the rules
failing most, the worst offenders by owner with what to fix, and the trend over runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.app.views.records import RecordKind, record_url
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

    url: str = Field(description="The page listing its failing records.")
    entity: str
    rule: str
    severity: str
    team: str | None
    failures: int
    share: float | None = Field(description="Share of the records it applies to that fail.")
    fix: str


class Offender(BaseModel):
    """An owner's records failing one rule, what to fix first."""

    url: str = Field(description="The page listing these records.")
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
            FailingRule(url=failures_url(r["entity_name"], r["rule_name"]),
                        entity=r["entity_name"], rule=r["rule_name"], severity=r["severity"],
                        team=r.get("team"), failures=r["failures"], share=r.get("share"),
                        fix=r["fix"])
            for r in report.rules
        ],
        "offenders": [
            Offender(url=failures_url(r["entity_name"], r["rule_name"], r.get("owner_id")),
                     owner_id=r.get("owner_id"), owner=r.get("owner_name") or "(no owner)",
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


ENTITY_PAGES: dict[str, RecordKind] = {
    "account": "account", "opportunity": "deal", "contact": "person", "lead": "person",
}  # fmt: skip
"""The record page of each entity quality rules check (invoices have none)."""


class FailingRecord(BaseModel):
    """A record failing the rule, named, with its owner."""

    record_id: str
    name: str
    url: str | None = Field(description="The record's page.")
    owner_id: str | None
    owner: str
    owner_url: str | None


class FailuresView(Page):
    """The records failing one rule, a page at a time, of the viewer's records."""

    entity: str
    rule: str
    severity: str
    fix: str
    evaluated_as_of: str = Field(
        description="The day the rule was evaluated as of (the latest run's)."
    )
    owner_filter: str | None
    records: list[FailingRecord]
    total: int
    limit: int
    offset: int
    next_url: str | None
    previous_url: str | None
    can_assign: bool = Field(description="The viewer may give the owners tasks to fix them.")


def failures_url(entity: str, rule: str, owner: str | None = None, offset: int = 0) -> str:
    """The page of the records failing `rule` (of `owner`, from `offset`).

    Examples:
        >>> failures_url("account", "account_has_domain", "salesforce:005A")
        '/quality/failures?entity=account&rule=account_has_domain&owner=salesforce%3A005A'
    """
    params: dict[str, Any] = {"entity": entity, "rule": rule}
    if owner:
        params["owner"] = owner
    if offset:
        params["offset"] = offset
    return "/quality/failures?" + urlencode(params)


def build_failures(
    state: AppState,
    principal: Principal,
    entity: str,
    rule: str,
    owner: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> FailuresView:
    """The records failing `rule` that the viewer's scope holds, evaluated as of the
    latest stored run (so they are the records the report counts)."""
    key = ("quality-failures", entity, rule, owner, limit, offset, principal.scope)
    found = state.memo(key, lambda: _failures(state, principal, entity, rule, owner, limit,
                                              offset))  # fmt: skip
    return FailuresView(**page(state, principal), **found, can_assign=principal.can("run_quality"))


def _failures(
    state: AppState, principal: Principal, entity: str, rule: str, owner: str | None,
    limit: int, offset: int,
) -> dict[str, Any]:  # fmt: skip
    ws = state.workspace
    with state.reading():
        as_of = ws.quality.latest_as_of() or state.today
        failing = ws.quality.failures(
            entity,
            rule,
            as_of=as_of,
            owner=owner,
            scope=principal.scope,
            limit=limit,
            offset=offset,
        )
    kind = ENTITY_PAGES.get(entity)
    records = []
    for row in failing.rows:
        record = str(row["record_id"])
        page_id = f"{entity}:{record}" if kind == "person" else record
        records.append(
            FailingRecord(
                record_id=record,
                name=str(row.get("name") or record),
                url=record_url(kind, page_id) if kind else None,
                owner_id=row.get("owner_id"),
                owner=str(row.get("owner_name") or row.get("owner_id") or "(no owner)"),
                owner_url=record_url("rep", row.get("owner_id")),
            )
        )
    after = offset + limit
    return {
        "entity": entity,
        "rule": rule,
        "severity": failing.rule.severity,
        "fix": failing.rule.fix,
        "evaluated_as_of": as_of.isoformat(),
        "owner_filter": owner,
        "records": records,
        "total": failing.total,
        "limit": limit,
        "offset": offset,
        "next_url": failures_url(entity, rule, owner, after) if after < failing.total else None,
        "previous_url": failures_url(entity, rule, owner, max(offset - limit, 0))
        if offset
        else None,
    }
