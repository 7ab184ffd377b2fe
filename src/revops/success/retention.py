"""Cohort retention curves: per start cohort, the share of its companies (logo) and of its
first-period MRR (revenue) still paid at each period end since its start, as of a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from revops.metrics.engines.cohorts import CohortUnit, period_start, retention_curves

if TYPE_CHECKING:
    from revops.metrics import SourceContext
    from revops.stats.sbg import SBG
    from revops.success.segments import SegmentValue


@dataclass(frozen=True)
class CohortRow:
    """One start cohort: its size, MRR at the end of its start period, and per period since
    its start the companies and MRR still paid."""

    cohort: date
    customers: int
    start_mrr: float
    paying: list[int]
    mrr: list[float]

    @property
    def logo_retention(self) -> list[float]:
        """Companies paying at each period end / companies that started in the cohort."""
        return [n / self.customers if self.customers else 0.0 for n in self.paying]

    @property
    def revenue_retention(self) -> list[float | None]:
        """MRR at each period end / MRR at the end of the start period (none without)."""
        return [m / self.start_mrr if self.start_mrr else None for m in self.mrr]

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "cohort": self.cohort.isoformat(),
            "customers": self.customers,
            "start_mrr": round(self.start_mrr, 2),
            "paying": self.paying,
            "mrr": [round(m, 2) for m in self.mrr],
            "logo_retention": [round(v, 4) for v in self.logo_retention],
            "revenue_retention": [
                None if v is None else round(v, 4) for v in self.revenue_retention
            ],
        }


@dataclass(frozen=True)
class CohortTable:
    """Every start cohort's retention as of a day."""

    as_of: date
    unit: CohortUnit
    rows: list[CohortRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "as_of": self.as_of.isoformat(),
            "unit": self.unit,
            "cohorts": [r.as_dict() for r in self.rows],
        }


def cohort_table(ctx: SourceContext, day: date, unit: CohortUnit) -> CohortTable:
    """The retention of every cohort whose start period has begun by `day`: one query for
    the paying companies and MRR per cohort and period, one for the cohorts' sizes."""
    from revops.metrics.engines.cohorts import lifetimes

    cells = retention_curves(ctx, day, unit).to_pyarrow().to_pylist()
    starts = lifetimes(ctx, day, unit)
    sizes = {
        int(r["cohort"]): int(r["n"])
        for r in starts.group_by("cohort").aggregate(n=starts.count()).to_pyarrow().to_pylist()
    }
    by: dict[int, dict[int, tuple[int, float]]] = {}
    for cell in cells:
        by.setdefault(int(cell["cohort"]), {})[int(cell["period"])] = (
            int(cell["customers"]), float(cell["mrr"] or 0.0))  # fmt: skip
    from revops.metrics.engines.cohorts import last_complete

    last = last_complete(day, unit)
    rows = []
    for cohort, size in sorted(sizes.items()):
        if cohort > last:
            continue
        periods = by.get(cohort, {})
        span = range(last - cohort + 1)
        rows.append(
            CohortRow(
                period_start(cohort, unit), size, periods.get(0, (0, 0.0))[1],
                [periods.get(t, (0, 0.0))[0] for t in span],
                [periods.get(t, (0, 0.0))[1] for t in span],
            )
        )  # fmt: skip
    return CohortTable(day, unit, rows)


@dataclass(frozen=True)
class SegmentClv:
    """Lifetime value per segment as of a day, by the methods of `success/clv.yaml`."""

    as_of: date
    margin: float
    discount_rate: float
    cohort_period: str
    rows: list[SegmentValue]
    fits: dict[str, SBG] = field(default_factory=dict)
    stored: str | None = None

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "as_of": self.as_of.isoformat(),
            "margin": self.margin,
            "discount_rate": self.discount_rate,
            "cohort_period": self.cohort_period,
            "segments": [r.as_dict() for r in self.rows],
        }
