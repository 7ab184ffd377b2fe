"""Compensation plans as code: `plans/comp/*.yaml`, validated into frozen pydantic models.

One file is one plan: who is on it (participants by role, team or user, with effective
dates), which deals credit them (owner or SDR, plan-level splits, manager roll-up), what is
measured (bookings, ARR, new logos), against which quota (the canonical `quota` table or a
fixed amount), and how it pays (rate tiers on attainment with accelerators and
decelerators, a threshold, a cap, SPIFs, a draw, clawbacks, payment on booking or on
invoice paid). `revops comp schema` prints the JSON schema.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revops.definitions import read_definitions
from revops.errors import ConfigError

PLANS_FOLDER = Path("plans") / "comp"
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
HUNDRED = Decimal(100)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Participant(_Frozen):
    """Who is on the plan: every user with a role, every member of a team, or one user;
    deals closed outside [from, to] do not credit them under this plan."""

    role: str | None = Field(default=None, description="Users with this role (user.role).")
    team: str | None = Field(default=None, description="Members of this team (team_id or name).")
    user: str | None = Field(default=None, description="One user: user_id, email or name.")
    start: date | None = Field(
        default=None, alias="from", description="First day on the plan; open when missing."
    )
    end: date | None = Field(
        default=None, alias="to", description="Last day on the plan (inclusive); open if missing."
    )

    @model_validator(mode="after")
    def _one_selector(self) -> Participant:
        chosen = [k for k in ("role", "team", "user") if getattr(self, k) is not None]
        if len(chosen) != 1:
            raise ValueError("name exactly one of role, team or user")
        if self.start and self.end and self.end < self.start:
            raise ValueError("`to` is before `from`")
        return self


class Split(_Frozen):
    """A deal whose credit is shared: percentages of its measure per user."""

    deal: str = Field(min_length=1, description="The deal (opportunity_id).")
    shares: dict[str, Decimal] = Field(
        min_length=1, description="User (user_id or email) → percent of the credit; sum 100."
    )

    @model_validator(mode="after")
    def _sum_to_hundred(self) -> Split:
        if any(share <= 0 for share in self.shares.values()):
            raise ValueError("every share must be above 0")
        total = sum(self.shares.values(), Decimal(0))
        if total != HUNDRED:
            raise ValueError(f"shares sum to {total}, not 100")
        return self


CreditBy = Literal["owner", "sdr", "csm", "partner_manager", "team"]


class Overlay(_Frozen):
    """An overlay role whose credit on a deal is taken out of the owner's (a split)."""

    by: Literal["sdr", "csm", "partner_manager", "team"] = Field(
        description="The overlay role, as in `credit.by`."
    )
    role: str | None = Field(
        default=None, description="With by: team, the deal team role (TeamMemberRole)."
    )
    percent: Decimal = Field(
        gt=0, lt=100, description="Percent of the deal the overlay takes from the owner."
    )

    @model_validator(mode="after")
    def _role_when_team(self) -> Overlay:
        _check_role(self.by, self.role)
        return self


def _check_role(by: str, role: str | None) -> None:
    if by == "team" and not (role or "").strip():
        raise ValueError("by: team needs `role` (the deal team role, e.g. Sales Engineer)")
    if by != "team" and role is not None:
        raise ValueError("`role` is only for by: team")


