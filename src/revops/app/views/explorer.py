"""The metrics explorer: any catalog metric for a window, grain and slice; its rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from revops.app.views.common import Page, formatted, number, page
from revops.app.views.plan import AnnotationView, chart_annotations
from revops.app.views.records import RecordKind, record_url
from revops.errors import MetricError
from revops.metrics.budget import check_window

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

Grain = Literal["month", "quarter", "year"]
MAX_SERIES = 8
"""Slices drawn on the chart; the table holds them all."""
ROW_LIMIT = 200
"""Drill-down rows shown on a page; exports hold up to EXPORT_LIMIT."""
EXPORT_LIMIT = 50_000


class MetricOption(BaseModel):
    """A metric of the catalog, for the picker."""

    name: str
    label: str
    team: str
    unit: str


class ValueRow(BaseModel):
    """One value of the table: a period and slice."""

    period: str
    slice: str | None
    label: str | None = None
    """The name of the record the slice's id names (an owner's user name), when it is one."""
    url: str | None = None
    """The page of the record the slice's id names (an owner's, an account's), if it has one."""
    value: float | None
    display: str
    compare_value: float | None = None
    rows_url: str


class Series(BaseModel):
    """One line of the chart: a slice over the periods."""

    name: str
    points: list[float | None]


class ExplorerView(Page):
    """The metrics explorer page."""

    metric: str
    label: str
    description: str
    unit: str
    team: str
    kind: str
    window: str
    grain: Grain | None
    by: str | None
    dimensions: list[str] = Field(description="Dimensions this metric can be sliced by.")
    periods: list[str]
    series: list[Series]
    rows: list[ValueRow]
    warnings: list[str]
    metrics: list[MetricOption]
    export_csv: str
    export_xlsx: str
    annotations: list[AnnotationView] = Field(
        default_factory=list, description="Dated notes on this metric within the window."
    )
    can_annotate: bool = False


def catalog_options(state: AppState) -> list[MetricOption]:
    """Every metric of the catalog."""
    return [
        MetricOption(name=m.name, label=m.label, team=m.team, unit=m.unit)
        for m in state.workspace.metrics.definitions()
    ]


def build_explorer(
    state: AppState,
    principal: Principal,
    metric: str,
    window: str | None,
    grain: Grain | None,
    by: str | None,
) -> ExplorerView:
    """Values of `metric` for this user's rows."""
    metrics = state.workspace.metrics
    definition = metrics.catalog.metric(metric)
    period = metrics.window(window, state.today)
    key = ("explorer", metric, period.label, grain, by, principal.scope)
    periods, series, rows, warnings = state.memo(
        key, lambda: _values(state, principal, metric, period.label, grain, by)
    )
    allowed = list(metrics.catalog.allowed_dimensions(metric))
    params = _query(metric=metric, window=period.label, grain=grain, by=by)
    return ExplorerView(
        **page(state, principal),
        metric=metric,
        label=definition.label,
        description=definition.description,
        unit=definition.unit,
        team=definition.team,
        kind=definition.kind,
        window=period.label,
        grain=grain,
        by=by,
        dimensions=allowed,
        periods=periods,
        series=series,
        rows=rows,
        warnings=warnings,
        metrics=catalog_options(state),
        export_csv=f"/api/v1/metrics/export?{params}&format=csv",
        export_xlsx=f"/api/v1/metrics/export?{params}&format=xlsx",
        annotations=chart_annotations(state, metric, metrics.periods(period, grain, state.today)),
        can_annotate=principal.can("annotate"),
    )


def _values(
    state: AppState,
    principal: Principal,
    metric: str,
    window: str,
    grain: Grain | None,
    by: str | None,
) -> tuple[list[str], list[Series], list[ValueRow], list[str]]:
    from revops.metrics.labels import dimension_target

    catalog = state.workspace.metrics.catalog
    definition = catalog.metric(metric)
    dims = [by] if by else []
    result = state.compute(metric, window, by=dims, grain=grain, scope=principal.scope)
    kind = TARGET_KINDS.get(dimension_target(catalog.dimension(by)) or "") if by else None
    records = result.records()
    periods = list(dict.fromkeys(str(r["period"]) for r in records))
    rows = []
    by_slice: dict[str | None, dict[str, float | None]] = {}
    shown: dict[str | None, str] = {}
    for record in records:
        named = None if by is None else record.get(f"{by}_label")
        name = None if by is None else _label(record.get(by))
        value = number(record["value"])
        by_slice.setdefault(name, {})[str(record["period"])] = value
        if named:
            # Two owners may share a name: slices stay keyed by id, shown by name.
            shown[name] = named
        where = [] if by is None else [("where", f"{by}={record.get(by) or ''}")]
        query = [("metric", metric), ("window", str(record["period"])), *where]
        rows.append(
            ValueRow(
                period=str(record["period"]),
                slice=name,
                label=named,
                url=record_url(kind, record.get(by)) if kind and by else None,
                value=value,
                display=formatted(value, definition.unit),
                rows_url="/metrics/rows?" + urlencode(query),
            )
        )
    ranked = sorted(by_slice.items(), key=lambda kv: -sum(abs(v or 0) for v in kv[1].values()))
    series = [
        Series(
            name=shown.get(name) or name or definition.label,
            points=[values.get(p) for p in periods],
        )
        for name, values in ranked[:MAX_SERIES]
    ]
    return periods, series, rows, result.warnings


