"""The homes of marketing (the funnel, pipeline created by source and campaign, spend
and CAC), customer success (accounts at risk, renewals due, retention) and finance (MRR
movements, CAC, payback, DSO)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from revops.app.views.common import formatted, number
from revops.app.views.homes.base import (
    AccountHealth,
    Compare,
    Figure,
    HomeKind,
    RoleHome,
    by_slice,
    common,
    explorer_url,
    figures,
    least_healthy,
    record_url,
    text,
)

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period

MARKETING_CARDS = (
    "leads_created", "mqls_created", "sqls_created", "pipeline_created",
    "marketing_sourced_pipeline",
)  # fmt: skip
FUNNEL = {
    "leads_created": "Leads",
    "mqls_created": "MQLs",
    "sqls_created": "SQLs",
    "opportunities_entered": "Opportunities",
}
CONVERSIONS = {
    "lead_to_mql_conversion": "Lead → MQL",
    "mql_to_sql_conversion": "MQL → SQL",
    "sql_to_opportunity_conversion": "SQL → opportunity",
}
CAC = {"cac_blended": "CAC (blended)", "cac_paid": "CAC (paid)"}
SUCCESS_CARDS = ("nrr", "grr", "accounts_at_risk", "health_score", "logo_churn_rate")
FINANCE_CARDS = ("mrr", "arr", "net_new_mrr", "cac_blended", "cac_payback_months", "dso")
MOVEMENTS = {
    "opening_mrr": "Opening MRR",
    "mrr_new": "New",
    "mrr_expansion": "Expansion",
    "mrr_reactivation": "Reactivation",
    "mrr_contraction": "Contraction",
    "mrr_churn": "Churn",
    "closing_mrr": "Closing MRR",
}
EFFICIENCY = {
    "cac_blended": "CAC (blended)",
    "cac_payback_months": "CAC payback",
    "ltv_to_cac": "LTV : CAC",
    "dso": "DSO",
}
SLICES_SHOWN = 10
WATCHED = 10


class SliceValue(BaseModel):
    """A metric's value for one slice (a source, a campaign, a channel), by name."""

    key: str
    name: str
    value: float | None
    display: str


class Breakdown(BaseModel):
    """A metric sliced by a dimension, largest first."""

    metric: str
    label: str
    by: str
    slices: list[SliceValue]
    explorer_url: str


class MarketingHome(RoleHome):
    """Marketing's home: the funnel, pipeline created by source and campaign, spend by
    channel and CAC."""

    home: Literal["marketing"] = "marketing"

    funnel: list[Figure]
    conversions: list[Figure]
    pipeline_by_source: Breakdown
    pipeline_by_campaign: Breakdown
    spend_by_channel: Breakdown
    cac: list[Figure]
    cac_by_channel: Breakdown
    unattributed: int = Field(
        description="New customers of the window with no won deal known, so no channel."
    )
    cac_note: str = Field(description="How CAC is attributed to a channel.")


class Renewal(BaseModel):
    """An open renewal deal closing in the window."""

    opportunity_id: str
    url: str | None
    account: str | None
    account_url: str | None
    owner: str | None
    stage: str
    amount: float | None
    close_date: str | None


class SuccessHome(RoleHome):
    """Customer success's home: accounts at risk, renewals due, NRR and GRR."""

    home: Literal["success"] = "success"

    watch_list: list[AccountHealth] = Field(
        description="The paying accounts with the lowest health score, least healthy first."
    )
    renewals: list[Renewal]
    renewals_amount: float | None


class Movement(BaseModel):
    """The MRR movements of one month: opening + movements = closing."""

    period: str
    amounts: dict[str, float | None]


class FinanceHome(RoleHome):
    """Finance's home: MRR movements month by month, CAC, payback and DSO."""

    home: Literal["finance"] = "finance"

    movement_labels: dict[str, str]
    movements: list[Movement]
    efficiency: list[Figure]


def build_marketing(
    state: AppState, principal: Principal, home: HomeKind, inspecting: bool,
    homes: list[HomeKind], period: Period, compare: Compare,
) -> MarketingHome:  # fmt: skip
    """Marketing's home of `period`."""
    fields = common(state, principal, home, inspecting, homes, period, compare, MARKETING_CARDS)
    parts = state.memo(
        ("home-marketing", period.label, principal.scope),
        lambda: {
            "funnel": figures(state, principal, period, FUNNEL),
            "conversions": figures(state, principal, period, CONVERSIONS),
            "pipeline_by_source": breakdown(state, principal, period, "pipeline_created",
                                            "lead_source"),
            "pipeline_by_campaign": breakdown(state, principal, period, "pipeline_created",
                                              "campaign"),
            "spend_by_channel": breakdown(state, principal, period, "marketing_program_spend",
                                          "channel"),
            "cac": figures(state, principal, period, CAC),
            "cac_by_channel": breakdown(state, principal, period, "cac_paid", "channel"),
            "unattributed": _unattributed(state, principal, period),
        },
    )  # fmt: skip
    note = (
        "CAC (paid) by channel: the channel's program spend in the window / the new "
        "customers it won, a customer's channel being the lead source of the first deal "
        "its company won. The highest first."
    )
    if parts["unattributed"]:
        note += (
            f" {parts['unattributed']:,} new customer(s) have no won deal known, so no "
            "channel: a billing customer is tied to its CRM deals by identity resolution "
            "(`revops identity run`)."
        )
    return MarketingHome(**fields, **parts, cac_note=note)


