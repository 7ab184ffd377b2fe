"""Each account's ARR, ARR movements and health within a scope, from the metric engines,
computed once per scope and as-of day and shared by the record pages (an account's page
and a rep's book read them by account id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from revops.app.views.common import number
from revops.app.views.records import day, records

if TYPE_CHECKING:
    from revops.app.state import AppState
    from revops.metrics import Scope

MOVEMENT_MONTHS = 24
"""ARR movements are listed for this many months up to the as-of day."""
HEALTH_PARTS = ("health_score", "usage_score", "support_score", "csat_score", "payment_score")


@dataclass(frozen=True)
class AccountFigures:
    """Per account record id: `arr` at the as-of day, its ARR `movements` (month, kind,
    signed amount: 12 × the MRR movement) and its `health` score with its parts."""

    arr: dict[str, float] = field(default_factory=dict)
    movements: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict)
    health: dict[str, dict[str, float | None]] = field(default_factory=dict)


def account_figures(state: AppState, scope: Scope) -> AccountFigures:
    """The figures of every account `scope` may see, reused until the data changes."""
    return state.memo(("account-figures", scope), lambda: _compute(state, scope))


def movement_window_start(today: date) -> date:
    """The first day of the month :data:`MOVEMENT_MONTHS` - 1 months before `today`'s.

    Examples:
        >>> movement_window_start(date(2026, 11, 22))
        datetime.date(2024, 12, 1)
    """
    first = today.replace(day=1)
    for _ in range(MOVEMENT_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _compute(state: AppState, scope: Scope) -> AccountFigures:
    from revops.metrics.sources import build_source

    metrics = state.workspace.metrics
    today = state.today
    quarter = metrics.window(None, today)
    with state.reading():
        ctx = metrics.context(today, scope)
        snapshot = build_source(ctx, "arr_snapshot", quarter)
        arr_rows = records(snapshot.select("account_id", "arr").execute())
        window = ctx.calendar.custom(movement_window_start(today), today)
        moved = build_source(ctx, "mrr_movement", window)
        moved = moved.filter(moved.movement != "none")
        moved_rows = records(
            moved.select("account_id", "month_start_date", "movement", "amount").execute()
        )
        health = build_source(ctx, "account_health", quarter)
        health_rows = records(health.select("account_id", *HEALTH_PARTS).execute())
    figures = AccountFigures()
    for row in arr_rows:
        account = str(row["account_id"])
        figures.arr[account] = figures.arr.get(account, 0.0) + (number(row["arr"]) or 0.0)
    for row in moved_rows:
        figures.movements.setdefault(str(row["account_id"]), []).append(
            (
                day(row["month_start_date"]) or "",
                str(row["movement"]),
                12 * (number(row["amount"]) or 0.0),
            )
        )
    for row in health_rows:
        figures.health[str(row["account_id"])] = {p: number(row.get(p)) for p in HEALTH_PARTS}
    return figures
