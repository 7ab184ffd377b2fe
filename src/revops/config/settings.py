"""Conventions of the metrics, pipeline and health score."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from revops.config.base import Frozen


class HealthWeights(Frozen):
    """How much each part of the account health score counts."""

    usage: float = Field(default=0.4, ge=0, description="Usage trend (active users).")
    support: float = Field(default=0.2, ge=0, description="Support load (tickets opened).")
    csat: float = Field(default=0.2, ge=0, description="Satisfaction with support (CSAT).")
    payment: float = Field(default=0.2, ge=0, description="Invoices paid by their due date.")

    @model_validator(mode="after")
    def _some_weight(self) -> HealthWeights:
        if self.usage + self.support + self.csat + self.payment <= 0:
            raise ValueError("at least one weight must be above 0")
        return self


class MetricSettings(Frozen):
    """Conventions where tools differ; every KPI that depends on one says so."""

    churn_dated_at: Literal["period_end", "cancellation"] = Field(
        default="period_end",
        description=(
            "When a cancelled subscription line stops counting as MRR: at the end of the "
            "period already paid for (valid_to, or the day after end_date; the common "
            "subscription-analytics default) or at the instant the customer cancelled "
            "(canceled_at)."
        ),
    )
    reactivation_grace_days: int = Field(
        default=0,
        ge=0,
        le=365,
        description=(
            "A customer back within this many days after its last subscription ended is a "
            "continuation (no churn, no reactivation); after longer, a reactivation. 0 counts "
            "every return after a month-end at zero as a reactivation."
        ),
    )
    gross_margin: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Gross margin (0-1) used by customer lifetime value and CAC payback.",
    )
    marketing_lead_sources: tuple[str, ...] = Field(
        default=("paid_search", "paid_social", "organic", "events", "referral", "web"),
        description=(
            "Lead sources that make an opportunity marketing-sourced when its sourced_by is empty."
        ),
    )
    request_sla_days: dict[str, float] = Field(
        default_factory=lambda: {"critical": 2.0, "high": 5.0, "medium": 10.0, "low": 20.0},
        description=(
            "Days within which a RevOps request of each priority (or, before it is "
            "prioritised, its stated urgency) should be resolved; default_request_sla_days "
            "applies to the others."
        ),
    )
    default_request_sla_days: float = Field(
        default=10.0, gt=0, description="SLA in days for requests whose priority has none."
    )
    health_weights: HealthWeights = Field(
        default_factory=lambda: HealthWeights(),
        description=(
            "Weights of the account health score's parts (each scored 0-100); they are "
            "normalised to sum to 1."
        ),
    )


class PipelineSettings(Frozen):
    """Thresholds of pipeline analytics (docs/pipeline.md); each is learned from history."""

    stalled_percentile: float = Field(
        default=0.9,
        gt=0,
        lt=1,
        description=(
            "A deal is stalled when its days in its stage and its days since the last activity "
            "both pass this percentile of the days deals spent in that stage before leaving it "
            "(learned from history up to the as-of day)."
        ),
    )
    min_stays: int = Field(
        default=10,
        ge=1,
        description=(
            "Fewest finished stays a stage (or stage and segment) needs for its own typical "
            "time and conversion; below it the stalled threshold falls back to the whole stage "
            "and bottlenecks skip the row."
        ),
    )
    baseline_quarters: int = Field(
        default=4,
        ge=1,
        le=12,
        description=(
            "Fiscal quarters before the recent window that bottlenecks compare it with, and "
            "over whose created deals the created-to-won conversion is measured."
        ),
    )
    bottleneck_tolerance: float = Field(
        default=0.1,
        ge=0,
        description=(
            "Smallest deterioration score (relative drop in conversion plus relative rise in "
            "median days in stage) that makes a stage and segment a bottleneck."
        ),
    )
    cohort_lag_quarters: int = Field(
        default=1,
        ge=0,
        le=8,
        description=(
            "Quarters between the end of the created-to-won cohort and the window, so the "
            "cohort's deals have had time to close."
        ),
    )


class IngestSettings(Frozen):
    """How `revops ingest` uses memory: large files are mapped part by part, and the
    embedded DuckDBs it writes through spill to disk past a limit, so a load's memory is
    set by these and not by the size of its largest file (docs/ingest.md)."""

    part_mb: int = Field(
        default=64,
        ge=1,
        le=4096,
        description=(
            "A delimited file of more than twice this many megabytes is read and copied "
            "into the mapping engine part by part, each about this size, when it can be "
            "cut between records safely (UTF-8, regular quoting)."
        ),
    )
    memory_limit: str = Field(
        default="1GB",
        pattern=r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$",
        description=(
            "Memory the ingest's mapping engine, and an embedded DuckDB warehouse while it "
            "loads, may each use before spilling to disk (their temporary directory). A "
            "load that needs more fails, naming this setting; the other loads go on."
        ),
    )
