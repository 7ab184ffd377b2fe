"""The tech-stack audit: per tool its seats, active users (30 and 90 days), adoption by
team and role, cost per active user, unused seats and their cost; tools that overlap by
capability and the consolidation options with their savings; each rep's time in selling
tools against admin tools.

Usage logs name people by e-mail (`email:<address>`) while users come from the CRM: a
usage row's person is resolved through the user aliases of the metric layer (a user's id
and `email:<lower-case address>`, :meth:`revops.metrics.SourceContext.keyed`), never by
joining raw ids across systems. Rows that resolve to no user are counted and listed.

Usage sources give a month's total dated at its first day: a window of N days counts
the months that overlap it (from the first day of the month holding as_of − N days).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from revops.errors import DeskError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.desk.config import DeskFile
    from revops.metrics import Metrics
    from revops.warehouse import Warehouse

CENT = Decimal("0.01")
REP_ROLES = ("AE", "SDR", "CSM")


def money(value: Any) -> Decimal | None:
    """An amount as Decimal to the cent, or None."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT)


def unused_seat_cost(annual_cost: Decimal | None, seats: int | None, active: int) -> Decimal:
    """The yearly cost of the seats nobody used: cost per seat × unused seats.

    Examples:
        >>> unused_seat_cost(Decimal("12000"), 10, 7)
        Decimal('3600.00')
        >>> unused_seat_cost(Decimal("12000"), 10, 12), unused_seat_cost(None, 10, 1)
        (Decimal('0.00'), Decimal('0.00'))
    """
    if annual_cost is None or not seats:
        return Decimal("0.00")
    unused = max(seats - active, 0)
    return (annual_cost * unused / seats).quantize(CENT)


def capabilities_of(text: str | None) -> tuple[str, ...]:
    """A tool's capabilities from the inventory (a JSON list, or `a;b` / `a, b`).

    Examples:
        >>> capabilities_of('["dialer", "Call Recording"]'), capabilities_of("a; b")
        (('dialer', 'call_recording'), ('a', 'b'))
    """
    if not text:
        return ()
    try:
        found = json.loads(text)
        items = [str(i) for i in found] if isinstance(found, list) else [str(found)]
    except ValueError:
        items = text.replace(";", ",").split(",")
    return tuple(i.strip().lower().replace(" ", "_") for i in items if i.strip())


@dataclass(frozen=True)
class Overlap:
    """Tools that share a capability one tool is enough for."""

    capability: str
    tools: tuple[str, ...]


@dataclass(frozen=True)
class Option:
    """A tool that could go: every capability it lists is held by a tool that stays."""

    retire: str
    covered_by: tuple[str, ...]
    capabilities: tuple[str, ...]
    active_users: int
    savings: Decimal
    currency: str | None


def overlaps(tools: list[dict[str, Any]], keep_one: set[str]) -> list[Overlap]:
    """Capabilities of `keep_one` held by two tools or more (active tools only), with
    the tools, most capabilities first.

    Examples:
        >>> t = [{"name": "Gong", "capabilities": ("call_recording",), "is_active": True},
        ...      {"name": "Chorus", "capabilities": ("call_recording",), "is_active": True},
        ...      {"name": "Slack", "capabilities": ("messaging",), "is_active": True}]
        >>> overlaps(t, {"call_recording", "messaging"})
        [Overlap(capability='call_recording', tools=('Chorus', 'Gong'))]
    """
    holders: dict[str, list[str]] = {}
    for tool in tools:
        if tool.get("is_active") is False:
            continue
        for capability in tool["capabilities"]:
            if capability in keep_one:
                holders.setdefault(capability, []).append(tool["name"])
    found = [Overlap(c, tuple(sorted(names))) for c, names in holders.items() if len(names) > 1]
    return sorted(found, key=lambda o: (-len(o.tools), o.capability))