def _label(value: Any) -> str:
    return "(none)" if value is None or value == "" else str(value)


def _query(**params: str | None) -> str:
    return urlencode({k: v for k, v in params.items() if v})


class RowTable(BaseModel):
    """The rows of one aggregate behind a value."""

    aggregate: str
    label: str
    total: int = Field(description="Rows in all; the page shows the first ones.")
    columns: list[str]
    rows: list[list[Any]]
    links: dict[str, str] = Field(
        default_factory=dict,
        description="Columns whose cells link to a record page: column → the id column "
        "naming the record (itself, or the id beside a `_label`) and its kind, "
        "`<kind>:<id column>` (account, deal, person or rep).",
    )


class RowsView(Page):
    """The drill-down page: the rows behind one value."""

    metric: str
    label: str
    window: str
    where: dict[str, str]
    tables: list[RowTable]
    export_csv: str


def parse_where(where: list[str]) -> dict[str, str | None]:
    """``dim=value`` pairs; an empty value is the slice of rows without one.

    Raises:
        MetricError: a pair without ``=``.
    """
    pairs: dict[str, str | None] = {}
    for item in where:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise MetricError(f"a slice is DIMENSION=VALUE, not {item!r}")
        pairs[name.strip()] = value or None
    return pairs


def drill_tables(
    state: AppState, principal: Principal, metric: str, window: str | None, where: list[str],
    limit: int,
) -> tuple[str, dict[str, str | None], list[RowTable]]:  # fmt: skip
    """The rows behind a value (at most `limit` per aggregate) for this user's rows,
    reused until the data changes (a drill-down is opened again and again)."""
    metrics = state.workspace.metrics
    pairs = parse_where(where)
    period = metrics.window(window, state.today)
    check_window(period, state.budget)

    def build() -> list[RowTable]:
        tables = []
        with state.reading():
            found = metrics.rows(
                metric, period.label, as_of=state.today, scope=principal.scope, **pairs
            )
            for name, table in found.items():
                total = int(table.count().execute())
                # A bounded page of rows (limit), not the table: the backend counts the rest.
                frame = table.limit(limit).execute()
                rows = [
                    [_cell(value) for value in row]
                    for row in frame.itertuples(index=False, name=None)
                ]
                label = metrics.catalog.metric(name).label
                columns = [str(c) for c in frame.columns]
                tables.append(
                    RowTable(aggregate=name, label=label, total=total, columns=columns, rows=rows,
                             links=record_links(columns))
                )  # fmt: skip
        return tables

    key = ("rows", metric, period.label, tuple(sorted(pairs.items())), limit, principal.scope)
    tables = state.memo(key, build)
    return period.label, pairs, tables


def record_links(columns: list[str]) -> dict[str, str]:
    """Which columns of a drill-down link to a record page: an id column of a record with a
    page, and its `_label` beside it (:mod:`revops.metrics.labels`).

    Examples:
        >>> record_links(["opportunity_id", "owner_id", "owner_label", "amount"])
        {'opportunity_id': 'deal:opportunity_id', 'owner_id': 'rep:owner_id', \
'owner_label': 'rep:owner_id'}
    """
    from revops.metrics.labels import LABEL_SUFFIX

    found = {}
    for column in columns:
        kind = ID_KINDS.get(column)
        if kind is not None:
            found[column] = f"{kind}:{column}"
            label = f"{column.removesuffix('_id')}{LABEL_SUFFIX}"
            if label in columns:
                found[label] = f"{kind}:{column}"
    return found


TARGET_KINDS: dict[str, RecordKind] = {"user": "rep", "account": "account", "opportunity": "deal"}
"""The record page of a slice whose values name records of an entity."""
ID_KINDS: dict[str, RecordKind] = {
    "account_id": "account",
    "golden_account_id": "account",
    "opportunity_id": "deal",
    "owner_id": "rep",
    "user_id": "rep",
    "sdr_id": "rep",
    "csm_id": "rep",
    "contact_id": "person",
    "lead_id": "person",
}
"""Id columns of drill-down rows that name a record with a page, and its kind."""


def build_rows(
    state: AppState, principal: Principal, metric: str, window: str | None, where: list[str]
) -> RowsView:
    """The drill-down page."""
    definition = state.workspace.metrics.catalog.metric(metric)
    label, pairs, tables = drill_tables(state, principal, metric, window, where, ROW_LIMIT)
    query = urlencode([("metric", metric), ("window", label), *[("where", w) for w in where]])
    return RowsView(
        **page(state, principal),
        metric=metric,
        label=definition.label,
        window=label,
        where={k: v or "" for k, v in pairs.items()},
        tables=tables,
        export_csv=f"/api/v1/metrics/rows/export?{query}",
    )


def _cell(value: Any) -> Any:
    from revops.metrics.query import _plain

    plain = _plain(value)
    if isinstance(plain, float):
        return number(plain)
    if plain is None or isinstance(plain, int | str | bool):
        return plain
    return str(plain)
