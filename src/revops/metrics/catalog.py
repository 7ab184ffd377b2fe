"""The catalog: built-in definitions shipped as YAML, plus the workspace's own `metrics/`.

Both load through the same path. A workspace file may add a metric or dimension, or
replace a built-in one by using its name. The merged catalog is checked as a whole
(sources, columns, filters, parts, dimensions, cycles) and each problem names the file
and key that hold it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from revops.definitions import definition_files, read_definitions
from revops.errors import ConfigError, MetricError
from revops.metrics.definition import CatalogFile, Dimension, Group, Metric
from revops.metrics.expression import ExpressionError, filter_columns, formula_names
from revops.metrics.sources import is_windowed, source_columns

BUILTIN_PACKAGE = "revops.metrics.builtin"


@dataclass(frozen=True)
class Origin:
    """Where a definition was read: its file and its key in that file."""

    file: Path
    key: str


class Catalog:
    """Every metric and dimension a workspace can use, checked.

    Use :func:`load_catalog` to build one.
    """

    def __init__(
        self,
        metrics: dict[str, Metric],
        dimensions: dict[str, Dimension],
        groups: dict[str, Group],
        origins: dict[str, Origin],
    ) -> None:
        self.metrics = metrics
        self.dimensions = dimensions
        self.groups = groups
        self.origins = origins

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics.values())

    def __len__(self) -> int:
        return len(self.metrics)

    def metric(self, name: str) -> Metric:
        """The metric called `name`.

        Raises:
            MetricError: there is none; the message suggests close names.
        """
        found = self.metrics.get(name)
        if found is None:
            raise MetricError(_unknown("metric", name, self.metrics))
        return found

    def expand(self, names: Iterable[str]) -> list[str]:
        """Metric names with each group name replaced by its metrics, duplicates dropped."""
        expanded: dict[str, None] = {}
        for name in names:
            group = self.groups.get(name)
            for member in group.metrics if group is not None else (self.metric(name).name,):
                expanded[member] = None
        return list(expanded)

    def dimension(self, name: str) -> Dimension:
        """The dimension called `name`."""
        found = self.dimensions.get(name)
        if found is None:
            raise MetricError(_unknown("dimension", name, self.dimensions))
        return found

    def leaves(self, name: str) -> list[Metric]:
        """The aggregate metrics `name` is computed from (itself, for an aggregate)."""
        metric = self.metric(name)
        if metric.kind == "aggregate":
            return [metric]
        found: dict[str, Metric] = {}
        for part in metric.parts():
            for leaf in self.leaves(part):
                found[leaf.name] = leaf
        return list(found.values())

    def allowed_dimensions(self, name: str) -> tuple[str, ...]:
        """The dimensions metric `name` can be sliced by."""
        metric = self.metric(name)
        if metric.kind == "aggregate":
            assert metric.source is not None
            reachable = self._reachable(metric.source)
        else:
            per_part = [set(self.allowed_dimensions(part)) for part in metric.parts()]
            common = set.intersection(*per_part) if per_part else set()
            reachable = tuple(d for d in self.dimensions if d in common)
        if metric.dimensions is None:
            return reachable
        return tuple(d for d in metric.dimensions if d in reachable)

    def _reachable(self, source: str) -> tuple[str, ...]:
        columns = set(source_columns(source) or ())
        return tuple(
            d.name
            for d in self.dimensions.values()
            if (d.entity is None and d.column in columns)
            or (d.entity is not None and any(key in columns for key in d.link_keys()))
        )


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no {what} {name!r}{hint} (`revops metrics list` shows the catalog)"


def read_file(path: Path) -> CatalogFile:
    """One definitions file, validated.

    Raises:
        ConfigError: unreadable file, bad YAML, or a definition that does not validate.
    """
    return read_definitions(path, CatalogFile, "a mapping with `metrics:` and/or `dimensions:`")


def load_catalog(root: Path | None = None) -> Catalog:
    """The built-in catalog merged with the workspace's `metrics/*.yaml`, checked.

    Raises:
        ConfigError: a file or a definition is invalid; names the file and the key.
    """
    metrics: dict[str, Metric] = {}
    dimensions: dict[str, Dimension] = {}
    groups: dict[str, Group] = {}
    origins: dict[str, Origin] = {}
    files = definition_files(BUILTIN_PACKAGE, root, "metrics")
    for path in files:
        content = read_file(path)
        for dimension in content.dimensions:
            dimensions[dimension.name] = dimension
            origins[f"dimension:{dimension.name}"] = Origin(path, f"dimensions[{dimension.name}]")
        for metric in content.metrics:
            metrics[metric.name] = metric
            origins[metric.name] = Origin(path, f"metrics[{metric.name}]")
        for group in content.groups:
            groups[group.name] = group
            origins[f"group:{group.name}"] = Origin(path, f"groups[{group.name}]")
    catalog = Catalog(metrics, dimensions, groups, origins)
    for metric in metrics.values():
        _check(catalog, metric)
    for group in groups.values():
        origin = origins[f"group:{group.name}"]
        if group.name in metrics:
            raise ConfigError(origin.file, origin.key, "a metric has the same name")
        for member in group.metrics:
            if member not in metrics:
                problem = _unknown("metric", member, metrics)
                raise ConfigError(origin.file, f"{origin.key}.metrics", problem)
    return catalog


def _check(catalog: Catalog, metric: Metric) -> None:
    origin = catalog.origins[metric.name]

    def fail(field: str, problem: str) -> ConfigError:
        return ConfigError(origin.file, f"{origin.key}.{field}", problem)

    if metric.kind == "aggregate":
        _check_aggregate(metric, fail)
    else:
        try:
            parts = metric.parts()
        except ExpressionError as exc:
            raise fail("formula", str(exc)) from None
        for part in parts:
            if part not in catalog.metrics:
                field = "formula" if metric.kind == "formula" else "numerator/denominator"
                raise fail(field, _unknown("metric", part, catalog.metrics))
        _check_acyclic(catalog, metric.name, fail)
    for name in metric.dimensions or ():
        if name not in catalog.dimensions:
            raise fail("dimensions", _unknown("dimension", name, catalog.dimensions))
    if metric.dimensions is not None:
        unreachable = set(metric.dimensions) - set(catalog.allowed_dimensions(metric.name))
        if unreachable:
            raise fail(
                "dimensions",
                f"its source cannot be sliced by {', '.join(sorted(unreachable))}",
            )
    if metric.target is not None and metric.target not in catalog.metrics:
        raise fail("target", _unknown("metric", metric.target, catalog.metrics))


Fail = Callable[[str, str], ConfigError]


def _check_aggregate(metric: Metric, fail: Fail) -> None:
    assert metric.source is not None
    columns = source_columns(metric.source)
    if columns is None:
        raise fail("source", f"no entity or engine called {metric.source!r}")
    for field in ("column", "time"):
        value = getattr(metric, field)
        if value is not None and value not in columns:
            raise fail(field, f"{metric.source} has no column {value!r}")
    if metric.time is None and not is_windowed(metric.source):
        raise fail("time", f"needs the column of {metric.source} that places a row in a window")
    if metric.time is not None and is_windowed(metric.source):
        raise fail("time", f"{metric.source} builds each window's rows itself; drop `time`")
    if metric.filter is not None:
        try:
            used = filter_columns(metric.filter)
        except ExpressionError as exc:
            raise fail("filter", str(exc)) from None
        missing = [c for c in used if c not in columns]
        if missing:
            raise fail("filter", f"{metric.source} has no column {', '.join(missing)}")


def _check_acyclic(catalog: Catalog, start: str, fail: Fail) -> None:
    path: list[str] = []

    def visit(name: str) -> None:
        if name in path:
            cycle = " → ".join([*path[path.index(name) :], name])
            raise fail("formula", f"metrics depend on each other in a cycle: {cycle}")
        metric = catalog.metrics.get(name)
        if metric is None or metric.kind == "aggregate":
            return
        path.append(name)
        for part in formula_names(metric.formula) if metric.formula else metric.parts():
            visit(part)
        path.pop()

    visit(start)