def consolidation(tools: list[dict[str, Any]], keep_one: set[str]) -> list[Option]:
    """Tools to retire, least used first: a tool holding a keep-one capability goes when
    every capability it lists is held by a tool that stays; its cost is the saving.

    Examples:
        >>> t = [{"name": "Gong", "capabilities": ("call_recording", "coaching"),
        ...       "active_90d": 90, "annual_cost": Decimal("100"), "currency": "USD"},
        ...      {"name": "Chorus", "capabilities": ("call_recording", "coaching"),
        ...       "active_90d": 20, "annual_cost": Decimal("80"), "currency": "USD"}]
        >>> [(o.retire, o.covered_by, o.savings) for o in consolidation(t, {"call_recording"})]
        [('Chorus', ('Gong',), Decimal('80.00'))]
    """
    live = [t for t in tools if t.get("is_active") is not False]
    order = sorted(live, key=lambda t: (t["active_90d"], -(t["annual_cost"] or 0), t["name"]))
    retired: set[str] = set()
    options: list[Option] = []
    for tool in order:
        core = tuple(c for c in tool["capabilities"] if c in keep_one)
        if not core:
            continue
        others = [t for t in live if t["name"] != tool["name"] and t["name"] not in retired]
        cover: set[str] = set()
        for capability in tool["capabilities"]:
            holders = [t for t in others if capability in t["capabilities"]]
            if not holders:
                break
            cover.add(max(holders, key=lambda t: (t["active_90d"], t["name"]))["name"])
        else:
            retired.add(tool["name"])
            options.append(Option(
                retire=tool["name"], covered_by=tuple(sorted(cover)), capabilities=core,
                active_users=tool["active_90d"],
                savings=money(tool["annual_cost"]) or Decimal("0.00"),
                currency=tool.get("currency"),
            ))  # fmt: skip
    return options


