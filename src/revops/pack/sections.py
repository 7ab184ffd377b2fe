"""The pack's sections: each a builder reading one engine through its public verbs.

A builder takes the :class:`PackContext` and its options and returns a :class:`Section`.
Builders are registered by kind in :data:`SECTIONS`; another engine (the activation plan)
adds its own with :func:`register_section`, and `plans/pack.yaml` may then list it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from revops.core.period import to_date
from revops.errors import DeskError, ForecastError, PipelineError, QualityError
from revops.metrics.display import formatted
from revops.pack.activation import plan_section
from revops.pack.context import docs_anchor
from revops.pack.model import Cell, Chart, Risk, Section, Source, Table

if TYPE_CHECKING:
    import pandas as pd

    from revops.pack.config import SectionOptions
    from revops.pack.context import PackContext

Builder = Callable[["PackContext", "SectionOptions"], Section]


@dataclass(frozen=True)
class SectionKind:
    """A kind of section: its default title and metrics, and its builder."""

    title: str
    builder: Builder
    metrics: tuple[str, ...] = ()


SECTIONS: dict[str, SectionKind] = {}
"""Every kind of section by name, in the order the docs list them."""

TEAM_METRICS: dict[str, tuple[str, ...]] = {
    "sales": ("bookings", "win_rate", "average_deal_size", "sales_cycle_days"),
    "marketing": ("mqls_created", "sqls_created", "marketing_sourced_pipeline"),
    "success": ("nrr", "grr", "logo_churn_rate", "csat"),
    "finance": ("arr", "net_new_arr", "gtm_cost", "cac_payback_months"),
}
"""A headline section's metrics when `metrics` is not given."""
COVERAGE_FLOOR = 3.0
"""Pipeline coverage under which the pack flags a risk (the 3x rule of thumb)."""
AT_RISK_BELOW = 40.0
"""The health score under which an account is at risk (the `accounts_at_risk` metric's)."""


def register_section(
    kind: str, title: str, builder: Builder, metrics: tuple[str, ...] = ()
) -> None:
    """Add a kind of section (e.g. ``plan``), which `plans/pack.yaml` may then list."""
    SECTIONS[kind] = SectionKind(title, builder, metrics)


def metrics_of(options: SectionOptions) -> tuple[str, ...]:
    """The metrics a section shows: its own list, else its team's or kind's default."""
    if options.metrics is not None:
        return options.metrics
    if options.kind == "headline":
        return TEAM_METRICS.get(options.team or "sales", ())
    return SECTIONS[options.kind].metrics


def charted_by(options: SectionOptions) -> tuple[str, ...]:
    """The metrics a section draws by month (computed together for the whole pack)."""
    if not options.chart:
        return ()
    if options.kind == "headline":
        return metrics_of(options)[:1]
    return ("mrr",) if options.kind == "revenue" else ()


def title_of(options: SectionOptions) -> str:
    """The section's heading."""
    if options.title:
        return options.title
    if options.kind == "headline":
        return f"Headline KPIs: {options.team or 'sales'}"
    return SECTIONS[options.kind].title


def _metric_section(ctx: PackContext, options: SectionOptions) -> Section:
    figures = ctx.figures(metrics_of(options), options.compare)
    section = Section(kind=options.kind, title=title_of(options), figures=figures)
    section.remarks = ctx.remarks(
        [f.metric for f in figures], ctx.period.start, ctx.period.last_day
    )
    for figure in figures:
        if figure.target is None or figure.attainment is None:
            continue
        if figure.attainment < ctx.elapsed * 0.9:
            ctx.risks.append(
                Risk(
                    severity="high",
                    text=f"{figure.label} at {figure.attainment:.0%} of target "
                    f"({figure.display} of {formatted(figure.target, figure.unit)}) with "
                    f"{ctx.elapsed:.0%} of {ctx.window} gone",
                    source=figure.source,
                )
            )
    for figure in figures:
        change = figure.last_year_change
        if change is None or abs(change) < 0.1 or figure.value is None:
            continue
        worse = change < 0 if figure.direction == "up" else change > 0
        if worse:
            ctx.risks.append(
                Risk(
                    severity="medium",
                    text=f"{figure.label} {change:+.0%} against the same days a year earlier "
                    f"({figure.display} vs {formatted(figure.last_year, figure.unit)})",
                    source=figure.source,
                )
            )
    return section


