"""Statements: who a plan pays, what credits them, and the period-by-period chain.

A statement of a period depends on the periods before it within the fiscal year (a draw
balance to recover, commission to claw back, commission held until an invoice is paid,
adjustments of closed periods), so a plan's statements are computed as a chain from the
start of the fiscal year (earlier when a clawback window reaches back) to the period
asked for. A closed period's lines are the locked ones; what the current data would pay
for it beyond them becomes `adjustment` lines in the next open period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from revops.comp.calculate import (
    ZERO,
    CreditedDeal,
    Line,
    clawback_lines,
    earn,
    settle_draw,
    total,
    with_period,
)
from revops.comp.inputs import Deal, Org, QuotaRow, User
from revops.comp.plan import HUNDRED, CompPlan, Credit, Overlay
from revops.comp.versions import PlanVersions
from revops.core import FiscalCalendar, Period

PAID_KINDS = ("commission", "cap", "spif")
"""Line kinds a clawback takes back and an adjustment recomputes."""


SUMMARY_COLUMNS = (
    "participant_name", "participant_id", "plan", "period", "quota", "credited",
    "attainment", "held", "total", "locked",
)  # fmt: skip
"""The payout summary's columns, in the order the CLI, the page and the export show them."""


@dataclass
class Statement:
    """One participant's statement for one period of one plan."""

    plan: str
    period: str
    participant_id: str
    participant_name: str
    quota: Decimal | None
    credited: Decimal
    lines: list[Line] = field(default_factory=list)
    held: list[Line] = field(default_factory=list)
    locked: bool = False

    @property
    def attainment(self) -> Decimal | None:
        """Credited measure over quota, in percent."""
        if not self.quota:
            return None
        return self.credited / self.quota * HUNDRED

    @property
    def total(self) -> Decimal:
        """What the period pays: the sum of its lines."""
        return total(self.lines)

    def summary(self) -> dict[str, object]:
        """One row of the payout summary (the columns people read: :data:`SUMMARY_COLUMNS`)."""
        attainment = self.attainment
        return {
            "plan": self.plan,
            "period": self.period,
            "participant_id": self.participant_id,
            "participant_name": self.participant_name,
            "quota": None if self.quota is None else f"{self.quota:.2f}",
            "credited": f"{self.credited:.2f}",
            "attainment": None if attainment is None else f"{attainment:.2f}",
            "lines": len(self.lines),
            "held": f"{total(self.held):.2f}",
            "total": f"{self.total:.2f}",
            "locked": self.locked,
        }

    def as_dict(self) -> dict[str, object]:
        """The statement with its lines, for JSON."""
        return {
            **self.summary(),
            "items": [line.as_dict() for line in self.lines],
            "held_items": [line.as_dict() for line in self.held],
        }


@dataclass(frozen=True)
class Member:
    """A participant of a plan: the user and the days they are on it."""

    user: User
    spans: tuple[tuple[date | None, date | None], ...]

    def covers(self, day: date) -> bool:
        """Whether the user is on the plan, and employed, on `day`."""
        return self.on_plan(day, day)

    def on_plan(self, first: date, last: date) -> bool:
        """Whether the user is employed and on the plan on any day of [first, last]."""
        hired, left = self.user.hire_date, self.user.termination_date
        if (hired is not None and hired > last) or (left is not None and left < first):
            return False
        return any((a is None or a <= last) and (b is None or first <= b) for a, b in self.spans)


def members(plan: CompPlan, org: Org) -> dict[str, Member]:
    """The users a plan's participants name, by user id."""
    spans: dict[str, list[tuple[date | None, date | None]]] = defaultdict(list)
    for entry in plan.participants:
        span = (entry.start, entry.end)
        if entry.user is not None:
            spans[org.find(entry.user).user_id].append(span)
        elif entry.role is not None:
            role = entry.role.lower()
            for user in org.users.values():
                if (user.role or "").lower() == role:
                    spans[user.user_id].append(span)
        elif entry.team is not None:
            team = org.team(entry.team)
            for user in org.users.values():
                if team is not None and user.team_id == team.team_id:
                    spans[user.user_id].append(span)
    return {uid: Member(org.users[uid], tuple(s)) for uid, s in sorted(spans.items())}


def measure_of(plan: CompPlan, deal: Deal) -> Decimal | None:
    """The deal's measure under the plan; None when it does not count."""
    if plan.deal_types and deal.deal_type not in plan.deal_types:
        return None
    if plan.measure == "new_logos":
        return Decimal(1) if deal.deal_type == "new" else None
    if plan.measure == "arr":
        return deal.arr
    if plan.measure == "margin":
        return margin_of(plan, deal)
    return deal.amount


