"""What a plan reads from the warehouse: the org, quotas, and the deals won in a span.

Deals are read through the metric layer (:func:`revops.metrics.opportunities_at`): each
opportunity as it stood at the end of the as-of day, in the reporting currency, so a
statement uses nothing recorded after its as-of day. Only the deals won in the span come
back to Python, one row each: a statement has a line per deal. Owners, SDRs and quota
holders are resolved to canonical users through their lookup keys (id or e-mail), as the
metric layer's attainment does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from revops.errors import CompError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics import SourceContext


@dataclass(frozen=True)
class User:
    """A user of the org model."""

    user_id: str
    name: str
    email: str | None
    role: str | None
    team_id: str | None
    manager_id: str | None
    hire_date: date | None = None
    termination_date: date | None = None


@dataclass(frozen=True)
class Team:
    """A team of the org model."""

    team_id: str
    name: str
    manager_id: str | None
    parent_team_id: str | None


@dataclass(frozen=True)
class Deal:
    """A won deal as it stood on the as-of day, with what comp needs of it."""

    deal_id: str
    name: str
    owner_id: str | None
    sdr_id: str | None
    deal_type: str | None
    amount: Decimal
    closed_on: date
    arr: Decimal = Decimal(0)
    products: frozenset[str] = frozenset()
    paid_on: date | None = None
    churned_on: date | None = None
    invoiced: bool = False
    csm_id: str | None = None
    partner_manager_id: str | None = None
    team: tuple[tuple[str, str], ...] = ()
    lines: tuple[SoldLine, ...] = ()


@dataclass(frozen=True)
class SoldLine:
    """A subscription line a deal sold: its product's keys (id, sku, family) and MRR."""

    products: tuple[str, ...]
    mrr: Decimal


@dataclass(frozen=True)
class QuotaRow:
    """One quota row of a user: its period and amount."""

    user_id: str
    first: date
    last: date
    amount: Decimal

    def share(self, first: date, last: date) -> Decimal:
        """The part of the amount for the days of [first, last] inside the quota's period."""
        start, stop = max(first, self.first), min(last, self.last)
        if stop < start:
            return Decimal(0)
        days = Decimal((stop - start).days + 1)
        return self.amount * days / Decimal((self.last - self.first).days + 1)


@dataclass
class Org:
    """Users and teams, and who is under whom."""

    users: dict[str, User]
    teams: dict[str, Team]
    _above: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def find(self, ref: str) -> User:
        """The user a reference names: user_id, email or name (case-insensitive).

        Raises:
            CompError: no user, or a name several users share.
        """
        if ref in self.users:
            return self.users[ref]
        wanted = ref.strip().lower().removeprefix("email:")
        by_mail = [u for u in self.users.values() if (u.email or "").lower() == wanted]
        if by_mail:
            return by_mail[0]
        by_name = [u for u in self.users.values() if u.name.lower() == wanted]
        if len(by_name) == 1:
            return by_name[0]
        if by_name:
            ids = ", ".join(u.user_id for u in by_name)
            raise CompError(f"{len(by_name)} users are named {ref!r} ({ids}); give an id or email")
        raise CompError(f"no user {ref!r} (user_id, email or name) in the org model")

    def team(self, ref: str) -> Team | None:
        """The team a reference names: team_id or name."""
        if ref in self.teams:
            return self.teams[ref]
        return next((t for t in self.teams.values() if t.name.lower() == ref.lower()), None)

    def managers_of(self, user_id: str) -> tuple[str, ...]:
        """Everyone above the user: their manager_id chain and the managers of their team
        and its parent teams, nearest first."""
        if user_id not in self._above:
            found: list[str] = []
            todo = [user_id]
            while todo:
                current = todo.pop(0)
                user = self.users.get(current)
                if user is None:
                    continue
                ups = [user.manager_id] if user.manager_id else []
                team = self.teams.get(user.team_id or "")
                seen_teams: set[str] = set()
                while team is not None and team.team_id not in seen_teams:
                    seen_teams.add(team.team_id)
                    if team.manager_id:
                        ups.append(team.manager_id)
                    team = self.teams.get(team.parent_team_id or "")
                for up in ups:
                    if up != user_id and up not in found:
                        found.append(up)
                        todo.append(up)
            self._above[user_id] = tuple(found)
        return self._above[user_id]