class Credit(_Frozen):
    """Which deals credit a participant."""

    by: CreditBy = Field(
        default="owner",
        description="owner: the deal's owner_id (AEs); the overlay roles: sdr: its sdr_id; "
        "csm: the customer success manager of its account (account.csm_id); "
        "partner_manager: the manager of its partner (partner.owner_id); team: the "
        "members of its deal team with `role` (opportunity_team_member.role).",
    )
    role: str | None = Field(
        default=None,
        description="With by: team, the deal team role credited (case-insensitive), e.g. "
        "Sales Engineer; several members with it share `percent` equally.",
    )
    percent: Decimal = Field(
        default=HUNDRED,
        gt=0,
        le=100,
        description="Percent of each deal credited to its holder. An overlay credited at "
        "100 does not reduce the owner's credit (double credit by design).",
    )
    split_with: tuple[Overlay, ...] = Field(
        default=(),
        description="With by: owner, overlays whose percent is taken out of the owner's "
        "credit on the deals they are on (the owner keeps the rest).",
    )
    splits: tuple[Split, ...] = Field(
        default=(), description="Deals whose credit is split between users, by percent."
    )
    rollup: bool = Field(
        default=False,
        description="Managers are credited with the deals of everyone under them (user "
        "manager_id and the team hierarchy).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Credit:
        _check_role(self.by, self.role)
        if self.split_with and self.by != "owner":
            raise ValueError("split_with is for the owner's plan (by: owner)")
        if sum((o.percent for o in self.split_with), Decimal(0)) >= HUNDRED:
            raise ValueError("split_with takes 100 % or more: the owner would keep nothing")
        return self


class Margin(_Frozen):
    """Gross margin rates, for `measure: margin` (the canonical model has no product cost)."""

    rate: Decimal = Field(
        ge=0, le=1, description="Gross margin rate of what has no rate below (0.70 = 70 %)."
    )
    products: dict[str, Decimal] = Field(
        default_factory=dict,
        description="Product (product_id, sku or family, matched in that order) → its gross "
        "margin rate; a deal's rate is its lines' rates weighted by their MRR.",
    )

    @model_validator(mode="after")
    def _rates_are_fractions(self) -> Margin:
        for product, rate in self.products.items():
            if not 0 <= rate <= 1:
                raise ValueError(f"products.{product}: a rate is between 0 and 1, not {rate}")
        return self


class Tier(_Frozen):
    """A band of attainment and the rate paid on the part of the measure inside it."""

    start: Decimal = Field(
        alias="from", ge=0, description="Attainment (percent of quota) where the band starts."
    )
    end: Decimal | None = Field(
        default=None, alias="to", description="Attainment where it ends; open when missing."
    )
    rate: Decimal = Field(
        ge=0,
        description="Paid per unit of measure in the band: a fraction of bookings or ARR "
        "(0.10 = 10 %), an amount per new logo.",
    )
    name: str | None = Field(
        default=None, description="What the band is called on statements (accelerator...)."
    )

    def label(self) -> str:
        """`accelerator 100–∞ %` or `tier 0–50 %`."""
        end = "∞" if self.end is None else f"{self.end.normalize():f}"
        return f"{self.name or 'tier'} {self.start.normalize():f}–{end} %"


class Quota(_Frozen):
    """Where the quota comes from."""

    source: Literal["table", "fixed"] = Field(
        default="table",
        description="table: the participant's rows of the canonical quota table, prorated "
        "to the period; fixed: `amount` for every participant and period.",
    )
    amount: Decimal | None = Field(
        default=None, gt=0, description="The quota per period when source is fixed."
    )

    @model_validator(mode="after")
    def _amount_when_fixed(self) -> Quota:
        if self.source == "fixed" and self.amount is None:
            raise ValueError("a fixed quota needs `amount`")
        return self


class Spif(_Frozen):
    """A bonus for deals of a product or a type closed within dates."""

    name: str = Field(min_length=1, description="Name on statements.")
    start: date = Field(alias="from", description="First close day that qualifies.")
    end: date = Field(alias="to", description="Last close day that qualifies (inclusive).")
    product: str | None = Field(
        default=None, description="A product (product_id, sku or family) the deal sold."
    )
    deal_type: str | None = Field(default=None, description="Deal type: new, expansion, renewal.")
    amount: Decimal | None = Field(default=None, ge=0, description="Bonus per qualifying deal.")
    rate: Decimal | None = Field(
        default=None, ge=0, description="Bonus as a fraction of the credited measure."
    )

    @model_validator(mode="after")
    def _one_payout(self) -> Spif:
        if (self.amount is None) == (self.rate is None):
            raise ValueError("give exactly one of amount or rate")
        if self.end < self.start:
            raise ValueError("`to` is before `from`")
        return self


class Draw(_Frozen):
    """A guaranteed minimum per period."""

    amount: Decimal = Field(gt=0, description="Paid when earnings fall below it.")
    recoverable: bool = Field(
        default=True,
        description="Whether the top-up is recovered from later earnings above the draw "
        "(within the fiscal year).",
    )


class Clawback(_Frozen):
    """Commission taken back when a deal goes bad soon after closing."""

    days: int = Field(gt=0, description="Days after the close the deal must survive.")
    events: tuple[Literal["unpaid", "churned"], ...] = Field(
        default=("unpaid", "churned"),
        description="unpaid: invoiced through its orders, and no invoice paid within "
        "`days` (a deal with no invoice linked is never unpaid); churned: a "
        "subscription line it sold ended within `days`.",
    )


class CompPlan(_Frozen):
    """One compensation plan."""

    name: str = Field(min_length=1, description="Plan id, used on statements and in store.")
    label: str | None = Field(default=None, description="Human name of the plan.")
    period: Literal["month", "quarter", "year"] = Field(
        default="quarter", description="How often it is computed and paid (fiscal calendar)."
    )
    start: date | None = Field(default=None, alias="from", description="First day in effect.")
    end: date | None = Field(default=None, alias="to", description="Last day in effect.")
    rounding: Literal["half_up", "half_even"] = Field(
        default="half_up", description="How each line is rounded to cents."
    )
    participants: tuple[Participant, ...] = Field(min_length=1, description="Who is on it.")
    credit: Credit = Field(default_factory=Credit, description="Which deals credit whom.")
    measure: Literal["bookings", "arr", "new_logos", "margin"] = Field(
        default="bookings",
        description="bookings: won amount; arr: 12 × the MRR of the subscription lines the "
        "deal sold; new_logos: won deals of type new, one each; margin: the won amount × "
        "its gross margin rate (`margin`).",
    )
    margin: Margin | None = Field(
        default=None, description="Gross margin rates, for measure: margin."
    )
    deal_types: tuple[str, ...] = Field(
        default=(), description="Deal types that count (new, expansion, renewal); all if empty."
    )
    quota: Quota = Field(default_factory=Quota, description="The quota attainment is against.")
    rates: tuple[Tier, ...] = Field(
        min_length=1, description="Tiers on attainment, in order; each part paid at its rate."
    )
    threshold: Decimal | None = Field(
        default=None,
        ge=0,
        description="Attainment (percent) below which no commission is paid for the period.",
    )
    cap: Decimal | None = Field(
        default=None, gt=0, description="Most commission paid per period (SPIFs not included)."
    )
    spifs: tuple[Spif, ...] = Field(default=(), description="Bonuses within dates.")
    draw: Draw | None = Field(default=None, description="A guaranteed minimum per period.")
    clawback: Clawback | None = Field(default=None, description="When commission is taken back.")
    pay_on: Literal["booking", "invoice_paid"] = Field(
        default="booking",
        description="booking: paid in the period the deal closes; invoice_paid: in the "
        "period its first invoice is paid (held until then).",
    )

    @model_validator(mode="after")
    def _tiers_in_order(self) -> CompPlan:
        for index, tier in enumerate(self.rates):
            if tier.end is not None and tier.end <= tier.start:
                raise ValueError(f"rates[{index}]: `to` must be above `from`")
            if index and self.rates[index - 1].end != tier.start:
                raise ValueError(f"rates[{index}]: must start where rates[{index - 1}] ends")
            if tier.end is None and index != len(self.rates) - 1:
                raise ValueError(f"rates[{index}]: only the last tier may be open")
        if self.rates[0].start != 0:
            raise ValueError("rates[0]: the first tier must start at 0")
        if self.measure == "new_logos" and self.quota.source != "fixed":
            raise ValueError("a new_logos plan needs a fixed quota (a number of logos)")
        if (self.measure == "margin") != (self.margin is not None):
            raise ValueError("`margin:` (the rates) goes with measure: margin, and only with it")
        return self

    @property
    def rounding_mode(self) -> str:
        """The decimal rounding constant of :attr:`rounding`."""
        return ROUNDING[self.rounding]

    def in_effect(self, first: date, last: date) -> bool:
        """Whether the plan covers any day of [first, last]."""
        return (self.start is None or self.start <= last) and (
            self.end is None or self.end >= first
        )


def plan_schema() -> dict[str, object]:
    """The JSON schema of a `plans/comp/*.yaml` file."""
    return CompPlan.model_json_schema(by_alias=True)


def read_plan(path: Path) -> CompPlan:
    """One plan file, validated.

    Raises:
        ConfigError: unreadable file, bad YAML, or a key that does not validate (names
            the file and the key).
    """
    import yaml

    from revops.core.yamltext import parse_yaml

    if not path.is_file():
        raise ConfigError(path, None, "no such plan file")
    try:
        empty = parse_yaml(path.read_text(encoding="utf-8")) is None
    except (OSError, yaml.YAMLError):
        empty = False  # read_definitions says what is wrong
    if empty:
        raise ConfigError(
            path, None, "the file is empty; a plan needs `name:`, `participants:` and `rates:`"
        )
    return read_definitions(path, CompPlan, "a mapping with `name:`, `participants:` and `rates:`")


def load_plans(root: Path | None) -> dict[str, CompPlan]:
    """Every plan of the workspace's `plans/comp/` folder, by name.

    Raises:
        ConfigError: a file is invalid, or two files share a plan name.
    """
    if root is None:
        return {}
    folder = root / PLANS_FOLDER
    plans: dict[str, CompPlan] = {}
    if not folder.is_dir():
        return plans
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        plan = read_plan(path)
        if plan.name in plans:
            raise ConfigError(path, "name", f"another file already defines plan {plan.name!r}")
        plans[plan.name] = plan
    return plans


def write_example_plans(root: Path) -> list[Path]:
    """Copy the shipped example plans (an AE plan and a managers' roll-up plan) into the
    workspace's `plans/comp/`, unless it holds plans already; returns the files written."""
    from importlib import resources

    folder = root / PLANS_FOLDER
    if folder.is_dir() and any(p.suffix in (".yaml", ".yml") for p in folder.iterdir()):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in sorted(resources.files("revops.comp").joinpath("examples").iterdir(), key=str):
        if item.name.endswith(".yaml"):
            target = folder / item.name
            target.write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
            written.append(target)
    return written