def _headline(ctx: PackContext, options: SectionOptions) -> Section:
    section = _metric_section(ctx, options)
    if options.chart and section.figures:
        first = section.figures[0].metric
        section.charts.append(_monthly(ctx, first, section))
    return section


def _monthly(ctx: PackContext, metric: str, section: Section) -> Chart:
    """A metric per month of the fiscal year holding the period, up to the as-of day,
    with the metric's annotations of those months marked (and listed in `section`)."""
    year, frame = ctx.monthly(metric)
    label = ctx.engines.metrics.catalog.metric(metric).label
    chart = Chart(
        title=f"{label} by month, {year}",
        labels=[str(p)[-3:] for p in frame["period"]],
        values=[_float(v) for v in frame["value"]],
        source=ctx.links.source(metric, label, year).model_copy(
            update={"docs": docs_anchor(metric, label)}
        ),
    )
    if frame.empty:
        return chart
    starts = [to_date(v) for v in frame["period_start"]]
    ends = [to_date(v) for v in frame["period_end"]]
    for remark in ctx.remarks([metric], starts[0], ends[-1]):
        spans = enumerate(zip(starts, ends, strict=True))
        at = next((i for i, (a, b) in spans if a <= remark.date <= b), None)
        if at is None:
            continue
        chart.marks.append((at, remark.number))
        if remark not in section.remarks:
            section.remarks.append(remark)
    return chart


def _forecast(ctx: PackContext, options: SectionOptions) -> Section:
    section = Section(kind="forecast", title=title_of(options))
    source = Source(
        label="Forecast call",
        definition_url=ctx.links.page("/forecast", period=ctx.window),
        docs="docs/forecast.md",
    )
    try:
        call = ctx.engines.forecast.call(ctx.window, as_of=ctx.as_of)
    except ForecastError as exc:
        section.notes.append(f"No forecast: {exc}")
        return section
    chosen = call.recommended
    if chosen is not None:
        accuracy = (
            f"backtested accuracy {chosen.accuracy:.0%} at week {chosen.week} over "
            f"{chosen.periods} periods"
            if chosen.accuracy is not None
            else "no backtested accuracy"
        )
        section.notes.append(
            f"The call: {formatted(chosen.p50, 'money')} ({chosen.method}), range "
            f"{formatted(chosen.p10, 'money')}–{formatted(chosen.p90, 'money')} (P10–P90); "
            f"{accuracy}. {chosen.reason}."
        )
    if call.warning:
        section.notes.append(f"Warning: {call.warning}")
    _submitted(ctx, section, source, chosen.p50 if chosen is not None else None)
    rows = [
        [Cell(text=str(r["method"]))]
        + [_money(r.get(k)) for k in ("p10", "p50", "p90", "booked", "change")]
        for r in call.methods()
    ]
    section.tables.append(
        Table(
            title="Methods: number and range",
            columns=["Method", "P10", "P50", "P90", "Booked", "Change since last week"],
            rows=rows,
            source=source,
        )
    )
    deals = call.top_deals.head(options.limit)
    section.tables.append(
        Table(
            title="Top deals by expected value",
            columns=["Deal", "Owner", "Stage", "Amount", "Probability", "Expected"],
            rows=[
                [
                    _record(ctx, "deals", r.get("opportunity_id"), r.get("name")),
                    _record(ctx, "reps", r.get("owner_id"), r.get("owner_name")),
                    Cell(text=str(r.get("stage") or "")),
                    _money(r.get("amount")),
                    _ratio(r.get("probability")),
                    _money(r.get("expected")),
                ]
                for r in _records(deals)
            ],
            source=source,
        )
    )
    return section


