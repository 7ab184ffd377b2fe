"""The territory design `plans/territories.yaml`, validated into frozen pydantic models.

The file says what an account is worth (`potential`: a weighted sum of measures read in
the warehouse as of a day), what it costs to cover (`workload`), who the reps are (CRM
users, with a capacity and ramp factor), the rules reps and accounts must follow, and how
long the solver may run. `revops plan territories schema` prints the JSON schema; a
problem names the file and the key (`rules[0].field`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TERRITORIES_FILE = Path("plans") / "territories.yaml"
Measure = Literal["employees", "annual_revenue", "arr", "open_pipeline", "open_deals", "accounts"]
MEASURES: tuple[str, ...] = Measure.__args__  # type: ignore[attr-defined]
RULE_FIELDS = ("segment", "region", "country", "state_province", "industry", "postal_code")
RuleField = Literal["segment", "region", "country", "state_province", "industry", "postal_code"]
RepSource = Literal["account_owners", "listed"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RepEntry(_Frozen):
    """One rep named in the file, with its capacity and ramp."""

    user: str = Field(min_length=1, description="The rep: a CRM user's user_id or e-mail.")
    capacity: float = Field(
        default=1.0, gt=0, le=10,
        description="Share of a full book the rep carries (0.5: half of a fair share).",
    )  # fmt: skip
    ramp: float | None = Field(
        default=None, gt=0, le=1,
        description="Ramp factor overriding the tenure ramp (0.5: a rep at half speed).",
    )  # fmt: skip


class TenureRamp(_Frozen):
    """A ramp factor for reps hired less than some months before the as-of day."""

    under_months: int = Field(gt=0, le=60, description="Tenure below which the factor applies.")
    factor: float = Field(gt=0, le=1, description="Multiplies the rep's capacity (0.5: half).")


class Reps(_Frozen):
    """Who may own accounts."""

    source: RepSource = Field(
        default="account_owners",
        description="account_owners: every active CRM user who owns an account today, plus "
        "those listed; listed: only the users of `people`.",
    )
    people: tuple[RepEntry, ...] = Field(
        default=(), description="Reps with their own capacity or ramp (and, with "
        "`source: listed`, the only reps)."
    )  # fmt: skip
    exclude: tuple[str, ...] = Field(
        default=(), description="Users (user_id or e-mail) never given accounts."
    )  # fmt: skip
    ramp_by_tenure: tuple[TenureRamp, ...] = Field(
        default=(), description="Ramp factors by months since hire_date; the first whose "
        "`under_months` exceeds the tenure applies."
    )  # fmt: skip


class Rule(_Frozen):
    """Accounts whose field holds one of the values may only go to the reps named here."""

    field: RuleField = Field(description="The account column matched (segment, region, ...).")
    values: tuple[str, ...] = Field(
        min_length=1,
        description="Values of the field the rule covers (case-insensitive); "
        "`(none)` matches accounts where it is empty.",
    )
    reps: tuple[str, ...] = Field(default=(), description="Reps allowed (user_id or e-mail).")
    teams: tuple[str, ...] = Field(
        default=(), description="Teams whose members are allowed (team name or team_id)."
    )

    @model_validator(mode="after")
    def _someone(self) -> Rule:
        if not self.reps and not self.teams:
            raise ValueError("a rule names `reps` or `teams`")
        return self


class Pin(_Frozen):
    """A named account that stays with one rep."""

    account: str = Field(min_length=1, description="The account's account_id.")
    rep: str = Field(min_length=1, description="The rep (user_id or e-mail) who keeps it.")


class ExpectedBookings(_Frozen):
    """How the comparison's expected bookings are estimated (docs/territories.md)."""

    history_days: int = Field(
        default=365, ge=30, le=1830,
        description="Days up to the as-of day whose won deals give each rep's productivity.",
    )  # fmt: skip
    headroom: float = Field(
        default=0.2, ge=0, le=10,
        description="Workload above a rep's fair share it still covers fully (0.2: 20 % "
        "more); beyond, its accounts get proportionally less attention.",
    )  # fmt: skip


