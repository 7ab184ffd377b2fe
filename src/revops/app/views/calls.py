"""The forecast calls of a period, as the forecast page shows them: per person in the
viewer's rows the rep's call, the manager's roll-up, the model's call (the recommended
forecast fitted on that person's rows) and the target (quota), rolled up the manager
hierarchy; and the accuracy of each person's past calls against the bookings of the
periods closed by the as-of day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from revops.app import calls
from revops.app.org import Org, load_org
from revops.app.views.common import number

if TYPE_CHECKING:
    import pandas as pd

    from revops.app.deps import Principal
    from revops.app.state import AppState


class Amounts(BaseModel):
    """A call's three numbers."""

    commit: float
    best_case: float
    pipeline: float


class PersonCall(BaseModel):
    """One person's line of the period: their call beside the model's and the target."""

    owner_id: str = Field(description="The CRM user.")
    name: str
    kind: str = Field(description="rep, or manager (the line rolls up the team).")
    depth: int = Field(description="Levels below the top of the viewer's hierarchy.")
    manager_name: str | None
    rep_call: Amounts | None = Field(
        description="A rep's own call; for a manager the team's calls summed."
    )
    manager_call: Amounts | None = Field(description="A manager's roll-up as submitted.")
    adjustment: float | None = Field(description="The manager's change to the team's commit.")
    note: str | None
    submitted_by: str | None
    submitted_at: str | None
    model_p50: float | None = Field(description="The recommended forecast of this person's rows.")
    model_p10: float | None
    model_p90: float | None
    model_method: str | None
    target: float | None = Field(description="Quota of the period (a manager: the team's).")
    booked: float | None = Field(description="Bookings of the period so far.")
    accuracy: float | None = Field(
        description="Mean absolute error of the commit against bookings, over closed periods."
    )
    closed_periods: int = Field(description="Closed periods with a call, behind `accuracy`.")


class PastCall(BaseModel):
    """A call of a closed period against what was booked."""

    owner_id: str
    name: str
    period: str
    commit: float
    best_case: float
    actual: float | None = Field(description="Bookings of the period (a manager: the team's).")
    error: float | None = Field(description="(commit - actual) / actual; None when 0 booked.")
    submitted_at: str


class SubmittedCall(BaseModel):
    """One stored submission (the history)."""

    id: int
    period: str
    owner_id: str
    owner_name: str
    kind: str
    commit: float
    best_case: float
    pipeline: float
    team_commit: float | None
    team_best_case: float | None
    team_pipeline: float | None
    adjustment: float | None
    note: str
    submitted_by: str
    submitted_at: str


class CallChoice(BaseModel):
    """Someone the viewer may submit a call for."""

    owner_id: str
    name: str
    kind: str


class ForecastCalls(BaseModel):
    """The calls section of the forecast page."""

    period: str
    can_submit: bool = Field(description="Whether the viewer may submit a call.")
    submit_for: list[CallChoice] = Field(description="Whose call the viewer may submit.")
    rows: list[PersonCall]
    past: list[PastCall]
    history: list[SubmittedCall] = Field(description="The period's submissions, newest first.")
    problem: str | None = Field(description="Why the viewer cannot submit, when they cannot.")
    all_models: bool = Field(
        default=True,
        description="Whether every line has its model call (else ask with model_calls=true).",
    )


def crm_org(state: AppState) -> Org:
    """The CRM users and hierarchy, cached until the warehouse's data changes."""

    def build() -> Org:
        with state.reading():
            return load_org(state.workspace.metrics)

    return state.memo(("crm-org",), build)