def margin_of(plan: CompPlan, deal: Deal) -> Decimal:
    """The deal's gross margin: its amount × its rate, the rates of the products its lines
    sold weighted by their MRR (the plan's default rate for a product without one, and for
    a deal without lines), rounded to cents by the plan's rule.

    Examples:
        >>> from datetime import date
        >>> from revops.comp.inputs import SoldLine
        >>> plan = CompPlan(name="p", participants=[{"role": "ae"}], measure="margin",
        ...                 margin={"rate": "0.7", "products": {"analytics": "0.5"}},
        ...                 rates=[{"from": 0, "rate": 1}])
        >>> lines = (SoldLine(("prod-1", "core"), Decimal(4000)),
        ...          SoldLine(("prod-2", "analytics"), Decimal(1000)))
        >>> margin_of(plan, Deal("d", "D", None, None, "new", Decimal(60000),
        ...                      date(2027, 1, 5), lines=lines))
        Decimal('39600.00')
    """
    assert plan.margin is not None
    rates = plan.margin.products
    weighted, weights = ZERO, ZERO
    for line in deal.lines:
        rate = next((rates[k] for k in line.products if k in rates), plan.margin.rate)
        weighted += line.mrr * rate
        weights += line.mrr
    rate = weighted / weights if weights else plan.margin.rate
    return (deal.amount * rate).quantize(Decimal("0.01"), rounding=plan.rounding_mode)


def holders(credit: Credit | Overlay, deal: Deal) -> list[str]:
    """The users a credit rule names on a deal: its owner, SDR, account's CSM, partner's
    manager, or the members of its deal team with the rule's role."""
    if credit.by == "team":
        role = (credit.role or "").strip().lower()
        return sorted({user for user, held in deal.team if held.strip().lower() == role})
    found = {
        "owner": deal.owner_id,
        "sdr": deal.sdr_id,
        "csm": deal.csm_id,
        "partner_manager": deal.partner_manager_id,
    }[credit.by]
    return [found] if found else []


def _shares(plan: CompPlan, org: Org, deal: Deal) -> list[tuple[str, Decimal, str]]:
    """(user, percent of the deal, why) of everyone the plan credits with the deal."""
    rule = plan.credit
    split = next((s for s in rule.splits if s.deal == deal.deal_id), None)
    if split is not None:
        return [
            (org.find(ref).user_id, pct, f"split {pct.normalize():f} %")
            for ref, pct in split.shares.items()
        ]
    found = holders(rule, deal)
    if not found:
        return []
    percent = rule.percent
    for overlay in rule.split_with:
        if holders(overlay, deal):
            percent -= overlay.percent
    each = percent / len(found)
    via = rule.by if rule.by != "team" else f"team {rule.role}"
    if each != HUNDRED:
        via += f" {each.normalize():f} %"
    return [(user, each, via) for user in found]


def credits(
    plan: CompPlan, org: Org, deals: Iterable[Deal], who: Mapping[str, Member]
) -> dict[str, list[CreditedDeal]]:
    """The credited deals of every participant, by user id: the holders the plan's credit
    rule names (owner, an overlay role) or the plan's splits, and with roll-up, every
    manager above them too."""
    found: dict[str, list[CreditedDeal]] = defaultdict(list)
    for deal in deals:
        value = measure_of(plan, deal)
        if value is None:
            continue
        for user_id, pct, via in _shares(plan, org, deal):
            credited = _credited(deal, value * pct / HUNDRED, pct, via)
            found[user_id].append(credited)
            if plan.credit.rollup:
                name = org.users[user_id].name if user_id in org.users else user_id
                for manager in org.managers_of(user_id):
                    found[manager].append(replace(credited, via=f"roll-up of {name}"))
    return {
        uid: [d for d in found.get(uid, []) if member.covers(d.closed_on)]
        for uid, member in who.items()
    }


def _credited(deal: Deal, value: Decimal, pct: Decimal, via: str) -> CreditedDeal:
    return CreditedDeal(
        deal.deal_id,
        deal.name,
        deal.closed_on,
        value,
        pct,
        via,
        deal.deal_type,
        deal.products,
        deal.paid_on,
    )