def _submitted(ctx: PackContext, section: Section, source: Source, model: float | None) -> None:
    """The reps' and managers' latest calls by the as-of day, managers first, beside the
    model's P50."""
    if ctx.calls is None:
        section.notes.append(
            "Reps' and managers' calls are kept in the cockpit's database, which this pack "
            "was built without; they are on the cockpit's forecast page."
        )
        return
    calls = sorted(ctx.calls, key=lambda c: (c.kind != "manager", -c.commit, c.owner_id))
    if not calls:
        section.notes.append(f"No rep or manager has submitted a call for {ctx.window}.")
        return
    managers = [c for c in calls if c.kind == "manager"]
    if managers and model is not None:
        top = managers[0]
        section.notes.append(
            f"{top.owner_name or top.owner_id}'s roll-up commits {formatted(top.commit, 'money')}"
            f" (best case {formatted(top.best_case, 'money')}) against the model's "
            f"{formatted(model, 'money')}."
        )
    section.tables.append(
        Table(
            title="Submitted calls",
            columns=[
                "Person",
                "Call",
                "Commit",
                "Best case",
                "Pipeline",
                "Adjustment",
                "Submitted",
                "Note",
            ],
            rows=[
                [
                    _record(ctx, "reps", c.owner_id, c.owner_name),
                    Cell(text=c.kind),
                    _money(c.commit),
                    _money(c.best_case),
                    _money(c.pipeline),
                    _money(c.adjustment),
                    Cell(text=c.submitted_at.strftime("%Y-%m-%d %H:%M")),
                    Cell(text=c.note),
                ]
                for c in calls
            ],
            source=source,
        )
    )


def _pipeline(ctx: PackContext, options: SectionOptions) -> Section:
    section = _metric_section(ctx, options)
    pipeline = ctx.engines.pipeline
    for figure in section.figures:
        low = figure.value is not None and figure.value < COVERAGE_FLOOR
        if figure.metric == "pipeline_coverage" and low:
            ctx.risks.append(
                Risk(
                    severity="high",
                    text=f"Pipeline coverage {figure.display} of the bookings still needed "
                    f"is below {COVERAGE_FLOOR:.0f}×",
                    source=figure.source,
                )
            )
    end = min(ctx.as_of, ctx.period.last_day)
    start = (
        end - timedelta(days=options.waterfall_days)
        if options.waterfall_days
        else ctx.period.start - timedelta(days=1)
    )
    page = Source(
        label="Pipeline page", definition_url=ctx.links.page("/pipeline", window=ctx.window),
        docs="docs/pipeline.md",
    )  # fmt: skip
    try:
        moved = pipeline.waterfall(start, end, ctx.window, as_of=ctx.as_of)
    except PipelineError as exc:
        section.notes.append(f"No waterfall: {exc}")
    else:
        steps = moved.rows
        section.tables.append(
            Table(
                title=f"Waterfall of {ctx.window}'s pipeline, {start} to {end}",
                columns=["Step", "Amount", "Deals"],
                rows=[
                    [
                        Cell(text=f"{s['sign']} {str(s['step']).replace('_', ' ')}"),
                        _money(s["amount"]),
                        _count(s["deals"]),
                    ]
                    for s in steps
                ],
                source=page,
            )
        )
        if options.chart:
            section.charts.append(
                Chart(
                    title="Pipeline waterfall",
                    kind="bars",
                    labels=[str(s["step"]).replace("_", " ") for s in steps],
                    values=[_float(s["amount"]) for s in steps],
                    source=page,
                )
            )
    stalled = pipeline.stalled(ctx.as_of).frame.sort_values("amount", ascending=False)
    if not stalled.empty:
        total = float(stalled["amount"].sum())
        ctx.risks.append(
            Risk(
                severity="high",
                text=f"{len(stalled)} open deals worth {formatted(total, 'money')} are stalled "
                "past their stage's typical time",
                source=page,
            )
        )
    names = _names(ctx, "opportunity", stalled["opportunity_id"].head(options.limit))
    owners = _names(ctx, "user", stalled["owner_id"].head(options.limit))
    section.tables.append(
        Table(
            title=f"Stalled deals by amount ({len(stalled)} in all)",
            columns=["Deal", "Owner", "Stage", "Days in stage", "Typical days", "Amount"],
            rows=[
                [
                    _record(ctx, "deals", r["opportunity_id"], names.get(r["opportunity_id"])),
                    _record(ctx, "reps", r["owner_id"], owners.get(r["owner_id"])),
                    Cell(text=str(r.get("stage") or "")),
                    _count(r.get("days_in_stage")),
                    _count(r.get("threshold_days")),
                    _money(r.get("amount")),
                ]
                for r in _records(stalled.head(options.limit))
            ],
            source=page,
        )
    )
    worst = pipeline.bottlenecks(as_of=ctx.as_of).frame
    if not worst.empty:
        worst = worst.sort_values("amount_at_stake", ascending=False).head(options.limit)
        section.tables.append(
            Table(
                title="Bottlenecks by money at stake",
                columns=["Stage", "Segment", "At stake", "Conversion", "Usual", "Why"],
                rows=[
                    [
                        Cell(text=str(r.get("stage") or "")),
                        Cell(text=str(r.get("segment") or "")),
                        _money(r.get("amount_at_stake")),
                        _ratio(r.get("conversion")),
                        _ratio(r.get("baseline_conversion")),
                        Cell(text=str(r.get("explanation") or "")),
                    ]
                    for r in _records(worst)
                ],
                source=page,
            )
        )
    return section


