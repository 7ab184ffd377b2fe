"""The whole `revops.yaml`: its model, how it is read and its JSON schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from revops.config.automate import AutomateSettings
from revops.config.base import Frozen
from revops.config.funnel import (
    DEFAULT_LIFECYCLE_STAGES,
    DEFAULT_OPPORTUNITY_STAGES,
    DEFAULT_OPPORTUNITY_TYPES,
    FiscalConfig,
    LifecycleStage,
    OpportunityStage,
    OpportunityType,
)
from revops.config.identity import IdentitySettings
from revops.config.settings import IngestSettings, MetricSettings, PipelineSettings
from revops.config.stores import AppDatabaseConfig, QueryBudget, WarehouseConfig
from revops.core.yamltext import parse_yaml
from revops.errors import ConfigError


class RevOpsConfig(Frozen):
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
    ingest: IngestSettings = Field(
        default_factory=IngestSettings,
        description="Memory of `revops ingest`: parts of large files, the engines' limit.",
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
