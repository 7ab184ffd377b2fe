"""Forecast calls: each rep's call per period (commit, best case, pipeline, a note) and
each manager's roll-up (the team's calls summed, plus the manager's adjustment), kept in
the app database as history (who, when) and audited; the latest per person and period is
the call. See docs/forecast.md, "The forecast process"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from revops.app import audit
from revops.app.models import ForecastSubmission
from revops.errors import CallError, CallRefusedError, MetricError

__all__ = [
    "CallError",
    "CallInput",
    "CallRefusedError",
    "Submission",
    "history",
    "latest",
    "pack_calls",
    "submit",
]

if TYPE_CHECKING:
    from revops.app.db import AppDatabase
    from revops.app.org import CrmUser, Org
    from revops.core import Period
    from revops.metrics import Metrics, Scope
    from revops.pack import SubmittedCall

Kind = Literal["rep", "manager"]
MAX_AMOUNT = 1e13
"""Larger amounts are typing mistakes, refused rather than stored."""


def _amount(description: str) -> float | None:
    return Field(default=None, ge=0, le=MAX_AMOUNT, allow_inf_nan=False, description=description)


def _adjustment(description: str) -> float:
    return Field(
        default=0.0, ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False, description=description
    )


class CallInput(BaseModel):
    """A call as submitted (API body, form, CLI options).

    A rep's call gives `commit`, `best_case` and `pipeline`; a manager's (the CRM user
    has reports) gives the adjustments to the team's calls summed, each may be negative.
    """

    period: str = Field(
        min_length=1, max_length=40, description="Fiscal quarter or month: FY2027-Q4."
    )
    owner: str | None = Field(
        default=None,
        max_length=320,
        description="CRM user id or e-mail the call is for; default the submitter's own.",
    )
    commit: float | None = _amount("A rep's commit: what they will close for sure.")
    best_case: float | None = _amount("A rep's best case: commit plus what may also close.")
    pipeline: float | None = _amount("A rep's open pipeline for the period.")
    commit_adjustment: float = _adjustment("A manager's change to the team's commit.")
    best_case_adjustment: float = _adjustment("A manager's change to the team's best case.")
    pipeline_adjustment: float = _adjustment("A manager's change to the team's pipeline.")
    note: str = Field(default="", max_length=2000, description="Why: the call's reasoning.")

    @model_validator(mode="after")
    def _commit_within_best_case(self) -> CallInput:
        if self.commit is not None and self.best_case is not None and self.commit > self.best_case:
            raise ValueError(
                f"commit {self.commit:,.0f} is above best_case {self.best_case:,.0f}: "
                "the best case includes the commit"
            )
        return self


@dataclass(frozen=True)
class Submission:
    """One stored call."""

    id: int
    period: str
    owner_id: str
    owner_email: str
    kind: str
    commit: float
    best_case: float
    pipeline: float
    team_commit: float | None
    team_best_case: float | None
    team_pipeline: float | None
    note: str
    submitted_by: str
    submitted_at: datetime

    @property
    def adjustment(self) -> float | None:
        """A manager's change to the team's commit (None for a rep's call)."""
        return None if self.team_commit is None else self.commit - self.team_commit


def parse_input(**values: object) -> CallInput:
    """A :class:`CallInput` from loose values (CLI options, a form), or the one problem.

    Raises:
        CallError: the first invalid value, named.
    """
    try:
        return CallInput.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        # The one check across fields (commit within best case) is the commit's problem.
        where = ".".join(str(p) for p in first["loc"]) or "commit"
        raise CallError(where, first["msg"].removeprefix("Value error, ")) from None


def check_period(metrics: Metrics, label: str, today: date) -> Period:
    """The open fiscal quarter or month `label` names (calls are for periods not yet over).

    Raises:
        CallError: an unreadable label, a year or range, or a period already closed.
    """
    try:
        period = metrics.window(label, today)
    except MetricError as exc:
        raise CallError("period", str(exc)) from None
    if period.kind not in ("quarter", "month"):
        raise CallError("period", f"{period.label} is a {period.kind}: call a quarter or month")
    if period.last_day < today:
        raise CallError(
            "period", f"{period.label} closed on {period.last_day}: calls are for open periods"
        )
    return period


def submit(
    db: AppDatabase,
    org: Org,
    call: CallInput,
    *,
    period: str,
    submitter: str,
    scope: Scope,
    at: datetime | None = None,
) -> Submission:
    """Store `submitter`'s call for `period` (checked, :func:`check_period`) and audit it.

    Args:
        db: the app database.
        org: the CRM users and hierarchy.
        call: the input; `owner` defaults to the CRM user with the submitter's e-mail.
        period: the period's label.
        submitter: the app user's e-mail.
        scope: the submitter's row scope: the call's owner must be in it.
        at: when it was submitted (default now; imports of past calls).

    Raises:
        CallRefusedError: an owner outside the scope.
        CallError: an unknown owner, amounts missing or not allowed, a roll-up below zero.
    """
    owner = _owner(org, call.owner, submitter)
    if scope.owners is not None and owner.user_id not in scope.owners:
        raise CallRefusedError(
            "owner", f"{owner.label} is outside your rows ({scope.label}): a rep submits "
            "their own call, a manager their team's",
        )  # fmt: skip
    reports = org.reports(owner.user_id)
    if reports:
        kind: Kind = "manager"
        amounts, team = _rollup(db, call, period, reports, at)
    else:
        kind, amounts, team = "rep", _own(call), None
    row = ForecastSubmission(
        period=period, owner_id=owner.user_id, owner_email=owner.email or "", kind=kind,
        commit_amount=amounts[0], best_case_amount=amounts[1], pipeline_amount=amounts[2],
        team_commit=team[0] if team else None, team_best_case=team[1] if team else None,
        team_pipeline=team[2] if team else None, note=call.note.strip(),
        submitted_by=submitter, submitted_at=at or datetime.now(UTC),
    )  # fmt: skip
    with db.session() as session:
        session.add(row)
        session.flush()
        stored = _submission(row)
    detail = (
        f"{kind} call commit={stored.commit:.2f} best_case={stored.best_case:.2f} "
        f"pipeline={stored.pipeline:.2f}"
        + (f" adjustment={stored.adjustment:.2f}" if stored.adjustment is not None else "")
    )
    audit.record(db, submitter, "forecast.submit", f"{owner.label} {period}", detail)
    return stored


def owner_of(org: Org, key: str) -> CrmUser:
    """The CRM user with id or e-mail `key`.

    Raises:
        CallError: no CRM user has it.
    """
    found = org.find(key)
    if found is None:
        raise CallError("owner", f"no CRM user has the id or e-mail {key!r}")
    return found


def visible_history(
    db: AppDatabase,
    org: Org,
    owners: frozenset[str] | None,
    *,
    period: str | None = None,
    owner: str | None = None,
) -> list[Submission]:
    """The calls a reader whose row scope holds `owners` (None: every row) reads, newest
    first; of `period` and `owner` (CRM user id or e-mail) when given.

    Raises:
        CallError: an owner who is no CRM user.
    """
    wanted = None if owners is None else set(owners)
    if owner:
        found = owner_of(org, owner).user_id
        wanted = {found} if wanted is None else wanted & {found}
    return history(db, period=period, owners=wanted)


def _owner(org: Org, wanted: str | None, submitter: str) -> CrmUser:
    if wanted:
        return owner_of(org, wanted)
    found = org.find(submitter)
    if found is None:
        raise CallError(
            "owner",
            f"no CRM user has the e-mail {submitter}: name the CRM user the call is for "
            "(owner), or give the CRM user this e-mail",
        )
    return found


def _own(call: CallInput) -> tuple[float, float, float]:
    if any((call.commit_adjustment, call.best_case_adjustment, call.pipeline_adjustment)):
        raise CallError("commit_adjustment", "only a manager's roll-up takes an adjustment")
    values = (call.commit, call.best_case, call.pipeline)
    for name, value in zip(("commit", "best_case", "pipeline"), values, strict=True):
        if value is None:
            raise CallError(name, "a rep's call needs commit, best_case and pipeline")
    commit, best, pipeline = (float(v or 0.0) for v in values)
    return commit, best, pipeline


def _rollup(
    db: AppDatabase, call: CallInput, period: str, reports: list[CrmUser], at: datetime | None
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(the manager's call, the team's calls summed): the direct reports' latest calls
    (by `at`, when given)."""
    for name in ("commit", "best_case", "pipeline"):
        if getattr(call, name) is not None:
            raise CallError(
                name, "a manager's call is the team's calls summed plus an adjustment: "
                f"send {name}_adjustment instead",
            )  # fmt: skip
    found = latest(db, period, {r.user_id for r in reports}, until=at)
    team = (
        sum(s.commit for s in found.values()),
        sum(s.best_case for s in found.values()),
        sum(s.pipeline for s in found.values()),
    )
    adjustments = (call.commit_adjustment, call.best_case_adjustment, call.pipeline_adjustment)
    total = tuple(t + a for t, a in zip(team, adjustments, strict=True))
    for name, value, base in zip(("commit", "best_case", "pipeline"), total, team, strict=True):
        if value < 0:
            raise CallError(
                f"{name}_adjustment",
                f"takes the team's {name} {base:,.0f} below zero ({value:,.0f})",
            )
    if total[0] > total[1]:
        raise CallError(
            "commit_adjustment",
            f"the roll-up's commit {total[0]:,.0f} would be above its best case "
            f"{total[1]:,.0f}: the best case includes the commit",
        )
    return (total[0], total[1], total[2]), team


def history(
    db: AppDatabase,
    *,
    period: str | None = None,
    owners: frozenset[str] | set[str] | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[Submission]:
    """Stored calls, newest first; of `period` and `owners` (CRM user ids), submitted by
    `until`, when given."""
    from sqlalchemy import select

    query = select(ForecastSubmission)
    if period is not None:
        query = query.where(ForecastSubmission.period == period)
    if owners is not None:
        query = query.where(ForecastSubmission.owner_id.in_(sorted(owners)))
    if until is not None:
        query = query.where(ForecastSubmission.submitted_at <= until)
    query = query.order_by(ForecastSubmission.submitted_at.desc(), ForecastSubmission.id.desc())
    with db.session() as session:
        return [_submission(r) for r in session.scalars(query.limit(limit)).all()]


def latest(
    db: AppDatabase,
    period: str,
    owners: set[str] | frozenset[str] | None = None,
    *,
    until: datetime | None = None,
) -> dict[str, Submission]:
    """The call of each owner for `period`: their latest submission (by `until`)."""
    found: dict[str, Submission] = {}
    for submission in history(db, period=period, owners=owners, until=until, limit=100_000):
        found.setdefault(submission.owner_id, submission)
    return found


def pack_calls(db: AppDatabase, org: Org, period: str, as_of: date) -> list[SubmittedCall]:
    """Every person's call for `period` as it stood at the end of `as_of` (UTC), named,
    for the meeting pack's forecast section (:meth:`revops.pack.Pack.build`)."""
    from datetime import time

    from revops.pack import SubmittedCall

    found = latest(db, period, until=datetime.combine(as_of, time.max, tzinfo=UTC)).values()
    return [
        SubmittedCall(
            owner_id=s.owner_id,
            owner_name=org.users[s.owner_id].label if s.owner_id in org.users else None,
            kind=s.kind,
            commit=s.commit,
            best_case=s.best_case,
            pipeline=s.pipeline,
            adjustment=s.adjustment,
            note=s.note,
            submitted_at=s.submitted_at,
        )
        for s in found
    ]


def call_at_close(submissions: list[Submission], last_day: date) -> Submission | None:
    """The call as it stood when its period closed: the latest submitted by `last_day`
    (a call made after the period is over says nothing of the forecast's accuracy)."""
    made = [s for s in submissions if s.submitted_at.date() <= last_day]
    return max(made, key=lambda s: (s.submitted_at, s.id), default=None)


def _submission(row: ForecastSubmission) -> Submission:
    at = row.submitted_at if row.submitted_at.tzinfo else row.submitted_at.replace(tzinfo=UTC)
    return Submission(
        id=row.id, period=row.period, owner_id=row.owner_id, owner_email=row.owner_email,
        kind=row.kind, commit=row.commit_amount, best_case=row.best_case_amount,
        pipeline=row.pipeline_amount, team_commit=row.team_commit,
        team_best_case=row.team_best_case, team_pipeline=row.team_pipeline, note=row.note,
        submitted_by=row.submitted_by, submitted_at=at,
    )  # fmt: skip
