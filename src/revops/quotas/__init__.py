"""Quota and capacity planning: quotas top-down (target split by potential, history and
seasonality) against bottom-up (productivity, ramp, tenure), applied as effective-dated
quota records attainment reads, and the hires needed to reach a target. See
docs/quotas.md."""

from revops.quotas.capacity import CapacityPlan
from revops.quotas.component import QuotaPlan, Quotas

__all__ = ["CapacityPlan", "QuotaPlan", "Quotas"]