def _unattributed(state: AppState, principal: Principal, period: Period) -> int:
    """New customers of the window whose company won no deal known by the as-of day."""
    result = state.compute(("new_customers",), period.label, by=["channel"],
                           scope=principal.scope)  # fmt: skip
    return sum(int(number(r["value"]) or 0) for r in result.records() if r.get("channel") is None)


def breakdown(
    state: AppState, principal: Principal, period: Period, metric: str, by: str
) -> Breakdown:
    """`metric` by `by` for the window, the largest slices first, each by name."""
    definition = state.workspace.metrics.catalog.metric(metric)
    values = by_slice(state, principal, period, (metric,), by)
    ranked = sorted(values.items(), key=lambda kv: -(kv[1].get(metric) or 0.0))
    slices = [
        SliceValue(key=key, name=row["name"], value=row.get(metric),
                   display=formatted(row.get(metric), definition.unit))
        for key, row in ranked[:SLICES_SHOWN]
        if row.get(metric)
    ]  # fmt: skip
    return Breakdown(metric=metric, label=definition.label, by=by, slices=slices,
                     explorer_url=explorer_url(metric, period.label, by))  # fmt: skip


def build_success(
    state: AppState, principal: Principal, home: HomeKind, inspecting: bool,
    homes: list[HomeKind], period: Period, compare: Compare,
) -> SuccessHome:  # fmt: skip
    """Customer success's home of `period`."""
    fields = common(state, principal, home, inspecting, homes, period, compare, SUCCESS_CARDS)
    parts = state.memo(
        ("home-success", period.label, principal.scope),
        lambda: _success_parts(state, principal, period),
    )
    return SuccessHome(**fields, **parts)


def _success_parts(state: AppState, principal: Principal, period: Period) -> dict[str, Any]:
    from revops.metrics.labels import lookup
    from revops.pipeline import open_deals

    watch = least_healthy(state, principal, period, WATCHED)
    with state.reading():
        ctx = state.workspace.pipeline.context(state.today, principal.scope)
        deals = open_deals(ctx, period)
        deals = deals.filter(deals.type == "renewal").order_by(["close_date", "opportunity_id"])
        rows = deals.execute().to_dict(orient="records")
        accounts = lookup(ctx, "account", [r.get("account_id") for r in rows])
        owners = lookup(ctx, "user", [r.get("owner_id") for r in rows])
    renewals = [
        Renewal(
            opportunity_id=str(r["opportunity_id"]),
            url=record_url("deals", str(r["opportunity_id"])),
            account=accounts.get(r.get("account_id")) or text(r.get("account_id")),
            account_url=record_url("accounts", text(r.get("account_id"))),
            owner=owners.get(r.get("owner_id")) or text(r.get("owner_id")),
            stage=str(r["stage"]), amount=number(r.get("amount")),
            close_date=text(r.get("close_date")),
        )
        for r in rows
    ]  # fmt: skip
    total = sum(r.amount or 0.0 for r in renewals) if renewals else None
    return {"watch_list": watch, "renewals": renewals, "renewals_amount": total}


def build_finance(
    state: AppState, principal: Principal, home: HomeKind, inspecting: bool,
    homes: list[HomeKind], period: Period, compare: Compare,
) -> FinanceHome:  # fmt: skip
    """Finance's home of `period`: MRR movements by month of the window."""
    fields = common(state, principal, home, inspecting, homes, period, compare, FINANCE_CARDS)

    def parts() -> dict[str, Any]:
        result = state.compute(tuple(MOVEMENTS), period.label, grain="month",
                               scope=principal.scope)  # fmt: skip
        months: dict[str, dict[str, float | None]] = {}
        for record in result.records():
            months.setdefault(str(record["period"]), {})[str(record["metric"])] = number(
                record["value"]
            )
        movements = [Movement(period=p, amounts=v) for p, v in months.items()]
        return {"movements": movements,
                "efficiency": figures(state, principal, period, EFFICIENCY)}  # fmt: skip

    found = state.memo(("home-finance", period.label, principal.scope), parts)
    return FinanceHome(**fields, movement_labels=MOVEMENTS, **found)
