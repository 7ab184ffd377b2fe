"""The company's calendar and funnel: fiscal year, opportunity stages and types, lifecycle
stages with their entry criteria, and the defaults of each."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from revops.config.base import Frozen


class FiscalConfig(Frozen):
    year_start_month: int = Field(
        default=1, ge=1, le=12, description="Month (1-12) in which the fiscal year starts."
    )
    year_named_by: Literal["end", "start"] = Field(
        default="end",
        description=(
            "Whether a fiscal year is named by the calendar year in which it ends "
            "(Feb 2024-Jan 2025 is FY2025) or starts (FY2024)."
        ),
    )


StageCategory = Literal["open", "won", "lost"]


class OpportunityStage(Frozen):
    name: str = Field(min_length=1, description="Stage name as users see it.")
    probability: float = Field(
        ge=0, le=100, description="Default win probability of the stage, in percent."
    )
    category: StageCategory = Field(description="open, won or lost.")
    source_values: tuple[str, ...] = Field(
        default=(),
        description=(
            "Values a source system writes for this stage when they differ from its name "
            "(a HubSpot stage id such as `appointmentscheduled`); matched case-insensitively."
        ),
    )

    def values(self) -> tuple[str, ...]:
        """The stage's name and every source value that means it."""
        return (self.name, *self.source_values)


OpportunityTypeName = Literal["new", "expansion", "renewal"]


class OpportunityType(Frozen):
    name: OpportunityTypeName = Field(
        description="new (first deal with a customer), expansion or renewal."
    )
    source_values: tuple[str, ...] = Field(
        default=(),
        description="Type values sources write that mean this one; matched case-insensitively.",
    )


class EntryCriterion(Frozen):
    """One way into a lifecycle stage: every condition it sets must hold (an AND); a
    stage's criteria are alternatives (an OR)."""

    name: str = Field(
        min_length=1,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Criterion key, named in lifecycle events as the rule that fired.",
    )
    fit_min: float | None = Field(
        default=None, ge=0, le=100, description="Lowest fit score (0-100) that qualifies."
    )
    engagement_min: float | None = Field(
        default=None, ge=0, le=100, description="Lowest engagement score (0-100) that qualifies."
    )
    model_min: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Lowest learned score (a conversion probability as a new lead, 0-1) "
        "that qualifies.",
    )
    conversions: tuple[str, ...] = Field(
        default=(),
        description=(
            "Web conversions that qualify on their own (web_session.conversion_type: "
            "demo_request, trial_signup, ...), at or before the as-of instant."
        ),
    )

    @model_validator(mode="after")
    def _some_condition(self) -> EntryCriterion:
        if (self.fit_min, self.engagement_min, self.model_min) == (None,) * 3 and not (
            self.conversions
        ):
            raise ValueError("set at least one of fit_min, engagement_min, model_min, conversions")
        return self


class LifecycleStage(Frozen):
    name: str = Field(
        min_length=1,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Stage key, lower-case (mql, sql, ...).",
    )
    label: str = Field(min_length=1, description="Stage name as users see it.")
    entry: tuple[EntryCriterion, ...] = Field(
        default=(),
        description=(
            "Entry criteria (any one qualifies) that `revops leads qualify` applies to "
            "leads; none: the stage is entered only as the source systems record it."
        ),
    )
    team: str | None = Field(
        default=None, description="The team that owns people in this stage (marketing, sales)."
    )
    sla_hours: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Hand-off SLA: business hours from entering this stage to the first sales touch."
        ),
    )


DEFAULT_OPPORTUNITY_STAGES: tuple[OpportunityStage, ...] = (
    OpportunityStage(name="Prospecting", probability=10, category="open"),
    OpportunityStage(name="Qualification", probability=20, category="open"),
    OpportunityStage(name="Discovery", probability=40, category="open"),
    OpportunityStage(name="Proposal", probability=60, category="open"),
    OpportunityStage(name="Negotiation", probability=80, category="open"),
    OpportunityStage(name="Closed Won", probability=100, category="won"),
    OpportunityStage(name="Closed Lost", probability=0, category="lost"),
)

# Salesforce's standard picklist values of Opportunity.Type and common variants. A
# downgrade or replacement is business with an existing customer at its renewal.
DEFAULT_OPPORTUNITY_TYPES: tuple[OpportunityType, ...] = (
    OpportunityType(
        name="new", source_values=("New Customer", "New Business", "New", "newbusiness")
    ),
    OpportunityType(
        name="expansion",
        source_values=(
            "Existing Customer - Upgrade",
            "Existing Business - Upgrade",
            "Existing Business",
            "Upsell",
            "Cross-sell",
            "Expansion",
            "existingbusiness",
        ),
    ),
    OpportunityType(
        name="renewal",
        source_values=(
            "Renewal",
            "Existing Customer - Downgrade",
            "Existing Customer - Replacement",
        ),
    ),
)

DEFAULT_LIFECYCLE_STAGES: tuple[LifecycleStage, ...] = (
    LifecycleStage(name="subscriber", label="Subscriber"),
    LifecycleStage(name="lead", label="Lead"),
    LifecycleStage(
        name="mql",
        label="Marketing qualified lead",
        entry=(
            EntryCriterion(name="fit_and_engagement", fit_min=40, engagement_min=30),
            EntryCriterion(name="demo_request", conversions=("demo_request",)),
        ),
        team="sales development",
        sla_hours=4,
    ),
    LifecycleStage(name="sql", label="Sales qualified lead"),
    LifecycleStage(name="opportunity", label="Opportunity"),
    LifecycleStage(name="customer", label="Customer"),
    LifecycleStage(name="evangelist", label="Evangelist"),
)