def build_calls(
    state: AppState, principal: Principal, label: str, day: date, every_model: bool = False
) -> ForecastCalls:
    """The calls of `label` within the viewer's rows, as of `day`.

    The model's call of a line is a forecast fitted on that line's rows: the viewer's own
    line reuses the page's call; the others are fitted when `every_model` asks for them
    (one fit each, cached per scope, period and day), so the page stays one fit."""
    org = crm_org(state)
    owners = principal.scope.owners
    visible = [u for u in org.users if owners is None or u in owners]
    current = calls.latest(state.db, label, set(visible))
    figures = _by_owner(state, principal, label, ("quota_amount", "bookings"))
    quota, booked = figures.get("quota_amount", {}), figures.get("bookings", {})
    people = _people(org, set(visible), {*current, *(o for o, v in quota.items() if v)})
    fitted = {u for u, _ in people if every_model or org.scope(u) == principal.scope}
    rows = []
    for uid, depth in people:
        user = org.users[uid]
        team = org.members(uid) & set(visible)
        reports = [r.user_id for r in org.reports(uid)]
        kind = "manager" if reports else "rep"
        own = current.get(uid)
        model = _model(state, org, uid, label, day) if uid in fitted else (None,) * 4
        manager = org.users.get(user.manager_id or "")
        rows.append(
            PersonCall(
                owner_id=uid, name=user.label, kind=kind, depth=depth,
                manager_name=manager.label if manager else None,
                rep_call=_summed(current, reports) if reports else _amounts(own),
                manager_call=_amounts(own) if reports else None,
                adjustment=own.adjustment if own else None, note=own.note if own else None,
                submitted_by=own.submitted_by if own else None,
                submitted_at=own.submitted_at.isoformat(timespec="minutes") if own else None,
                model_p50=model[0], model_p10=model[1], model_p90=model[2],
                model_method=model[3], target=_total(quota, team), booked=_total(booked, team),
                accuracy=None, closed_periods=0,
            )
        )  # fmt: skip
    past = _past(state, principal, org, [r.owner_id for r in rows], label, day)
    for row in rows:
        errors = [abs(p.error) for p in past if p.owner_id == row.owner_id and p.error is not None]
        row.closed_periods = sum(1 for p in past if p.owner_id == row.owner_id)
        row.accuracy = sum(errors) / len(errors) if errors else None
    choices, problem = _choices(org, principal, people)
    return ForecastCalls(
        period=label, can_submit=bool(choices), submit_for=choices, rows=rows, past=past,
        history=submitted(org, calls.history(state.db, period=label, owners=_owners(principal))),
        problem=problem,
        all_models=len(fitted) == len(people),
    )  # fmt: skip


def submitted(org: Org, found: Iterable[calls.Submission]) -> list[SubmittedCall]:
    """Stored submissions as the page and API show them, with names."""
    return [
        SubmittedCall(
            id=s.id,
            period=s.period,
            owner_id=s.owner_id,
            owner_name=org.users[s.owner_id].label if s.owner_id in org.users else s.owner_id,
            kind=s.kind,
            commit=s.commit,
            best_case=s.best_case,
            pipeline=s.pipeline,
            team_commit=s.team_commit,
            team_best_case=s.team_best_case,
            team_pipeline=s.team_pipeline,
            adjustment=s.adjustment,
            note=s.note,
            submitted_by=s.submitted_by,
            submitted_at=s.submitted_at.isoformat(timespec="seconds"),
        )
        for s in found
    ]


def _people(org: Org, visible: set[str], callers: set[str]) -> list[tuple[str, int]]:
    """Who has a line, with their depth: everyone visible with a quota or a call, and the
    visible managers above them; depth-first, each manager before the team, by name."""
    chosen = set()
    for uid in callers & visible:
        while uid in visible and uid not in chosen:
            chosen.add(uid)
            uid = org.users[uid].manager_id or ""
    roots = [u for u in chosen if (org.users[u].manager_id or "") not in chosen]
    ordered: list[tuple[str, int]] = []

    def walk(uid: str, depth: int) -> None:
        ordered.append((uid, depth))
        for report in org.reports(uid):
            if report.user_id in chosen:
                walk(report.user_id, depth + 1)

    for root in sorted(roots, key=lambda u: org.users[u].label.casefold()):
        walk(root, 0)
    return ordered


def _choices(
    org: Org, principal: Principal, people: list[tuple[str, int]]
) -> tuple[list[CallChoice], str | None]:
    if not principal.can("submit_forecast"):
        return [], None
    me = org.find(principal.account.email)
    if me is not None:
        allowed = org.members(me.user_id)
        ids = [me.user_id, *(u for u, _ in people if u in allowed and u != me.user_id)]
    elif principal.scope.owners is None:
        ids = [u for u, _ in people]
    else:
        return [], (
            f"No CRM user has the e-mail {principal.account.email}: there is no call of "
            "yours to submit. Give the CRM user this e-mail, or the app user the CRM user's."
        )
    return [
        CallChoice(
            owner_id=u,
            name=org.users[u].label,
            kind="manager" if org.reports(u) else "rep",
        )
        for u in ids
    ], None