def read_org(ctx: SourceContext) -> Org:
    """Every user and team (the headcount: small)."""
    users = ctx.raw("user", scoped=False)
    users = users.select(
        "user_id",
        "name",
        "email",
        "role",
        "team_id",
        "manager_id",
        "hire_date",
        "termination_date",
    )
    teams = ctx.raw("team", scoped=False)
    teams = teams.select("team_id", "name", "manager_id", "parent_team_id")
    return Org(
        {
            r["user_id"]: User(
                r["user_id"],
                r["name"] or r["user_id"],
                r["email"],
                r["role"],
                r["team_id"],
                r["manager_id"],
                _maybe_day(r["hire_date"]),
                _maybe_day(r["termination_date"]),
            )
            for r in _rows(users)
        },
        {
            r["team_id"]: Team(
                r["team_id"], r["name"] or r["team_id"], r["manager_id"], r["parent_team_id"]
            )
            for r in _rows(teams)
        },
    )


def read_quotas(ctx: SourceContext, first: date, last: date) -> list[QuotaRow]:
    """The user quotas overlapping [first, last] as known on the as-of day (the quota plan
    in effect replacing the imported quotas it covers), holders resolved to user ids."""
    from revops.metrics import moment, quotas_known

    quotas = quotas_known(ctx, scoped=False)
    quotas = quotas.filter(
        quotas.user_id.notnull()
        & (quotas.period_start_date <= moment(quotas, "period_start_date", last))
        & (quotas.period_end_date >= moment(quotas, "period_end_date", first))
    )
    quotas = ctx.in_reporting_currency("quota", quotas)
    users = ctx.keyed("user").select(_key="lookup_key", _holder="user_id")
    joined = quotas.left_join(users, quotas.user_id == users._key)
    joined = joined.select(
        holder=joined._holder.fill_null(joined.user_id),
        first=joined.period_start_date,
        last=joined.period_end_date,
        amount=joined.amount,
    )
    return [
        QuotaRow(r["holder"], _day(r["first"]), _day(r["last"]), _money(r["amount"]))
        for r in _rows(joined)
        if r["amount"] is not None
    ]


def read_deals(ctx: SourceContext, first: date, last: date) -> list[Deal]:
    """The deals won between `first` and `last` (both included) as they stood on the
    context's as-of day, with ARR, products, first invoice payment and churn."""
    from revops.metrics import moment, opportunities_at

    deals = opportunities_at(ctx, ctx.as_of)
    deals = deals.filter(
        deals.is_won
        & (deals.closed_at >= moment(deals, "closed_at", first))
        & (deals.closed_at < moment(deals, "closed_at", last + timedelta(days=1)))
    )
    users = ctx.keyed("user").select(_key="lookup_key", _user="user_id")
    owners = users.select(_okey="_key", _owner="_user")
    sdrs = users.select(_skey="_key", _sdr="_user")
    deals = deals.left_join(owners, deals.owner_id == owners._okey)
    deals = deals.left_join(sdrs, deals.sdr_id == sdrs._skey)
    # The overlay roles of the account and the partner: the CSM of the deal's company
    # (its golden record's, where the deal's own account has none) and the partner's manager.
    csms = ctx.dimension_values("account", "csm_id").select(_akey="lookup_key", _csm="value")
    managers = ctx.dimension_values("partner", "owner_id")
    managers = managers.select(_pkey="lookup_key", _pm="value")
    deals = deals.left_join(csms, deals.account_id == csms._akey)
    deals = deals.left_join(managers, deals.partner_id == managers._pkey)
    csm_users = users.select(_ckey="_key", _csm_user="_user")
    pm_users = users.select(_mkey="_key", _pm_user="_user")
    deals = deals.left_join(csm_users, deals._csm == csm_users._ckey)
    deals = deals.left_join(pm_users, deals._pm == pm_users._mkey)
    deals = deals.select(
        deal_id=deals.opportunity_id,
        name=deals.name,
        owner_id=deals._owner.fill_null(deals.owner_id),
        sdr_id=deals._sdr.fill_null(deals.sdr_id),
        csm_id=deals._csm_user.fill_null(deals._csm),
        partner_manager_id=deals._pm_user.fill_null(deals._pm),
        deal_type=deals.type,
        amount=deals.amount,
        closed_at=deals.closed_at,
    )
    rows = _rows(deals)
    ids = [r["deal_id"] for r in rows]
    extra = _deal_facts(ctx, ids)
    found = []
    for r in rows:
        facts = extra.get(r["deal_id"], {})
        found.append(
            Deal(
                r["deal_id"],
                r["name"] or r["deal_id"],
                r["owner_id"],
                r["sdr_id"],
                r["deal_type"],
                _money(r["amount"]),
                _day(r["closed_at"]),
                arr=facts.get("arr", Decimal(0)),
                products=frozenset(facts.get("products", ())),
                paid_on=facts.get("paid_on"),
                churned_on=facts.get("churned_on"),
                invoiced=facts.get("invoiced", False),
                csm_id=r["csm_id"],
                partner_manager_id=r["partner_manager_id"],
                team=tuple(sorted(facts.get("team", ()))),
                lines=tuple(facts.get("lines", ())),
            )
        )
    return found