class Limits(_Frozen):
    """Caps every rep's book must respect."""

    max_accounts: int | None = Field(default=None, gt=0, description="Most accounts a rep owns.")
    max_workload: float | None = Field(
        default=None, gt=0, description="Most workload (as `workload:` measures it) a rep carries."
    )


class Solver(_Frozen):
    """How the optimiser runs."""

    time_limit_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="Wall-clock limit of the CP-SAT search."
    )
    workers: int = Field(default=2, ge=1, le=64, description="Search threads of CP-SAT.")
    max_units: int = Field(
        default=5000, ge=10, le=100_000,
        description="Above this many accounts, small accounts are bucketed into units that "
        "move together, so the model keeps at most about this many units.",
    )  # fmt: skip
    candidates: int = Field(
        default=8, ge=1, le=1000,
        description="Most reps the model considers for one account: its owner, the greedy "
        "baseline's rep and a fixed spread of the others (all of them when fewer).",
    )  # fmt: skip


def _weights(**weights: float) -> dict[Measure, float]:
    return {m: w for m, w in weights.items() if m in MEASURES}  # type: ignore[misc]


def _even() -> dict[Literal["potential", "workload"], float]:
    return {"potential": 1.0, "workload": 1.0}


class TerritoriesFile(_Frozen):
    """The whole `plans/territories.yaml`."""

    version: Literal[1] = Field(default=1, description="Version of the file format.")
    potential: dict[Measure, float] = Field(
        default_factory=lambda: _weights(arr=1.0, open_pipeline=0.5),
        description="Weights of the measures whose sum is an account's potential, in the "
        "reporting currency: employees, annual_revenue, arr, open_pipeline, open_deals.",
    )
    workload: dict[Measure, float] = Field(
        default_factory=lambda: _weights(accounts=1.0, open_deals=1.0),
        description="Weights of the measures whose sum is an account's workload "
        "(accounts counts 1 per account).",
    )
    balance: dict[Literal["potential", "workload"], float] = Field(
        default_factory=_even,
        description="Weight of each imbalance in the objective.",
    )
    continuity_weight: float = Field(
        default=1.0, ge=0, le=1000,
        description="Cost of moving one account off its current owner, in percent of one "
        "rep's fair share of potential: a move is made when it cuts imbalance by more.",
    )  # fmt: skip
    reps: Reps = Field(default_factory=Reps, description="Who may own accounts.")
    rules: tuple[Rule, ...] = Field(default=(), description="Which reps may own which accounts.")
    pinned: tuple[Pin, ...] = Field(default=(), description="Named accounts kept by one rep.")
    limits: Limits = Field(default_factory=Limits, description="Caps per rep.")
    solver: Solver = Field(default_factory=Solver, description="Solver settings.")
    expected_bookings: ExpectedBookings = Field(
        default_factory=ExpectedBookings,
        description="How each design's expected bookings are estimated.",
    )

    @model_validator(mode="after")
    def _weights(self) -> TerritoriesFile:
        if not any(w > 0 for w in self.potential.values()):
            raise ValueError("potential needs a measure with a positive weight")
        if not any(w > 0 for w in self.workload.values()):
            raise ValueError("workload needs a measure with a positive weight")
        accounts = [p.account for p in self.pinned]
        for account in accounts:
            if accounts.count(account) > 1:
                raise ValueError(f"account {account!r} is pinned twice")
        return self


def read_territories(root: Path | None) -> tuple[Path | None, TerritoriesFile]:
    """The workspace's territory design and its path; the defaults when it has none.

    Raises:
        ConfigError: naming the file and key of the first problem.
    """
    from revops.definitions import read_optional

    return read_optional(root, TERRITORIES_FILE, TerritoriesFile, "a mapping with `potential:`")
