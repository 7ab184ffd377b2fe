"""The workspace configuration: `revops.yaml` validated into frozen pydantic models.

One module per part of the file; everything is importable from here.
"""

from __future__ import annotations

from revops.config.automate import AutomateSettings, SchedulerJob
from revops.config.base import CONFIG_FILE, WAREHOUSE_SCHEMES, Frozen
from revops.config.document import RevOpsConfig, config_schema, load_config
from revops.config.funnel import (
    DEFAULT_LIFECYCLE_STAGES,
    DEFAULT_OPPORTUNITY_STAGES,
    DEFAULT_OPPORTUNITY_TYPES,
    EntryCriterion,
    FiscalConfig,
    LifecycleStage,
    OpportunityStage,
    OpportunityType,
    OpportunityTypeName,
    StageCategory,
)
from revops.config.identity import (
    IdentityComparison,
    IdentityKindSettings,
    IdentityMode,
    IdentityPreset,
    IdentitySettings,
)
from revops.config.settings import (
    HealthWeights,
    IngestSettings,
    MetricSettings,
    PipelineSettings,
)
from revops.config.stores import AppDatabaseConfig, QueryBudget, SmtpSettings, WarehouseConfig
from revops.config.template import config_template

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_LIFECYCLE_STAGES",
    "DEFAULT_OPPORTUNITY_STAGES",
    "DEFAULT_OPPORTUNITY_TYPES",
    "WAREHOUSE_SCHEMES",
    "AppDatabaseConfig",
    "AutomateSettings",
    "EntryCriterion",
    "FiscalConfig",
    "Frozen",
    "HealthWeights",
    "IdentityComparison",
    "IdentityKindSettings",
    "IdentityMode",
    "IdentityPreset",
    "IdentitySettings",
    "IngestSettings",
    "LifecycleStage",
    "MetricSettings",
    "OpportunityStage",
    "OpportunityType",
    "OpportunityTypeName",
    "PipelineSettings",
    "QueryBudget",
    "RevOpsConfig",
    "SchedulerJob",
    "SmtpSettings",
    "StageCategory",
    "WarehouseConfig",
    "config_schema",
    "config_template",
    "load_config",
]
