"""The activation plan (`plans/activation.yaml`): initiatives with owners, dates and KPI
targets by month, tracked against the metric layer; and annotations, dated notes on a
metric or a page (docs/plan.md)."""

from revops.plan.annotations import Annotation, Annotations
from revops.plan.component import MonthStatus, Plan, PlanStatus, TargetStatus

__all__ = ["Annotation", "Annotations", "MonthStatus", "Plan", "PlanStatus", "TargetStatus"]
