"""The quotas as known at the end of an as-of day: imported quota rows (`core.quota`) and
the quota plan versions revops applied (`quotas.version`, `quotas.quota`, written by
:mod:`revops.quotas`).

A plan version counts from the instant it was applied until the instant it was reverted:
as of a day, the version of a fiscal year is the latest one applied by the end of the day
and not reverted by then. So a quota applied later never changes attainment as of an
earlier day, and a revert changes only the days after it. A rep's planned quotas replace
that rep's imported quotas whose periods overlap the planned periods; team quotas and
other users' quotas stay.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics.sources import SourceContext

NAMESPACE = "quotas"
VERSIONS = "version"
ROWS = "quota"
PLAN_SOURCE = "revops_plan"
"""`source_system` of planned quota rows."""


def quotas_known(ctx: SourceContext, *, scoped: bool = True) -> ir.Table:
    """`core.quota`'s columns: imported quotas known on the as-of day, with the quota plan
    in effect then in place of the imported quotas it covers (amounts as stored)."""
    import ibis

    from revops.metrics.compile import moment

    core = ctx.raw("quota", scoped=scoped)
    warehouse = ctx.warehouse
    if not (warehouse.has_table(VERSIONS, NAMESPACE) and warehouse.has_table(ROWS, NAMESPACE)):
        return core
    versions = ctx.reader.whole(VERSIONS, NAMESPACE)
    cutoff = moment(versions, "applied_at", ctx.as_of + timedelta(days=1))
    live = versions.filter(
        (versions.applied_at < cutoff)
        & (versions.reverted_at.isnull() | (versions.reverted_at >= cutoff))
    )
    latest = live.group_by(_year="fiscal_year").aggregate(_version=live.version.max())
    chosen = live.join(latest, live.version == latest._version).select(
        _v="version", _applied_at="applied_at"
    )
    rows = ctx.reader.table(ROWS, NAMESPACE) if scoped else ctx.reader.whole(ROWS, NAMESPACE)
    planned = rows.join(chosen, rows.version == chosen._v)
    extra = {
        "source_system": ibis.literal(PLAN_SOURCE),
        "source_id": planned.quota_id,
        "created_at": planned._applied_at,
        "updated_at": planned._applied_at,
        "load_id": planned.version.cast("string"),
    }
    planned = planned.select(**{
        name: (extra[name] if name in extra else planned[name]
               if name in planned.columns else ibis.null().cast(core[name].type())
               ).cast(core[name].type()).name(name)
        for name in core.columns
    })  # fmt: skip
    spans = planned.group_by(_user="user_id").aggregate(
        _first=planned.period_start_date.min(), _last=planned.period_end_date.max()
    )
    kept = core.anti_join(
        spans,
        [
            core.user_id == spans._user,
            core.period_start_date <= spans._last,
            core.period_end_date >= spans._first,
        ],
    )
    return kept.union(planned)
