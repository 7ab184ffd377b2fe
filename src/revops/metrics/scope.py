"""Row-level access scope: which stored rows a query may read, declared once per table.

A :class:`Scope` names the CRM users whose rows are visible (a rep: themself; a manager:
everyone under them in the manager hierarchy). Every table a surface can read — each
canonical table and each table an engine stores (identity, quality, forecast backtest) —
has one declaration in :data:`ROW_SCOPES`:

- :class:`Owned`: rows belong to the users named in some columns (and, for teams, to the
  managers of the team named in a column; for accounts with no owner of their own, to the
  owners of the CRM account in the same identity cluster);
- :class:`Through`: a row is visible with the row it points to;
- :class:`Record`: a row is visible with the record of the table it names (identity);
- :class:`Reference`: company-wide reference data, visible whole to everyone;
- :class:`Hidden`: not visible at all to a scoped role (company-wide measurements).

:class:`ScopedReader` applies them — the one mechanism every value, slice, drill-down,
export, page and search reads through (:meth:`revops.metrics.SourceContext.raw`). Reading
a table with no declaration is an error, whatever the scope, so a new table cannot be
read before someone decides who sees its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from revops.errors import MetricError

if TYPE_CHECKING:
    from collections.abc import Callable

    import ibis.expr.types as ir

    from revops.warehouse import Warehouse


@dataclass(frozen=True)
class Owned:
    """Rows that belong to the CRM users named in `columns` (any of them).

    Attributes:
        columns: user-id columns; a row is visible when one names a user of the scope.
        team: a team-id column: the row is also visible to a scope holding that team's
            manager (team rows: a manager's team quota).
        clustered: a row with none of `columns` set (a billing customer, a support
            organisation) is visible when a row of the same identity cluster is.
    """

    columns: tuple[str, ...]
    team: str | None = None
    clustered: bool = False


@dataclass(frozen=True)
class Through:
    """Rows visible when the row `column` points to, in one of `parents`, is."""

    column: str
    parents: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """Rows naming a record by table (`kind_column`) and id (`id_column`): visible when
    that record is; records of tables outside `parents` are not visible."""

    kind_column: str
    id_column: str
    parents: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """Company-wide reference data: every role reads it whole. `why` says why that is safe."""

    why: str


@dataclass(frozen=True)
class Hidden:
    """Not visible to a scoped role at all (it reads no row). `why` says why."""

    why: str


Rule = Owned | Through | Record | Reference | Hidden

_REFERENCE_PEOPLE = Reference("the org chart: names, e-mails, teams and managers of users")

ROW_SCOPES: dict[str, Rule] = {
    # Owned by a user.
    "core.opportunity": Owned(("owner_id",)),
    "core.account": Owned(("owner_id", "csm_id"), clustered=True),
    "core.lead": Owned(("owner_id",)),
    "core.contact": Owned(("owner_id",)),
    "core.activity": Owned(("owner_id",)),
    "core.quota": Owned(("user_id",), team="team_id"),
    "core.tool_usage": Owned(("user_id",)),
    "core.content_usage": Owned(("user_id",)),
    "core.territory": Owned(("owner_id",)),
    "core.partner": Owned(("owner_id",)),
    "core.revops_request": Owned(("requester_id", "assignee_id")),
    "core.quality_score": Owned(("owner_id",)),
    "core.quality_failure": Owned(("owner_id",)),
    # Visible with the row they belong to.
    "history.opportunity_history": Through("opportunity_id", ("opportunity",)),
    "core.opportunity_field_change": Through("opportunity_id", ("opportunity",)),
    "core.deal_line": Through("opportunity_id", ("opportunity",)),
    "history.deal_line_history": Through("opportunity_id", ("opportunity",)),
    "core.opportunity_team_member": Through("opportunity_id", ("opportunity",)),
    "core.subscription_line": Through("account_id", ("account",)),
    "core.invoice": Through("account_id", ("account",)),
    "core.order": Through("account_id", ("account",)),
    "core.product_usage": Through("account_id", ("account",)),
    "core.support_ticket": Through("account_id", ("account",)),
    "core.satisfaction_rating": Through("support_ticket_id", ("support_ticket",)),
    "core.campaign_touch": Through("account_id", ("account",)),
    "core.web_session": Through("account_id", ("account",)),
    "core.partner_deal": Through("account_id", ("account",)),
    "core.lifecycle_event": Through("person_id", ("lead", "contact")),
    "identity.crosswalk": Record("entity", "record_id", ("account", "contact", "lead")),
    # Company-wide reference data.
    "core.user": _REFERENCE_PEOPLE,
    "core.team": Reference("the teams and their managers"),
    "core.campaign": Reference("marketing's campaigns: names, channels, dates, budgets"),
    "history.campaign_history": Reference("the campaigns' budget and cost as they changed"),
    "core.gtm_cost": Reference("go-to-market cost per month and department, no customer"),
    "core.budget_line": Reference("the GTM budget per month, department and category; no customer"),
    "history.budget_line_history": Reference("the GTM budget's revisions; no customer"),
    "core.fx_rate": Reference("exchange rates"),
    "core.product": Reference("the price book"),
    "core.tool": Reference("the tech stack: tools, costs, seats"),
    "core.content": Reference("sales enablement assets, shared by every seller"),
    "core.quality_run": Reference("when each quality run ran and with which rules; no record"),
    # Company-wide measurements no scoped role reads.
    "core.forecast_backtest": Hidden(
        "the backtest measures the methods on the whole company's bookings"
    ),
    "core.forecast_backtest_summary": Hidden("the backtest's summary, of the whole company"),
    "core.forecast_calibration": Hidden("the backtest's calibration, of the whole company"),
    "identity.pair": Hidden("candidate matches between any two records of the company"),
    "identity.run": Hidden("identity runs' counts over the whole company"),
    "identity.merge": Hidden("merges of any records of the company"),
    "identity.review": Hidden("reviewers' decisions on pairs of any records of the company"),
    "identity.pair_stage": Hidden("scored pairs of an identity run still under way"),
    "identity.merge_image": Hidden("the rows merges replaced, of any record"),
    "identity.lead_account": Through("lead_id", ("lead",)),
    # One company's or person's record across systems: its owner (propagated from the CRM).
    "identity.golden_account": Owned(("owner_id", "csm_id")),
    "identity.golden_person": Owned(("owner_id",)),
    "leads.score": Through("lead_id", ("lead",)),
    "leads.lifecycle_event": Through("lead_id", ("lead",)),
    "leads.acceptance": Through("lead_id", ("lead",)),
    "leads.evaluation": Reference("the lead model's accuracy: AUC, lift, calibration; no record"),
    "routing.assignment": Owned(("owner_id", "previous_owner_id")),
    "routing.pool_state": Owned(("user_id",)),
    "automate.task": Owned(("user_id",)),
    "automate.field_value": Record(
        "entity", "record_id", ("opportunity", "lead", "account", "contact")
    ),
    "comp.statement_line": Owned(("participant_id",)),
    "comp.dispute": Owned(("participant_id",)),
    "comp.period_close": Hidden("the whole company's payout totals per closed period"),
    "desk.request": Owned(("requester_id", "owner_id")),
    "territories.assignment": Owned(("owner_id", "previous_owner_id")),
    "quotas.quota": Owned(("user_id",)),
    "quotas.version": Reference("quota plan versions: year, target, dates; no record"),
    "territories.model": Reference("territory model versions: state, dates, counts; no record"),
}
"""Who sees the rows of each table, by ``namespace.table``."""

NAMESPACE_SCOPES: dict[str, Rule] = {
    "raw": Hidden("rows as received, before mapping: read by ingest only"),
    "quarantine": Hidden("rejected rows: read by ingest only"),
    "automate": Hidden("workflow runs, actions and trigger states over any record"),
}
"""Namespaces whose every table has one declaration."""


def rule_of(name: str, namespace: str) -> Rule:
    """The declaration of table `namespace.name`.

    Raises:
        MetricError: the table has none (declare it in :data:`ROW_SCOPES`).

    Examples:
        >>> rule_of("opportunity", "core")
        Owned(columns=('owner_id',), team=None, clustered=False)
        >>> rule_of("nothing", "core")
        Traceback (most recent call last):
        ...
        revops.errors.MetricError: no row scope declared for core.nothing: declare it in ROW_SCOPES
    """
    found = ROW_SCOPES.get(f"{namespace}.{name}") or NAMESPACE_SCOPES.get(namespace)
    if found is None:
        raise MetricError(f"no row scope declared for {namespace}.{name}: declare it in ROW_SCOPES")
    return found


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

    def sees(self, name: str, namespace: str = "core") -> bool:
        """Whether any row of the table can be visible (False for a hidden table)."""
        return not self.restricted or not isinstance(rule_of(name, namespace), Hidden)


def _canonical_namespaces() -> dict[str, str]:
    from revops.model import ENTITIES

    return {name: spec.namespace for name, spec in ENTITIES.items()}


@dataclass
class ScopedReader:
    """Tables of `warehouse` cut to the rows of `scope`, each by its declaration.

    Args:
        warehouse: where the tables are.
        scope: the rows that may be read.
        namespaces: the namespace of each canonical table (default: the model's).
    """

    warehouse: Warehouse
    scope: Scope
    namespaces: dict[str, str] = field(default_factory=_canonical_namespaces)
    known: Callable[[str, ir.Table], ir.Table] | None = None
    """Cuts a canonical table to the records known at the as-of instant, before the scope."""
    read: set[str] = field(default_factory=set)
    _tables: dict[str, ir.Table] = field(default_factory=dict)

    def whole(self, name: str, namespace: str) -> ir.Table:
        """The stored table, not cut (dimension lookups, which label rows already read)."""
        key = f"{namespace}.{name}"
        rule_of(name, namespace)
        self.read.add(key)
        if key not in self._tables:
            table = self.warehouse.table(name, namespace)
            if self.known is not None and self.namespaces.get(name) == namespace:
                table = self.known(name, table)
            self._tables[key] = table
        return self._tables[key]

    def table(self, name: str, namespace: str) -> ir.Table:
        """The stored table cut to the rows of the scope."""
        whole = self.whole(name, namespace)
        if not self.scope.restricted:
            return whole
        key = f"scoped:{namespace}.{name}"
        if key not in self._tables:
            self._tables[key] = self._cut(name, rule_of(name, namespace), whole)
        return self._tables[key]

    def parent(self, entity: str) -> ir.Table:
        """The canonical table `entity`, cut."""
        return self.table(entity, self.namespaces[entity])

    def _cut(self, name: str, rule: Rule, table: ir.Table) -> ir.Table:
        import ibis

        if isinstance(rule, Reference):
            return table
        if isinstance(rule, Hidden):
            return table.filter(ibis.literal(False))
        if isinstance(rule, Through):
            visible = ibis.literal(False)
            for parent in rule.parents:
                ids = self.parent(parent)[f"{parent}_id"]
                visible = visible | table[rule.column].isin(ids).fill_null(False)
            return table.filter(visible)
        if isinstance(rule, Record):
            visible = ibis.literal(False)
            for parent in rule.parents:
                ids = self.parent(parent)[f"{parent}_id"]
                mine = (table[rule.kind_column] == parent) & table[rule.id_column].isin(ids)
                visible = visible | mine.fill_null(False)
            return table.filter(visible)
        return self._owned(name, rule, table)

    def _owned(self, name: str, rule: Owned, table: ir.Table) -> ir.Table:
        import ibis

        owners = self._owners()
        visible = ibis.literal(False)
        for column in rule.columns:
            visible = visible | table[column].isin(owners.owner_key).fill_null(False)
        if rule.team is not None:
            teams = self.whole("team", self.namespaces["team"])
            led = teams.filter(teams.manager_id.isin(owners.owner_key)).team_id
            visible = visible | table[rule.team].isin(led).fill_null(False)
        if not rule.clustered or not self.warehouse.has_table("crosswalk", "identity"):
            return table.filter(visible)
        # A record no user owns (a billing customer) is its identity cluster's: visible
        # when an owned record of the same cluster is.
        crosswalk = self.whole("crosswalk", "identity")
        id_column = f"{name}_id"
        clusters = crosswalk.filter(crosswalk.entity == name)
        owned_ids = table.filter(visible)[id_column]
        mine = clusters.filter(clusters.record_id.isin(owned_ids)).cluster_id
        unowned = ibis.literal(True)
        for column in rule.columns:
            unowned = unowned & table[column].isnull()
        followers = clusters.filter(clusters.cluster_id.isin(mine)).record_id
        return table.filter(visible | (unowned & table[id_column].isin(followers)))

    def _owners(self) -> ir.Table:
        # The owners as a table, not an IN list of literals: DuckDB 1.4 fails with an
        # internal error on some plans where its IN-clause optimizer rewrites a long list
        # (a manager's team) under a pushed-down filter (the MRR drill-down).
        if "owners" not in self._tables:
            self._tables["owners"] = owners_table(self.scope.owners or frozenset())
        return self._tables["owners"]


@lru_cache(maxsize=256)
def owners_table(owners: frozenset[str]) -> ir.Table:
    """`owners` as a one-column table (`owner_key`), the same table for the same owners
    in the whole process: the queries of one scope keep their shape, and so their
    compiled SQL (:mod:`revops.warehouse.compiled`), from one request to the next."""
    import ibis

    return ibis.memtable({"owner_key": sorted(owners)}, schema={"owner_key": "string"})


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
