"""Where a metric's rows come from: canonical tables, in reporting currency, or engines.

An *engine* is a Python function that builds a table for a window from the warehouse, for
what a filter and an aggregate cannot express (MRR movements, attribution credit, stage
conversion from history). It returns an Ibis expression, so the warehouse does the work.
Engines register with :func:`engine` and declare their columns, so definitions that use
them are checked without a warehouse.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from revops.errors import MetricError
from revops.metrics.scope import Scope, ScopedReader
from revops.model import ENTITIES

if TYPE_CHECKING:
    from pathlib import Path

    import ibis.expr.types as ir

    from revops.config import MetricSettings, RevOpsConfig
    from revops.core import FiscalCalendar, Period
    from revops.warehouse import Warehouse

ENGINE_MODULES = (
    "revops.metrics.engines.sales",
    "revops.metrics.engines.history",
    "revops.metrics.engines.mrr",
    "revops.metrics.engines.arr",
    "revops.metrics.engines.funnel",
    "revops.metrics.engines.attribution",
    "revops.metrics.engines.finance",
    "revops.metrics.engines.operations",
    "revops.metrics.engines.quality",
    "revops.metrics.engines.identity",
    "revops.metrics.engines.forecast",
    "revops.metrics.engines.customers",
    "revops.metrics.engines.contractual",
    "revops.metrics.engines.churn_signals",
    "revops.metrics.engines.partners",
    "revops.metrics.engines.campaigns",
    "revops.metrics.engines.pricing",
    "revops.metrics.engines.plays",
    "revops.metrics.engines.budgets",
    "revops.metrics.engines.cohort_retention",
    "revops.metrics.engines.list_prices",
)
"""Modules whose import registers the built-in engines."""

PEOPLE = ("user", "contact", "lead")
"""Entities of people, whose rows other tools may name by e-mail."""
EMAIL_PREFIX = "email:"
"""Ids of people known only by e-mail: `email:<address>`, lower case (see ingest)."""

# The date that picks the FX rate of a row's amounts.
FX_DATE_COLUMN = {
    "opportunity": "close_date",
    "opportunity_history": "valid_from",
    "subscription_line": "start_date",
    "invoice": "issue_date",
    "order": "order_date",
    "gtm_cost": "month_start_date",
    "budget_line": "month_start_date",
    "deal_line": "created_at",
    "quota": "period_start_date",
    "campaign": "start_date",
    "partner_deal": "registered_at",
    "tool": "renewal_date",
}


RECORDED_AT = {
    "lifecycle_event": "entered_at",
    "web_session": "started_at",
    "tool_usage": "used_at",
    "content_usage": "used_at",
}
"""Tables whose rows often carry no `created_at`: the column saying when a row came to be."""


@dataclass
class SourceContext:
    """What an engine may read: the warehouse, the workspace's conventions, and a cut-off.

    Attributes:
        warehouse: the workspace's warehouse.
        config: the workspace configuration.
        calendar: the fiscal calendar.
        as_of: the last day whose data may be used; a window that runs past it is cut there.
        warnings: problems met while building sources, reported with the values.
        scope: the rows the query may read (:mod:`revops.metrics.scope`); every canonical
            table is cut to it where it is read.
        root: the workspace folder, where engines find models stored for them
            (:mod:`revops.metrics.stored_models`); None for a warehouse without one.
    """

    warehouse: Warehouse
    config: RevOpsConfig
    calendar: FiscalCalendar
    as_of: date
    warnings: list[str] = field(default_factory=list)
    scope: Scope = field(default_factory=Scope.everything)
    root: Path | None = None
    _foreign: dict[str, int] = field(default_factory=dict)
    _tables: dict[str, ir.Table] = field(default_factory=dict)
    _reader: ScopedReader | None = field(default=None, init=False)

    @property
    def reader(self) -> ScopedReader:
        """Reads every stored table through its row-scope declaration
        (:data:`revops.metrics.scope.ROW_SCOPES`)."""
        if self._reader is None:
            self._reader = ScopedReader(self.warehouse, self.scope, known=self._known)
        return self._reader

    @property
    def settings(self) -> MetricSettings:
        """The workspace's metric conventions."""
        return self.config.metrics

    def table(self, entity: str) -> ir.Table:
        """A canonical table with its money columns in the reporting currency.

        Rows in another currency are converted at the rate valid on the row's date
        (:data:`FX_DATE_COLUMN`); a row with no rate keeps null amounts and a warning says
        how many there are.
        """
        if entity not in self._tables:
            self._tables[entity] = self.in_reporting_currency(entity, self.current(entity))
        return self._tables[entity]

    def current(self, entity: str) -> ir.Table:
        """A canonical table as stored (amounts in their own currencies), without the
        records saved after the as-of day, and with the records its history versions
        (budget lines, campaigns, deal line items) as they stood at the end of that day
        (:mod:`revops.metrics.versions`)."""
        from revops.metrics.versions import VERSIONED, as_stood

        rows = self.raw(entity)
        if entity not in VERSIONED:
            return rows
        history = VERSIONED[entity][0]
        if not self.warehouse.has_table(history, "history"):
            return rows
        # A view: converting joins rates to it, which ibis would fold into its own joins.
        return as_stood(entity, rows, self.raw(history), self.as_of).view()

    def in_reporting_currency(
        self, entity: str, table: ir.Table, *, key: str | None = None
    ) -> ir.Table:
        """`table`, rows of `entity` as stored, with its money columns converted as
        :meth:`table` converts them. `key` names the table when it is not `entity`'s own
        (a deal as it stood on a day): the count of its foreign-currency rows is kept
        under it."""
        if entity in FX_DATE_COLUMN and self._foreign_rows(key or entity, table) > 0:
            return self._converted(entity, table)
        return table

    def memo(self, key: str, build: Callable[[], ir.Table]) -> ir.Table:
        """The table `build` returns, built once per context under `key` (an engine's
        shared intermediate, e.g. every deal as of the day)."""
        if key not in self._tables:
            self._tables[key] = build()
        return self._tables[key]

    def raw(self, entity: str, *, scoped: bool = True) -> ir.Table:
        """A canonical table as stored (amounts in their own currencies), without the
        records saved after the as-of day, cut to the rows of :attr:`scope` unless
        `scoped` is False (lookups of dimension values only)."""
        spec = ENTITIES.get(entity)
        if spec is None:
            raise MetricError(f"no canonical table {entity!r}")
        if not scoped:
            return self.reader.whole(entity, spec.namespace)
        return self.reader.table(entity, spec.namespace)

    def stored(self, name: str, namespace: str) -> ir.Table:
        """A table an engine stored (the identity crosswalk, the forecast backtest), cut
        to the rows of :attr:`scope` by its declaration."""
        return self.reader.table(name, namespace)

    def _known(self, entity: str, table: ir.Table) -> ir.Table:
        """`table` without the records saved after the end of the as-of day: a record
        created later (or, without `created_at`, dated later by :data:`RECORDED_AT`) was
        not known yet, whatever dates it carries."""
        from datetime import timedelta

        from revops.metrics.compile import moment

        day_after = self.as_of + timedelta(days=1)
        # Quality runs are results stamped with their own as-of day, not records.
        if ENTITIES[entity].family != "quality" and "created_at" in table.columns:
            known = table.created_at.isnull() | (
                table.created_at < moment(table, "created_at", day_after)
            )
            own = RECORDED_AT.get(entity)
            if own is not None:
                known = known & (
                    table.created_at.notnull()
                    | table[own].isnull()
                    | (table[own] < moment(table, own, day_after))
                )
            table = table.filter(known)
        return table

    def keyed(self, entity: str) -> ir.Table:
        """A canonical table with `lookup_key`: every id its rows are referred to by.

        That is the canonical id, and for people (users, contacts, leads) also
        `email:<address>`: tools that know people only by e-mail refer to them so until
        identity resolution links them.
        """
        return _with_lookup_key(entity, self.raw(entity))

    def dimension_values(self, entity: str, column: str) -> ir.Table:
        """`lookup_key` and `value`: the `column` of every `entity` row, for slicing.

        Where a row has no value its identity cluster fills it in: a billing customer
        has no segment or owner, the golden account of its cluster (the CRM account's
        values first, :mod:`revops.identity.golden`) has them. The lookup reveals no rows
        (only labels rows already in scope), so it is not scoped.
        """
        key = f"dimension:{entity}.{column}"
        if key not in self._tables:
            table = self.raw(entity, scoped=False)
            if self.warehouse.has_table("crosswalk", "identity"):
                table = _filled_from_clusters(self.reader, entity, table, column)
            keyed = _with_lookup_key(entity, table)
            self._tables[key] = keyed.select(lookup_key=keyed.lookup_key, value=keyed[column])
        return self._tables[key]

    def golden_accounts(self) -> ir.Table:
        """`account_id` → `golden_account_id`: the company cluster of every account record
        identity resolution linked (a CRM account, a billing customer, a support
        organisation of one company share it); an account it has not seen is its own.
        Join through it to bring one company's rows of different systems together."""
        import ibis

        key = "golden_accounts"
        if key not in self._tables:
            accounts = self.raw("account", scoped=False).select("account_id")
            if self.warehouse.has_table("crosswalk", "identity"):
                crosswalk = self.reader.whole("crosswalk", "identity")
                crosswalk = crosswalk.filter(crosswalk.entity == "account").select(
                    _record_id=crosswalk.record_id, _cluster_id=crosswalk.cluster_id
                )
                joined = accounts.left_join(crosswalk, accounts.account_id == crosswalk._record_id)
                golden = ibis.coalesce(joined._cluster_id, joined.account_id)
                accounts = joined.select("account_id", golden_account_id=golden)
            else:
                accounts = accounts.mutate(golden_account_id=accounts.account_id)
            self._tables[key] = accounts
        # A view each time: callers join it beside other reads of the account table.
        return self._tables[key].view()

    def _foreign_rows(self, key: str, table: ir.Table) -> int:
        if key not in self._foreign:
            reporting = self.config.reporting_currency
            count = table.filter(table.currency != reporting).count().execute()
            self._foreign[key] = int(count)
        return self._foreign[key]

    def _converted(self, entity: str, table: ir.Table) -> ir.Table:
        import ibis

        reporting = self.config.reporting_currency
        rates = self.raw("fx_rate")
        rates = rates.filter(
            rates.reporting_currency.isnull() | (rates.reporting_currency == reporting)
        )
        following = ibis.window(group_by=rates.currency, order_by=rates.valid_from)
        rates = rates.select(
            fx_currency=rates.currency,
            fx_from=rates.valid_from,
            fx_to=rates.valid_from.lead().over(following),
            fx_rate=rates.rate,
        )
        day = table[FX_DATE_COLUMN[entity]].cast("date")
        joined = table.left_join(
            rates,
            [
                table.currency == rates.fx_currency,
                day >= rates.fx_from,
                rates.fx_to.isnull() | (day < rates.fx_to),
            ],
        )
        factor = ibis.cases((joined.currency == reporting, ibis.literal(1)), else_=joined.fx_rate)
        money = [c.name for c in ENTITIES[entity].columns if c.type.startswith("decimal(18, 2)")]
        converted = joined.mutate(
            **{name: (joined[name] * factor).cast("decimal(18, 2)") for name in money},
            currency=ibis.literal(reporting),
        )
        missing = joined.filter((joined.currency != reporting) & joined.fx_rate.isnull())
        unconverted = int(missing.count().execute())
        if unconverted:
            self.warnings.append(
                f"{unconverted} {entity} row(s) are in a currency with no FX rate to "
                f"{reporting} on their {FX_DATE_COLUMN[entity]}; their amounts count as missing"
            )
        return converted.select(*table.columns)


