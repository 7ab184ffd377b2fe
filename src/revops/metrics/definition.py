"""What a metric and a dimension are: frozen, declarative definitions read from YAML."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Team = Literal["sales", "marketing", "success", "finance", "operations", "revops", "executive"]
Signal = Literal["leading", "lagging", "mixed"]
Unit = Literal[
    "money", "count", "ratio", "multiple", "days", "hours", "months", "score", "money_per_day"
]
Direction = Literal["up", "down", "neutral"]
Aggregation = Literal[
    "sum", "count", "count_distinct", "mean", "median", "p25", "p75", "p90", "stddev", "min", "max"
]
QUANTILES = {"p25": 0.25, "p75": 0.75, "p90": 0.9}
"""The quantile each percentile aggregation takes (linear interpolation between rows)."""
Kind = Literal["aggregate", "ratio", "formula"]

_NAME = r"^[a-z][a-z0-9_]*$"
NAME_PATTERN = re.compile(_NAME)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Dimension(_Frozen):
    """A way to slice metrics: a column of the metric's source or of a table it points to.

    `column` alone is a column of the source itself (``type`` of an opportunity). With
    `entity`, the value is `column` of that entity, reached from the source through the
    first of `keys` the source has (``segment``: ``account.segment`` via ``account_id``).
    """

    name: str = Field(pattern=_NAME, description="Name used in `by=` and `--by`.")
    label: str = Field(min_length=1, description="Name as people see it.")
    description: str = Field(min_length=1, description="What the slices are.")
    column: str = Field(pattern=_NAME, description="Column that holds the slice value.")
    entity: str | None = Field(
        default=None, description="Canonical entity that holds `column`, if not the source."
    )
    keys: tuple[str, ...] = Field(
        default=(),
        description=(
            "Columns of a source that point to `entity`, tried in order; default `<entity>_id`."
        ),
    )

    def link_keys(self) -> tuple[str, ...]:
        """The source columns that can reach `entity`, in the order they are tried."""
        if self.entity is None:
            return ()
        return self.keys or (f"{self.entity}_id",)


class Metric(_Frozen):
    """One KPI: its meaning, its owner, and how it is computed.

    Three kinds:
    - ``aggregate``: `agg` of `column` over the rows of `source` whose `time` column falls
      in the window and that pass `filter`;
    - ``ratio``: `numerator` / `denominator`, two other metrics; null when the denominator
      is zero or missing;
    - ``formula``: an arithmetic `formula` over other metrics (``bookings / won_deals``).

    A source is a canonical entity (``opportunity``) or an engine: a Python function that
    builds the rows for a window (``mrr_movement``), for what a formula cannot express.
    """

    name: str = Field(pattern=_NAME, description="Identifier used in queries and the CLI.")
    label: str = Field(min_length=1, description="Name as people see it.")
    description: str = Field(min_length=1, description="What the number means, in one go.")
    team: Team = Field(description="Team that owns the definition.")
    signal: Signal = Field(description="leading (predicts revenue) or lagging (records it).")
    unit: Unit = Field(
        description="What the value counts or measures: `ratio` is a share shown as a"
        " percentage (win rate), `multiple` a quotient shown as N× (LTV:CAC, coverage)."
    )
    direction: Direction = Field(default="up", description="Which way is good.")
    kind: Kind = Field(default="aggregate", description="aggregate, ratio or formula.")
    source: str | None = Field(
        default=None, description="Entity or engine whose rows an aggregate counts."
    )
    agg: Aggregation | None = Field(default=None, description="Aggregation of an aggregate.")
    column: str | None = Field(
        default=None, description="Column aggregated (not needed to count rows)."
    )
    time: str | None = Field(
        default=None,
        description=(
            "Column that places a row in a window; none for engines that build a window's "
            "rows themselves."
        ),
    )
    filter: str | None = Field(
        default=None,
        description=(
            "Condition a row must meet, in Python syntax over the source's columns: "
            "`is_won and type == 'new'`, `stage in ('Proposal', 'Negotiation')`."
        ),
    )
    numerator: str | None = Field(default=None, description="Metric divided, for a ratio.")
    denominator: str | None = Field(default=None, description="Metric divided by, for a ratio.")
    formula: str | None = Field(
        default=None, description="Arithmetic over other metrics' names, for a formula."
    )
    dimensions: tuple[str, ...] | None = Field(
        default=None,
        description=(
            "Dimensions it may be sliced by; default every dimension its source can reach "
            "(for ratios and formulas: those all their parts allow)."
        ),
    )
    target: str | None = Field(
        default=None, description="Metric that is its target (bookings → quota), if any."
    )
    when_empty: Literal["zero", "unknown"] | None = Field(
        default=None,
        description=(
            "What an aggregate is where no row counts (a window, an owner): `zero` (the "
            "default for sum and count) or `unknown` (shown as -), for a value that is "
            "not set rather than nothing: a rep without a quota has no quota, not one of 0."
        ),
    )
    kpi: str | None = Field(
        default=None,
        description=(
            "The KPI of the catalog spec (shared/KPIS.md) this metric computes or is a "
            "part of, as the spec names it (`win rate (count, value)`)."
        ),
    )

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Metric:
        needed: dict[str, tuple[str, ...]] = {
            "aggregate": ("source", "agg"),
            "ratio": ("numerator", "denominator"),
            "formula": ("formula",),
        }
        for field in needed[self.kind]:
            if getattr(self, field) is None:
                raise ValueError(f"a {self.kind} metric needs `{field}`")
        foreign = {
            "aggregate": ("numerator", "denominator", "formula"),
            "ratio": ("source", "agg", "column", "time", "filter", "formula"),
            "formula": ("source", "agg", "column", "time", "filter", "numerator", "denominator"),
        }[self.kind]
        for field in foreign:
            if getattr(self, field) is not None:
                raise ValueError(f"a {self.kind} metric takes no `{field}`")
        if self.kind == "aggregate" and self.agg != "count" and self.column is None:
            raise ValueError(f"`agg: {self.agg}` needs the `column` it aggregates")
        return self

    def parts(self) -> tuple[str, ...]:
        """Names of the metrics this one is computed from (none for an aggregate)."""
        if self.kind == "ratio":
            assert self.numerator is not None
            assert self.denominator is not None
            return (self.numerator, self.denominator)
        if self.kind == "formula":
            from revops.metrics.expression import formula_names

            assert self.formula is not None
            return formula_names(self.formula)
        return ()


class Group(_Frozen):
    """Metrics read together, shown side by side (``mrr_movements``: opening → closing)."""

    name: str = Field(pattern=_NAME, description="Name used where a metric name goes.")
    label: str = Field(min_length=1, description="Name as people see it.")
    description: str = Field(min_length=1, description="What reading them together shows.")
    metrics: tuple[str, ...] = Field(min_length=1, description="Its metrics, in column order.")


class CatalogFile(_Frozen):
    """One YAML file of definitions: dimensions, metrics and groups of metrics."""

    version: Literal[1] = Field(default=1, description="Version of the file format.")
    dimensions: tuple[Dimension, ...] = Field(default=(), description="Dimensions defined.")
    metrics: tuple[Metric, ...] = Field(default=(), description="Metrics defined.")
    groups: tuple[Group, ...] = Field(default=(), description="Groups of metrics.")
