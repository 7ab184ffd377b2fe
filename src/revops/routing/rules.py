"""The routing rule file `rules/routing.yaml`, validated into frozen pydantic models.

A file holds the reps' availability (out of office, ramping, capacity), the pools reps
are drawn from (round robin or weighted), the rules tried in order for each lead, the
fallback queue, and the speed-to-lead SLA defaults. `revops leads route --schema` prints
its JSON schema.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Absence(_Frozen):
    """A range of days a rep takes no new leads (both ends included)."""

    start: date = Field(alias="from", description="First day away.")
    end: date = Field(alias="to", description="Last day away (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.end < self.start:
            raise ValueError("`to` is before `from`")
        return self


class Rep(_Frozen):
    """Availability and load settings of one rep (a user of the org model)."""

    rep: str = Field(min_length=1, description="The rep: user_id or email of a user.")
    out_of_office: tuple[Absence, ...] = Field(
        default=(), description="Days the rep takes no new leads."
    )
    capacity: int | None = Field(
        default=None, ge=0, description="Most open leads the rep holds; default: `capacity`."
    )
    ramping_until: date | None = Field(
        default=None,
        description="Last day the rep is ramping (default: hire_date + ramp_months of the user).",
    )


class Pool(_Frozen):
    """Reps a lead is dealt to, in turn."""

    name: str = Field(min_length=1, description="Pool name, used by rules.")
    method: Literal["round_robin", "weighted"] = Field(
        default="round_robin",
        description="round_robin: each available rep in turn; weighted: in proportion to weights.",
    )
    reps: tuple[str, ...] = Field(min_length=1, description="Reps (user_id or email), in order.")
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight per rep for `weighted` (default 1); a rep's share is its weight "
        "over the pool's total.",
    )

    @model_validator(mode="after")
    def _weights(self) -> Pool:
        unknown = [r for r in self.weights if r not in self.reps]
        if unknown:
            raise ValueError(f"weights name {', '.join(unknown)}, not in the pool's reps")
        if any(w <= 0 for w in self.weights.values()):
            raise ValueError("weights must be above 0")
        return self


class Match(_Frozen):
    """Conditions on a lead (its own fields, else its matched account's); every given one
    must hold, each is a list of accepted values (case-insensitive)."""

    country: tuple[str, ...] = Field(default=(), description="ISO country codes.")
    region: tuple[str, ...] = Field(default=(), description="Regions (NA, EMEA, APAC, LATAM).")
    segment: tuple[str, ...] = Field(default=(), description="Segments (smb, mid_market, ...).")
    industry: tuple[str, ...] = Field(default=(), description="Industries.")
    source: tuple[str, ...] = Field(default=(), description="Lead sources.")
    named_accounts: tuple[str, ...] = Field(
        default=(), description="Named accounts: the matched account's domain or name."
    )
    employees_min: int | None = Field(default=None, ge=0, description="At least this many.")
    employees_max: int | None = Field(default=None, ge=0, description="At most this many.")


class _Rule(_Frozen):
    name: str = Field(min_length=1, description="Rule name, shown in the decision trail.")
    match: Match = Field(default_factory=Match, description="When the rule applies.")


class AccountOwnerRule(_Rule):
    """The owner of the account the lead matches (lead-to-account, golden record)."""

    kind: Literal["account_owner"]


class TerritoryRule(_Rule):
    """Leads matching a territory go to one rep or to a pool."""

    kind: Literal["territory"]
    rep: str | None = Field(default=None, description="The rep that covers the territory.")
    pool: str | None = Field(default=None, description="The pool that covers the territory.")

    @model_validator(mode="after")
    def _one_target(self) -> TerritoryRule:
        if (self.rep is None) == (self.pool is None):
            raise ValueError("give exactly one of `rep` and `pool`")
        return self


class PoolRule(_Rule):
    """Deal the lead to a pool (round robin or weighted)."""

    kind: Literal["pool"]
    pool: str = Field(description="The pool's name.")


class FallbackRule(_Rule):
    """Put the lead in a queue nobody owns yet."""

    kind: Literal["fallback"]
    queue: str = Field(min_length=1, description="Queue name.")


Rule = Annotated[
    AccountOwnerRule | TerritoryRule | PoolRule | FallbackRule, Field(discriminator="kind")
]
RULE_KINDS = ("account_owner", "territory", "pool", "fallback")


class BusinessHours(_Frozen):
    """Working hours in UTC, Monday to Friday, that SLA clocks count."""

    start: int = Field(default=9, ge=0, le=23, description="First working hour (UTC).")
    end: int = Field(default=17, ge=1, le=24, description="Hour work ends (UTC).")

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("`end` must be after `start`")
        return self


class RoutingFile(_Frozen):
    """The whole of `rules/routing.yaml`."""

    capacity: int | None = Field(
        default=None, ge=0, description="Most open leads a rep holds; none: no cap."
    )
    ramp_weight: float = Field(
        default=0.5, gt=0, le=1, description="Weight multiplier of a ramping rep in pools."
    )
    reps: tuple[Rep, ...] = Field(default=(), description="Availability settings per rep.")
    pools: tuple[Pool, ...] = Field(default=(), description="Pools of reps.")
    rules: tuple[Rule, ...] = Field(default=(), description="Rules, tried in order.")
    fallback_queue: str = Field(
        default="unassigned", min_length=1, description="Queue of a lead no rule placed."
    )
    mql_stage: str = Field(default="mql", description="Lifecycle stage that starts the SLA clock.")
    sla_hours: float = Field(
        default=4, gt=0, description="Default SLA in business hours (a stage's sla_hours wins)."
    )
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
