"""The workspace configuration: `revops.yaml` validated into frozen pydantic models."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from revops.core.yamltext import parse_yaml
from revops.errors import ConfigError

CONFIG_FILE = "revops.yaml"
WAREHOUSE_SCHEMES = ("duckdb", "postgres", "postgresql", "spark")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WarehouseConfig(_Frozen):
    url: str = Field(
        default="duckdb:///warehouse.duckdb",
        description=(
            "Where the canonical model lives. duckdb:///FILE (relative paths are inside the "
            "workspace), postgresql://USER@HOST:PORT/DB, or spark://local for a local-mode "
            "Spark session with a Hive metastore in the workspace."
        ),
    )
    schema_prefix: str = Field(
        default="",
        description=(
            "Prefix for the warehouse schemas (core, history, raw, ...), to share one "
            "database with other tools: 'revops_' gives revops_core, revops_history."
        ),
        pattern=r"^[a-z0-9_]*$",
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in WAREHOUSE_SCHEMES:
            raise ValueError(
                f"unsupported warehouse URL {url!r}; use one of "
                + ", ".join(f"{s}://" for s in WAREHOUSE_SCHEMES)
            )
        return url


class AppDatabaseConfig(_Frozen):
    url: str = Field(
        default="sqlite:///app.db",
        description=(
            "SQLAlchemy URL of the app database (users, sessions, audit log). "
            "sqlite:///FILE (relative to the workspace) or postgresql+psycopg://..."
        ),
    )

    @field_validator("url")
    @classmethod
    def _sqlalchemy_url(cls, url: str) -> str:
        if not re.match(r"^(sqlite|postgresql(\+\w+)?)://", url):
            raise ValueError(
                f"unsupported app database URL {url!r}; use sqlite:// or postgresql://"
            )
        return url


class FiscalConfig(_Frozen):
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


class OpportunityStage(_Frozen):
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


class OpportunityType(_Frozen):
    name: OpportunityTypeName = Field(
        description="new (first deal with a customer), expansion or renewal."
    )
    source_values: tuple[str, ...] = Field(
        default=(),
        description="Type values sources write that mean this one; matched case-insensitively.",
    )


class EntryCriterion(_Frozen):
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
        description="Lowest learned score (a conversion probability, 0-1) that qualifies.",
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


class LifecycleStage(_Frozen):
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


class HealthWeights(_Frozen):
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


class MetricSettings(_Frozen):
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


class PipelineSettings(_Frozen):
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


IdentityMode = Literal["dedupe_only", "link_only", "link_and_dedupe"]
IdentityPreset = Literal["email", "company", "company_name"]


class IdentityComparison(_Frozen):
    """One compared field and the levels its agreement is graded in, best first.

    The levels present are, in this order: exact (term-frequency adjusted when
    `term_frequency`), a shipped `preset`'s levels, a nickname of the same first name,
    the name swapped with `swap_with`, the date levels, Damerau-Levenshtein distances,
    Jaro-Winkler similarities, the same first `prefix` / last `suffix` characters; any
    other pair is "different", and a pair with the field empty on one side weighs nothing.
    """

    field: str = Field(
        description=(
            "Record column compared: a canonical person or account column (first_name, "
            "last_name, email, phone, address_line1, address_line2, city, postcode, state, "
            "country, birth_date, name, domain) as normalised (docs/identity.md)."
        )
    )
    preset: IdentityPreset | None = Field(
        default=None,
        description=(
            "A shipped comparison instead of levels: 'email' (same address, same mailbox "
            "name at a free provider, another mailbox at the same company), 'company' "
            "(a person's company: same domain or name) or 'company_name' (an account's "
            "name: same, one typo apart, Jaro-Winkler >= 0.92)."
        ),
    )
    exact: bool = Field(default=True, description="A level for the same value.")
    term_frequency: bool = Field(
        default=False,
        description="Weigh an exact match of a common value (Smith) less than a rare one.",
    )
    nickname: bool = Field(
        default=False, description="A level for a nickname of the same first name (Bob, Robert)."
    )
    swap_with: str | None = Field(
        default=None,
        description=(
            "Another column (last_name for first_name): a level for the two values "
            "swapped between the records (first and last name entered the other way)."
        ),
    )
    date: bool = Field(
        default=False,
        description=("Date levels (YYYY-MM-DD values): day and month transposed, one digit wrong."),
    )
    damerau_levenshtein: tuple[int, ...] = Field(
        default=(), description="Levels for at most this many typos (insert, delete, swap)."
    )
    jaro_winkler: tuple[float, ...] = Field(
        default=(), description="Levels for a Jaro-Winkler similarity at least this (0-1)."
    )
    prefix: int | None = Field(
        default=None, ge=1, description="A level for the same first N characters (postcode)."
    )
    suffix: int | None = Field(
        default=None, ge=1, description="A level for the same last N characters (phone)."
    )


class IdentityKindSettings(_Frozen):
    """How one kind of record (people, companies) is compared, blocked and trained."""

    mode: IdentityMode = Field(
        default="dedupe_only",
        description=(
            "dedupe_only: every record against every other; link_only: only records of "
            "two different `sources` (each assumed free of duplicates); link_and_dedupe: "
            "both."
        ),
    )
    sources: tuple[str, ...] = Field(
        default=(),
        description=(
            "Source systems resolved (salesforce, hubspot, ...); empty: all. link_only "
            "needs at least two."
        ),
    )
    comparisons: tuple[IdentityComparison, ...] | None = Field(
        default=None,
        description=(
            "Fields compared; empty: the shipped ones (docs/identity.md). A comparison "
            "whose field is empty on every record is left out of the run."
        ),
    )
    blocking: tuple[tuple[str, ...], ...] | None = Field(
        default=None,
        description=(
            "Blocking rules: each a list of columns (or SQL expressions over one record) "
            "that must be equal for a pair to be scored; empty: the shipped ones."
        ),
    )
    deterministic: tuple[tuple[str, ...], ...] | None = Field(
        default=None,
        description=(
            "Rules whose pairs are almost all matches, for the prior; empty: the shipped "
            "ones. When they find no pair, expected_duplicate_rate sets the prior."
        ),
    )
    expected_duplicate_rate: float = Field(
        default=0.01,
        gt=0,
        lt=1,
        description=(
            "Share of records that are a copy of another, assumed when no deterministic "
            "rule finds a pair. Kept low on purpose: it errs towards fewer merges."
        ),
    )

    @model_validator(mode="after")
    def _link_needs_sources(self) -> IdentityKindSettings:
        if self.mode == "link_only" and len(self.sources) < 2:
            raise ValueError("link_only needs at least two `sources` to link")
        return self


class IdentitySettings(_Frozen):
    """Thresholds and engine of identity resolution (docs/identity.md)."""

    engine: Literal["auto", "duckdb"] = Field(
        default="auto",
        description=(
            "Where Splink computes: 'auto' on the warehouse's own backend (PostgreSQL in a "
            "work schema dropped after the run, or the Spark session), 'duckdb' always in "
            "an embedded in-memory DuckDB (the records are read out of the warehouse), for "
            "a small warehouse or a PostgreSQL server without the fuzzystrmatch extension."
        ),
    )

    person_threshold: float = Field(
        default=0.995,
        gt=0,
        lt=1,
        description=(
            "Match probability at or above which two person records (leads, contacts) are "
            "one person. Higher merges less: a wrong merge costs more than a missed one."
        ),
    )
    company_threshold: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description=(
            "Match probability at or above which two accounts are one company. Lower than "
            "for people: the unsupervised model's prior is cautious, and a distinctive "
            "company name alone (no domain on one side) scores about 0.5."
        ),
    )
    lead_account_min_score: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description=(
            "Least name similarity (0-1) for a lead to be matched to an account by company "
            "name when no domain matches."
        ),
    )
    person: IdentityKindSettings = Field(
        default_factory=IdentityKindSettings,
        description="Fields, blocking rules and mode of people (leads, contacts).",
    )
    company: IdentityKindSettings = Field(
        default_factory=IdentityKindSettings,
        description="Fields, blocking rules and mode of companies (accounts).",
    )
    max_block_size: int = Field(
        default=25,
        ge=2,
        description=(
            "Most records one blocking key may hold: a key shared by more (a common name, "
            "a first-name mailbox) is split into chunks of this many neighbours (sorted by "
            "the other fields that tell records apart, and again offset by half a chunk), "
            "so each record meets at most twice this many others per rule, whatever the "
            "size of the data. Lower it if a run runs out of memory or time."
        ),
    )
    max_pairs_per_record: int = Field(
        default=10,
        ge=1,
        description=(
            "Scored pairs kept per record below its kind's threshold (its best ones, for "
            "explain and review); every pair at or above the threshold is kept."
        ),
    )
    predict_chunk_records: int = Field(
        default=500_000,
        ge=100,
        description=(
            "Records per chunk when the pairs are scored: a run of more records scores "
            "the pairs of one chunk of left-hand records at a time (Splink's chunked "
            "predict), so the engine's memory holds one chunk's comparisons. Lower it "
            "when a large run runs out of memory."
        ),
    )
    memory_limit: str = Field(
        default="6GB",
        pattern=r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$",
        description=(
            "Memory the embedded DuckDB engine may use before it spills to disk or stops "
            "with an error naming this setting."
        ),
    )
    review_band: tuple[float, float] = Field(
        default=(0.1, 0.9999),
        description=(
            "Match probabilities [low, high) of the pairs `revops identity review` lists "
            "for a person to accept or reject (around both kinds' thresholds)."
        ),
    )

    @field_validator("review_band")
    @classmethod
    def _band_is_ordered(cls, band: tuple[float, float]) -> tuple[float, float]:
        if not 0 <= band[0] < band[1] <= 1:
            raise ValueError("review_band is [low, high) with 0 <= low < high <= 1")
        return band


class QueryBudget(_Frozen):
    """What one request of the cockpit or API may cost, so one user cannot hold the
    warehouse for everyone else."""

    statement_timeout_seconds: float | None = Field(
        default=30.0,
        gt=0,
        description="Longest a request's queries may run, in seconds (DuckDB: interrupted on "
        "a timer; PostgreSQL: statement_timeout); null for no limit. The request then "
        "answers 504 naming this limit.",
    )
    report_timeout_seconds: float | None = Field(
        default=300.0,
        gt=0,
        description="Longest the meeting pack's queries may run, in seconds: a report of "
        "every team's numbers, computed once per period and day and then kept; null for no "
        "limit.",
    )
    max_window_days: int = Field(
        default=3660,
        ge=1,
        description="Longest window a request may ask for, in days (about ten years).",
    )
    max_cells: int = Field(
        default=2000,
        ge=1,
        description="Most values one request may compute: periods × slices × metrics.",
    )


class SmtpSettings(_Frozen):
    """The SMTP server automations and deliveries send e-mail through."""

    host: str = Field(default="localhost", min_length=1, description="SMTP server host.")
    port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    user: str | None = Field(default=None, description="Login user; none: no login.")
    password_env: str | None = Field(
        default=None,
        description="Name of the environment variable holding the password (never the "
        "password itself: it is read when a message is sent and never logged).",
    )
    starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    sender: str = Field(
        default="revops@localhost", min_length=3, description="The From address of messages."
    )
    timeout_seconds: float = Field(default=10, gt=0, description="Connection timeout.")


class SchedulerJob(_Frozen):
    """One job `revops scheduler run` runs on a cron schedule."""

    name: str = Field(min_length=1, description="Job name, unique; the lock and history key.")
    kind: Literal[
        "ingest", "sync", "quality", "identity", "automations", "sequences", "deliveries"
    ] = Field(description="What the job runs.")
    cron: str = Field(min_length=9, description="Cron schedule (5 fields, UTC).")
    source: str | None = Field(
        default=None,
        description="ingest: the source to load; sync: the connected source (default: each).",
    )
    folder: str | None = Field(
        default=None, description="ingest: the folder of export files, relative to the workspace."
    )


class AutomateSettings(_Frozen):
    """Where automations and deliveries send messages, how they retry, and the scheduler's
    jobs. Secrets are named by environment variable, never written here."""

    smtp: SmtpSettings = Field(default_factory=SmtpSettings, description="The SMTP server.")
    slack_webhook_env: str | None = Field(
        default=None,
        description="Environment variable holding the default Slack incoming-webhook URL.",
    )
    retries: int = Field(
        default=3, ge=1, le=10, description="Attempts of a message before it is reported failed."
    )
    backoff_seconds: float = Field(
        default=1.0, ge=0, description="Wait before the second attempt; doubled after each."
    )
    base_url: str = Field(
        default="http://localhost:8000",
        description="The cockpit's address, for the links in messages.",
    )
    jobs: tuple[SchedulerJob, ...] = Field(default=(), description="The scheduler's jobs.")


class RevOpsConfig(_Frozen):
    """Everything `revops.yaml` holds."""

    version: Literal[1] = Field(default=1, description="Version of the config file format.")
    warehouse: WarehouseConfig = Field(
        default_factory=WarehouseConfig, description="The analytics warehouse."
    )
    app_database: AppDatabaseConfig = Field(
        default_factory=AppDatabaseConfig, description="The app database."
    )
    fiscal: FiscalConfig = Field(default_factory=FiscalConfig, description="Fiscal calendar.")
    reporting_currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code every amount is converted to for reporting.",
    )
    opportunity_stages: tuple[OpportunityStage, ...] = Field(
        default=DEFAULT_OPPORTUNITY_STAGES,
        min_length=2,
        description="Opportunity stages in pipeline order; open stages first.",
    )
    opportunity_types: tuple[OpportunityType, ...] = Field(
        default=DEFAULT_OPPORTUNITY_TYPES,
        description=(
            "Which source values of an opportunity's type mean new, expansion or renewal; "
            "a value none lists is kept as the source wrote it (bookings of unknown type)."
        ),
    )
    lifecycle_stages: tuple[LifecycleStage, ...] = Field(
        default=DEFAULT_LIFECYCLE_STAGES,
        min_length=2,
        description="Lifecycle stages of a person, in order (subscriber ... evangelist).",
    )
    metrics: MetricSettings = Field(
        default_factory=MetricSettings,
        description="Conventions the KPI catalog follows where tools differ.",
    )
    pipeline: PipelineSettings = Field(
        default_factory=PipelineSettings,
        description="Thresholds of pipeline analytics: stalled deals, bottlenecks.",
    )
    query_budget: QueryBudget = Field(
        default_factory=QueryBudget,
        description="Limits of one request of the cockpit or API: time, window, values.",
    )
    automate: AutomateSettings = Field(
        default_factory=AutomateSettings,
        description="Automations, deliveries and the scheduler: SMTP, webhooks, retries, jobs.",
    )
    identity: IdentitySettings = Field(
        default_factory=IdentitySettings,
        description=(
            "Identity resolution: the engine Splink runs on, match thresholds of people, "
            "companies and leads."
        ),
    )

    @field_validator("opportunity_stages")
    @classmethod
    def _stages_make_a_pipeline(
        cls, stages: tuple[OpportunityStage, ...]
    ) -> tuple[OpportunityStage, ...]:
        _unique([v.casefold() for s in stages for v in s.values()], "stage name or source value")
        categories = [s.category for s in stages]
        for needed in ("open", "won", "lost"):
            if needed not in categories:
                raise ValueError(f"needs at least one {needed} stage")
        first_closed = min(i for i, c in enumerate(categories) if c != "open")
        if "open" in categories[first_closed:]:
            raise ValueError("open stages must come before the won and lost stages")
        for stage in stages:
            if stage.category == "won" and stage.probability != 100:
                raise ValueError(f"won stage {stage.name!r} must have probability 100")
            if stage.category == "lost" and stage.probability != 0:
                raise ValueError(f"lost stage {stage.name!r} must have probability 0")
        return stages

    @field_validator("opportunity_types")
    @classmethod
    def _types_unique(cls, types: tuple[OpportunityType, ...]) -> tuple[OpportunityType, ...]:
        _unique([t.name for t in types], "opportunity type")
        _unique([v.casefold() for t in types for v in t.source_values], "type source value")
        return types

    @field_validator("lifecycle_stages")
    @classmethod
    def _unique_lifecycle(cls, stages: tuple[LifecycleStage, ...]) -> tuple[LifecycleStage, ...]:
        _unique([s.name for s in stages], "lifecycle stage")
        return stages

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, data: Any) -> Any:
        if data is None:
            return {}
        return data

    def stage(self, name: str) -> OpportunityStage:
        """The opportunity stage called `name`, or with `name` among its source values
        (case-insensitive)."""
        for stage in self.opportunity_stages:
            if name.casefold() in (v.casefold() for v in stage.values()):
                return stage
        raise KeyError(name)


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate {what} {name!r}")
        seen.add(name)


def load_config(path: Path) -> RevOpsConfig:
    """Read and validate a `revops.yaml`.

    Raises:
        ConfigError: naming the file, the first offending key and the problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot be read ({exc})") from None
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, where, f"not valid YAML: {problem}") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(path, None, f"must be a mapping of keys, not a {type(data).__name__}")
    try:
        return RevOpsConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(path, _dotted(first["loc"]), _problem(first)) from None


