"""The sales homes: the executive's (where we are, where we land, what is at risk), the
sales manager's (the team, rep by rep, and its leaderboard) and the rep's (their deals)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from revops.app.views.common import formatted, number
from revops.app.views.homes.base import (
    Compare,
    HomeKind,
    RoleHome,
    by_slice,
    common,
    explorer_url,
    least_healthy,
    record_url,
    text,
)

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period

EXECUTIVE_CARDS = ("bookings", "arr", "nrr", "open_pipeline", "win_rate")
MANAGER_CARDS = ("bookings", "open_pipeline", "pipeline_coverage", "win_rate", "pipeline_created")
REP_CARDS = ("bookings", "open_pipeline", "win_rate", "pipeline_created")
TEAM_METRICS = (
    "open_pipeline",
    "pipeline_coverage",
    "bookings",
    "quota_amount",
    "quota_attainment",
)
RISKS_SHOWN = 8
DEALS_SHOWN = 50


class ForecastCall(BaseModel):
    """Where the window lands: the forecast's call against the target (quota)."""

    method: str | None = Field(description="The forecast method the call is from.")
    p10: float | None
    p50: float | None
    p90: float | None
    target: float | None = Field(description="The quota of the window (within the rows).")
    share_of_target: float | None = Field(description="P50 / target.")
    display: str
    target_display: str
    problem: str | None = Field(description="Why there is no call, when there is none.")
    url: str = "/forecast"


class Risk(BaseModel):
    """Something that may cost revenue: a stalled deal or an account in poor health."""

    kind: str = Field(description="stalled deal, or account health.")
    name: str
    url: str | None
    owner: str | None = Field(description="The deal owner's name.")
    amount: float | None
    amount_display: str
    why: str


class ExecutiveHome(RoleHome):
    """The executive's home: bookings, ARR, NRR, the forecast call and the top risks."""

    home: Literal["executive"] = "executive"

    forecast: ForecastCall
    risks: list[Risk]


class RepRow(BaseModel):
    """One rep of a team: pipeline, coverage, bookings against quota, stalled deals."""

    owner_id: str
    name: str
    url: str | None
    open_pipeline: float | None
    coverage: float | None = Field(description="Pipeline coverage of the remaining quota.")
    bookings: float | None
    quota: float | None
    attainment: float | None
    stalled_deals: int
    rank: int = Field(description="Place on the leaderboard (by attainment, then bookings).")


class ManagerHome(RoleHome):
    """The sales manager's home: the team rep by rep, and its leaderboard."""

    home: Literal["manager"] = "manager"

    team: list[RepRow] = Field(description="The reps, by name.")
    leaderboard: list[RepRow] = Field(description="The reps by attainment, then bookings.")
    team_url: str = Field(description="The explorer's attainment by owner, to check the table.")


class OpenDeal(BaseModel):
    """An open deal of the rep, as of the as-of day."""

    opportunity_id: str
    name: str
    url: str | None
    account: str | None
    account_url: str | None
    stage: str
    amount: float | None
    close_date: str | None
    in_window: bool = Field(description="Whether it closes in the window (open pipeline).")
    next_step: str | None


class RepHome(RoleHome):
    """The rep's home: their attainment and their open deals by close date."""

    home: Literal["rep"] = "rep"

    attainment: float | None
    quota: float | None
    bookings: float | None
    deals: list[OpenDeal]
    deals_total: int


def build_executive(
    state: AppState, principal: Principal, home: HomeKind, inspecting: bool,
    homes: list[HomeKind], period: Period, compare: Compare,
) -> ExecutiveHome:  # fmt: skip
    """The executive's home of `period`."""
    fields = common(state, principal, home, inspecting, homes, period, compare, EXECUTIVE_CARDS)
    parts = state.memo(
        ("home-executive", period.label, principal.scope),
        lambda: {
            "forecast": _forecast(state, principal, period),
            "risks": _risks(state, principal, period),
        },
    )
    return ExecutiveHome(**fields, **parts)


