"""From definitions to Ibis: the rows behind an aggregate, and one query for many of them.

Aggregates that share a source are computed in a single query: each metric is an
aggregate with its own `where=`, so the warehouse scans the source once per window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from revops.errors import MetricError
from revops.metrics.catalog import Catalog
from revops.metrics.definition import QUANTILES, Metric
from revops.metrics.expression import compile_filter
from revops.metrics.sources import SourceContext, build_source

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period


def moment(table: ir.Table, column: str, day: date) -> ir.Value:
    """`day` at midnight UTC as a literal comparable with `column` of `table`."""
    import ibis

    dtype = table.schema()[column]
    if dtype.is_date():
        return ibis.literal(day, type=dtype)
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    # Spark has no zoned timestamps: its values are UTC wall-clock times.
    return ibis.literal(at if dtype.timezone else at.replace(tzinfo=None), type=dtype)


def known_part(ctx: SourceContext, period: Period) -> Period:
    """`period` cut at the as-of day: rows dated after it are not known yet."""
    from datetime import timedelta

    from revops.core import FiscalCalendar

    if period.end <= ctx.as_of + timedelta(days=1) or period.start > ctx.as_of:
        return period
    return FiscalCalendar().custom(period.start, ctx.as_of)


def in_window(table: ir.Table, column: str, period: Period) -> ir.BooleanValue:
    """Whether `column` falls in `period` (its start included, its end excluded)."""
    return (table[column] >= moment(table, column, period.start)) & (
        table[column] < moment(table, column, period.end)
    )


def with_dimensions(
    ctx: SourceContext, catalog: Catalog, table: ir.Table, by: Sequence[str]
) -> ir.Table:
    """`table` with one column per dimension of `by`, named after the dimension."""
    for name in by:
        dimension = catalog.dimension(name)
        if dimension.entity is None:
            table = table.mutate(**{name: table[dimension.column]})
            continue
        key = next((k for k in dimension.link_keys() if k in table.columns), None)
        if key is None:
            raise MetricError(f"dimension {name!r} cannot be reached from these rows")
        other = ctx.dimension_values(dimension.entity, dimension.column)
        lookup = other.select(_dimension_key=other.lookup_key, _dimension_value=other.value)
        joined = table.left_join(lookup, table[key] == lookup._dimension_key)
        table = joined.mutate(**{name: joined._dimension_value}).drop(
            "_dimension_key", "_dimension_value"
        )
    return table


def metric_rows(
    ctx: SourceContext, catalog: Catalog, metric: Metric, period: Period, by: Sequence[str] = ()
) -> ir.Table:
    """The rows an aggregate metric counts in `period`, with its dimensions of `by`."""
    assert metric.source is not None
    table = build_source(ctx, metric.source, period)
    if metric.time is not None:
        table = table.filter(in_window(table, metric.time, known_part(ctx, period)))
    if metric.filter is not None:
        table = table.filter(compile_filter(metric.filter, table))
    return with_dimensions(ctx, catalog, table, by)


def _aggregate(metric: Metric, table: ir.Table, where: Any) -> ir.Scalar:
    import ibis

    column = table[metric.column] if metric.column is not None else None
    if metric.agg == "count":
        return column.count(where=where) if column is not None else table.count(where=where)
    assert column is not None
    if column.type().is_boolean():
        column = column.cast("int64")
    if metric.agg == "sum":
        return column.sum(where=where)
    if metric.agg == "count_distinct":
        return column.nunique(where=where)
    if metric.agg == "mean":
        return column.cast("float64").mean(where=where)
    if metric.agg == "median":
        # Spark cannot take a filtered percentile: null out the rows the filter drops.
        value = column.cast("float64")
        if where is not None:
            value = ibis.ifelse(where, value, ibis.null("float64"))
        return value.median()
    if metric.agg in QUANTILES:
        # Nulled rows, as for the median: Spark cannot take a filtered percentile.
        value = column.cast("float64")
        if where is not None:
            value = ibis.ifelse(where, value, ibis.null("float64"))
        return value.quantile(QUANTILES[metric.agg])
    if metric.agg == "stddev":
        # The sample standard deviation; nulled rows, as for the median, keep Spark happy.
        value = column.cast("float64")
        if where is not None:
            value = ibis.ifelse(where, value, ibis.null("float64"))
        return value.std()
    if metric.agg == "min":
        return column.min(where=where)
    return column.max(where=where)


def aggregate_query(
    ctx: SourceContext,
    catalog: Catalog,
    metrics: Sequence[Metric],
    period: Period,
    by: Sequence[str],
) -> ir.Table:
    """One query computing every metric of `metrics`, which share a source.

    The source is scanned once: rows outside the window of every metric's time column are
    dropped first, then each metric aggregates with its own window and filter.

    Returns:
        A table with the columns of `by` and one column per metric.
    """
    from functools import reduce
    from operator import or_

    source = metrics[0].source
    assert source is not None
    assert all(m.source == source for m in metrics)
    table = build_source(ctx, source, period)
    known = known_part(ctx, period)
    times = list(dict.fromkeys(m.time for m in metrics if m.time is not None))
    if times:
        table = table.filter(reduce(or_, [in_window(table, t, known) for t in times]))
    table = with_dimensions(ctx, catalog, table, by)
    measures = {}
    for metric in metrics:
        conditions = []
        if metric.time is not None and len(times) > 1:
            conditions.append(in_window(table, metric.time, known))
        if metric.filter is not None:
            conditions.append(compile_filter(metric.filter, table))
        where = reduce(lambda a, b: a & b, conditions) if conditions else None
        measures[metric.name] = _aggregate(metric, table, where)
    if by:
        return table.group_by(list(by)).aggregate(**measures)
    return table.aggregate(**measures)