def _amounts(found: calls.Submission | None) -> Amounts | None:
    if found is None:
        return None
    return Amounts(commit=found.commit, best_case=found.best_case, pipeline=found.pipeline)


def _summed(current: dict[str, calls.Submission], reports: list[str]) -> Amounts | None:
    found = [current[r] for r in reports if r in current]
    if not found:
        return None
    return Amounts(
        commit=sum(s.commit for s in found),
        best_case=sum(s.best_case for s in found),
        pipeline=sum(s.pipeline for s in found),
    )


def _total(values: dict[str, float], team: set[str]) -> float | None:
    found = [values[u] for u in team if u in values]
    return float(sum(found)) if found else None


def _model(
    state: AppState, org: Org, uid: str, label: str, day: date
) -> tuple[float | None, float | None, float | None, str | None]:
    """The recommended forecast fitted on the person's rows (a manager: the team's)."""
    from revops.app.views.forecast import scoped_call

    found = scoped_call(state, org.scope(uid), label, day).get("recommended")
    if found is None:
        return None, None, None, None
    return found.p50, found.p10, found.p90, found.method


def _by_owner(
    state: AppState, principal: Principal, label: str, metrics: tuple[str, ...]
) -> dict[str, dict[str, float]]:
    """Each metric's value per CRM user in `label`, within the viewer's rows."""
    frame: pd.DataFrame = state.compute(metrics, label, scope=principal.scope, by=("owner",)).frame
    out: dict[str, dict[str, float]] = {}
    for row in frame.to_dict(orient="records"):
        value = number(row.get("value"))
        if row.get("owner") is not None and value is not None:
            out.setdefault(str(row["metric"]), {})[str(row["owner"])] = value
    return out


def _past(
    state: AppState,
    principal: Principal,
    org: Org,
    people: list[str],
    label: str,
    day: date,
) -> list[PastCall]:
    """Each person's calls of periods closed by `day`, against the bookings."""
    found: dict[tuple[str, str], list[calls.Submission]] = {}
    for s in calls.history(state.db, owners=set(people), limit=100_000):
        if s.period != label:
            found.setdefault((s.owner_id, s.period), []).append(s)
    out = []
    for (uid, period), made in sorted(found.items(), key=lambda k: (k[0][1], k[0][0])):
        window = state.workspace.metrics.window(period, day)
        if window.last_day >= day:
            continue
        call = calls.call_at_close(made, window.last_day)
        if call is None:
            continue
        booked = _by_owner(state, principal, period, ("bookings",)).get("bookings", {})
        team = org.members(uid) if org.reports(uid) else {uid}
        actual = float(sum(booked.get(u, 0.0) for u in team))
        out.append(
            PastCall(
                owner_id=uid, name=org.users[uid].label if uid in org.users else uid,
                period=period, commit=call.commit, best_case=call.best_case, actual=actual,
                error=(call.commit - actual) / actual if actual else None,
                submitted_at=call.submitted_at.isoformat(timespec="minutes"),
            )
        )  # fmt: skip
    return out


def submit_call(state: AppState, principal: Principal, body: calls.CallInput) -> SubmittedCall:
    """Store the viewer's call (checked against the period, the org and their rows).

    Raises:
        CallRefusedError: a call for someone outside the viewer's rows.
        CallError: an unknown or closed period, an unknown owner, amounts not allowed.
    """
    period = calls.check_period(state.workspace.metrics, body.period, state.today)
    org = crm_org(state)
    found = calls.submit(
        state.db, org, body, period=period.label, submitter=principal.account.email,
        scope=principal.scope,
    )  # fmt: skip
    return submitted(org, [found])[0]


def call_history(
    state: AppState, principal: Principal, period: str | None, owner: str | None
) -> list[SubmittedCall]:
    """The stored submissions within the viewer's rows, newest first, of `period` and
    `owner` (CRM user id or e-mail) when given.

    Raises:
        MetricError: an unreadable period label.
        CallError: an owner who is no CRM user.
    """
    org = crm_org(state)
    label = state.workspace.metrics.window(period, state.today).label if period else None
    found = calls.visible_history(state.db, org, principal.scope.owners, period=label, owner=owner)
    return submitted(org, found)


def _owners(principal: Principal) -> set[str] | None:
    """The CRM users whose calls the viewer reads (None: everyone's)."""
    owners = principal.scope.owners
    return None if owners is None else set(owners)