def _revenue(ctx: PackContext, options: SectionOptions) -> Section:
    section = _metric_section(ctx, options)
    if options.chart:
        section.charts.append(_monthly(ctx, "mrr", section))
    tables = ctx.engines.metrics.rows("health_score", ctx.window, as_of=ctx.as_of)
    table = next(iter(tables.values()))
    low = table.filter(table.health_score < AT_RISK_BELOW)
    frame = low.order_by([low.health_score.asc(), low.account_id]).limit(options.limit).execute()
    source = ctx.source("accounts_at_risk")
    section.tables.append(
        Table(
            title="Accounts at risk, least healthy first",
            columns=["Account", "Health score"],
            rows=[
                [
                    _record(ctx, "accounts", r.get("account_id"), r.get("account_label")),
                    _count(r.get("health_score")),
                ]
                for r in _records(frame)
            ],
            source=source,
        )
    )
    return section


def _quality(ctx: PackContext, options: SectionOptions) -> Section:
    section = _metric_section(ctx, options)
    try:
        report = ctx.engines.quality.report(limit=options.limit)
    except QualityError as exc:
        section.notes.append(f"No quality run: {exc}")
        return section
    owners = sorted(report.owners, key=lambda r: (r.get("score") or 0, str(r.get("owner_id"))))
    source = Source(
        label="Data-quality report",
        definition_url=ctx.links.page("/quality"),
        docs="docs/quality.md",
    )
    section.notes.append(f"Scores of the latest stored run, as of {report.as_of}.")
    section.tables.append(
        Table(
            title="Data-quality score by owner, lowest first",
            columns=["Owner", "Team", "Records", "Failing", "Score"],
            rows=[
                [
                    _record(ctx, "reps", r.get("owner_id"), r.get("owner_name")),
                    Cell(text=str(r.get("team_name") or "")),
                    _count(r.get("records")),
                    _count(r.get("failing")),
                    _ratio(r.get("score")),
                ]
                for r in owners[: options.limit]
            ],
            source=source,
        )
    )
    return section


