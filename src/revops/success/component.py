"""`ws.success`: customer lifetime value for both business models, the learned churn
model and its risk list (docs/success.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from revops.errors import SuccessError
from revops.success.churn import ChurnModel, Label, fit_churn_model
from revops.success.clv import CustomerValue, NonContractual
from revops.success.features import features, month_ends, paying, snapshots
from revops.success.purchases import non_contractual_purchases
from revops.success.risk import (
    AtRisk,
    RenewalForecast,
    company_details,
    forecast,
    next_renewals,
    score_companies,
)
from revops.success.summary import purchase_summary, read_summary

if TYPE_CHECKING:
    from revops.config import RevOpsConfig
    from revops.metrics import Metrics, SourceContext

log = logging.getLogger(__name__)

PeriodUnit = Literal["week", "month"]
PERIOD_DAYS: dict[str, float] = {"week": 7.0, "month": 365.25 / 12}
"""Length in days of the period a model counts time in."""


@dataclass(frozen=True)
class ClvResult:
    """The non-contractual CLV of every buyer without a contract, and the models behind it."""

    as_of: date
    periods: float
    unit: str
    margin: float
    discount_rate: float
    model: NonContractual
    customers: list[CustomerValue]
    names: dict[str, str] = field(default_factory=dict)

    @property
    def total_value(self) -> float:
        """Expected value of all the customers over the horizon."""
        return float(sum(c.expected_value for c in self.customers))

    @property
    def total_purchases(self) -> float:
        """Expected purchases of all the customers over the horizon."""
        return float(sum(c.expected_purchases for c in self.customers))

    def top(self, limit: int) -> list[CustomerValue]:
        """The `limit` customers of highest expected value."""
        return sorted(self.customers, key=lambda c: -c.expected_value)[:limit]

    def as_dict(self, limit: int | None = None) -> dict[str, object]:
        """For JSON: the parameters, totals and customers (the top `limit`, or all)."""
        chosen = self.customers if limit is None else self.top(limit)
        return {
            "as_of": self.as_of.isoformat(),
            "method": "bgnbd_gamma_gamma",
            "horizon": {"periods": self.periods, "unit": self.unit},
            "margin": self.margin,
            "discount_rate": self.discount_rate,
            "bgnbd": self.model.purchases.as_dict(),
            "gamma_gamma": self.model.spend.as_dict(),
            "customers": len(self.customers),
            "expected_purchases": round(self.total_purchases, 2),
            "expected_value": round(self.total_value, 2),
            "rows": [
                {**c.as_dict(), "customer_name": self.names.get(c.customer_id)} for c in chosen
            ],
        }


class Success:
    """Customer success of a workspace.

    Args:
        config: the workspace configuration (gross margin, health weights).
        metrics: returns the metric layer (source contexts, catalog values).
    """

    def __init__(self, config: RevOpsConfig, metrics: Callable[[], Metrics]) -> None:
        self.config = config
        self._metrics = metrics

    def clv(
        self,
        *,
        as_of: date | None = None,
        periods: float = 12,
        unit: PeriodUnit = "month",
        margin: float | None = None,
        discount_rate: float = 0.0,
        since: date | None = None,
    ) -> ClvResult:
        """Expected purchases, value and P(alive) over the next `periods` of every company
        invoiced without a subscription (BG/NBD + Gamma-Gamma fitted on their invoices up
        to `as_of`).

        Args:
            as_of: the last day of invoices the models see; default today.
            periods: the horizon, in `unit`s.
            unit: `week` or `month`: the models count time in it.
            margin: the share of spend that is margin; default the workspace's gross margin.
            discount_rate: per-period discount rate of later purchases.
            since: only customers whose first purchase is on or after it (a cohort).

        Raises:
            SuccessError: an unknown unit, too few buyers or repeat buyers, bad horizon.
        """
        if unit not in PERIOD_DAYS:
            raise SuccessError(f"unknown period unit {unit!r}; use week or month")
        metrics = self._metrics()
        ctx = metrics.context(as_of)
        end = ctx.as_of
        purchases = non_contractual_purchases(ctx, end)
        summary = read_summary(
            purchase_summary(purchases, end, period_days=PERIOD_DAYS[unit], start=since)
        )
        log.info("fitting BG/NBD and Gamma-Gamma on %d customers", len(summary))
        model = NonContractual.fit(summary)
        chosen_margin = self.config.metrics.gross_margin if margin is None else margin
        values = model.predict(summary, periods, margin=chosen_margin, discount_rate=discount_rate)
        return ClvResult(
            end, periods, unit, chosen_margin, discount_rate, model, values,
            names=self._names(ctx, [v.customer_id for v in sorted(
                values, key=lambda c: -c.expected_value)[:1000]]),
        )  # fmt: skip

    # -- churn ---------------------------------------------------------------------------

    def model(
        self,
        *,
        as_of: date | None = None,
        months: int = 12,
        horizon_days: int = 90,
        label: Label = "churned",
    ) -> ChurnModel:
        """The churn model trained as of `as_of`: on the companies paying at each of the
        `months` month ends whose outcome `horizon_days` later is known by `as_of`
        (companies that had already given notice left out: their churn is announced).

        Raises:
            SuccessError: too few churns to learn from, or a bad number of months or days.
        """
        if not 1 <= months <= 60:
            raise SuccessError(f"train on 1 to 60 months of snapshots, not {months}")
        if not 7 <= horizon_days <= 365:
            raise SuccessError(f"the horizon must be 7 to 365 days, not {horizon_days}")
        ctx = self._metrics().context(as_of)
        days = month_ends(ctx.as_of - timedelta(days=horizon_days), months)
        frame = snapshots(ctx, days, horizon_days)
        if len(frame):
            frame = frame[~frame["has_notice"].astype(bool)]
        if not len(frame):
            raise SuccessError(
                f"no company paid at any month end from {days[0]} to {days[-1]}: "
                "nothing to learn from"
            )
        return fit_churn_model(
            frame, trained_as_of=ctx.as_of, label=label, horizon_days=horizon_days
        )

    def risk(
        self,
        *,
        as_of: date | None = None,
        model: ChurnModel | None = None,
        threshold: float = 0.1,
    ) -> list[AtRisk]:
        """Every company paying on `as_of`, ranked by ARR at stake (ARR × P(churn) within
        the model's horizon), with its reasons when at risk (P ≥ `threshold`), CSM and
        next annual renewal. `model` defaults to one trained as of the same day.

        Raises:
            SuccessError: no model can be trained, or a threshold outside 0..1.
        """
        if not 0 <= threshold <= 1:
            raise SuccessError(f"the risk threshold must be between 0 and 1, not {threshold}")
        fitted = model or self.model(as_of=as_of)
        ctx = self._metrics().context(as_of)
        frame = features(ctx, ctx.as_of).to_pandas()
        labels_ = paying(ctx, ctx.as_of).rename(_paying="account_id")
        mrr = labels_.to_pandas().rename(columns={"_paying": "account_id"})
        frame = frame.merge(mrr, on="account_id", how="left")
        ids = [str(i) for i in frame["account_id"]]
        return score_companies(
            fitted, frame, company_details(ctx, ids), next_renewals(ctx, ctx.as_of), threshold
        )

    def renewals(
        self,
        *,
        as_of: date | None = None,
        model: ChurnModel | None = None,
        threshold: float = 0.1,
    ) -> RenewalForecast:
        """The renewal forecast over the model's horizon: expected retained ARR of every
        paying company with a P10-P90 range, and the annual renewals due by month.

        Raises:
            SuccessError: no model can be trained.
        """
        fitted = model or self.model(as_of=as_of)
        companies = self.risk(as_of=as_of, model=fitted, threshold=threshold)
        day = self._metrics().context(as_of).as_of
        return forecast(companies, day, fitted.horizon_days, threshold)

    @staticmethod
    def _names(ctx: SourceContext, ids: list[str]) -> dict[str, str]:
        from revops.metrics.labels import lookup

        return lookup(ctx, "account", ids)
