"""Engine source of the data-quality score: the stored results of quality runs.

`revops quality run` (revops.quality, a layer above) evaluates the rules and stores one
row per entity and owner in `quality_score`; this engine reads the latest of those runs
made as of the window's end, so the metric layer needs no knowledge of the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

QUALITY_COLUMNS = ("quality_run_id", "as_of_date", "entity_name", "owner_id", "records", "passing")


@engine(
    "quality_result",
    "One row per entity and owner of the latest quality run (per entity) evaluated as of "
    "the window's last day (or the as-of day) or before: records checked and passing, "
    "those that pass every rule applying to them.",
    QUALITY_COLUMNS,
    windowed=True,
)
def quality_results(ctx: SourceContext, period: Period) -> ir.Table:
    """The latest stored quality run of each entity known at the window's end."""
    import ibis

    from revops.metrics.compile import moment

    scores = ctx.raw("quality_score")
    last = min(period.last_day, ctx.as_of)
    # A run evaluated as of a later day used data the window's end did not have.
    known = scores.filter(scores.as_of_date <= moment(scores, "as_of_date", last))
    newest = ibis.window(
        group_by=known.entity_name,
        order_by=[
            ibis.desc(known.as_of_date),
            ibis.desc(known.run_at),
            ibis.desc(known.quality_run_id),
        ],
    )
    ranked = known.mutate(_rank=ibis.dense_rank().over(newest))
    latest = ranked.filter(ranked._rank == 0)
    return latest.select(
        "quality_run_id",
        "as_of_date",
        "entity_name",
        "owner_id",
        records=latest.records.cast("int64"),
        passing=latest.passing.cast("int64"),
    )
