"""Engine source of the duplicate rate: the records identity resolution has clustered.

It reads the `identity.crosswalk` table identity resolution writes (`revops identity
run`); the metric layer knows the table, not the code that fills it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

CROSSWALK_COLUMNS = {
    "kind": "string",
    "entity": "string",
    "source_system": "string",
    "record_id": "string",
    "cluster_id": "string",
}


@engine(
    "identity_record",
    "One row per record identity resolution has clustered (identity.crosswalk, as of its "
    "latest run, whatever the window): kind (person, company), record_object (the table and "
    "system, e.g. 'lead (salesforce)'), is_duplicate (1 when another record of the same "
    "table and system is in its cluster, else 0).",
    ("kind", "record_object", "record_id", "is_duplicate"),
    windowed=True,
)
def identity_records(ctx: SourceContext, period: Period) -> ir.Table:
    """The crosswalk's records with whether each has a duplicate in its own object."""
    import ibis

    if not ctx.warehouse.has_table("crosswalk", "identity"):
        ctx.warnings.append("no identity crosswalk yet: run `revops identity run` first")
        empty = ibis.memtable({c: [] for c in CROSSWALK_COLUMNS}, schema=CROSSWALK_COLUMNS)
        crosswalk = empty
    else:
        crosswalk = ctx.stored("crosswalk", "identity")
    obj = crosswalk.entity + " (" + crosswalk.source_system + ")"
    window = ibis.window(group_by=[crosswalk.cluster_id, crosswalk.entity, crosswalk.source_system])
    return crosswalk.select(
        kind=crosswalk.kind,
        record_object=obj,
        record_id=crosswalk.record_id,
        is_duplicate=ibis.ifelse(crosswalk.count().over(window) > 1, 1, 0),
    )