def quota_for(
    plan: CompPlan, rows: Mapping[str, Sequence[QuotaRow]], user_id: str, period: Period
) -> Decimal | None:
    """The participant's quota for the period: the plan's fixed amount, or their quota
    rows (`rows`: by user id) prorated by days to the period (None without any)."""
    if plan.quota.source == "fixed":
        return plan.quota.amount
    mine = rows.get(user_id, ())
    if not mine:
        return None
    amount = sum((r.share(period.start, period.last_day) for r in mine), ZERO)
    return amount.quantize(Decimal("0.01")) if amount else None


def chain_start(plan: CompPlan, calendar: FiscalCalendar, period: Period) -> Period:
    """The first period of the chain that ends with `period`: the first of its fiscal year,
    or earlier when the clawback window reaches back further."""
    first = calendar.period_of(
        calendar.year(calendar.fiscal_year_of(period.start)).start, plan.period
    )
    if plan.clawback is not None:
        reach = calendar.period_of(period.start - timedelta(days=plan.clawback.days), plan.period)
        first = min(first, reach)
    return first


@dataclass
class _Carry:
    """What one participant carries from period to period."""

    balance: Decimal = ZERO
    year: int | None = None
    paid: list[Line] = field(default_factory=list)
    clawed: set[str] = field(default_factory=set)
    held: list[Line] = field(default_factory=list)
    adjusted: dict[str, dict[str | None, Decimal]] = field(default_factory=dict)
    closed: dict[str, tuple[list[Line], list[Line]]] = field(default_factory=dict)


def run_chain(
    versions: PlanVersions,
    calendar: FiscalCalendar,
    periods: Sequence[Period],
    org: Org,
    deals: Sequence[Deal],
    quotas: Sequence[QuotaRow],
    as_of: date,
    locked: Mapping[tuple[str, str], list[Line]] | None = None,
) -> dict[tuple[str, str], Statement]:
    """Every participant's statement for each of `periods` (consecutive, in order), each
    period by the version of the plan in effect on its first day.

    Args:
        locked: the locked lines of closed periods, by (participant id, period label).
    """
    locked = locked or {}
    used = {p.label: versions.at(p.start) for p in periods}
    distinct = {id(plan): plan for plan in used.values()}
    rules = {key: _Rules(plan, org, deals, as_of) for key, plan in distinct.items()}
    paid = {d.deal_id: d.paid_on for d in deals if d.paid_on is not None}
    by_user: dict[str, list[QuotaRow]] = defaultdict(list)
    for row in quotas:
        by_user[row.user_id].append(row)
    everyone = sorted({uid for r in rules.values() for uid in r.who})
    out: dict[tuple[str, str], Statement] = {}
    for uid in everyone:
        carry = _Carry()
        for period in periods:
            label = period.label
            plan = used[label]
            rule = rules[id(plan)]
            member = rule.who.get(uid)
            on_plan = member is not None and member.on_plan(period.start, period.last_day)
            if not on_plan and (uid, label) not in locked:
                continue
            year = calendar.fiscal_year_of(period.start)
            if carry.year != year:
                carry.year, carry.balance = year, ZERO
            in_period = (
                [d for d in rule.credited.get(uid, []) if period.contains(d.closed_on)]
                if plan.in_effect(period.start, period.last_day)
                else []
            )
            quota = quota_for(plan, by_user, uid, period)
            earned = earn(plan, in_period, quota, label)
            fresh = _payable(plan, carry, earned.lines, period, paid)
            fresh += _clawbacks(plan, carry, rule.events, period)
            name = org.users[uid].name if uid in org.users else uid
            statement = Statement(plan.name, label, uid, name, quota, earned.credited)
            statement.held = list(carry.held)
            if (uid, label) in locked:
                statement.lines = list(locked[(uid, label)])
                statement.locked = True
                carry.closed[label] = (fresh, statement.lines)
                _absorb(plan, carry, statement.lines)
            else:
                lines = fresh + _adjustments(carry)
                draw, carry.balance = settle_draw(plan, lines, carry.balance)
                statement.lines = with_period(lines + draw, label)
                carry.paid += [ln for ln in statement.lines if ln.kind in PAID_KINDS]
            out[(uid, label)] = statement
    return out


class _Rules:
    """What one version of a plan makes of the org and the deals: its participants, their
    credited deals, and the deals its clawback takes back."""

    def __init__(self, plan: CompPlan, org: Org, deals: Sequence[Deal], as_of: date) -> None:
        self.who = members(plan, org)
        self.credited = credits(plan, org, deals, self.who)
        self.events = _events(plan, deals, as_of)


