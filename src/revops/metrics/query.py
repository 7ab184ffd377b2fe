"""The query interface every surface uses: `ws.metrics.compute(...)`, `rows`, `explain`.

Aggregates run in the warehouse, one query per source and window; ratios, formulas,
comparisons and targets are then combined on the small table of aggregated values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from revops.errors import CalendarError, MetricError
from revops.metrics.catalog import Catalog, load_catalog
from revops.metrics.compile import aggregate_query, metric_rows
from revops.metrics.definition import Metric
from revops.metrics.expression import evaluate_formula
from revops.metrics.labels import with_row_labels
from revops.metrics.scope import Scope, scope_of
from revops.metrics.sources import SourceContext

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from revops.config import RevOpsConfig
    from revops.core import FiscalCalendar, Period
    from revops.warehouse import Warehouse

Grain = Literal["month", "quarter", "year"]
Compare = Literal["previous", "last_year"]
_ADDITIVE = ("sum", "count", "count_distinct")


@dataclass(frozen=True)
class Drill:
    """The address of one value: enough to fetch the rows behind it.

    Attributes:
        metric: the metric.
        window: the period label (``FY2025-Q3``).
        where: the dimension values of the slice.
    """

    metric: str
    window: str
    where: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"metric": self.metric, "window": self.window, "where": dict(self.where)}


@dataclass
class MetricResult:
    """Values of metrics for a window, per period of the grain and slice of the dimensions.

    Attributes:
        window: the window asked for.
        by: the dimensions sliced by.
        grain: the period size of a time series, or None for one value per slice.
        compare: the comparison asked for, if any.
        frame: one row per metric, period and slice: `metric`, `period`, `period_start`,
            `period_end` (last day), the `by` columns, `value`; with a comparison
            `compare_period`, `compare_value`, `change`, `change_ratio`; with a target
            `target` and `attainment`.
        warnings: data problems that affect the values (amounts without FX rate, ...).
    """

    window: Period
    by: tuple[str, ...]
    grain: Grain | None
    compare: Compare | None
    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def drill(self, row: int) -> Drill:
        """The drill-down address of the value in row `row` of :attr:`frame`."""
        record = self.frame.iloc[row]
        where = tuple((name, _plain(record[name])) for name in self.by)
        return Drill(str(record["metric"]), str(record["period"]), where)

    def records(self) -> list[dict[str, Any]]:
        """Rows of :attr:`frame` as plain dicts, each with its `drill` address."""
        records = []
        for position, row in enumerate(self.frame.to_dict(orient="records")):
            plain = {str(key): _plain(value) for key, value in row.items()}
            plain["drill"] = self.drill(position).as_dict()
            records.append(plain)
        return records

    def value(self, metric: str, period: str | None = None, **where: Any) -> float | None:
        """The one value of `metric` (in `period`, for the slice `where`), or None."""
        frame = self.frame[self.frame["metric"] == metric]
        if period is not None:
            frame = frame[frame["period"] == period]
        for name, wanted in where.items():
            frame = frame[frame[name].isna()] if wanted is None else frame[frame[name] == wanted]
        if len(frame) != 1:
            raise MetricError(f"{len(frame)} values of {metric} match {period} {where}")
        return _plain(frame["value"].iloc[0])  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    import math
    from decimal import Decimal

    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Explanation:
    """What a metric means and how it is computed on this warehouse."""

    metric: Metric
    dimensions: tuple[str, ...]
    parts: tuple[Metric, ...]
    sql: dict[str, str]


class Metrics:
    """The metric layer of a workspace (``ws.metrics``).

    Args:
        root: workspace folder, whose `metrics/*.yaml` extend the built-in catalog.
        config: the workspace configuration.
        calendar: the fiscal calendar.
        warehouse: returns the warehouse; called only when a value is computed.
    """

    def __init__(
        self,
        root: Path | None,
        config: RevOpsConfig,
        calendar: FiscalCalendar,
        warehouse: Callable[[], Warehouse],
    ) -> None:
        self.root = root
        self.config = config
        self.calendar = calendar
        self._warehouse = warehouse

    @cached_property
    def catalog(self) -> Catalog:
        """The checked catalog: built-in metrics plus the workspace's."""
        return load_catalog(self.root)

    def definitions(self) -> list[Metric]:
        """Every metric of the catalog, in catalog order."""
        return list(self.catalog)

    def window(self, label: str | None, as_of: date | None = None) -> Period:
        """The period a window label names; the current fiscal quarter when None."""
        if label is None:
            return self.calendar.period_of(as_of or _today(), "quarter")
        try:
            return self.calendar.parse(label)
        except CalendarError as exc:
            raise MetricError(str(exc)) from None

    def context(self, as_of: date | None = None, scope: Scope | None = None) -> SourceContext:
        """A fresh source context for one query, reading the rows of `scope` (default all)."""
        return SourceContext(
            self._warehouse(),
            self.config,
            self.calendar,
            as_of or _today(),
            scope=scope or Scope.everything(),
            root=self.root,
        )

    def scope_for(self, email: str, *, team: bool) -> Scope | None:
        """The scope of the CRM user with `email` (see :func:`revops.metrics.scope.scope_of`),
        or None when no CRM user has that e-mail."""
        rows = [(uid, address, manager) for uid, _, address, manager in self.crm_users()]
        return scope_of(rows, email, team=team)

    def crm_users(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(user_id, name, email, manager_id) of every CRM user: the company's headcount
        (bounded, small), so hierarchy walks are done in Python rather than as a recursive
        query every backend spells differently."""
        users = self._warehouse().table("user", "core")
        frame = users.select("user_id", "name", "email", "manager_id").execute()
        return [
            (str(r.user_id), _optional(r.name), _optional(r.email), _optional(r.manager_id))
            for r in frame.itertuples()
        ]

    def compute(
        self,
        metrics: Sequence[str] | str,
        window: str | None = None,
        *,
        by: Sequence[str] = (),
        grain: Grain | None = None,
        compare: Compare | None = None,
        as_of: date | None = None,
        scope: Scope | None = None,
    ) -> MetricResult:
        """Values of `metrics` in `window`, sliced `by` dimensions, per period of `grain`.

        Args:
            metrics: metric names.
            window: a period label (``FY2025``, ``FY2025-Q3``, ``FY2025-M07``,
                ``2024-01-01..2024-03-31``); default the current fiscal quarter.
            by: dimensions to slice by.
            grain: ``month``, ``quarter`` or ``year`` for a time series within the window,
                up to the period holding the as-of day.
            compare: ``previous`` (the period before) or ``last_year`` (the same period a
                year earlier). A period still running on the as-of day is compared to date:
                with the same number of days of the period before (or the same days a year
                earlier), never with that whole period.
            as_of: the last day of data to use for point-in-time metrics; default today.
            scope: the rows the values may use (:class:`Scope`); default every row.

        Raises:
            MetricError: unknown metric or dimension, a dimension a metric cannot take, or
                an unreadable window.
        """
        names = self.catalog.expand([metrics] if isinstance(metrics, str) else metrics)
        if not names:
            raise MetricError("name at least one metric")
        chosen = [self.catalog.metric(name) for name in names]
        by = tuple(by)
        for metric in chosen:
            self._check_dimensions(metric, by)
        period = self.window(window, as_of)
        periods = self._periods(period, grain, as_of or _today())
        ctx = self.context(as_of, scope)
        targets = [
            m.target
            for m in chosen
            if m.target is not None and set(by) <= set(self.catalog.allowed_dimensions(m.target))
        ]
        frames = [self._values(ctx, names, targets, p, by) for p in periods]
        frame = _concat(frames)
        if compare is not None:
            today = as_of or _today()
            shifted = [compared_period(p, compare, self.calendar, today) for p in periods]
            previous = _concat([self._values(ctx, names, [], p, by) for p in shifted])
            frame = with_comparison(frame, previous, by, periods, shifted)
        frame = self._labelled(ctx, frame, by)
        return MetricResult(period, by, grain, compare, frame, list(dict.fromkeys(ctx.warnings)))

    def _labelled(self, ctx: SourceContext, frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
        """`frame` with `<dimension>_label` beside each slice whose values are ids of
        named records (owner → the user's name, team, campaign, territory, ...)."""
        from revops.metrics.labels import LABEL_SUFFIX, dimension_target, lookup

        for name in by:
            target = dimension_target(self.catalog.dimension(name))
            if target is None or not ctx.warehouse.has_table(target):
                continue
            found = lookup(ctx, target, frame[name].dropna().unique().tolist())
            labels = frame[name].map(found)
            frame.insert(list(frame.columns).index(name) + 1, f"{name}{LABEL_SUFFIX}", labels)
        return frame

    def rows(
        self,
        drill: Drill | str,
        window: str | None = None,
        *,
        as_of: date | None = None,
        scope: Scope | None = None,
        **where: Any,
    ) -> dict[str, ir.Table]:
        """The rows behind a value: for each aggregate it is computed from, its rows,
        with `<name>_label` beside each id column of a named record (`owner_label` beside
        `owner_id`, an account's golden name beside `account_id`).

        Args:
            drill: a :class:`Drill` from a result, or a metric name (then `window` and
                `where` give the period and the slice).
            window: the period label, when `drill` is a name.
            as_of: the last day of data, as in :meth:`compute`.
            scope: the rows that may be returned, as in :meth:`compute`.
            where: dimension values of the slice, when `drill` is a name.
        """
        if isinstance(drill, str):
            label = self.window(window, as_of).label
            drill = Drill(drill, label, tuple(where.items()))
        metric = self.catalog.metric(drill.metric)
        slice_by = tuple(name for name, _ in drill.where)
        self._check_dimensions(metric, slice_by)
        period = self.window(drill.window, as_of)
        ctx = self.context(as_of, scope)
        found = {}
        for leaf in self.catalog.leaves(metric.name):
            table = metric_rows(ctx, self.catalog, leaf, period, slice_by)
            for name, value in drill.where:
                table = table.filter(
                    table[name].isnull() if value is None else table[name] == value
                )
            found[leaf.name] = with_row_labels(ctx, table)
        return found

    def explain(self, name: str, window: str | None = None) -> Explanation:
        """The definition of metric `name` and the SQL of each aggregate it uses."""
        import ibis

        metric = self.catalog.metric(name)
        period = self.window(window)
        ctx = self.context()
        leaves = self.catalog.leaves(name)
        sql = {}
        for leaf in leaves:
            expr = aggregate_query(ctx, self.catalog, [leaf], period, ())
            sql[leaf.name] = str(ibis.to_sql(expr, dialect=ctx.warehouse.con.name))
        return Explanation(metric, self.catalog.allowed_dimensions(name), tuple(leaves), sql)

    def periods(self, window: Period, grain: Grain | None, as_of: date) -> list[Period]:
        """The periods :meth:`compute` computes for `window` at `grain` as of `as_of`."""
        return self._periods(window, grain, as_of)

    def _check_dimensions(self, metric: Metric, by: Sequence[str]) -> None:
        allowed = self.catalog.allowed_dimensions(metric.name)
        for name in by:
            self.catalog.dimension(name)
            if name not in allowed:
                raise MetricError(
                    f"{metric.name} cannot be sliced by {name}; it takes "
                    f"{', '.join(allowed) or 'no dimension'}"
                )

    def _periods(self, window: Period, grain: Grain | None, as_of: date) -> list[Period]:
        if grain is None:
            return [window]
        # A series stops at the as-of day: later periods have no data yet, not zeros.
        end = min(window.end, max(as_of + _DAY, window.start + _DAY))
        periods = self.calendar.periods_between(window.start, end, grain)
        return [
            p
            if window.start <= p.start and p.end <= window.end
            else self.calendar.custom(max(p.start, window.start), min(p.end, window.end) - _DAY)
            for p in periods
        ]

    def _values(
        self,
        ctx: SourceContext,
        names: Sequence[str],
        targets: Sequence[str],
        period: Period,
        by: tuple[str, ...],
    ) -> pd.DataFrame:
        import pandas as pd

        wanted = list(dict.fromkeys([*names, *targets]))
        leaves = {leaf.name: leaf for n in wanted for leaf in self.catalog.leaves(n)}
        groups: dict[str, list[Metric]] = {}
        for leaf in leaves.values():
            assert leaf.source is not None
            groups.setdefault(leaf.source, []).append(leaf)
        merged: pd.DataFrame | None = None
        for members in groups.values():
            part = aggregate_query(ctx, self.catalog, members, period, by).execute()
            if merged is None:
                merged = part
            elif by:
                merged = merged.merge(part, on=list(by), how="outer")
            else:
                merged = pd.concat([merged, part], axis=1)
        assert merged is not None
        for leaf in leaves.values():
            column = pd.to_numeric(merged[leaf.name].astype("object"), errors="coerce")
            zero = leaf.agg in _ADDITIVE and leaf.when_empty != "unknown"
            merged[leaf.name] = column.fillna(0) if zero else column
        values = _Evaluator(self.catalog, merged)
        rows = []
        for name in names:
            metric = self.catalog.metric(name)
            frame = merged[list(by)].copy()
            frame.insert(0, "metric", name)
            frame["value"] = values.of(name)
            if metric.target is not None and metric.target in targets:
                frame["target"] = values.of(metric.target)
                frame["attainment"] = evaluate_formula(
                    "value / target", {"value": frame["value"], "target": frame["target"]}
                )
            rows.append(frame)
        result = pd.concat(rows, ignore_index=True)
        result.insert(1, "period", period.label)
        result.insert(2, "period_start", period.start)
        result.insert(3, "period_end", period.last_day)
        if by:
            result = result.sort_values(["metric", *by], na_position="last", kind="stable")
        return result.reset_index(drop=True)


class _Evaluator:
    """Values of ratios and formulas from the aggregated leaf columns."""

    def __init__(self, catalog: Catalog, leaves: pd.DataFrame) -> None:
        self.catalog = catalog
        self.leaves = leaves
        self.memo: dict[str, pd.Series] = {}

    def of(self, name: str) -> pd.Series:
        if name in self.memo:
            return self.memo[name]
        metric = self.catalog.metric(name)
        if metric.kind == "aggregate":
            series = self.leaves[name].astype("float64")
        elif metric.kind == "ratio":
            assert metric.numerator is not None
            assert metric.denominator is not None
            series = evaluate_formula(
                "numerator / denominator",
                {
                    "numerator": self.of(metric.numerator),
                    "denominator": self.of(metric.denominator),
                },
            )
        else:
            assert metric.formula is not None
            series = evaluate_formula(metric.formula, {p: self.of(p) for p in metric.parts()})
        self.memo[name] = series
        return series


_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def _optional(value: Any) -> str | None:
    plain = _plain(value)
    return None if plain is None else str(plain)


def _today() -> date:
    return datetime.now(UTC).date()


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def compared_period(
    period: Period, compare: Compare, calendar: FiscalCalendar, as_of: date
) -> Period:
    """The period `period` is compared with; a period running on `as_of` is compared to
    date: the same number of days from the start of the period before, or the same days
    a year earlier."""
    if compare == "previous":
        shifted = period.shift(-1)
    elif period.kind == "custom":
        shifted = calendar.custom(_year_before(period.start), _year_before(period.last_day))
    else:
        shifted = period.shift(-{"month": 12, "quarter": 4, "year": 1}[period.kind])
    if not period.start <= as_of < period.last_day:
        return shifted
    if compare == "previous":
        last = min(shifted.start + (as_of - period.start), shifted.last_day)
    else:
        last = min(_year_before(as_of), shifted.last_day)
    return calendar.custom(shifted.start, last)


def _year_before(day: date) -> date:
    """The same day a year earlier (29 February: the 28th).

    Examples:
        >>> _year_before(date(2024, 2, 29)), _year_before(date(2025, 4, 20))
        (datetime.date(2023, 2, 28), datetime.date(2024, 4, 20))
    """
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def with_comparison(
    frame: pd.DataFrame,
    previous: pd.DataFrame,
    by: tuple[str, ...],
    periods: Sequence[Period],
    shifted: Sequence[Period],
) -> pd.DataFrame:
    """`frame` (values of `periods`) with the values of `previous` (of `shifted`, the
    periods compared with, in the same order) beside them: `compare_period`,
    `compare_value`, `change` and `change_ratio`."""
    labels = {old.label: new.label for new, old in zip(periods, shifted, strict=True)}
    previous = previous.assign(period=previous["period"].map(labels))
    previous = previous[["metric", "period", *by, "value"]].rename(
        columns={"value": "compare_value"}
    )
    previous.insert(2, "compare_period", previous["period"].map({v: k for k, v in labels.items()}))
    merged = frame.merge(previous, on=["metric", "period", *by], how="left")
    merged["change"] = merged["value"] - merged["compare_value"]
    merged["change_ratio"] = evaluate_formula(
        "change / base", {"change": merged["change"], "base": merged["compare_value"].abs()}
    )
    return merged
