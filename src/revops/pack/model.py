"""The pack as data: sections of figures, tables and charts, each traced to its source.

The HTML and PDF are drawn from this model and the API's `format=json` returns it, so the
numbers a reader sees and the numbers a machine reads cannot drift.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field


class Source(BaseModel):
    """Where a number comes from: its definition and the rows behind it."""

    label: str = Field(description="What the footnote names (a metric's label, a list).")
    definition_url: str | None = Field(
        default=None, description="The metric in the cockpit explorer (its definition)."
    )
    rows_url: str | None = Field(default=None, description="The rows behind the number.")
    docs: str | None = Field(default=None, description="The definition in the docs.")


class Figure(BaseModel):
    """One metric's value in the period, beside its target and its comparisons."""

    metric: str
    label: str
    unit: str
    direction: str = Field(description="Which way is good: up or down.")
    value: float | None
    display: str
    target: float | None = None
    attainment: float | None = None
    previous: float | None = Field(default=None, description="The period before, to date.")
    previous_change: float | None = Field(default=None, description="Change ratio vs previous.")
    last_year: float | None = Field(default=None, description="The same days a year earlier.")
    last_year_change: float | None = Field(default=None, description="Change ratio vs a year ago.")
    source: Source


class Cell(BaseModel):
    """A table cell: its text, the number it shows, and the record page it links to."""

    text: str
    value: float | None = None
    url: str | None = None
    note: str | None = Field(default=None, description="The record's id, beside its name.")


class Table(BaseModel):
    """A list (stalled deals, owners by data quality) with its source."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    source: Source


class Remark(BaseModel):
    """An annotation of the workspace (`plans/annotations.yaml`) on a metric the pack shows:
    a dated note ("pricing change on 1 March") printed under its section and marked on
    its chart."""

    number: int = Field(description="Its number on the charts: 1, 2, ... by date in the pack.")
    date: date
    text: str
    metric: str
    label: str = Field(description="The metric's label.")
    author: str | None = None


class Chart(BaseModel):
    """A series drawn as an image in the HTML and PDF."""

    title: str
    kind: str = Field(default="line", description="line (a series) or bars (steps).")
    labels: list[str]
    values: list[float | None]
    source: Source
    marks: list[tuple[int, int]] = Field(
        default_factory=list,
        description="Annotations drawn on the chart: (position in labels, remark number).",
    )


class SubmittedCall(BaseModel):
    """A rep's or manager's forecast call as submitted in the cockpit (its app database),
    the latest of each person by the pack's as-of day."""

    model_config = ConfigDict(extra="forbid")  # a caller's misspelt field is an error

    owner_id: str
    owner_name: str | None = None
    kind: str = Field(description="rep or manager (a manager's is the team's roll-up).")
    commit: float
    best_case: float
    pipeline: float
    adjustment: float | None = Field(
        default=None, description="A manager's change to the team's commit (reps: none)."
    )
    note: str = ""
    submitted_at: datetime


class Risk(BaseModel):
    """A risk or a decision to take, derived from the other sections."""

    severity: str = Field(description="high or medium.")
    text: str
    source: Source


class Section(BaseModel):
    """One section of the pack."""

    kind: str
    title: str
    figures: list[Figure] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Sentences: caveats, calls.")
    risks: list[Risk] = Field(default_factory=list)
    remarks: list[Remark] = Field(
        default_factory=list, description="Annotations on the section's metrics, by date."
    )


class PackDocument(BaseModel):
    """A whole pack: a template rendered for one period as of one day."""

    title: str
    template: str
    period: str
    period_start: date
    period_end: date = Field(description="The period's last day.")
    as_of: date
    currency: str
    base_url: str = Field(description="The cockpit's address the links point to.")
    sections: list[Section]

    def summary(self, risks: int = 5) -> list[str]:
        """Lines for a message: each headline section's figures (with attainment where
        there is a target), the forecast call, then the first `risks` risks."""
        lines = []
        for section in self.sections:
            if section.kind == "headline" and section.figures:
                shown = [
                    f"{f.label} {f.display}"
                    + (f" ({f.attainment:.0%} of target)" if f.attainment is not None else "")
                    for f in section.figures
                ]
                lines.append(f"{section.title}: {', '.join(shown)}")
            elif section.kind == "forecast" and section.notes:
                lines.append(section.notes[0])
        found = [r for s in self.sections if s.kind == "risks" for r in s.risks]
        lines += [f"{r.severity.upper()}: {r.text}" for r in found[:risks]]
        return lines

    def figure(self, metric: str, kind: str | None = None) -> Figure:
        """The first figure of `metric` (in a section of `kind`).

        Raises:
            KeyError: no such figure.
        """
        for section in self.sections:
            if kind is not None and section.kind != kind:
                continue
            for figure in section.figures:
                if figure.metric == metric:
                    return figure
        raise KeyError(metric)


class Links:
    """The cockpit's addresses, as plain strings consistent with the app's routes (the
    pack does not import the app): the explorer, its drill-down and the record pages."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def explorer(self, metric: str, window: str) -> str:
        """The metric in the explorer (`/metrics`): its definition and values."""
        return f"{self.base}/metrics?" + urlencode({"metric": metric, "window": window})

    def rows(self, metric: str, window: str, where: dict[str, str] | None = None) -> str:
        """The rows behind a value (`/metrics/rows`)."""
        query = [("metric", metric), ("window", window)]
        query += [("where", f"{k}={v}") for k, v in (where or {}).items()]
        return f"{self.base}/metrics/rows?" + urlencode(query)

    def page(self, path: str, **query: str) -> str:
        """A cockpit page (`/pipeline`, `/forecast`, ...)."""
        return f"{self.base}{path}" + (f"?{urlencode(query)}" if query else "")

    def record(self, kind: str, record_id: object) -> str | None:
        """The record page of a rep (`reps`), an account (`accounts`) or a deal (`deals`)."""
        if record_id is None or str(record_id) in ("", "nan", "None"):
            return None
        return f"{self.base}/{kind}/{quote(str(record_id), safe=':@')}"

    def source(self, metric: str, label: str, window: str) -> Source:
        """A metric's footnote: explorer, drill-down and docs anchor."""
        return Source(
            label=label,
            definition_url=self.explorer(metric, window),
            rows_url=self.rows(metric, window),
            docs=f"docs/metrics.md#{metric}",
        )
