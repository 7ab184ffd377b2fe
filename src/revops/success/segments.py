"""Lifetime value per segment, each by the method `success/clv.yaml` chooses for it:

- `sbg`: the shifted-beta-geometric model fitted on the segment's start cohorts (their
  survivors, :func:`revops.metrics.engines.cohorts.read_cohorts`); a new customer's CLV is
  ARPA × margin × DEL (its discounted expected lifetime), the value of today's customers
  Σ MRR × margin × DERL (the discounted lifetime still ahead of each, after the renewals it
  has made);
- `contractual_simple`: one churn probability for everyone (the geometric model, the sBG
  without heterogeneity), estimated on the same cohorts as lost / customer-periods at
  risk; CLV = ARPA × margin / churn, the value of today's customers Σ MRR × margin / churn;
- `bgnbd`: BG/NBD + Gamma-Gamma on the invoices of the segment's companies (or of every
  buyer without a subscription): the mean expected value per customer over the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from revops.errors import SuccessError
from revops.metrics.engines.cohorts import Cohort, CohortUnit, read_cohorts
from revops.stats.sbg import SBG, fit_sbg

if TYPE_CHECKING:
    from revops.metrics import SourceContext
    from revops.success.plan import ClvMethod, ClvPlan

BUYERS = "(no subscription)"
"""The row of the buyers without a subscription."""


@dataclass(frozen=True)
class SegmentValue:
    """The lifetime value of one segment's customers by one method."""

    segment: str
    method: ClvMethod
    customers: int
    arpa: float | None = None
    lifetime_periods: float | None = None
    clv: float | None = None
    base_value: float | None = None
    parameters: dict[str, float | int] = field(default_factory=dict)
    problem: str | None = None

    def as_dict(self) -> dict[str, object]:
        """For JSON."""

        def rounded(v: float | None, digits: int = 2) -> float | None:
            return None if v is None or not np.isfinite(v) else round(v, digits)

        return {
            "segment": self.segment,
            "method": self.method,
            "customers": self.customers,
            "arpa": rounded(self.arpa),
            "lifetime_periods": rounded(self.lifetime_periods, 3),
            "clv": rounded(self.clv),
            "base_value": rounded(self.base_value),
            "parameters": {k: round(v, 4) for k, v in self.parameters.items()},
            "problem": self.problem,
        }


def geometric_churn(cohorts: list[Cohort]) -> tuple[float, int]:
    """The churn probability per period of the constant-churn model (its maximum
    likelihood: customers lost / customer-periods at risk) and the customers counted.

    Raises:
        SuccessError: no customer at risk of leaving, or none left.
    """
    lost = sum(sum(c.survivors[t - 1] - c.survivors[t] for t in range(1, len(c.survivors)))
               for c in cohorts)  # fmt: skip
    exposed = sum(sum(c.survivors[:-1]) for c in cohorts)
    if exposed == 0 or lost == 0:
        raise SuccessError("no customer has left after a whole period: no churn to divide by")
    return lost / exposed, sum(c.survivors[0] for c in cohorts)


def value_segment(
    segment: str, method: ClvMethod, cohorts: list[Cohort], arpa: float | None,
    customers: int, margin: float, discount_rate: float,
) -> SegmentValue:  # fmt: skip
    """One segment of subscribers valued by `sbg` or `contractual_simple`; a model that
    cannot be fitted gives the row its problem, not an exception."""
    try:
        if arpa is None:
            raise SuccessError("no company of the segment pays on the day: no ARPA")
        if method == "sbg":
            model = fit_sbg([c.survivors for c in cohorts])
            lifetime = model.discounted_lifetime(discount_rate)
            base = sum(
                mrr * margin * float(model.residual_lifetime(discount_rate, k))
                for c in cohorts for k, (_, mrr) in c.renewals.items()
            )  # fmt: skip
            return SegmentValue(
                segment, method, customers, arpa, lifetime, arpa * margin * lifetime, base,
                {**model.as_dict(), "retention_1": model.retention(1),
                 "retention_12": model.retention(12)},
            )  # fmt: skip
        churn, counted = geometric_churn(cohorts)
        active_mrr = sum(c.active_mrr for c in cohorts)
        return SegmentValue(
            segment, method, customers, arpa, 1.0 / churn, arpa * margin / churn,
            active_mrr * margin / churn, {"churn": churn, "customers": counted},
        )  # fmt: skip
    except SuccessError as exc:
        return SegmentValue(segment, method, customers, arpa, problem=str(exc))


def arpa_by_segment(ctx: SourceContext, day: date) -> dict[str, tuple[int, float]]:
    """Per segment, the companies paying at the end of `day` and their mean MRR."""
    from revops.metrics.engines.cohorts import lifetimes

    rows = lifetimes(ctx, day)
    paying = rows.filter(rows.mrr > 0)
    found = paying.group_by("segment").aggregate(n=paying.count(), mean=paying.mrr.mean())
    return {r["segment"]: (int(r["n"]), float(r["mean"])) for r in found.to_pyarrow().to_pylist()}


def value_segments(
    ctx: SourceContext, day: date, plan: ClvPlan, margin: float, *, unit: CohortUnit | None = None
) -> tuple[list[SegmentValue], dict[str, SBG]]:
    """Every segment of subscribers, and the buyers without a subscription, valued by the
    method `plan` gives it, as of `day`; the sBG fits by segment as well."""
    period = unit or plan.cohort_period
    cohorts = read_cohorts(ctx, day, period)
    arpa = arpa_by_segment(ctx, day)
    per_period = 1.0 if period == "month" else 3.0
    segments = sorted({c.segment for c in cohorts} | set(arpa) | set(plan.segments))
    rows: list[SegmentValue] = []
    fits: dict[str, SBG] = {}
    for segment in segments:
        method = plan.method_for(segment)
        mine = [c for c in cohorts if c.segment == segment]
        paying, mean = arpa.get(segment, (0, None))
        if method == "bgnbd":
            rows.append(_bgnbd(ctx, day, segment, plan, margin, segment_filter=segment))
            continue
        row = value_segment(
            segment, method, mine, None if mean is None else mean * per_period, paying, margin,
            plan.discount_rate,
        )  # fmt: skip
        rows.append(row)
        if method == "sbg" and row.problem is None:
            fits[segment] = SBG(
                float(row.parameters["alpha"]), float(row.parameters["beta"]),
                float(row.parameters["log_likelihood"]), int(row.parameters["customers"]),
                int(row.parameters["cohorts"]),
            )  # fmt: skip
    rows.append(_bgnbd(ctx, day, BUYERS, plan, margin, segment_filter=None))
    return rows, fits


def _bgnbd(
    ctx: SourceContext, day: date, label: str, plan: ClvPlan, margin: float,
    segment_filter: str | None,
) -> SegmentValue:  # fmt: skip
    from revops.metrics.engines.customers import value_customers

    try:
        model, values = value_customers(
            ctx, day, periods=plan.horizon_months, unit="month", margin=margin,
            segment=segment_filter, include_subscribers=segment_filter is not None,
        )  # fmt: skip
    except SuccessError as exc:
        return SegmentValue(label, "bgnbd", 0, problem=str(exc))
    total = float(sum(v.expected_value for v in values))
    spend = float(np.mean([v.expected_spend for v in values]))
    return SegmentValue(
        label, "bgnbd", len(values), spend, float(plan.horizon_months),
        total / len(values), total,
        {**{f"bgnbd_{k}": v for k, v in model.purchases.as_dict().items()},
         **{f"gg_{k}": v for k, v in model.spend.as_dict().items()}},
    )  # fmt: skip
