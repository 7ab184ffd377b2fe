"""Row-level access scope: which canonical rows a query may read.

A :class:`Scope` names the CRM users whose rows are visible (a rep: themself; a manager:
everyone under them in the manager hierarchy). The metric layer applies it where sources
read the canonical tables (:meth:`revops.metrics.SourceContext.raw`), so every value,
slice, drill-down and export built on the metric layer sees the same rows and no surface
filters on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics.sources import SourceContext

OWNED_BY: dict[str, tuple[str, ...]] = {
    "opportunity": ("owner_id",),
    "account": ("owner_id", "csm_id"),
    "lead": ("owner_id",),
    "contact": ("owner_id",),
    "activity": ("owner_id",),
    "quota": ("user_id",),
    "tool_usage": ("user_id",),
    "content_usage": ("user_id",),
    "territory": ("owner_id",),
    "partner": ("owner_id",),
}
"""Tables whose rows belong to the users named in these columns."""

BELONGS_TO: dict[str, tuple[str, str]] = {
    "opportunity_history": ("opportunity_id", "opportunity"),
    "subscription_line": ("account_id", "account"),
    "invoice": ("account_id", "account"),
    "order": ("account_id", "account"),
    "product_usage": ("account_id", "account"),
    "support_ticket": ("account_id", "account"),
    "campaign_touch": ("account_id", "account"),
    "web_session": ("account_id", "account"),
    "partner_deal": ("account_id", "account"),
}
"""Tables whose rows are visible when the row they point to (column, table) is."""

PERSON_TABLES = ("lead", "contact")
"""`lifecycle_event.person_id` names a lead or a contact; an event is visible with its person."""


@dataclass(frozen=True)
class Scope:
    """The rows a query may read.

    Attributes:
        owners: ids of the CRM users whose rows are visible — canonical user ids and their
            ``email:<address>`` keys, since some tools name people by e-mail; None for
            every row.
        label: who the scope is for, in messages (``own rows of ana@acme.com``).

    Examples:
        >>> Scope.everything().restricted
        False
        >>> Scope(frozenset({"u1"}), "own rows").restricted
        True
    """

    owners: frozenset[str] | None
    label: str = "every row"

    @classmethod
    def everything(cls) -> Scope:
        """The scope that filters nothing."""
        return cls(None)

    @property
    def restricted(self) -> bool:
        """Whether rows are filtered at all."""
        return self.owners is not None


def restrict(ctx: SourceContext, entity: str, table: ir.Table) -> ir.Table:
    """`table` (the canonical `entity`) cut to the rows `ctx.scope` may read.

    Tables not owned by anyone (users, teams, campaigns, costs, FX rates, tools) are
    company reference data and stay whole.
    """
    import ibis

    scope = ctx.scope
    if scope.owners is None:
        return table
    owners = sorted(scope.owners)
    if entity in OWNED_BY:
        visible = ibis.literal(False)
        for column in OWNED_BY[entity]:
            visible = visible | table[column].isin(owners).fill_null(False)
        return table.filter(visible)
    if entity in BELONGS_TO:
        column, parent = BELONGS_TO[entity]
        parents = ctx.raw(parent)
        return table.filter(table[column].isin(parents[f"{parent}_id"]))
    if entity == "lifecycle_event":
        people = [ctx.raw(p).select(person=f"{p}_id") for p in PERSON_TABLES]
        return table.filter(table.person_id.isin(people[0].union(people[1]).person))
    return table


def scope_of(
    users: list[tuple[str, str | None, str | None]], email: str, *, team: bool
) -> Scope | None:
    """The scope of the CRM user with `email`: their own rows, with `team` also the rows
    of everyone under them in the manager hierarchy.

    Args:
        users: (user_id, email, manager_id) of every CRM user.
        email: the user's e-mail (case-insensitive).
        team: whether to include the user's reports, transitively.

    Returns:
        The scope, or None when no CRM user has that e-mail.

    Examples:
        >>> users = [("m", "m@x.io", None), ("a", "a@x.io", "m"), ("b", "b@x.io", "a")]
        >>> sorted(scope_of(users, "M@x.io", team=True).owners)
        ['a', 'b', 'email:a@x.io', 'email:b@x.io', 'email:m@x.io', 'm']
        >>> sorted(scope_of(users, "a@x.io", team=False).owners)
        ['a', 'email:a@x.io']
    """
    wanted = email.strip().casefold()
    mail = {uid: (address or "").casefold() for uid, address, _ in users}
    roots = {uid for uid, address in mail.items() if address == wanted}
    if not roots:
        return None
    members = set(roots)
    if team:
        reports: dict[str, set[str]] = {}
        for uid, _, manager in users:
            if manager is not None and manager != uid:
                reports.setdefault(manager, set()).add(uid)
        frontier = list(roots)
        while frontier:
            for report in reports.get(frontier.pop(), set()) - members:
                members.add(report)
                frontier.append(report)
    keys = members | {f"email:{mail[uid]}" for uid in members if mail[uid]}
    what = "team" if team else "own rows"
    return Scope(frozenset(keys), f"{what} of {wanted}")
