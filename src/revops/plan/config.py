"""The activation plan `plans/activation.yaml`, validated into frozen pydantic models.

A plan holds initiatives; each has an owner (a CRM user's id or e-mail), start and end
dates, and KPI targets: a metric of the catalog, a direction (`at_most`, `at_least`) and a
target value per calendar month (``2026-03: 1.0``). `revops plan schema` prints the JSON
schema; a problem names the file and the key (`initiatives[Faster follow-up].owner`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PLAN_FILE = Path("plans") / "activation.yaml"
Direction = Literal["at_most", "at_least"]
MAX_MONTHS = 24
"""Months an initiative may span (activation plans run 6 to 12)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def month_key(value: Any) -> str:
    """A month as ``YYYY-MM`` from ``2026-03``, ``2026-3`` or a date in the month.

    Examples:
        >>> month_key("2026-3"), month_key(date(2026, 3, 15))
        ('2026-03', '2026-03')
    """
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    year, sep, month = text.partition("-")
    if not sep or not year.isdigit() or not month.isdigit() or not 1 <= int(month) <= 12:
        raise ValueError(f"month {text!r} is not YYYY-MM")
    return f"{int(year):04d}-{int(month):02d}"


def month_start(key: str) -> date:
    """The first day of the month ``YYYY-MM``."""
    year, month = key.split("-")
    return date(int(year), int(month), 1)


class Target(_Frozen):
    """A KPI target: a metric of the catalog held at most or at least at a value each month."""

    metric: str = Field(min_length=1, description="A metric of the KPI catalog (metrics list).")
    direction: Direction = Field(
        description="at_most: the value must stay at or below the target (speed to lead); "
        "at_least: at or above it (data-quality score)."
    )
    monthly: dict[str, float] = Field(
        min_length=1,
        description="Target value per calendar month, `YYYY-MM: value`, read at month end.",
    )
    note: str | None = Field(default=None, description="Why this target, in a sentence.")

    @field_validator("monthly", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {month_key(k): v for k, v in value.items()}


class Initiative(_Frozen):
    """One initiative of the plan, with its owner, dates and KPI targets."""

    name: str = Field(min_length=1, description="Name of the initiative (unique in the plan).")
    owner: str = Field(min_length=1, description="The owner: a CRM user's user_id or e-mail.")
    start_date: date = Field(description="First day of the initiative.")
    end_date: date = Field(description="Last day of the initiative.")
    description: str | None = Field(default=None, description="What the initiative does.")
    targets: tuple[Target, ...] = Field(min_length=1, description="Its KPI targets by month.")

    @model_validator(mode="after")
    def _dates(self) -> Initiative:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        months = (self.end_date.year - self.start_date.year) * 12 + (
            self.end_date.month - self.start_date.month
        )
        if months >= MAX_MONTHS:
            raise ValueError(f"an initiative spans at most {MAX_MONTHS} months")
        first, last = month_key(self.start_date), month_key(self.end_date)
        for target in self.targets:
            outside = [m for m in target.monthly if not first <= m <= last]
            if outside:
                raise ValueError(
                    f"target of {target.metric} names month {outside[0]}, outside the "
                    f"initiative ({first} to {last})"
                )
        return self


class PlanFile(_Frozen):
    """The whole `plans/activation.yaml`."""

    version: Literal[1] = Field(default=1, description="Version of the file format.")
    initiatives: tuple[Initiative, ...] = Field(default=(), description="The initiatives.")

    @model_validator(mode="after")
    def _unique(self) -> PlanFile:
        names = [i.name for i in self.initiatives]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two initiatives are named {name!r}")
        return self


def read_plan(root: Path | None) -> tuple[Path, PlanFile] | None:
    """The workspace's activation plan and its path, or None when it has none.

    Raises:
        ConfigError: naming the file and key of the first problem.
    """
    from revops.definitions import read_definitions

    if root is None or not (root / PLAN_FILE).is_file():
        return None
    path = root / PLAN_FILE
    return path, read_definitions(path, PlanFile, "a mapping with `initiatives:`")
