"""The metric layer: one definition of every revenue number, computed in the warehouse.

Definitions are YAML (built-in ones in `revops/metrics/catalog/`, a workspace's own in
its `metrics/` folder), compiled to Ibis expressions; see docs/metrics.md.
"""

from __future__ import annotations

from revops.metrics.catalog import Catalog, load_catalog
from revops.metrics.compile import in_window, moment
from revops.metrics.definition import Dimension, Metric
from revops.metrics.engines.deal_state import deals_as_of, opportunities_at
from revops.metrics.engines.history import (
    end_of,
    open_stages,
    pipeline_at,
    stage_entries,
    versions_until,
)
from revops.metrics.engines.mrr import mrr_at, subscription_lines
from revops.metrics.query import Drill, Explanation, MetricResult, Metrics
from revops.metrics.quotas import quotas_known
from revops.metrics.scope import Scope
from revops.metrics.sources import SourceContext, engine

__all__ = [
    "Catalog",
    "Dimension",
    "Drill",
    "Explanation",
    "Metric",
    "MetricResult",
    "Metrics",
    "Scope",
    "SourceContext",
    "deals_as_of",
    "end_of",
    "engine",
    "in_window",
    "load_catalog",
    "moment",
    "mrr_at",
    "open_stages",
    "opportunities_at",
    "pipeline_at",
    "quotas_known",
    "stage_entries",
    "subscription_lines",
    "versions_until",
]
