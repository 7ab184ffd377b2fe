"""The commented `revops.yaml` a new workspace starts from."""

from __future__ import annotations

import re

import yaml

from revops.config.funnel import (
    DEFAULT_LIFECYCLE_STAGES,
    DEFAULT_OPPORTUNITY_STAGES,
    DEFAULT_OPPORTUNITY_TYPES,
    EntryCriterion,
    LifecycleStage,
)


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