Builder = Callable[[SourceContext, "Period"], "ir.Table"]


@dataclass(frozen=True)
class Engine:
    """A source built by Python code.

    Attributes:
        name: source name metrics refer to.
        description: what a row is.
        columns: the columns of the table it builds.
        build: the function that builds the rows for a window.
        windowed: whether `build` already keeps the window's rows only (metrics on it then
            have no `time` column); otherwise metrics place rows with their `time` column.
    """

    name: str
    description: str
    columns: tuple[str, ...]
    build: Builder
    windowed: bool


_ENGINES: dict[str, Engine] = {}


def engine(
    name: str, description: str, columns: tuple[str, ...], *, windowed: bool
) -> Callable[[Builder], Builder]:
    """Register the decorated function as the engine source `name`."""

    def register(build: Builder) -> Builder:
        _ENGINES[name] = Engine(name, description, columns, build, windowed)
        return build

    return register


def engines() -> dict[str, Engine]:
    """Every registered engine, built-in ones loaded."""
    for module in ENGINE_MODULES:
        importlib.import_module(module)
    return dict(_ENGINES)


def source_columns(name: str) -> tuple[str, ...] | None:
    """The columns of source `name`, or None when there is no such source."""
    found = engines().get(name)
    if found is not None:
        return found.columns
    entity = ENTITIES.get(name)
    return tuple(c.name for c in entity.all_columns) if entity is not None else None


