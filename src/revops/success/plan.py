"""Which lifetime-value method values which customers: `success/clv.yaml` in the
workspace, validated into a frozen pydantic model (`revops success clv --schema`).

Examples:
    >>> plan = ClvPlan.model_validate({"segments": {"smb": "contractual_simple"}})
    >>> plan.method_for("smb"), plan.method_for("enterprise"), plan.buyers
    ('contractual_simple', 'sbg', 'bgnbd')
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from revops.definitions import read_definitions

ClvMethod = Literal["contractual_simple", "sbg", "bgnbd"]
PLAN_FILE = Path("success") / "clv.yaml"


class ClvPlan(BaseModel):
    """The CLV methods of a workspace: one per segment of subscribers, and the method of
    the buyers without a subscription."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subscribers: Literal["contractual_simple", "sbg"] = Field(
        "sbg",
        description="Method for the subscribers of a segment not listed under `segments`: "
        "`sbg` (cohort shifted-beta-geometric retention, discounted) or "
        "`contractual_simple` (ARPA x margin / monthly logo churn).",
    )
    buyers: Literal["bgnbd"] = Field(
        "bgnbd",
        description="Method for the companies invoiced without a subscription: BG/NBD + "
        "Gamma-Gamma on their invoices.",
    )
    segments: dict[str, ClvMethod] = Field(
        default_factory=dict,
        description="Segment (the account's `segment`) -> method; `bgnbd` values every "
        "company of the segment by its invoices, subscribers included.",
    )
    cohort_period: Literal["month", "quarter"] = Field(
        "month", description="Length of the sBG's period and of the cohorts it is fitted on."
    )
    discount_rate: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Discount rate per cohort period for the sBG's discounted lifetimes "
        "(0.01 a month is about 12.7 % a year).",
    )
    horizon_months: int = Field(
        12, ge=1, le=120, description="Horizon of the BG/NBD value of buyers, in months."
    )

    def method_for(self, segment: str) -> ClvMethod:
        """The method of `segment`'s subscribers."""
        return self.segments.get(segment, self.subscribers)


def plan_schema() -> dict[str, object]:
    """The JSON schema of `success/clv.yaml`."""
    return ClvPlan.model_json_schema()


def load_plan(root: Path | None) -> ClvPlan:
    """The workspace's `success/clv.yaml`, or the defaults without one.

    Raises:
        ConfigError: bad YAML or a key that does not validate (names the file and key).
    """
    if root is None or not (root / PLAN_FILE).is_file():
        return ClvPlan()
    return read_definitions(root / PLAN_FILE, ClvPlan, "a mapping with `segments:`")