def _desk(ctx: PackContext, options: SectionOptions) -> Section:
    section = Section(kind="desk", title=title_of(options))
    try:
        queue = ctx.engines.desk.queue(limit=options.limit, today=ctx.as_of)
    except DeskError as exc:
        section.notes.append(f"No desk queue: {exc}")
        return section
    source = Source(label="Desk queue", definition_url=ctx.links.page("/desk"),
                    docs="docs/desk.md")  # fmt: skip
    section.tables.append(
        Table(
            title="Top open requests by value",
            columns=["Rank", "Request", "Requester", "Type", "Value", "Status", "Age (days)"],
            rows=[
                [
                    _count(r.get("rank")),
                    Cell(text=str(r.get("title") or ""), note=str(r.get("request_id"))),
                    Cell(text=str(r.get("requester") or "")),
                    Cell(text=str(r.get("type") or "")),
                    _number2(r.get("value_score")),
                    Cell(text=str(r.get("status") or "")),
                    _count(r.get("age_days")),
                ]
                for r in queue
            ],
            source=source,
        )
    )
    if not queue:
        section.notes.append("No open request.")
    return section


def _risks(ctx: PackContext, options: SectionOptions) -> Section:
    order = {"high": 0, "medium": 1}
    # A metric shown in two sections (marketing-sourced bookings in the marketing headline
    # and the funnel) raises the same risk twice: said once.
    unique = list({(r.severity, r.text): r for r in ctx.risks}.values())
    found = sorted(unique, key=lambda r: order.get(r.severity, 2))
    section = Section(kind="risks", title=title_of(options), risks=found[: options.limit * 3])
    if not found:
        section.notes.append("Nothing the other sections flag.")
    return section


def _names(ctx: PackContext, entity: str, ids: pd.Series) -> dict[Any, str]:
    from revops.metrics.labels import lookup

    return lookup(ctx.engines.metrics.context(ctx.as_of), entity, ids.dropna().tolist())


def _record(ctx: PackContext, kind: str, record_id: Any, name: Any) -> Cell:
    shown = str(name) if name not in (None, "") and str(name) != "nan" else str(record_id)
    return Cell(text=shown, url=ctx.links.record(kind, record_id), note=_text(record_id))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]


def _text(value: Any) -> str | None:
    return None if value is None or str(value) in ("", "nan", "None") else str(value)


def _float(value: Any) -> float | None:
    from revops.pack.context import _number

    return _number(value)


def _money(value: Any) -> Cell:
    number = _float(value)
    return Cell(text=formatted(number, "money"), value=number)


def _ratio(value: Any) -> Cell:
    number = _float(value)
    return Cell(text=formatted(number, "ratio"), value=number)


def _number2(value: Any) -> Cell:
    number = _float(value)
    return Cell(text="-" if number is None else f"{number:.2f}", value=number)


def _count(value: Any) -> Cell:
    number = _float(value)
    return Cell(text=formatted(number, "count"), value=number)


register_section("headline", "Headline KPIs", _headline)
register_section("forecast", "The forecast call", _forecast)
register_section(
    "pipeline", "Pipeline: coverage, waterfall, stalled deals, bottlenecks", _pipeline,
    ("open_pipeline", "pipeline_coverage", "pipeline_coverage_of_quota", "pipeline_created",
     "pipeline_velocity"),
)  # fmt: skip
register_section(
    "funnel", "Funnel and marketing contribution", _metric_section,
    ("lead_to_mql_conversion", "mql_to_sql_conversion", "sql_to_opportunity_conversion",
     "opportunity_to_customer_conversion", "marketing_sourced_pipeline",
     "marketing_sourced_bookings", "influenced_pipeline"),
)  # fmt: skip
register_section(
    "revenue", "MRR movements, retention and accounts at risk", _revenue,
    ("mrr", "mrr_new", "mrr_expansion", "mrr_reactivation", "mrr_contraction", "mrr_churn",
     "net_new_mrr", "nrr", "grr", "accounts_at_risk"),
)  # fmt: skip
register_section(
    "efficiency", "Efficiency: CAC, payback, magic number", _metric_section,
    ("cac_blended", "cac_paid", "cac_payback_months", "ltv_to_cac", "magic_number"),
)  # fmt: skip
register_section("quality", "Data quality by owner", _quality, ("data_quality_score",))
register_section("desk", "Top requests of the RevOps desk", _desk)
register_section("plan", "Activation plan", plan_section)
register_section("risks", "Risks and decisions", _risks)