def _dotted(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key or "(top level)"


def _problem(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    if "input" in error and error["type"] not in ("model_type",):
        message += f" (got {error['input']!r})"
    return message


def config_schema() -> dict[str, Any]:
    """The JSON schema of `revops.yaml`."""
    return RevOpsConfig.model_json_schema()


def config_template(fiscal_year_start_month: int = 1) -> str:
    """The commented `revops.yaml` that `revops init` writes; it loads to the defaults
    (but for the fiscal year's first month, when given)."""
    stages = "\n".join(
        f"  - {{name: {s.name}, probability: {s.probability:g}, category: {s.category}}}"
        for s in DEFAULT_OPPORTUNITY_STAGES
    )
    lifecycle = "\n".join(_lifecycle_line(s) for s in DEFAULT_LIFECYCLE_STAGES)
    types = "\n".join(
        f"  - {{name: {t.name}, source_values: [{', '.join(_flow(v) for v in t.source_values)}]}}"
        for t in DEFAULT_OPPORTUNITY_TYPES
    )
    return _TEMPLATE.format(
        stages=stages, types=types, lifecycle=lifecycle, start_month=fiscal_year_start_month
    )


def _lifecycle_line(stage: LifecycleStage) -> str:
    """A lifecycle stage as one YAML flow mapping of the template."""
    data = stage.model_dump(exclude_defaults=True)
    if "entry" in data:
        data["entry"] = [
            EntryCriterion.model_validate(c).model_dump(exclude_defaults=True)
            for c in data["entry"]
        ]
    text = yaml.safe_dump(data, default_flow_style=True, sort_keys=False, width=10_000)
    return f"  - {text.strip()}"


def _flow(value: str) -> str:
    """`value` as a YAML flow-sequence item (quoted when plain YAML would misread it)."""
    return value if re.fullmatch(r"[A-Za-z][\w .-]*", value) and ": " not in value else repr(value)


_TEMPLATE = """\
# revops workspace configuration. `revops config schema` prints the JSON schema of this
# file; `revops config show` the effective values.
version: 1

warehouse:
  # Where the canonical model lives: duckdb:///FILE (relative to this folder),
  # postgresql://USER@HOST:5432/DB, or spark://local (local-mode Spark, needs revops[spark]).
  url: duckdb:///warehouse.duckdb
  # Prefix for the warehouse schemas (core, history, ...) when the database is shared.
  schema_prefix: ""

app_database:
  # Users, sessions, audit log: sqlite:///FILE (relative to this folder) or
  # postgresql+psycopg://USER@HOST/DB.
  url: sqlite:///app.db

fiscal:
  # Month (1-12) in which the fiscal year starts; 2 means February.
  year_start_month: {start_month}
  # FY named by the calendar year in which it ends ("end") or starts ("start").
  year_named_by: end

# ISO 4217 code that every amount is converted to for reporting.
reporting_currency: USD

# Opportunity stages in pipeline order: open stages first, then won and lost.
# probability is the default win probability in percent. A stage a source system names
# otherwise lists those names: `source_values: [appointmentscheduled]`.
opportunity_stages:
{stages}

# Which source values of an opportunity's type mean new, expansion or renewal.
opportunity_types:
{types}

# Lifecycle stages of a person (lead or contact), in order.
lifecycle_stages:
{lifecycle}

# Conventions the KPI catalog follows where tools differ (docs/metrics.md).
metrics:
  # When a cancelled subscription stops counting as MRR: period_end or cancellation.
  churn_dated_at: period_end
  # Days at zero MRR after which a returning customer counts as reactivated.
  reactivation_grace_days: 0
  # Gross margin (0-1) for customer lifetime value and CAC payback.
  gross_margin: 0.8
  # Lead sources that make a deal marketing-sourced when its sourced_by is empty.
  marketing_lead_sources: [paid_search, paid_social, organic, events, referral, web]
  # Days to resolve a RevOps request, by priority; the default covers the others.
  request_sla_days: {{critical: 2, high: 5, medium: 10, low: 20}}
  default_request_sla_days: 10
  # Weights of the account health score's parts (each scored 0-100).
  health_weights: {{usage: 0.4, support: 0.2, csat: 0.2, payment: 0.2}}

# Pipeline analytics (docs/pipeline.md); typical times are learned from history.
pipeline:
  # Stalled: days in stage and since last activity both above this percentile of the
  # days deals spent in that stage before leaving it.
  stalled_percentile: 0.9
  # Fewest finished stays for a stage or stage-and-segment figure of its own.
  min_stays: 10
  # Quarters of history bottlenecks compare the recent window with.
  baseline_quarters: 4
  # Smallest deterioration (0.1: a tenth worse than its own history) that is a bottleneck.
  bottleneck_tolerance: 0.1
  # Quarters between the created-to-won cohort and the window.
  cohort_lag_quarters: 1
"""