def _payable(
    plan: CompPlan, carry: _Carry, lines: list[Line], period: Period, paid: Mapping[str, date]
) -> list[Line]:
    """The earned lines payable this period, and those held earlier released now; with
    pay on invoice paid a deal's lines wait for its first paid invoice."""
    if plan.pay_on == "booking":
        return list(lines)
    now: list[Line] = []
    still: list[Line] = []
    for line in [*carry.held, *lines]:
        day = paid.get(line.deal_id) if line.deal_id else None
        if line.deal_id is None:
            now.append(line)
        elif day is not None and day <= period.last_day:
            now.append(replace(line, note=f"{line.note}; invoice paid {day.isoformat()}"))
        else:
            still.append(line)
    carry.held = still
    return now


def _events(plan: CompPlan, deals: Sequence[Deal], as_of: date) -> dict[str, tuple[str, date]]:
    """Deal id → (what happened, the day it is known) for deals a clawback takes back."""
    found: dict[str, tuple[str, date]] = {}
    rule = plan.clawback
    if rule is None:
        return found
    for deal in deals:
        window_end = deal.closed_on + timedelta(days=rule.days)
        churned = deal.churned_on
        if "churned" in rule.events and churned is not None and churned <= min(window_end, as_of):
            found[deal.deal_id] = ("churned", churned)
            continue
        # Only a deal billed through its orders can be known unpaid: without any invoice
        # linked to it nothing says whether it was paid.
        unpaid = deal.invoiced and (deal.paid_on is None or deal.paid_on > window_end)
        known = window_end + timedelta(days=1)
        if "unpaid" in rule.events and unpaid and known <= as_of:
            found[deal.deal_id] = (f"unpaid {rule.days} days after close", known)
    return found


def _clawbacks(
    plan: CompPlan, carry: _Carry, events: Mapping[str, tuple[str, date]], period: Period
) -> list[Line]:
    lines: list[Line] = []
    for deal_id, (event, day) in sorted(events.items()):
        if deal_id in carry.clawed or not period.contains(day):
            continue
        taken = clawback_lines(plan, carry.paid, deal_id, event, day)
        if taken:
            carry.clawed.add(deal_id)
            lines += taken
    return lines


def _by_deal(lines: Iterable[Line]) -> dict[str | None, Decimal]:
    sums: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.kind in (*PAID_KINDS, "clawback"):
            sums[line.deal_id] += line.amount
    return sums


def _adjustments(carry: _Carry) -> list[Line]:
    """Lines for what each closed period, recomputed now, pays beyond what was locked for
    it and adjusted since, per deal; each difference is paid once."""
    lines = []
    for label, (fresh, locked) in carry.closed.items():
        now, then = _by_deal(fresh), _by_deal(locked)
        done = carry.adjusted.setdefault(label, {})
        names = {ln.deal_id: ln.deal_name for ln in [*fresh, *locked]}
        for deal_id in sorted(set(now) | set(then), key=lambda k: k or ""):
            delta = now.get(deal_id, ZERO) - then.get(deal_id, ZERO) - done.get(deal_id, ZERO)
            if delta == 0:
                continue
            done[deal_id] = done.get(deal_id, ZERO) + delta
            rule = (
                f"adjustment of closed {label}: now {now.get(deal_id, ZERO):,.2f}, "
                f"locked {then.get(deal_id, ZERO):,.2f}"
            )
            lines.append(
                Line(
                    "adjustment",
                    rule,
                    delta,
                    then.get(deal_id, ZERO),
                    None,
                    deal_id,
                    names.get(deal_id),
                    adjusts_period=label,
                )
            )
    carry.closed.clear()
    return lines


def _absorb(plan: CompPlan, carry: _Carry, lines: list[Line]) -> None:
    """Carry a locked period forward: what it paid, its draw balance, its adjustments."""
    carry.paid += [ln for ln in lines if ln.kind in PAID_KINDS]
    carry.clawed |= {ln.deal_id for ln in lines if ln.kind == "clawback" and ln.deal_id}
    for line in lines:
        if (
            line.kind == "draw" and plan.draw is not None and plan.draw.recoverable
        ) or line.kind == "draw_recovery":
            carry.balance += line.amount
        elif line.kind == "adjustment" and line.adjusts_period:
            done = carry.adjusted.setdefault(line.adjusts_period, {})
            done[line.deal_id] = done.get(line.deal_id, ZERO) + line.amount
