"""Coaching: each rep against their team's benchmarks, outliers flagged with the metric
behind, and win rate and cycle by sales play with their intervals (`ws.coaching`).

Beside the catalog's measures, the accuracy of each rep's forecast calls: the calls live
in the app's database (:mod:`revops.app.calls`), so the measure is made here, from each
rep's call as it stood when a period closed against their bookings of that period, and
judged against the team by the same :func:`revops.coaching.flag_outliers`.

A manager sees the reps under them against each other; an executive or RevOps everyone.
A rep sees only their own rows, against their team's benchmark: the team is computed
over every rep's deals and the other reps' rows are dropped here, and the benchmark is
left out where fewer than three other reps make it (it would show a colleague's value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page
from revops.app.views.records import RecordLink, link, text
from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.metrics import Scope

MIN_OTHERS = 3
"""Other reps a benchmark shown to a rep must rest on."""
CALL_ERROR = "forecast_call_error"
CALL_ERROR_LABEL = "Forecast call error"
"""Mean of |commit - bookings| / bookings over the closed periods a rep called (the
forecast page's `accuracy`); sample: those periods."""


class RepMeasure(BaseModel):
    """One rep's value of one benchmarked metric (at one stage), beside their team's."""

    rep: RecordLink | None = Field(description="The rep, linked to their record page.")
    team: str | None = Field(description="Their team's name.")
    metric: str
    metric_label: str
    unit: str
    stage: str | None
    value: float | None
    sample: float | None = Field(description="Deals the value rests on.")
    team_reps: float | None = Field(description="Reps judged in the benchmark.")
    team_median: float | None
    others_mean: float | None = Field(description="Mean of the other reps judged.")
    z_score: float | None
    is_outlier: bool
    direction: str | None = Field(description="above or below the team, when flagged.")
    explanation: str | None = Field(description="The metric behind a flag, in words.")


class PlayRow(BaseModel):
    """Win rate and cycle of the deals of one sales play against the rest, with intervals."""

    group: str
    closed: int
    won: int
    win_rate: float | None
    win_rate_low: float | None
    win_rate_high: float | None
    rest_win_rate: float | None
    win_rate_diff: float | None
    win_rate_diff_low: float | None
    win_rate_diff_high: float | None
    cycle_days: float | None
    cycle_days_low: float | None
    cycle_days_high: float | None
    rest_cycle_days: float | None
    cycle_days_diff_low: float | None
    cycle_days_diff_high: float | None
    win_rate_differs: bool
    cycle_differs: bool


class CoachingView(Page):
    """The coaching page."""

    window: str
    against: Literal["team", "company"]
    own_only: bool = Field(description="Whether only the viewer's own rows are shown (a rep).")
    outliers: int = Field(description="Measures flagged.")
    reps: list[RepMeasure]
    plays: list[PlayRow]
    confidence: float
    problem: str | None = None


def build_coaching(
    state: AppState,
    principal: Principal,
    window: str | None,
    against: Literal["team", "company"] = "team",
) -> CoachingView:
    """Reps against benchmarks and sales plays compared, in `window`, of this user's rows."""
    from revops.app.access import ROW_SCOPE
    from revops.metrics import Scope

    ws = state.workspace
    period = ws.metrics.window(window, state.today)
    own = ROW_SCOPE[principal.account.role] == "own"
    # A rep's benchmark is their team's: computed over every rep, the others' rows dropped.
    scope = Scope.everything() if own else principal.scope
    try:
        with state.reading(report=True):
            reps = ws.coaching.reps(period.label, as_of=state.today, scope=scope, against=against)
            plays = ws.coaching.plays(period.label, as_of=state.today, scope=principal.scope)
    except RevOpsError as exc:
        return CoachingView(
            **page(state, principal), window=period.label, against=against, own_only=own,
            outliers=0, reps=[], plays=[], confidence=0.95, problem=str(exc),
        )  # fmt: skip
    rows = reps.rows + _call_errors(state, scope, reps.rows, against)
    measures = _measures(state, rows, principal.scope.owners if own else None)
    return CoachingView(
        **page(state, principal),
        window=period.label,
        against=against,
        own_only=own,
        outliers=sum(m.is_outlier for m in measures),
        reps=measures,
        plays=[PlayRow.model_validate(row) for row in plays.rows],
        confidence=float(plays.parameters.get("confidence", 0.95)),
    )


def _call_errors(
    state: AppState, scope: Scope, reps: list[dict[str, Any]], against: str
) -> list[dict[str, Any]]:
    """A row per rep with calls of periods closed by the app's day: the mean absolute
    error of their commit (as it stood at the period's close) against their bookings,
    flagged against the other reps of their team (or every rep)."""
    import pandas as pd

    from revops.app import calls
    from revops.coaching import flag_outliers
    from revops.coaching.outliers import COMPANY, GROUP

    people = {
        str(r["owner"]): {k: r.get(k) for k in ("owner", "owner_label", "team", "team_label")}
        for r in reps
        if r.get("owner") is not None
    }
    made: dict[tuple[str, str], list[calls.Submission]] = {}
    for call in calls.history(state.db, owners=set(people), limit=100_000):
        made.setdefault((call.owner_id, call.period), []).append(call)
    errors: dict[str, list[float]] = {}
    booked: dict[str, dict[str, float]] = {}
    for (owner, label), submissions in sorted(made.items()):
        period = state.workspace.metrics.window(label, state.today)
        final = calls.call_at_close(submissions, period.last_day)
        if period.last_day >= state.today or final is None:
            continue
        if label not in booked:
            result = state.compute("bookings", label, scope=scope, by=("owner",))
            booked[label] = {
                str(r["owner"]): float(number(r["value"]) or 0.0)
                for r in result.records()
                if r.get("owner") is not None
            }
        actual = booked[label].get(owner, 0.0)
        if actual:
            errors.setdefault(owner, []).append(abs(final.commit - actual) / actual)
    if not errors:
        return []
    frame = pd.DataFrame(
        [
            {**people[owner], "metric": CALL_ERROR, "stage": None,
             "value": sum(found) / len(found), "sample": len(found)}
            for owner, found in errors.items()
        ]
    )  # fmt: skip
    group = GROUP if against == "team" else COMPANY
    flagged = flag_outliers(frame, min_sample=1, group=group)
    records = flagged.to_dict(orient="records")
    return [{str(k): v for k, v in record.items()} for record in records]


def _measures(
    state: AppState, rows: list[dict[str, Any]], owners: frozenset[str] | None
) -> list[RepMeasure]:
    catalog = state.workspace.metrics.catalog
    measures = []
    for row in rows:
        if owners is not None and row.get("owner") not in owners:
            continue
        judged = number(row.get("team_reps"))
        hidden = owners is not None and (judged is None or judged - 1 < MIN_OTHERS)
        name = str(row["metric"])
        label, unit = (
            (CALL_ERROR_LABEL, "ratio")
            if name == CALL_ERROR
            else (catalog.metric(name).label, catalog.metric(name).unit)
        )
        measures.append(
            RepMeasure(
                rep=link("rep", row.get("owner"), row.get("owner_label")),
                team=text(row.get("team_label")) or text(row.get("team")),
                metric=name,
                metric_label=label,
                unit=unit,
                stage=text(row.get("stage")),
                value=number(row.get("value")),
                sample=number(row.get("sample")),
                team_reps=judged,
                team_median=None if hidden else number(row.get("team_median")),
                others_mean=None if hidden else number(row.get("others_mean")),
                z_score=None if hidden else number(row.get("z_score")),
                is_outlier=bool(row.get("is_outlier")),
                direction=text(row.get("direction")),
                explanation=None if hidden else text(row.get("explanation")),
            )
        )
    return measures
