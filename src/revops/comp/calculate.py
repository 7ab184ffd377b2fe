"""The exact calculation: Decimal arithmetic, one rounding per line, every line traceable.

Pure functions of a plan and the credited deals of one participant; nothing here reads
the warehouse (:mod:`revops.comp.inputs` does), so every rule is tested by hand.

How a period pays, in order:

1. **Commission**: the participant's credited deals, by close, fill the rate tiers of
   attainment (credited measure / quota × 100); the part of a deal inside a tier is paid
   at the tier's rate (a deal crossing 100 % is paid partly at the accelerator's rate).
   One line per deal and tier: its base (the part), rate and amount. Below the plan's
   threshold (attainment at the end of the period) every tier pays 0.
2. **Cap**: when commission passes the cap, one negative line brings it back to the cap.
3. **SPIFs**: a line per qualifying deal and SPIF (a fixed amount or a rate of its measure).
4. **Clawbacks**: a deal paid earlier that went unpaid or churned within the plan's days
   gives a negative line of what it paid, in the period the event is known.
5. **Draw**: earnings below the draw are topped up to it; a recoverable top-up is taken
   back from later earnings above the draw (never below the draw), within the fiscal year.

Each amount is rounded to cents by the plan's rule (half up or half even); a statement's
total is the sum of its lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from revops.comp.plan import HUNDRED, CompPlan, Spif, Tier

CENT = Decimal("0.01")
ZERO = Decimal(0)
LineKind = Literal["commission", "cap", "spif", "clawback", "draw", "draw_recovery", "adjustment"]


@dataclass(frozen=True)
class CreditedDeal:
    """A won deal as it credits one participant.

    Attributes:
        deal_id: the opportunity id.
        deal_name: its name.
        closed_on: the day it closed.
        value: the credited measure: the deal's measure × `share` / 100.
        share: percent of the deal credited (100 unless split).
        via: why it credits the participant (owner, split, roll-up of a report...).
        deal_type: new, expansion or renewal.
        products: product ids, skus and families the deal sold.
        paid_on: the day its first invoice was paid, if it was (for pay on invoice paid).
    """

    deal_id: str
    deal_name: str
    closed_on: date
    value: Decimal
    share: Decimal = HUNDRED
    via: str = "owner"
    deal_type: str | None = None
    products: frozenset[str] = frozenset()
    paid_on: date | None = None


@dataclass(frozen=True)
class Line:
    """One line of a statement."""

    kind: LineKind
    rule: str
    amount: Decimal
    base: Decimal = ZERO
    rate: Decimal | None = None
    deal_id: str | None = None
    deal_name: str | None = None
    earned_period: str | None = None
    adjusts_period: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        """The line for a table or JSON (Decimals as strings, exact)."""
        return {
            "kind": self.kind,
            "deal_id": self.deal_id,
            "deal_name": self.deal_name,
            "rule": self.rule,
            "rate": None if self.rate is None else f"{self.rate.normalize():f}",
            "base": f"{self.base:f}",
            "amount": f"{self.amount:f}",
            "earned_period": self.earned_period,
            "adjusts_period": self.adjusts_period,
            "note": self.note,
        }


@dataclass
class Earnings:
    """What one participant earned in one period before draws and clawbacks."""

    quota: Decimal | None
    credited: Decimal
    lines: list[Line] = field(default_factory=list)

    @property
    def attainment(self) -> Decimal | None:
        """Credited measure over quota, in percent (None without a quota)."""
        if not self.quota:
            return None
        return self.credited / self.quota * HUNDRED


def to_cents(value: Decimal, plan: CompPlan) -> Decimal:
    """`value` rounded to cents by the plan's rule.

    Examples:
        >>> from revops.comp.plan import CompPlan
        >>> up = CompPlan(name="p", participants=[{"role": "ae"}], rates=[{"from": 0, "rate": 1}])
        >>> to_cents(Decimal("0.125"), up), to_cents(Decimal("0.125"), up.model_copy(update={"rounding": "half_even"}))
        (Decimal('0.13'), Decimal('0.12'))
    """  # noqa: E501
    return value.quantize(CENT, rounding=plan.rounding_mode)


def _bands(plan: CompPlan, quota: Decimal | None) -> list[tuple[Tier, Decimal, Decimal | None]]:
    """Each tier with its edges in units of measure; without a quota the whole measure
    falls in the first tier."""
    if not quota:
        return [(plan.rates[0], ZERO, None)]
    return [
        (t, quota * t.start / HUNDRED, None if t.end is None else quota * t.end / HUNDRED)
        for t in plan.rates
    ]


def earn(
    plan: CompPlan, deals: Sequence[CreditedDeal], quota: Decimal | None, period: str
) -> Earnings:
    """Commission, cap and SPIF lines of one participant for one period.

    Args:
        plan: the plan.
        deals: the deals credited to the participant in the period (any order).
        quota: the participant's quota for the period, in units of measure.
        period: the period's label, written on the lines.
    """
    ordered = sorted(deals, key=lambda d: (d.closed_on, d.deal_id))
    credited = sum((d.value for d in ordered), ZERO)
    result = Earnings(quota, credited)
    attainment = result.attainment
    below = plan.threshold is not None and attainment is not None and attainment < plan.threshold
    bands = _bands(plan, quota)
    filled = ZERO
    commission = ZERO
    for deal in ordered:
        start, stop = filled, filled + deal.value
        filled = stop
        for tier, low, high in bands:
            part = min(stop, high if high is not None else stop) - max(start, low)
            if part <= 0:
                continue
            rate = ZERO if below else tier.rate
            rule = tier.label()
            if below:
                rule += f", below threshold {plan.threshold:f} % (attainment {attainment:.2f} %)"
            elif not quota:
                rule += ", no quota"
            amount = to_cents(part * rate, plan)
            commission += amount
            result.lines.append(
                Line(
                    "commission",
                    rule,
                    amount,
                    part,
                    rate,
                    deal.deal_id,
                    deal.deal_name,
                    period,
                    note=deal.via,
                )
            )
    if plan.cap is not None and commission > plan.cap:
        over = plan.cap - commission
        result.lines.append(
            Line("cap", f"cap {plan.cap:,.2f}", over, commission, None, earned_period=period)
        )
    for spif in plan.spifs:
        for deal in ordered:
            if _qualifies(spif, deal):
                result.lines.append(_spif_line(plan, spif, deal, period))
    return result


def _qualifies(spif: Spif, deal: CreditedDeal) -> bool:
    if not spif.start <= deal.closed_on <= spif.end:
        return False
    if spif.deal_type is not None and deal.deal_type != spif.deal_type:
        return False
    return spif.product is None or spif.product in deal.products


def _spif_line(plan: CompPlan, spif: Spif, deal: CreditedDeal, period: str) -> Line:
    if spif.amount is not None:
        base = deal.share / HUNDRED
        amount = to_cents(spif.amount * base, plan)
        rule = f"SPIF {spif.name}: {spif.amount:,.2f} per deal"
        return Line(
            "spif",
            rule,
            amount,
            base,
            spif.amount,
            deal.deal_id,
            deal.deal_name,
            period,
            note=deal.via,
        )
    rate = spif.rate or ZERO
    amount = to_cents(deal.value * rate, plan)
    rule = f"SPIF {spif.name}: {rate.normalize():f} of measure"
    return Line(
        "spif", rule, amount, deal.value, rate, deal.deal_id, deal.deal_name, period, note=deal.via
    )


def clawback_lines(
    plan: CompPlan, paid: Iterable[Line], deal_id: str, event: str, day: date
) -> list[Line]:
    """The negative lines that take back what `paid` (earlier lines) paid for `deal_id`."""
    total = sum((ln.amount for ln in paid if ln.deal_id == deal_id), ZERO)
    if total == 0:
        return []
    name = next((ln.deal_name for ln in paid if ln.deal_id == deal_id), None)
    days = plan.clawback.days if plan.clawback else 0
    periods = sorted(
        {ln.earned_period for ln in paid if ln.deal_id == deal_id and ln.earned_period}
    )
    rule = f"clawback: {event} on {day.isoformat()}, within {days} days of close"
    return [
        Line(
            "clawback",
            rule,
            -total,
            total,
            None,
            deal_id,
            name,
            ", ".join(periods),
            note=f"paid {total:,.2f} before",
        )
    ]


def settle_draw(plan: CompPlan, lines: list[Line], balance: Decimal) -> tuple[list[Line], Decimal]:
    """The draw lines of a period whose other lines are `lines`, and the balance still
    to recover after it (`balance` before it).

    Examples:
        >>> from revops.comp.plan import CompPlan
        >>> plan = CompPlan(name="p", participants=[{"role": "ae"}],
        ...                 rates=[{"from": 0, "rate": 1}], draw={"amount": 1000})
        >>> topup, owed = settle_draw(plan, [Line("commission", "t", Decimal(300))], Decimal(0))
        >>> topup[0].amount, owed
        (Decimal('700.00'), Decimal('700.00'))
        >>> back, owed = settle_draw(plan, [Line("commission", "t", Decimal(1500))], owed)
        >>> back[0].amount, owed
        (Decimal('-500.00'), Decimal('200.00'))
    """
    if plan.draw is None:
        return [], balance
    draw = plan.draw.amount
    earned = sum((ln.amount for ln in lines), ZERO)
    if earned < draw:
        topup = to_cents(draw - earned, plan)
        kind = "recoverable" if plan.draw.recoverable else "non-recoverable"
        line = Line(
            "draw",
            f"draw {draw:,.2f} ({kind})",
            topup,
            earned,
            None,
            note=f"earnings {earned:,.2f} below the draw",
        )
        return [line], balance + topup if plan.draw.recoverable else balance
    if balance > 0:
        back = min(balance, earned - draw)
        if back > 0:
            line = Line(
                "draw_recovery",
                f"draw recovery (balance {balance:,.2f})",
                -to_cents(back, plan),
                earned,
                None,
                note=f"{balance - back:,.2f} left to recover",
            )
            return [line], balance - back
    return [], balance


def with_period(lines: Iterable[Line], period: str) -> list[Line]:
    """`lines` with `earned_period` set where it is missing."""
    return [ln if ln.earned_period else replace(ln, earned_period=period) for ln in lines]


def total(lines: Iterable[Line]) -> Decimal:
    """The sum of the lines' amounts."""
    return sum((ln.amount for ln in lines), ZERO)
