"""`ws.pipeline`: the pipeline as of any day and its analytics, for every surface.

KPIs the catalog defines (open pipeline, coverage, velocity, slippage, stage conversion,
time in stage) come from `ws.metrics`, their single definition; this component adds what
the catalog does not hold: the snapshot as a table of deals, created against needed,
stalled deals, bottlenecks and the waterfall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

from revops.errors import PipelineError
from revops.pipeline.bottlenecks import bottlenecks
from revops.pipeline.created import CreatedVsNeeded, created_vs_needed
from revops.pipeline.result import PipelineTable
from revops.pipeline.snapshot import BY_COLUMN, By, open_deals, pipeline_by_stage
from revops.pipeline.stalled import stalled_deals
from revops.pipeline.waterfall import Waterfall, waterfall

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period
    from revops.metrics import Metrics, Scope, SourceContext

KPIS = (
    "open_pipeline",
    "open_pipeline_count",
    "quota_amount",
    "bookings_to_date",
    "pipeline_coverage",
    "pipeline_coverage_of_quota",
    "pipeline_velocity",
    "deal_slippage",
    "pipeline_created",
    "pipeline_created_count",
)
"""Catalog metrics `revops pipeline show` reports for the window."""
FUNNEL = ("stage_entries", "stage_advances", "stage_conversion", "time_in_stage_days_median")
"""Catalog metrics of the conversion funnel, per stage."""
FUNNEL_DIMENSION = {"segment": "segment", "owner": "owner", "source": "lead_source"}
"""The catalog dimension of each pipeline slice."""


@dataclass
class PipelineView:
    """What `revops pipeline show` prints: the window's pipeline, its KPIs and funnel.

    Attributes:
        window: the window's label.
        as_of: the day the pipeline is read at (the window's last day, or the as-of day
            if earlier).
        by: the slice, if any.
        stages: open pipeline closing in the window, per stage (and slice).
        kpis: the catalog's pipeline KPIs for the window.
        funnel: stage conversion and median time in stage of the window, per stage.
        created: pipeline created against needed.
    """

    window: str
    as_of: date
    by: str | None
    stages: PipelineTable
    kpis: PipelineTable
    funnel: PipelineTable
    created: CreatedVsNeeded

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "kind": "pipeline",
            "window": self.window,
            "as_of": self.as_of.isoformat(),
            "by": self.by,
            "stages": self.stages.rows,
            "kpis": self.kpis.rows,
            "funnel": self.funnel.rows,
            "created_vs_needed": self.created.to_dict(),
        }


class Pipeline:
    """Pipeline analytics of a workspace (``ws.pipeline``).

    Args:
        metrics: the workspace's metric layer, which also gives the warehouse and calendar.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.config = metrics.config
        self.calendar = metrics.calendar

    def context(self, as_of: date | None = None, scope: Scope | None = None) -> SourceContext:
        """A source context reading nothing after `as_of` (default: today), and only the
        rows of `scope` (default every row; see :class:`revops.metrics.Scope`)."""
        return self.metrics.context(as_of or _today(), scope)

    def window(self, label: str | None, as_of: date | None = None) -> Period:
        """The period a window label names; the fiscal quarter of `as_of` when None."""
        return self.metrics.window(label, as_of or _today())

    def deals(
        self, as_of: date | None = None, window: str | None = None, *, scope: Scope | None = None
    ) -> ir.Table:
        """The open pipeline at the end of `as_of`: one row per open deal (see
        :func:`revops.pipeline.open_deals`), closing in `window` when given."""
        ctx = self.context(as_of, scope)
        return open_deals(ctx, self.window(window, ctx.as_of) if window else None)

    def show(
        self,
        window: str | None = None,
        *,
        as_of: date | None = None,
        by: str | None = None,
        scope: Scope | None = None,
    ) -> PipelineView:
        """The window's open pipeline by stage, its KPIs, funnel and created against needed.

        The pipeline is read as the open_pipeline metric reads it: at the window's last day,
        or at the as-of day if that is earlier; its stage rows sum to that metric. Every
        part reads only the rows of `scope` (default every row).
        """
        import pandas as pd

        today = as_of or _today()
        period = self.window(window, today)
        day = min(period.last_day, today)
        ctx = self.context(day, scope)
        stages = pipeline_by_stage(ctx, period, _check_by(by)).execute()
        order = {s.name: i for i, s in enumerate(self.config.opportunity_stages)}
        keys = ["stage"] if by is None else ["stage", BY_COLUMN[by]]
        stages = stages.assign(_order=stages["stage"].map(order))
        stages = stages.sort_values(["_order", *keys], kind="stable").drop(columns="_order")
        kpis = self.metrics.compute(list(KPIS), period.label, as_of=today, scope=scope)
        values = {name: kpis.value(name) for name in KPIS}
        kpi_rows = pd.DataFrame(
            [{"metric": name, "value": values[name]} for name in KPIS]
        )  # fmt: skip
        dims = ["stage"] if by is None else ["stage", FUNNEL_DIMENSION[by]]
        funnel = self.metrics.compute(
            list(FUNNEL), period.label, by=dims, as_of=today, scope=scope
        ).frame
        funnel = funnel.pivot_table(
            index=dims, columns="metric", values="value", aggfunc="first", dropna=False
        ).reset_index()
        open_names = [s.name for s in self.config.opportunity_stages if s.category == "open"]
        funnel = funnel[funnel["stage"].isin(open_names)]
        funnel = funnel.assign(_order=funnel["stage"].map(order))
        funnel = funnel.sort_values(["_order", *dims], kind="stable").drop(columns="_order")
        funnel = funnel[[*dims, *[m for m in FUNNEL if m in funnel.columns]]]
        funnel.columns.name = None
        created = created_vs_needed(self.context(today, scope), period, values)
        params = {"window": period.label}
        return PipelineView(
            period.label,
            day,
            by,
            PipelineTable("stages", day, stages.reset_index(drop=True), params),
            PipelineTable("kpis", today, kpi_rows, params),
            PipelineTable("funnel", today, funnel.reset_index(drop=True), params),
            created,
        )

    def stalled(
        self, as_of: date | None = None, *, limit: int | None = None, scope: Scope | None = None
    ) -> PipelineTable:
        """Open deals idle in their stage past its typical time (see revops.pipeline.stalled).

        With a `scope`, only its deals are listed; the typical time in stage is still the
        company's, learned from every deal's history (a few deals make no norm, and the
        thresholds are aggregates that name no deal)."""
        ctx = self.context(as_of, scope)
        norms = self.context(ctx.as_of) if scope is not None and scope.restricted else None
        table = stalled_deals(ctx, norms)
        frame = (table.limit(limit) if limit else table).execute()
        settings = self.config.pipeline
        parameters = {"percentile": settings.stalled_percentile, "min_stays": settings.min_stays}
        return PipelineTable("stalled", ctx.as_of, frame, parameters)

    def thresholds(self, as_of: date | None = None) -> ir.Table:
        """The typical days in stage learned from history, per stage and segment."""
        from revops.pipeline.stalled import stage_thresholds

        return stage_thresholds(self.context(as_of))

    def bottlenecks(
        self, window: str | None = None, *, as_of: date | None = None, scope: Scope | None = None
    ) -> PipelineTable:
        """Stages and segments converting worse or slower than their own history, ranked by
        the open amount in them (see revops.pipeline.bottlenecks); the rows of `scope`.

        The recent window defaults to the last complete fiscal quarter: few stays of the
        running quarter have ended yet, too few to judge a stage by.
        """
        ctx = self.context(as_of, scope)
        if window is None:
            period = self.calendar.period_of(ctx.as_of, "quarter").shift(-1)
        else:
            period = self.window(window, ctx.as_of)
        return bottlenecks(ctx, period)

    def waterfall(
        self,
        start: date,
        end: date,
        window: str | None = None,
        *,
        as_of: date | None = None,
        scope: Scope | None = None,
    ) -> Waterfall:
        """How the pipeline closing in `window` (default: the fiscal quarter of `end`) moved
        from the end of `start` to the end of `end`; nothing after `as_of` (default `end`);
        the deals of `scope` only (default every deal)."""
        ctx = self.context(as_of or end, scope)
        period = self.window(window, end) if window else self.calendar.period_of(end, "quarter")
        return waterfall(ctx, start, end, period)

    def created_vs_needed(
        self, window: str | None = None, *, as_of: date | None = None, scope: Scope | None = None
    ) -> CreatedVsNeeded:
        """The pipeline the rest of the window's quota needs, against what is open in it
        (rows of `scope`)."""
        today = as_of or _today()
        period = self.window(window, today)
        names = ["quota_amount", "bookings_to_date", "open_pipeline", "pipeline_created",
                 "pipeline_created_count"]  # fmt: skip
        kpis = self.metrics.compute(names, period.label, as_of=today, scope=scope)
        ctx = self.context(today, scope)
        return created_vs_needed(ctx, period, {n: kpis.value(n) for n in names})


def _check_by(by: str | None) -> By | None:
    if by is None:
        return None
    if by not in BY_COLUMN:
        raise PipelineError(f"the pipeline can be sliced by {', '.join(BY_COLUMN)}, not {by!r}")
    return cast("By", by)


def _today() -> date:
    return datetime.now(UTC).date()
