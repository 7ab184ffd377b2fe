"""Coaching: each rep against their team's benchmarks, outliers flagged with the metric
behind, and win rate and cycle by sales play with their intervals (`ws.coaching`).

A manager sees the reps under them against each other; an executive or RevOps everyone.
A rep sees only their own rows, against their team's benchmark: the team is computed
over every rep's deals and the other reps' rows are dropped here, and the benchmark is
left out where fewer than three other reps make it (it would show a colleague's value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page
from revops.app.views.records import RecordLink, link, text
from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.coaching import CoachingTable

MIN_OTHERS = 3
"""Other reps a benchmark shown to a rep must rest on."""


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
            reps = ws.coaching.reps(
                period.label, as_of=state.today, scope=scope, against=against
            )
            plays = ws.coaching.plays(period.label, as_of=state.today, scope=principal.scope)
    except RevOpsError as exc:
        return CoachingView(
            **page(state, principal), window=period.label, against=against, own_only=own,
            outliers=0, reps=[], plays=[], confidence=0.95, problem=str(exc),
        )  # fmt: skip
    measures = _measures(state, reps, principal.scope.owners if own else None)
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


def _measures(
    state: AppState, table: CoachingTable, owners: frozenset[str] | None
) -> list[RepMeasure]:
    catalog = state.workspace.metrics.catalog
    measures = []
    for row in table.rows:
        if owners is not None and row.get("owner") not in owners:
            continue
        judged = number(row.get("team_reps"))
        hidden = owners is not None and (judged is None or judged - 1 < MIN_OTHERS)
        metric = catalog.metric(str(row["metric"]))
        measures.append(
            RepMeasure(
                rep=link("rep", row.get("owner"), row.get("owner_label")),
                team=text(row.get("team_label")) or text(row.get("team")),
                metric=metric.name,
                metric_label=metric.label,
                unit=metric.unit,
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
