"""What every role's home shares: the KPI cards of the home page, who is looking (and as
which role), the user's saved views, and helpers reading values by owner with names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, Field

from revops.app import saved
from revops.app.views.common import crm_warning, formatted, number, page
from revops.app.views.home import HomeView, home_cards, pace, trend_grain

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period

HomeKind = Literal["executive", "manager", "rep", "marketing", "success", "finance", "revops"]
Compare = Literal["previous", "last_year"]


class SavedViewLink(BaseModel):
    """A view the user saved: its name and the link that opens it."""

    id: int
    name: str
    url: str


class Figure(BaseModel):
    """One value with its unit, as read."""

    metric: str
    label: str
    unit: str
    value: float | None
    display: str


class AccountHealth(BaseModel):
    """A paying account's health score at the window's end (below 40: at risk)."""

    account_id: str
    name: str
    url: str | None
    health_score: float | None
    at_risk: bool
    usage_score: float | None = None
    support_score: float | None = None
    payment_score: float | None = None


AT_RISK_BELOW = 40.0
"""The health score under which an account is at risk (the `accounts_at_risk` metric's)."""


class RoleHome(HomeView):
    """Fields of every role's home: the home page's cards and comparison, plus whose home
    it is and the user's saved views."""

    home: HomeKind = Field(description="Whose home this is: the role it is built for.")
    inspecting: bool = Field(
        description="True when an admin or RevOps user looks at another role's home "
        "(`?as=`): the numbers are still computed within their own rows."
    )
    homes: list[HomeKind] = Field(
        description="The homes this user may switch to with `?as=` (empty: their own only)."
    )
    saved_views: list[SavedViewLink]


def common(
    state: AppState,
    principal: Principal,
    home: HomeKind,
    inspecting: bool,
    homes: list[HomeKind],
    period: Period,
    compare: Compare,
    metrics: tuple[str, ...],
) -> dict[str, Any]:
    """The fields of :class:`RoleHome`, to splat into a role's home model."""
    cards, compare_window = home_cards(state, principal, period, compare, metrics)
    account = principal.account
    return {
        **page(state, principal),
        "window": period.label,
        "compare": compare,
        "compare_window": compare_window,
        "pace": pace(period, state.today),
        "trend_grain": trend_grain(period),
        "warning": crm_warning(state, account.email, account.role),
        "cards": cards,
        "home": home,
        "inspecting": inspecting,
        "homes": homes,
        "saved_views": [
            SavedViewLink(id=v.id, name=v.name, url=v.url)
            for v in saved.views_of(state.db, account.id)
        ],
    }


def figures(
    state: AppState, principal: Principal, period: Period, metrics: dict[str, str]
) -> list[Figure]:
    """Values of `metrics` (name → label shown) for the window within this user's rows."""
    catalog = state.workspace.metrics.catalog
    result = state.compute(tuple(metrics), period.label, scope=principal.scope)
    values = {str(r["metric"]): number(r["value"]) for r in result.records()}
    shown = []
    for name, label in metrics.items():
        unit = catalog.metric(name).unit
        value = values.get(name)
        shown.append(Figure(metric=name, label=label, unit=unit, value=value,
                            display=formatted(value, unit)))  # fmt: skip
    return shown


def by_slice(
    state: AppState, principal: Principal, period: Period, metrics: tuple[str, ...], by: str
) -> dict[str, dict[str, Any]]:
    """Values of `metrics` per value of dimension `by` (rows without one left out), each
    with the name of the record it names under ``name`` (an owner's, a campaign's)."""
    result = state.compute(metrics, period.label, by=[by], scope=principal.scope)
    found: dict[str, dict[str, Any]] = {}
    for record in result.records():
        key = record.get(by)
        if key is None or key == "":
            continue
        row = found.setdefault(str(key), {"name": str(record.get(f"{by}_label") or key)})
        row[str(record["metric"])] = number(record["value"])
    return found


def least_healthy(
    state: AppState, principal: Principal, period: Period, limit: int
) -> list[AccountHealth]:
    """The paying accounts with the lowest health score at the window's end, least healthy
    first, read from the `health_score` metric's own rows (so they add up to its value)."""
    with state.reading():
        tables = state.workspace.metrics.rows(
            "health_score", period.label, as_of=state.today, scope=principal.scope
        )
        table = next(iter(tables.values()))
        order = [table.health_score.asc(), table.account_id]
        frame = table.order_by(order).limit(limit).execute()
    shown = []
    for row in frame.to_dict(orient="records"):
        account = text(row.get("account_id")) or ""
        score = number(row.get("health_score"))
        shown.append(
            AccountHealth(
                account_id=account, name=text(row.get("account_label")) or account,
                url=record_url("accounts", account), health_score=score,
                at_risk=score is not None and score < AT_RISK_BELOW,
                usage_score=number(row.get("usage_score")),
                support_score=number(row.get("support_score")),
                payment_score=number(row.get("payment_score")),
            )
        )  # fmt: skip
    return shown


def explorer_url(metric: str, window: str, by: str | None = None) -> str:
    """The explorer page of a metric, window and slice: where a home's number is checked."""
    params = {"metric": metric, "window": window, **({"by": by} if by else {})}
    return "/metrics?" + urlencode(params)


def record_url(kind: Literal["reps", "accounts", "deals"], record_id: str | None) -> str | None:
    """The record page of a rep, an account or a deal."""
    return None if not record_id else f"/{kind}/{quote(record_id, safe=':')}"


def text(value: Any) -> str | None:
    """A cell as text (a date as its ISO day); None for a missing value."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    shown = str(value)
    return None if shown in ("nan", "NaT", "None", "<NA>", "") else shown
