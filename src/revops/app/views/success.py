"""The customer-success page: accounts at risk ranked by ARR at stake with their reasons
and CSM, the renewal forecast, annual renewals by month (within the viewer's rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.app.views.records import record_url
from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.success.risk import AtRisk, RenewalForecast


class RiskRow(BaseModel):
    """A paying company and its churn risk."""

    account_id: str
    account_name: str = Field(description="The company's name; its id when it has none.")
    account_url: str | None
    segment: str | None
    csm_id: str | None
    csm_name: str | None
    csm_url: str | None
    arr: float
    p_churn: float = Field(description="Probability of churn within the model's horizon.")
    health_score: float = Field(description="100 × (1 − P(churn)).")
    arr_at_stake: float = Field(description="ARR × P(churn).")
    renewal_date: str | None
    reasons: list[str]


class RenewalMonthView(BaseModel):
    """Annual renewals due in a month."""

    month: str
    accounts: int
    arr: float
    expected_retained_arr: float
    accounts_at_risk: int


class CohortView(BaseModel):
    """One start cohort's logo retention (%) at each quarter end since its start."""

    cohort: str
    customers: int
    logo_retention: list[float]


class SuccessView(Page):
    """The success page (`/success`), JSON twin `/api/v1/success`."""

    threshold: float = Field(description="P(churn) from which a company is at risk.")
    horizon_days: int
    arr: float = Field(description="ARR of the companies in view.")
    expected_retained_arr: float
    p10: float
    p90: float
    accounts: int
    accounts_at_risk: int
    at_risk: list[RiskRow] = Field(description="At-risk companies, by ARR at stake.")
    renewals: list[RenewalMonthView]
    model: dict[str, object] = Field(description="What the churn model was trained on.")
    model_date: str | None = Field(
        default=None, description="The day the churn model was trained as of (stored or not)."
    )
    cohorts: list[CohortView] = Field(
        default_factory=list,
        description="Quarterly start cohorts' logo retention (roles that see every row).",
    )
    problem: str | None = Field(default=None, description="Why there is nothing to show.")


def build_success(
    state: AppState, principal: Principal, threshold: float, limit: int
) -> SuccessView:
    """The at-risk list and renewal forecast as of the app's day, of this user's rows."""
    from revops.success.risk import forecast

    day = state.today
    ws = state.workspace

    def build() -> tuple[list[AtRisk], dict[str, object], int]:
        # Training reads a year of month-end snapshots: a report's budget, not a query's.
        with state.reading(report=True):
            model = ws.success.model(as_of=day)
            return ws.success.risk(as_of=day, model=model, threshold=threshold), \
                model.as_dict(), model.horizon_days  # fmt: skip

    try:
        companies, trained, horizon = state.memo(("success", day, threshold), build)
    except RevOpsError as exc:
        return SuccessView(
            **page(state, principal), threshold=threshold, horizon_days=90, arr=0,
            expected_retained_arr=0, p10=0, p90=0, accounts=0, accounts_at_risk=0,
            at_risk=[], renewals=[], model={}, problem=str(exc),
        )  # fmt: skip
    owners = principal.scope.owners
    if owners is not None:
        companies = [c for c in companies if c.csm_id in owners]
    table: list[CohortView] = []
    if owners is None:
        try:
            with state.reading(report=True):
                found = state.memo(
                    ("success-cohorts", day), lambda: ws.success.cohorts(as_of=day, unit="quarter")
                )
            table = [CohortView(cohort=r.cohort.isoformat(), customers=r.customers,
                                logo_retention=[round(100 * v, 1) for v in r.logo_retention])
                     for r in found.rows]  # fmt: skip
        except RevOpsError:
            table = []
    outlook: RenewalForecast = forecast(companies, day, horizon, threshold)
    risky = [c for c in companies if c.p_churn >= threshold]
    return SuccessView(
        **page(state, principal),
        threshold=threshold,
        horizon_days=horizon,
        arr=round(outlook.arr, 2),
        expected_retained_arr=round(outlook.expected_retained_arr, 2),
        p10=round(outlook.p10, 2),
        p90=round(outlook.p90, 2),
        accounts=len(companies),
        accounts_at_risk=len(risky),
        at_risk=[_row(c) for c in risky[:limit]],
        renewals=[RenewalMonthView(**m.as_dict()) for m in outlook.months],
        model=trained,
        model_date=str(trained.get("trained_as_of")) if trained else None,
        cohorts=table,
    )


def _row(c: AtRisk) -> RiskRow:
    return RiskRow(
        account_id=c.account_id, account_name=c.name or c.account_id,
        account_url=record_url("account", c.account_id), segment=c.segment,
        csm_id=c.csm_id, csm_name=c.csm_name,
        csm_url=record_url("rep", c.csm_id) if c.csm_id else None,
        arr=round(c.arr, 2), p_churn=round(c.p_churn, 4),
        health_score=round(c.health_score, 1), arr_at_stake=round(c.arr_at_stake, 2),
        renewal_date=c.renewal_date.isoformat() if c.renewal_date else None,
        reasons=c.reasons,
    )  # fmt: skip
