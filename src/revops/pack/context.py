"""What every section builder is given: the engines, the period, the links, and the
values of the template's metrics computed once for all its sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from revops.pack.model import Figure, Links, Remark, Risk, Section, Source, SubmittedCall

if TYPE_CHECKING:
    import pandas as pd

    from revops.core import Period
    from revops.desk import Desk
    from revops.forecast import Forecasting
    from revops.metrics import Metrics
    from revops.pack.config import Comparison
    from revops.pipeline import Pipeline
    from revops.plan import Annotations, Plan
    from revops.quality.component import Quality


class Engines(Protocol):
    """The engines a pack reads (the workspace has them all)."""

    @property
    def metrics(self) -> Metrics: ...
    @property
    def pipeline(self) -> Pipeline: ...
    @property
    def forecast(self) -> Forecasting: ...
    @property
    def quality(self) -> Quality: ...
    @property
    def desk(self) -> Desk: ...
    @property
    def plan(self) -> Plan: ...
    @property
    def annotations(self) -> Annotations: ...


@dataclass
class PackContext:
    """One pack being built.

    Attributes:
        engines: the workspace's engines.
        period: the period the pack reports.
        as_of: the last day of data.
        links: the cockpit's addresses.
        wanted: every metric the template's sections show, computed together on first use.
        charted: every metric drawn by month, computed together on first use.
        risks: risks the sections found, for the risks section.
        calls: the reps' and managers' submitted calls (None: the caller has no app
            database to read them from).
    """

    engines: Engines
    period: Period
    as_of: date
    links: Links
    wanted: list[str] = field(default_factory=list)
    charted: list[str] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    calls: list[SubmittedCall] | None = None
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    _remarks: dict[str, Remark] = field(default_factory=dict)

    @property
    def window(self) -> str:
        """The period's label (``FY2027-Q1``)."""
        return self.period.label

    @property
    def elapsed(self) -> float:
        """The share of the period gone by the as-of day (1 for a closed period)."""
        days = (self.period.end - self.period.start).days
        gone = (min(self.as_of, self.period.last_day) - self.period.start).days + 1
        return max(0.0, min(1.0, gone / days)) if days else 1.0

    def _frame(self, compare: Comparison | None) -> pd.DataFrame:
        """The wanted metrics' values in the period, with `compare`'s beside them: the
        period is computed once, and each comparison's period once, as
        `ws.metrics.compute(..., compare=...)` would (the same helpers)."""
        from revops.metrics.query import compared_period, with_comparison

        metrics = self.engines.metrics
        names = list(dict.fromkeys(self.wanted))
        if "none" not in self._frames:
            self._frames["none"] = metrics.compute(names, self.window, as_of=self.as_of).frame
        key = compare or "none"
        if key not in self._frames:
            assert compare is not None
            shifted = compared_period(self.period, compare, metrics.calendar, self.as_of)
            before = metrics.compute(names, shifted.label, as_of=self.as_of).frame
            self._frames[key] = with_comparison(
                self._frames["none"], before, (), [self.period], [shifted]
            )
        return self._frames[key]

    def monthly(self, metric: str) -> tuple[str, pd.DataFrame]:
        """The fiscal year holding the period, and `metric`'s values per month of it up to
        the as-of day (`period`, `value`)."""
        year = self.engines.metrics.calendar.period_of(self.period.start, "year")
        if metric not in self.charted:
            self.charted.append(metric)
            self._frames.pop("monthly", None)
        if "monthly" not in self._frames:
            result = self.engines.metrics.compute(
                list(dict.fromkeys(self.charted)), year.label, grain="month", as_of=self.as_of
            )
            self._frames["monthly"] = result.frame
        frame = self._frames["monthly"]
        return year.label, frame[frame["metric"] == metric]

    def figures(
        self, names: tuple[str, ...] | list[str], compare: tuple[Comparison, ...]
    ) -> list[Figure]:
        """The figures of metrics `names`: value, target and attainment, and each
        comparison asked for, from `ws.metrics.compute` over the period as of the day."""
        catalog = self.engines.metrics.catalog
        missing = [n for n in names if n not in self.wanted]
        if missing:  # a section asked for more than it declared: compute them too
            self.wanted.extend(missing)
            self._frames.clear()
        base = self._frame(compare[0] if compare else None)
        shifted = {c: self._frame(c) for c in compare}
        shown = []
        for name in names:
            metric = catalog.metric(name)
            row = _row(base, name)
            previous = _row(shifted["previous"], name) if "previous" in shifted else {}
            last_year = _row(shifted["last_year"], name) if "last_year" in shifted else {}
            from revops.metrics.display import formatted

            value = _number(row.get("value"))
            shown.append(
                Figure(
                    metric=name,
                    label=metric.label,
                    unit=metric.unit,
                    direction=metric.direction,
                    value=value,
                    display=formatted(value, metric.unit),
                    target=_number(row.get("target")),
                    attainment=_number(row.get("attainment")),
                    previous=_number(previous.get("compare_value")),
                    previous_change=_number(previous.get("change_ratio")),
                    last_year=_number(last_year.get("compare_value")),
                    last_year_change=_number(last_year.get("change_ratio")),
                    source=self.source(name),
                )
            )
        return shown

    def remarks(self, metrics: list[str], start: date, end: date) -> list[Remark]:
        """The annotations on `metrics` dated from `start` to `end` (never after the as-of
        day), numbered in the order the pack first shows them."""
        catalog = self.engines.metrics.catalog
        last = min(end, self.as_of)
        found = [
            a
            for name in dict.fromkeys(metrics)
            for a in self.engines.annotations.for_metric(name, start, last)
        ]
        shown = []
        for note in sorted(found, key=lambda a: (a.date, a.id)):
            if note.id not in self._remarks:
                assert note.metric is not None
                self._remarks[note.id] = Remark(
                    number=len(self._remarks) + 1, date=note.date, text=note.text,
                    metric=note.metric, label=catalog.metric(note.metric).label,
                    author=note.author,
                )  # fmt: skip
            shown.append(self._remarks[note.id])
        return shown

    def renumber(self, sections: list[Section]) -> None:
        """Number the annotations the sections show by date across the pack (1 the
        earliest), in their lists and on their charts."""
        ordered = sorted(self._remarks.values(), key=lambda r: (r.date, r.number))
        new = {r.number: position for position, r in enumerate(ordered, start=1)}
        for section in sections:
            section.remarks = sorted(
                (r.model_copy(update={"number": new[r.number]}) for r in section.remarks),
                key=lambda r: r.number,
            )
            for chart in section.charts:
                chart.marks = [(at, new[number]) for at, number in chart.marks]

    def source(self, metric: str) -> Source:
        """The footnote of a metric's value in the period."""
        found = self.engines.metrics.catalog.metric(metric)
        source = self.links.source(metric, found.label, self.window)
        return source.model_copy(update={"docs": docs_anchor(metric, found.label)})


def docs_anchor(metric: str, label: str) -> str:
    """The metric's heading in docs/metrics.md, as GitHub anchors it.

    Examples:
        >>> docs_anchor("bookings", "Bookings")
        'docs/metrics.md#bookings--bookings'
        >>> docs_anchor("forecast_accuracy", "Forecast accuracy (median)")
        'docs/metrics.md#forecast_accuracy--forecast-accuracy-median'
    """
    heading = f"{metric} — {label}".lower()
    slug = re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")
    return f"docs/metrics.md#{slug}"


def _row(frame: pd.DataFrame, metric: str) -> dict[str, Any]:
    found = frame[frame["metric"] == metric]
    return {} if found.empty else {str(k): v for k, v in found.iloc[0].to_dict().items()}


def _number(value: Any) -> float | None:
    import math

    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