def _forecast(state: AppState, principal: Principal, period: Period) -> ForecastCall:
    from revops.app.views.forecast import build_forecast
    from revops.errors import RevOpsError

    target = number(state.compute("quota_amount", period.label, scope=principal.scope).value(
        "quota_amount"))  # fmt: skip
    method = p10 = p50 = p90 = None
    problem = None
    try:
        view = build_forecast(state, principal, period.label)
    except RevOpsError as exc:
        problem = str(exc)
    else:
        problem = view.problem
        chosen: Any = view.recommended or next(
            (m for m in view.methods if m.method == "weighted"), None
        )
        if chosen is not None:
            method, p10, p50, p90 = chosen.method, chosen.p10, chosen.p50, chosen.p90
    share = None if p50 is None or not target else p50 / target
    return ForecastCall(
        method=method, p10=p10, p50=p50, p90=p90, target=target, share_of_target=share,
        display=formatted(p50, "money"), target_display=formatted(target, "money"),
        problem=problem, url=f"/forecast?period={period.label}",
    )  # fmt: skip


def _risks(state: AppState, principal: Principal, period: Period) -> list[Risk]:
    """The largest stalled deals and the least healthy paying accounts (below 40: at risk)."""
    ws = state.workspace
    with state.reading():
        stalled = ws.pipeline.stalled(state.today, limit=RISKS_SHOWN, scope=principal.scope).rows
        deal_names = _names(state, principal, "opportunity", [r["opportunity_id"] for r in stalled])
        owners = _names(state, principal, "user", [r.get("owner_id") for r in stalled])
    health = _least_healthy(state, principal, period, RISKS_SHOWN // 2)
    risks = [
        Risk(
            kind="stalled deal",
            name=deal_names.get(str(r["opportunity_id"]), str(r["opportunity_id"])),
            url=record_url("deals", str(r["opportunity_id"])),
            owner=owners.get(str(r.get("owner_id"))) or text(r.get("owner_id")),
            amount=number(r.get("amount")),
            amount_display=formatted(number(r.get("amount")), "money"),
            why=f"{number(r.get('days_in_stage')) or 0:.0f} days in {r['stage']}, "
            f"{number(r.get('days_since_activity')) or 0:.0f} days without activity",
        )
        for r in stalled
    ]
    return risks + health


def _least_healthy(state: AppState, principal: Principal, period: Period, limit: int) -> list[Risk]:
    """The paying accounts with the lowest health score at the window's end."""
    return [
        Risk(
            kind="account health", name=row.name, url=row.url, owner=None, amount=None,
            amount_display="-",
            why=f"health score {row.health_score or 0:.0f}/100"
            + (" (at risk: below 40)" if row.at_risk else ""),
        )
        for row in least_healthy(state, principal, period, limit)
    ]  # fmt: skip


def _names(state: AppState, principal: Principal, entity: str, ids: list[Any]) -> dict[str, str]:
    """The names of `entity` records (a lookup of names only, not cut by scope)."""
    from revops.metrics.labels import lookup

    ctx = state.workspace.metrics.context(state.today, principal.scope)
    return {str(k): v for k, v in lookup(ctx, entity, [text(i) for i in ids]).items()}


def build_manager(
    state: AppState, principal: Principal, home: HomeKind, inspecting: bool,
    homes: list[HomeKind], period: Period, compare: Compare,
) -> ManagerHome:  # fmt: skip
    """The sales manager's home of `period`: their team (an unscoped viewer: every rep)."""
    fields = common(state, principal, home, inspecting, homes, period, compare, MANAGER_CARDS)
    team = state.memo(
        ("home-team", period.label, principal.scope), lambda: team_rows(state, principal, period)
    )
    leaderboard = sorted(team, key=lambda r: r.rank)
    url = explorer_url("quota_attainment", period.label, "owner")
    return ManagerHome(**fields, team=team, leaderboard=leaderboard, team_url=url)


def team_rows(state: AppState, principal: Principal, period: Period) -> list[RepRow]:
    """Each rep of the scope with a quota, pipeline or bookings in the window, by name."""
    values = by_slice(state, principal, period, TEAM_METRICS, "owner")
    with state.reading():
        stalled = state.workspace.pipeline.stalled(state.today, scope=principal.scope).rows
    stalled_by: dict[str, int] = {}
    for row in stalled:
        owner = text(row.get("owner_id"))
        if owner:
            stalled_by[owner] = stalled_by.get(owner, 0) + 1
    active = {
        owner: row
        for owner, row in values.items()
        if any(row.get(m) for m in ("open_pipeline", "bookings", "quota_amount"))
    }
    ranked = sorted(
        active,
        key=lambda o: (-(active[o].get("quota_attainment") or -1.0),
                       -(active[o].get("bookings") or 0.0), active[o]["name"]),
    )  # fmt: skip
    rank = {owner: place for place, owner in enumerate(ranked, start=1)}
    rows = [
        RepRow(
            owner_id=owner, name=row["name"], url=record_url("reps", owner),
            open_pipeline=row.get("open_pipeline"), coverage=row.get("pipeline_coverage"),
            bookings=row.get("bookings"), quota=row.get("quota_amount"),
            attainment=row.get("quota_attainment"), stalled_deals=stalled_by.get(owner, 0),
            rank=rank[owner],
        )
        for owner, row in active.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: r.name)


def build_rep(
    state: AppState, principal: Principal, home: HomeKind, inspecting: bool,
    homes: list[HomeKind], period: Period, compare: Compare,
) -> RepHome:  # fmt: skip
    """The rep's home of `period`: their attainment and open deals."""
    fields = common(state, principal, home, inspecting, homes, period, compare, REP_CARDS)
    parts = state.memo(
        ("home-rep", period.label, principal.scope), lambda: _rep_parts(state, principal, period)
    )
    return RepHome(**fields, **parts)


def _rep_parts(state: AppState, principal: Principal, period: Period) -> dict[str, Any]:
    from revops.metrics import in_window
    from revops.pipeline import open_deals

    result = state.compute(
        ("quota_attainment", "quota_amount", "bookings"), period.label, scope=principal.scope
    )
    values = {str(r["metric"]): number(r["value"]) for r in result.records()}
    ws = state.workspace
    with state.reading():
        ctx = ws.pipeline.context(state.today, principal.scope)
        deals = open_deals(ctx)
        deals = deals.mutate(in_window=in_window(deals, "close_date", period))
        total = int(deals.count().execute())
        frame = deals.order_by([deals.close_date.asc(), deals.opportunity_id]).limit(DEALS_SHOWN)
        rows = frame.execute().to_dict(orient="records")
        ids = [str(r["opportunity_id"]) for r in rows]
        named = _deal_details(state, principal, ids)
        accounts = _names(state, principal, "account", [r.get("account_id") for r in rows])
    deals_shown = []
    for row in rows:
        deal = str(row["opportunity_id"])
        name, step = named.get(deal, (deal, None))
        account = text(row.get("account_id"))
        deals_shown.append(
            OpenDeal(
                opportunity_id=deal, name=name, url=record_url("deals", deal),
                account=accounts.get(account or "") or account,
                account_url=record_url("accounts", account), stage=str(row["stage"]),
                amount=number(row.get("amount")), close_date=text(row.get("close_date")),
                in_window=bool(row.get("in_window")), next_step=step,
            )
        )  # fmt: skip
    return {
        "attainment": values.get("quota_attainment"),
        "quota": values.get("quota_amount"),
        "bookings": values.get("bookings"),
        "deals": deals_shown,
        "deals_total": total,
    }


def _deal_details(
    state: AppState, principal: Principal, ids: list[str]
) -> dict[str, tuple[str, str | None]]:
    """Each deal's name and next step, as the CRM holds them now."""
    if not ids:
        return {}
    ctx = state.workspace.metrics.context(state.today, principal.scope)
    table = ctx.raw("opportunity")
    found = table.filter(table.opportunity_id.isin(ids)).select(
        "opportunity_id", "name", "next_step"
    )
    return {
        str(r["opportunity_id"]): (
            text(r["name"]) or str(r["opportunity_id"]),
            text(r["next_step"]),
        )
        for r in found.execute().to_dict(orient="records")
    }
