"""History from snapshots: a new version whenever a re-ingested record's tracked columns
changed, so successive exports build the history a forecast needs even when the source
ships none.

A version is compared with the latest one the warehouse holds for the record. A column
that version leaves empty is treated as unknown rather than changed when the version
was shipped by the source (Salesforce OpportunityHistory carries no owner), so loading a
source's own history and its snapshots together adds no duplicate versions; a version
derived here knows every tracked column and is compared on all of them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from revops.ingest.mapping import Mapping
from revops.model import get_entity

if TYPE_CHECKING:
    from revops.warehouse import Warehouse

DERIVED = "snapshot:"
"""Prefix of the source id of versions derived from snapshots (source ids never have it)."""


def changed_versions(
    warehouse: Warehouse, mapping: Mapping, rows: pa.Table, loaded_at: datetime
) -> pa.Table | None:
    """The versions to append to the mapping's history entity for the snapshot `rows`.

    `rows` are the canonical rows about to load. Each record whose tracked columns differ
    from its latest version, or that has none yet, gets a version valid from its
    `updated_at` (the load time when the source gives none).
    """
    if mapping.history is None or rows.num_rows == 0:
        return None
    import ibis

    entity = get_entity(mapping.entity)
    history = get_entity(mapping.history.entity)
    key = history.history_key
    assert key is not None  # validated by the mapping
    carried = [c.name for c in history.columns if c.name in rows.column_names and c.name != key]
    tracked = list(mapping.history.track)
    fallback = pa.scalar(loaded_at.astimezone(UTC), pa.timestamp("us", tz="UTC"))
    updated = rows.column("updated_at") if "updated_at" in rows.column_names else None
    valid_from = (
        pc.fill_null(updated.cast(pa.timestamp("us", tz="UTC")), fallback)
        if updated is not None
        else pa.array([fallback.as_py()] * rows.num_rows, pa.timestamp("us", tz="UTC"))
    )
    incoming = pa.table(
        {
            key: rows.column(entity.id_column),
            "source_id": rows.column("source_id"),
            "valid_from": valid_from,
            **{c: rows.column(c) for c in carried},
        }
    )
    new = ibis.memtable(incoming)
    versions = warehouse.table(history.name, history.namespace)
    latest = (
        versions.mutate(
            _rank=ibis.row_number().over(
                group_by=versions[key], order_by=versions.valid_from.desc()
            )
        )
        .filter(lambda t: t._rank == 0)
        .select(
            key,
            _latest_from=versions.valid_from,
            _derived=versions.source_id.startswith(DERIVED),
            **{f"_latest_{c}": versions[c] for c in tracked},
        )
    )
    joined = new.left_join(latest, new[key] == latest[key])
    differs = [
        (joined[f"_latest_{c}"].notnull() & ~joined[c].identical_to(joined[f"_latest_{c}"]))
        | (joined[f"_latest_{c}"].isnull() & joined[c].notnull() & joined._derived)
        for c in tracked
    ]
    changed = joined.filter(joined._latest_from.isnull() | ibis.or_(*differs))
    # A version cannot start before the one it follows.
    start = ibis.greatest(
        changed.valid_from, changed._latest_from + ibis.interval(seconds=1)
    ).fill_null(changed.valid_from)
    result = changed.select(
        key, *carried, valid_from=start, snapshot_id=changed.source_id
    ).to_pyarrow()
    if result.num_rows == 0:
        return None
    seconds = result.column("valid_from").cast(pa.timestamp("s", tz="UTC"), safe=False)
    stamp = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
    source_id = pc.binary_join_element_wise(DERIVED, result.column("snapshot_id"), ":", stamp, "")
    return (
        result.drop_columns(["snapshot_id"])
        .append_column("source_id", source_id)
        .append_column(
            history.id_column,
            pc.binary_join_element_wise(f"{mapping.source}:", source_id, ""),
        )
        .append_column("source_system", pa.array([mapping.source] * result.num_rows, pa.string()))
    )