def _deal_facts(ctx: SourceContext, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per deal: ARR, products and lines of the subscription lines it sold, the day its
    first invoice was paid (through its orders), the earliest end of its lines, and its
    deal team (user, role)."""
    facts: dict[str, dict[str, Any]] = {}
    if not ids:
        return facts
    wanted = _id_table(ids)
    lines = ctx.table("subscription_line")
    lines = lines.semi_join(wanted, lines.opportunity_id == wanted._wanted)
    products = ctx.raw("product", scoped=False).select(
        _pid="product_id", _sku="sku", _family="family"
    )
    with_products = lines.left_join(products, lines.product_id == products._pid)
    for r in _rows(
        with_products.select("opportunity_id", "product_id", "_sku", "_family", "mrr", "end_date")
    ):
        deal = facts.setdefault(r["opportunity_id"], {"arr": Decimal(0), "products": set()})
        keys = tuple(p for p in (r["product_id"], r["_sku"], r["_family"]) if p)
        deal["arr"] += _money(r["mrr"]) * 12
        deal["products"].update(keys)
        deal.setdefault("lines", []).append(SoldLine(keys, _money(r["mrr"])))
        if r["end_date"] is not None:
            ended = _day(r["end_date"])
            deal["churned_on"] = min(deal.get("churned_on", ended), ended)
    orders = ctx.raw("order", scoped=False)
    orders = orders.semi_join(wanted, orders.opportunity_id == wanted._wanted).select(
        _order="order_id", _deal="opportunity_id"
    )
    # Invoices known by the as-of day (ctx.raw drops those recorded later); a payment
    # dated after it is not known yet.
    invoices = ctx.raw("invoice", scoped=False)
    billed = invoices.join(orders, invoices.order_id == orders._order)
    known = billed.paid_date <= moment_of(billed, "paid_date", ctx.as_of)
    billed = billed.mutate(_paid=ibis_ifelse(billed.paid_date.notnull() & known, billed.paid_date))
    per_deal = billed.group_by(deal="_deal").aggregate(paid_on=billed._paid.min())
    for r in _rows(per_deal):
        found = facts.setdefault(r["deal"], {"arr": Decimal(0), "products": set()})
        found["invoiced"] = True
        if r["paid_on"] is not None:
            found["paid_on"] = _day(r["paid_on"])
    for deal_id, member in _team_members(ctx, wanted):
        facts.setdefault(deal_id, {"arr": Decimal(0), "products": set()})
        facts[deal_id].setdefault("team", []).append(member)
    return facts


def _id_table(ids: list[str]) -> ir.Table:
    """The deal ids as a table (`_wanted`) to join with: a few thousand ids compile and
    run faster joined than as an IN list."""
    import ibis
    import pyarrow as pa

    return ibis.memtable(pa.table({"_wanted": pa.array(sorted(set(ids)), pa.string())}))


def _team_members(ctx: SourceContext, wanted: ir.Table) -> list[tuple[str, tuple[str, str]]]:
    """(deal, (user, role)) of the deal teams of the deals in `wanted`, members resolved
    to users."""
    if not ctx.warehouse.has_table("opportunity_team_member", "core"):
        return []
    members = ctx.raw("opportunity_team_member", scoped=False)
    members = members.filter(members.role.notnull())
    members = members.semi_join(wanted, members.opportunity_id == wanted._wanted)
    users = ctx.keyed("user").select(_key="lookup_key", _user="user_id")
    joined = members.left_join(users, members.user_id == users._key)
    joined = joined.select(
        deal=joined.opportunity_id, user=joined._user.fill_null(joined.user_id), role=joined.role
    )
    return [(r["deal"], (r["user"], r["role"])) for r in _rows(joined)]


def ibis_ifelse(condition: ir.BooleanValue, value: ir.Value) -> ir.Value:
    """`value` where `condition` holds, else null."""
    import ibis

    return ibis.ifelse(condition, value, ibis.null(value.type()))


def moment_of(table: ir.Table, column: str, day: date) -> ir.Value:
    """`day` as a literal comparable with `column` (see :func:`revops.metrics.moment`)."""
    from revops.metrics import moment

    return moment(table, column, day)


def _rows(table: ir.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pyarrow().to_pylist()
    return rows


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _maybe_day(value: Any) -> date | None:
    return None if value is None else _day(value)


def _money(value: Any) -> Decimal:
    """An amount as exact cents: decimals as stored; floats (converted currencies) by
    their shortest text, then to cents."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal("0.01"))
