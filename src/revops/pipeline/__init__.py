"""Pipeline analytics: the pipeline as of any day, reconstructed from opportunity history,
and what it says — created against needed, stalled deals, bottlenecks, the waterfall of
how it moved between two days. See docs/pipeline.md.

Every function reads only history versions and activities dated up to its as-of day, and
returns an Ibis expression or a small result object with a JSON-ready view (`to_dict`).
"""

from __future__ import annotations

from revops.pipeline.analytics import Pipeline, PipelineView
from revops.pipeline.bottlenecks import bottlenecks, stay_comparison
from revops.pipeline.created import CreatedVsNeeded, created_vs_needed
from revops.pipeline.result import PipelineTable
from revops.pipeline.snapshot import By, deals_at, open_deals, pipeline_by_stage
from revops.pipeline.stalled import stage_thresholds, stalled_deals
from revops.pipeline.waterfall import STEPS, Waterfall, movements, waterfall

__all__ = [
    "STEPS",
    "By",
    "CreatedVsNeeded",
    "Pipeline",
    "PipelineTable",
    "PipelineView",
    "Waterfall",
    "bottlenecks",
    "created_vs_needed",
    "deals_at",
    "movements",
    "open_deals",
    "pipeline_by_stage",
    "stage_thresholds",
    "stalled_deals",
    "stay_comparison",
    "waterfall",
]