@dataclass
class StackReport:
    """The audit as of a day; every list is rows a person reads (names beside ids)."""

    as_of: date
    tools: list[dict[str, Any]]
    overlaps: list[Overlap]
    options: list[Option]
    adoption: list[dict[str, Any]]
    reps: list[dict[str, Any]]
    usage_rows: int
    resolved_rows: int
    unresolved: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The headline figures (money per currency)."""
        totals: dict[str, dict[str, Decimal]] = {}
        for tool in self.tools:
            per = totals.setdefault(tool["currency"] or "", {"annual_cost": Decimal("0.00"),
                                    "unused_seat_cost": Decimal("0.00"),
                                    "savings": Decimal("0.00")})  # fmt: skip
            per["annual_cost"] += tool["annual_cost"] or Decimal("0.00")
            per["unused_seat_cost"] += tool["unused_seat_cost"]
        for option in self.options:
            per = totals.setdefault(option.currency or "", {"annual_cost": Decimal("0.00"),
                                    "unused_seat_cost": Decimal("0.00"),
                                    "savings": Decimal("0.00")})  # fmt: skip
            per["savings"] += option.savings
        return {
            "as_of": self.as_of.isoformat(),
            "tools": len(self.tools),
            "seats": sum(t["seats"] or 0 for t in self.tools),
            "active_users_90d": sum(t["active_90d"] for t in self.tools),
            "unused_seats": sum(t["unused_seats"] for t in self.tools),
            "usage_rows": self.usage_rows,
            "usage_rows_resolved": self.resolved_rows,
            "overlapping_capabilities": len(self.overlaps),
            "money": {c: {k: str(v) for k, v in f.items()} for c, f in totals.items()},
        }

    def overlap_rows(self) -> list[dict[str, Any]]:
        """Overlaps as flat rows."""
        return [{"capability": o.capability, "tools": ", ".join(o.tools), "count": len(o.tools)}
                for o in self.overlaps]  # fmt: skip

    def option_rows(self) -> list[dict[str, Any]]:
        """Consolidation options as flat rows."""
        return [{"retire": o.retire, "covered_by": ", ".join(o.covered_by),
                 "capabilities": ", ".join(o.capabilities),
                 "active_users_90d": o.active_users,
                 "savings": o.savings, "currency": o.currency} for o in self.options]  # fmt: skip


class StackAudit:
    """The tech-stack audit of a workspace (``ws.desk.stack``)."""

    def __init__(
        self,
        settings: DeskFile,
        warehouse: Callable[[], Warehouse],
        metrics: Callable[[], Metrics],
    ) -> None:
        self.settings = settings
        self._warehouse = warehouse
        self._metrics = metrics

    def keep_one(self) -> set[str]:
        """Capabilities one tool is enough for (the capability map)."""
        return {c.name for c in self.settings.capabilities if c.keep_one}

    def resolved_usage(self, as_of: date) -> ir.Table:
        """Usage rows with `person_id` (the user, through the aliases; null when none),
        `role`, `team_id` and `days` (the row's events, 1 when not given)."""
        warehouse = self._warehouse()
        for name in ("tool", "tool_usage", "user"):
            if not warehouse.has_table(name):
                raise DeskError(f"no core.{name} table: run `revops warehouse init` and ingest")
        users = self._metrics().context(as_of).keyed("user")
        aliases = users.select(_alias=users.lookup_key, person_id=users.user_id,
                               role=users.role, team_id=users.team_id)  # fmt: skip
        usage = warehouse.table("tool_usage")
        joined = usage.left_join(aliases, usage.user_id == aliases._alias)
        return joined.select(
            "tool_id", "user_id", "used_at", "person_id", "role", "team_id",
            days=joined.event_count.fill_null(1).cast("int64"),
        )  # fmt: skip

    def run(self, as_of: date | None = None) -> StackReport:
        """The audit as of a day (default today)."""
        import ibis

        day = as_of or datetime.now(UTC).date()
        warehouse = self._warehouse()
        usage = self.resolved_usage(day)
        end = ibis.literal(datetime.combine(day, datetime.max.time(), UTC), "timestamp('UTC')")
        usage = usage.filter(usage.used_at <= end)
        person = usage.person_id.fill_null(usage.user_id)

        def since(days: int) -> ir.BooleanValue:
            start = (day - timedelta(days=days)).replace(day=1)
            moment = datetime.combine(start, datetime.min.time(), UTC)
            return usage.used_at >= ibis.literal(moment, "timestamp('UTC')")

        used = usage.days > 0
        per_tool = usage.group_by(_tool="tool_id").aggregate(
            active_30d=person.nunique(where=since(30) & used),
            active_90d=person.nunique(where=since(90) & used),
            seat_holders_90d=person.nunique(where=since(90)),
            active_days_90d=usage.days.sum(where=since(90)),
        )
        tools = warehouse.table("tool")
        joined = tools.left_join(per_tool, tools.tool_id == per_tool._tool)
        rows = joined.select(
            "tool_id", "name", "category", "capabilities", "annual_cost", "currency", "seats",
            "is_active",
            active_30d=joined.active_30d.fill_null(0), active_90d=joined.active_90d.fill_null(0),
            seat_holders_90d=joined.seat_holders_90d.fill_null(0),
            active_days_90d=joined.active_days_90d.fill_null(0),
        ).order_by("name").to_pyarrow().to_pylist()  # fmt: skip
        overrides = {k.casefold(): v for k, v in self.settings.tool_capabilities.items()}
        for row in rows:
            row["capabilities"] = tuple(overrides.get(row["name"].casefold(), ())) or (
                capabilities_of(row["capabilities"]))  # fmt: skip
            row["annual_cost"] = money(row["annual_cost"])
            active = int(row["active_90d"])
            row["unused_seats"] = max((row["seats"] or 0) - active, 0)
            row["unused_seat_cost"] = unused_seat_cost(row["annual_cost"], row["seats"], active)
            row["cost_per_active_user"] = (
                (row["annual_cost"] / active).quantize(CENT) if active and row["annual_cost"]
                is not None else None)  # fmt: skip
            row["adoption"] = active / row["seats"] if row["seats"] else None
        keep = self.keep_one()
        counts = usage.aggregate(rows=usage.count(), resolved=usage.person_id.count())
        figures = counts.to_pyarrow().to_pylist()[0]
        missing = usage.filter(usage.person_id.isnull())
        unresolved = (missing.group_by("user_id").aggregate(rows=missing.count())
                      .order_by([ibis.desc("rows"), "user_id"]).limit(20)
                      .to_pyarrow().to_pylist())  # fmt: skip
        return StackReport(
            as_of=day,
            tools=rows,
            overlaps=overlaps(rows, keep),
            options=consolidation(rows, keep),
            adoption=self._adoption(usage, since(90) & used),
            reps=self._reps(usage, since(90)),
            usage_rows=int(figures["rows"] or 0),
            resolved_rows=int(figures["resolved"] or 0),
            unresolved=unresolved,
        )

    def _adoption(self, usage: ir.Table, active: ir.BooleanValue) -> list[dict[str, Any]]:
        """Per tool, team and role: active users in 90 days over the users of that team
        and role (active users of the org model)."""
        warehouse = self._warehouse()
        users = warehouse.table("user")
        users = users.filter(users.is_active.fill_null(True))
        headcount = users.group_by(_team="team_id", _role="role").aggregate(users=users.count())
        used = usage.filter(active & usage.person_id.notnull())
        per = used.group_by(["tool_id", "team_id", "role"]).aggregate(
            active_users=used.person_id.nunique()
        )
        joined = per.left_join(
            headcount, (per.team_id == headcount._team) & (per.role == headcount._role)
        )
        tools = warehouse.table("tool").select(_tool_id="tool_id", tool="name")
        teams = warehouse.table("team").select(_team_id="team_id", team="name")
        joined = joined.left_join(tools, joined.tool_id == tools._tool_id)
        joined = joined.left_join(teams, joined.team_id == teams._team_id)
        rows: list[dict[str, Any]] = joined.select(
            "tool_id", "tool", "team_id", "team", "role", "active_users",
            users=joined.users.fill_null(0),
        ).order_by(["tool", "team", "role"]).to_pyarrow().to_pylist()  # fmt: skip
        for row in rows:
            row["adoption"] = row["active_users"] / row["users"] if row["users"] else None
        return rows

    def _reps(self, usage: ir.Table, window: ir.BooleanValue) -> list[dict[str, Any]]:
        """Each rep's active days in 90 days in selling tools and in admin tools."""
        warehouse = self._warehouse()
        tools = warehouse.table("tool").select(_tool_id="tool_id", category="category")
        used = usage.filter(window & usage.person_id.notnull() & usage.role.isin(REP_ROLES))
        used = used.join(tools, used.tool_id == tools._tool_id)
        selling = used.category.isin(list(self.settings.selling_categories))
        per = used.group_by(["person_id", "role", "team_id"]).aggregate(
            selling_days=used.days.sum(where=selling),
            admin_days=used.days.sum(where=~selling),
        )
        users = warehouse.table("user").select(_user_id="user_id", rep="name")
        teams = warehouse.table("team").select(_team_id="team_id", team="name")
        per = per.left_join(users, per.person_id == users._user_id)
        per = per.left_join(teams, per.team_id == teams._team_id)
        rows: list[dict[str, Any]] = per.select(
            rep_id=per.person_id, rep=per.rep, role=per.role, team=per.team,
            selling_days=per.selling_days.fill_null(0), admin_days=per.admin_days.fill_null(0),
        ).order_by(["team", "rep"]).to_pyarrow().to_pylist()  # fmt: skip
        for row in rows:
            total = row["selling_days"] + row["admin_days"]
            row["selling_share"] = row["selling_days"] / total if total else None
        return rows
