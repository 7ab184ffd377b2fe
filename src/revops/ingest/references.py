"""References of loaded rows that point at no record: found after a run's loads, kept as
warnings, counted for the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from revops.ingest import tables
from revops.model import get_entity

if TYPE_CHECKING:
    from revops.warehouse import Warehouse

from revops.ingest.mapping import Mapping
from revops.ingest.report import ObjectLoad


def check_references(
    warehouse: Warehouse, mappings: Sequence[Mapping], loads: Sequence[ObjectLoad]
) -> int:
    """Record references of loaded rows that point at no record (they load anyway).

    References are checked per source system and entity, over every mapping into it
    (Salesforce Task and Event both fill activity), after all loads of the run, so the
    order files load in does not matter. Returns the number of unresolved references.
    """
    import ibis

    by_name = {m.name: m for m in mappings}
    loaded = {
        (by_name[load.mapping].source, load.entity) for load in loads if load.mapping in by_name
    }
    name, namespace = tables.WARNING
    total = 0
    for source, entity_name in sorted(loaded):
        refs = {
            column: rule.ref
            for m in mappings
            if (m.source, m.entity) == (source, entity_name)
            for column, rule in m.columns.items()
            if rule.ref is not None
        }
        entity = get_entity(entity_name)
        rows = warehouse.table(entity.name, entity.namespace)
        found = []
        for column, ref in sorted(refs.items()):
            target = get_entity(ref)
            targets = warehouse.table(target.name, target.namespace)
            # An anti-join, not NOT IN: PostgreSQL runs NOT IN over a large subquery as a
            # nested loop (minutes at 200,000 accounts).
            referring = rows.filter(rows.source_system == source, rows[column].notnull())
            orphans = referring.anti_join(targets, referring[column] == targets[target.id_column])
            found.append(
                orphans.select(
                    source_system=ibis.literal(source),
                    entity=ibis.literal(entity.name),
                    id=orphans[entity.id_column],
                    source_id=orphans.source_id,
                    value=orphans[column],
                    column=ibis.literal(column),
                    reason=ibis.literal(f"no {target.name} with this id"),
                )
            )
        if not found:
            continue
        # Written by the warehouse from the query: millions of them never leave it.
        query = ibis.union(*found) if len(found) > 1 else found[0]
        scope = {"source_system": [source], "entity": [entity.name]}
        result = warehouse.load(name, query, namespace=namespace, mode="replace", scope=scope)
        total += result.inserted
    return total


def unresolved_references(warehouse: Warehouse) -> list[dict[str, Any]]:
    """How many references of each source, entity and column point at no record."""
    warnings = warehouse.table(*tables.WARNING)
    groups = warnings.group_by(["source_system", "entity", "column", "reason"]).aggregate(
        references=warnings.count()
    )
    return list(groups.order_by(groups.references.desc()).to_pyarrow().to_pylist())
