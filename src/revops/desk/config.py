"""The desk file `desk/desk.yaml`, validated into frozen pydantic models.

It holds how requests are scored (RICE or WSJF, with defaults per request type for the
inputs a request does not state), how a linked KPI's money sets the impact, the status
flow, and the capability map the stack audit finds overlapping tools with. The shipped
defaults (`revops/desk/builtin/desk.yaml`) load through the same path as a workspace's
own file, which replaces them key by key. `revops desk schema` prints its JSON schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

STATUSES = ("new", "triaged", "in_progress", "waiting", "done", "declined")
CLOSED = ("done", "declined")
URGENCIES = ("low", "medium", "high", "critical")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Estimate(_Frozen):
    """RICE inputs a request takes when it states none (per type, else the defaults)."""

    reach: float | None = Field(default=None, ge=0, description="People or deals per quarter.")
    impact: float | None = Field(
        default=None, ge=0, description="Impact per person reached: 0.25, 0.5, 1, 2 or 3."
    )
    confidence: float | None = Field(
        default=None, ge=0, le=100, description="Confidence in the estimates, percent."
    )
    effort: float | None = Field(default=None, gt=0, description="Work in person-days.")
    risk: float | None = Field(
        default=None,
        ge=0,
        description="WSJF risk reduction / opportunity enablement points of the type.",
    )


class KpiImpact(_Frozen):
    """How a linked KPI that is money sets a request's impact: the share of the KPI's
    value in the last full fiscal quarter the request puts at stake, then the impact of
    the highest tier that amount reaches."""

    share_at_stake: float = Field(
        default=0.01, gt=0, le=1, description="Share of the KPI's quarterly value at stake."
    )
    tiers: dict[float, float] = Field(
        default_factory=lambda: {0.0: 0.25, 5e3: 0.5, 25e3: 1.0, 100e3: 2.0, 500e3: 3.0},
        description="Money at stake (reporting currency) → impact, from that amount up.",
    )


class Wsjf(_Frozen):
    """Weighted shortest job first: cost of delay / job size, where cost of delay is
    value_weight × reach × impact × confidence + time_weight × the urgency's points +
    the type's risk points, and job size is the effort."""

    value_weight: float = Field(default=1.0, ge=0, description="Weight of business value.")
    time_weight: float = Field(default=1.0, ge=0, description="Weight of time criticality.")
    urgency_points: dict[str, float] = Field(
        default_factory=lambda: {"low": 1.0, "medium": 2.0, "high": 5.0, "critical": 8.0},
        description="Time-criticality points of each stated urgency (or triage priority).",
    )
    due_points: float = Field(
        default=3.0, ge=0, description="Extra time-criticality points when due within 14 days."
    )


class Score(_Frozen):
    """How the queue is ranked."""

    method: Literal["rice", "wsjf"] = Field(
        default="rice",
        description="rice: reach × impact × confidence / effort; wsjf: cost of delay / size.",
    )
    defaults: Estimate = Field(
        default_factory=lambda: Estimate(reach=10, impact=1, confidence=50, effort=3, risk=0),
        description="Inputs of a request that states none and whose type has none.",
    )
    by_type: dict[str, Estimate] = Field(
        default_factory=dict, description="Inputs per request type (report, data_fix, ...)."
    )
    wsjf: Wsjf = Field(default_factory=Wsjf, description="The WSJF weights.")
    kpi_impact: KpiImpact = Field(
        default_factory=KpiImpact, description="Impact from the money of a linked KPI."
    )

    @model_validator(mode="after")
    def _complete(self) -> Score:
        missing = [n for n in ("reach", "impact", "confidence", "effort") if
                   getattr(self.defaults, n) is None]  # fmt: skip
        if missing:
            raise ValueError(f"defaults need {', '.join(missing)}")
        return self


class Capability(_Frozen):
    """A capability tools may share (two call recorders are one too many)."""

    name: str = Field(min_length=1, description="Capability name (call_recording, ...).")
    label: str | None = Field(default=None, description="Name as people read it.")
    keep_one: bool = Field(
        default=True, description="Whether one tool with it is enough (so overlap is waste)."
    )


class DeskFile(_Frozen):
    """The whole `desk/desk.yaml`."""

    version: Literal[1] = Field(default=1, description="Version of the file format.")
    score: Score = Field(default_factory=Score, description="How requests are ranked.")
    transitions: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: {
            "new": ("triaged", "in_progress", "declined"),
            "triaged": ("in_progress", "waiting", "declined"),
            "in_progress": ("waiting", "done", "declined"),
            "waiting": ("in_progress", "done", "declined"),
            "done": ("in_progress",),
            "declined": ("triaged",),
        },
        description="Status → the statuses it may move to.",
    )
    capabilities: tuple[Capability, ...] = Field(
        default=(), description="Capabilities the stack audit checks for overlap."
    )
    tool_capabilities: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Tool name → capabilities, where the inventory lists none or wrong ones.",
    )
    pages: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Cockpit page → the metrics it shows (for `revops definitions impact`).",
    )
    selling_categories: tuple[str, ...] = Field(
        default=("sales_engagement", "conversation_intelligence", "cpq", "enablement"),
        description="Tool categories counted as selling time (the others are admin time).",
    )

    @model_validator(mode="after")
    def _flow(self) -> DeskFile:
        for source, targets in self.transitions.items():
            for name in (source, *targets):
                if name not in STATUSES:
                    raise ValueError(f"transitions name {name!r}, not one of {', '.join(STATUSES)}")
        return self


DESK_FILE = Path("desk") / "desk.yaml"


def read_desk(root: Path | None) -> DeskFile:
    """The workspace's desk file over the shipped defaults (top-level keys replace).

    Raises:
        ConfigError: naming the file and key of the first problem.
    """
    from importlib import resources

    import yaml

    from revops.core.yamltext import parse_yaml
    from revops.definitions import read_definitions
    from revops.errors import ConfigError

    shipped = Path(str(resources.files("revops.desk.builtin") / "desk.yaml"))
    base = read_definitions(shipped, DeskFile, "a mapping with `score:`")
    own = root / DESK_FILE if root is not None else None
    if own is None or not own.exists():
        return base
    mine = read_definitions(own, DeskFile, "a mapping with `score:`")
    try:
        data = parse_yaml(own.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:  # read_definitions has parsed it already
        data = {}
    if not isinstance(data, dict):  # pragma: no cover - read_definitions refused it
        raise ConfigError(own, None, "must be a mapping")
    merged = base.model_dump()
    own_values = mine.model_dump()
    merged.update({key: own_values[key] for key in data if key in own_values})
    return DeskFile.model_validate(merged)
