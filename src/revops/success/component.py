"""`ws.success`: customer lifetime value for both business models, the learned churn
model and its risk list (docs/success.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from revops.errors import SuccessError
from revops.metrics.engines.churn_signals import scored, train_churn_model
from revops.metrics.engines.customers import value_customers
from revops.stats.churn import ChurnModel, Label
from revops.stats.clv import CustomerValue, NonContractual
from revops.success.risk import (
    AtRisk,
    RenewalForecast,
    company_details,
    forecast,
    next_renewals,
    score_companies,
)

if TYPE_CHECKING:
    from revops.config import RevOpsConfig
    from revops.metrics import Metrics, SourceContext
    from revops.metrics.engines.cohorts import CohortUnit
    from revops.success.plan import ClvPlan
    from revops.success.retention import CohortTable, SegmentClv

PeriodUnit = Literal["week", "month"]


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
        root: the workspace folder (`success/clv.yaml`, stored models); none: defaults
            and nothing stored.
    """

    def __init__(
        self, config: RevOpsConfig, metrics: Callable[[], Metrics], root: Path | None = None
    ) -> None:
        self.config = config
        self._metrics = metrics
        self.root = root

    # -- contractual value and cohorts ---------------------------------------------------

    def clv_plan(self) -> ClvPlan:
        """The workspace's `success/clv.yaml` (the defaults without one).

        Raises:
            ConfigError: the file does not validate (names the file and key).
        """
        from revops.success.plan import load_plan

        return load_plan(self.root)

    def segment_clv(self, *, as_of: date | None = None, margin: float | None = None) -> SegmentClv:
        """Lifetime value per segment as of `as_of`, each segment by the method of
        `success/clv.yaml` (sBG by default for subscribers, BG/NBD for buyers without a
        subscription); a segment whose model cannot be fitted says why in its row.

        Raises:
            ConfigError: `success/clv.yaml` does not validate.
            SuccessError: a margin outside 0..1.
        """
        from revops.success.retention import SegmentClv
        from revops.success.segments import value_segments

        plan = self.clv_plan()
        chosen = self.config.metrics.gross_margin if margin is None else margin
        if not 0 <= chosen <= 1:
            raise SuccessError(f"the margin must be between 0 and 1, not {chosen}")
        ctx = self._metrics().context(as_of)
        rows, fits = value_segments(ctx, ctx.as_of, plan, chosen)
        return SegmentClv(ctx.as_of, chosen, plan.discount_rate, plan.cohort_period, rows, fits)

    def cohorts(self, *, as_of: date | None = None, unit: CohortUnit = "month") -> CohortTable:
        """Logo and revenue retention of every start cohort (month or quarter) at each
        period end since its start, up to `as_of`.

        Raises:
            SuccessError: an unknown period.
        """
        from revops.metrics.engines.cohorts import check_unit
        from revops.success.retention import cohort_table

        check_unit(unit)
        ctx = self._metrics().context(as_of)
        return cohort_table(ctx, ctx.as_of, unit)

    # -- stored models -------------------------------------------------------------------

    def train(self, *, as_of: date | None = None, keep: int = 12) -> Path:
        """Train the churn model and the sBG fits as of `as_of` and store them in the
        workspace (`.revops/models/success/<day>/`), where later requests and the
        catalog's churn-risk metrics find them; then keep only the newest `keep`.

        Raises:
            SuccessError: no workspace folder, a model that cannot be trained, or `keep`
                below 1.
        """
        from revops.metrics import stored_models as store

        if self.root is None:
            raise SuccessError("models are stored in a workspace folder; this one has none")
        if keep < 1:
            raise SuccessError(f"keep at least 1 stored model, not {keep}")
        model = self.model(as_of=as_of, stored=False)
        fits = self.segment_clv(as_of=model.trained_as_of).fits
        folder = store.save(self.root, model, fits)
        store.prune(self.root, keep)
        return folder

    def stored_models(self) -> list[dict[str, Any]]:
        """Each stored model's description (training day, rows, churns, coefficients,
        sBG fits), oldest first; none without a workspace folder."""
        from revops.metrics import stored_models as store

        return [] if self.root is None else store.describe(self.root)

    def stored_model(self, as_of: date | None = None) -> ChurnModel | None:
        """The newest churn model stored on or before `as_of` (today), if any."""
        from revops.metrics import stored_models as store

        if self.root is None:
            return None
        day = as_of or self._metrics().context(None).as_of
        found = store.latest(self.root, day)
        return None if found is None else store.load(self.root, found)[0]

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
        ctx = self._metrics().context(as_of)
        end = ctx.as_of
        chosen_margin = self.config.metrics.gross_margin if margin is None else margin
        model, values = value_customers(
            ctx, end, periods=periods, unit=unit, margin=chosen_margin,
            discount_rate=discount_rate, since=since,
        )  # fmt: skip
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
        stored: bool = True,
    ) -> ChurnModel:
        """The churn model trained as of `as_of`: on the companies paying at each of the
        `months` month ends whose outcome `horizon_days` later is known by `as_of`
        (companies that had already given notice left out: their churn is announced).

        With `stored` (and the default months, horizon and label), the newest model
        `revops success train` stored on or before the day is used instead of training.

        Raises:
            SuccessError: too few churns to learn from, or a bad number of months or days.
        """
        if stored and (months, horizon_days, label) == (12, 90, "churned"):
            found = self.stored_model(as_of)
            if found is not None:
                return found
        ctx = self._metrics().context(as_of)
        return train_churn_model(
            ctx, ctx.as_of, months=months, horizon_days=horizon_days, label=label
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
        frame = scored(ctx, ctx.as_of, fitted)
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
        # Golden accounts (after identity resolution) or account records, named alike.
        details = company_details(ctx, ids)
        return {k: str(v["name"]) for k, v in details.items() if v.get("name")}
