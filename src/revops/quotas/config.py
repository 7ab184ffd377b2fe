"""The quota and capacity plan settings `plans/quotas.yaml`, validated into frozen pydantic
models. `revops plan quotas schema` prints the JSON schema; a problem names the file and
the key (`split.history`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

QUOTAS_FILE = Path("plans") / "quotas.yaml"
VERSIONS_DIR = Path("plans") / "quota_versions"
Part = Literal["potential", "history", "even"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ramp(_Frozen):
    """How a new rep ramps: a share of full productivity per run of months since hire."""

    steps: tuple[float, ...] = Field(
        default=(0.25, 0.5, 0.75),
        description="Productivity (0..1) in each run of `months_per_step` months after the "
        "hire; full (1) afterwards. 25/50/75 % over the first three quarters by default.",
    )
    months_per_step: int = Field(default=3, ge=1, le=12, description="Months of each step.")

    @model_validator(mode="after")
    def _bounded(self) -> Ramp:
        if any(not 0 <= s <= 1 for s in self.steps):
            raise ValueError("ramp steps are shares of full productivity, 0..1")
        return self


class Capacity(_Frozen):
    """What the capacity plan assumes (`revops plan capacity`)."""

    productivity: float | None = Field(
        default=None, gt=0,
        description="Bookings per fully ramped rep per fiscal year; learned from the last "
        "fiscal year (bookings / ramped FTE of the quota roles) when not set.",
    )  # fmt: skip
    attrition: float | None = Field(
        default=None, ge=0, le=1,
        description="Share of reps leaving per year; learned from the last fiscal year "
        "(reps who left / average reps) when not set.",
    )  # fmt: skip
    hiring_lead_months: int = Field(
        default=2, ge=0, le=24, description="Months from opening a requisition to the start date."
    )
    max_hires_per_month: int = Field(
        default=5, ge=0, le=1000, description="Most new reps who can start in one month."
    )
    coverage: float = Field(
        default=3.0, gt=0, le=20,
        description="Pipeline needed per unit of expected bookings (3: 3x coverage).",
    )  # fmt: skip
    range_percentiles: tuple[float, float] = Field(
        default=(0.25, 0.75),
        description="Percentiles of per-rep productivity (last fiscal year, ramped reps) "
        "that give the low and high ends of expected bookings.",
    )


def _even_split() -> dict[Part, float]:
    return {"potential": 0.5, "history": 0.3, "even": 0.2}


class QuotasFile(_Frozen):
    """The whole `plans/quotas.yaml`."""

    version: Literal[1] = Field(default=1, description="Version of the file format.")
    roles: tuple[str, ...] = Field(
        default=("AE",), min_length=1,
        description="CRM user roles that carry a quota (case-insensitive).",
    )  # fmt: skip
    history_years: int = Field(
        default=2, ge=1, le=10,
        description="Fiscal years before the plan's year read for seasonality, each rep's "
        "bookings and productivity.",
    )  # fmt: skip
    split: dict[Part, float] = Field(
        default_factory=_even_split,
        description="Top-down: weight of each rep's share of potential (territory inputs), "
        "of history (bookings in the history years) and of an even split.",
    )
    opportunity_type: str | None = Field(
        default=None, description="Bookings that count (opportunity type), null for all."
    )
    ramp: Ramp = Field(default_factory=Ramp, description="Ramp of a new rep.")
    capacity: Capacity = Field(default_factory=Capacity, description="Capacity planning.")

    @model_validator(mode="after")
    def _positive_split(self) -> QuotasFile:
        if any(w < 0 for w in self.split.values()):
            raise ValueError("split weights must not be negative")
        if not any(w > 0 for w in self.split.values()):
            raise ValueError("split needs a part with a positive weight")
        return self


def read_quotas(root: Path | None) -> tuple[Path | None, QuotasFile]:
    """The workspace's quota settings and their path; the defaults when it has none.

    Raises:
        ConfigError: naming the file and key of the first problem.
    """
    from revops.definitions import read_optional

    return read_optional(root, QUOTAS_FILE, QuotasFile, "a mapping with `split:`")