def is_windowed(name: str) -> bool:
    """Whether source `name` builds a window's rows itself."""
    found = engines().get(name)
    return found is not None and found.windowed


def build_source(ctx: SourceContext, name: str, period: Period) -> ir.Table:
    """The rows of source `name` for `period` (all rows, for a source that is not windowed)."""
    found = engines().get(name)
    if found is not None:
        return found.build(ctx, period)
    return ctx.table(name)


def _with_lookup_key(entity: str, table: ir.Table) -> ir.Table:
    """`table` with `lookup_key`: its id, and for people also `email:<address>`."""
    import ibis

    by_id = table.mutate(lookup_key=table[f"{entity}_id"])
    if entity not in PEOPLE:
        return by_id
    mailed = table.filter(table.email.notnull())
    by_mail = mailed.mutate(lookup_key=ibis.literal(EMAIL_PREFIX) + mailed.email.lower())
    return by_id.union(by_mail, distinct=True)


GOLDEN = {"account": "golden_account", "contact": "golden_person", "lead": "golden_person"}
"""The golden table of each entity whose records identity resolution clusters."""


def _filled_from_clusters(
    reader: ScopedReader, entity: str, table: ir.Table, column: str
) -> ir.Table:
    """`table` with an empty `column` filled from the record's identity cluster: the
    golden record's value (`identity.golden_*`, written by `revops identity run`) where it
    has the field and was built from the crosswalk's current run, else the value of the
    cluster's record updated last that has one (ties: the smallest id), so every record of
    one company or person carries one value."""
    import ibis

    id_column = f"{entity}_id"
    crosswalk = reader.whole("crosswalk", "identity")
    crosswalk = crosswalk.filter(crosswalk.entity == entity).select(
        _record_id=crosswalk.record_id,
        _cluster_id=crosswalk.cluster_id,
    )
    clustered = table.left_join(crosswalk, table[id_column] == crosswalk._record_id).drop(
        "_record_id"
    )
    known = clustered.filter(clustered[column].notnull() & clustered._cluster_id.notnull())
    latest = ibis.window(
        group_by=known._cluster_id,
        order_by=[known.updated_at.desc(nulls_first=False), known[id_column]],
    )
    best = (
        known.mutate(_rank=ibis.row_number().over(latest))
        .filter(lambda t: t._rank == 0)
        .select(_best_cluster=known._cluster_id, _best_value=known[column])
    )
    filled = clustered.left_join(best, clustered._cluster_id == best._best_cluster)
    fills = ["_best_value"]
    golden = current_golden(reader, entity)
    if golden is not None and column in golden.columns:
        chosen = golden.select(
            _golden_cluster=golden[golden.columns[0]], _golden_value=golden[column]
        )
        filled = filled.left_join(chosen, filled._cluster_id == chosen._golden_cluster).drop(
            "_golden_cluster"
        )
        fills.insert(0, "_golden_value")
    helpers = [c for c in filled.columns if c not in table.columns]  # joined here
    return filled.mutate(
        **{column: ibis.coalesce(filled[column], *[filled[name] for name in fills])}
    ).drop(*helpers)


def current_golden(reader: ScopedReader, entity: str) -> ir.Table | None:
    """The golden records of `entity`'s clusters (`identity.golden_*`, first column the
    golden id) built by the crosswalk's current run, or None without any: a golden record
    of an earlier run may name a cluster that no longer holds the same records. Every
    reader of golden values (cluster fills, labels) goes through here."""
    name = GOLDEN.get(entity)
    warehouse = reader.warehouse
    if name is None or not warehouse.has_table(name, "identity"):
        return None
    if not warehouse.has_table("crosswalk", "identity"):
        return None
    golden = reader.whole(name, "identity")
    if "run_id" not in golden.columns:
        return None  # written before golden records carried their run
    crosswalk = reader.whole("crosswalk", "identity")
    runs = (
        crosswalk.filter(crosswalk.entity == entity)
        .select(_cluster=crosswalk.cluster_id, _run=crosswalk.run_id)
        .distinct()
    )
    key = golden[golden.columns[0]]
    return golden.semi_join(runs, (key == runs._cluster) & (golden.run_id == runs._run))
