"""References to merged records: which columns point at a merged table, and which rows
still point at a record a merge removed.

The columns come from the canonical model (each column's `ref`), so a table added to the
model is re-pointed by merges and checked here without a list to keep up to date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from revops.identity.crosswalk import NAMESPACE
from revops.model import ENTITIES, references_to

if TYPE_CHECKING:
    from revops.warehouse import Warehouse

MERGED_TABLES = ("account", "contact", "lead")
"""Tables whose duplicates merges fold together."""


def referencing(entity: str) -> tuple[tuple[str, str], ...]:
    """The (table, column) pairs whose column holds ids of `entity`, from the model.

    Examples:
        >>> ("lifecycle_event", "person_id") in referencing("contact")
        True
        >>> ("campaign_touch", "person_id") in referencing("lead")
        True
    """
    return references_to(entity)


@dataclass(frozen=True)
class Dangling:
    """Rows of one column that point at records merges removed."""

    table: str
    column: str
    entity: str
    rows: int

    def as_row(self) -> dict[str, object]:
        """The finding as one flat row for output."""
        return {"table": self.table, "column": self.column, "points_at": self.entity,
                "rows": self.rows}  # fmt: skip


def merged_away(warehouse: Warehouse) -> dict[str, list[str]]:
    """Per merged table, the ids applied merges removed (the merge log is one row per
    merge: a bounded read)."""
    if not warehouse.has_table("merge", NAMESPACE):
        return {}
    log = warehouse.table("merge", NAMESPACE)
    rows = (
        log.filter(log.status == "applied").select("entity", "merged_ids").to_pyarrow().to_pylist()
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["entity"], []).extend(json.loads(row["merged_ids"]))
    return found


def dangling_references(warehouse: Warehouse) -> list[Dangling]:
    """Every referencing column with its rows that point at a record a merge removed and
    that is not in its table again; one entry per (table, column, entity), zeros included.
    """
    import ibis
    import pyarrow as pa

    removed = merged_away(warehouse)
    findings = []
    for entity in MERGED_TABLES:
        ids = removed.get(entity, [])
        for table_name, column in referencing(entity):
            spec = ENTITIES[table_name]
            if not ids or not warehouse.has_table(table_name, spec.namespace):
                findings.append(Dangling(table_name, column, entity, 0))
                continue
            gone = ibis.memtable(pa.table({"_gone_id": pa.array(sorted(set(ids)), pa.string())}))
            target = warehouse.table(entity)
            alive = target.select(_alive_id=target[f"{entity}_id"])
            gone = gone.anti_join(alive, gone._gone_id == alive._alive_id)
            table = warehouse.table(table_name, spec.namespace)
            pointing = table.semi_join(gone, table[column] == gone._gone_id)
            findings.append(Dangling(table_name, column, entity, int(pointing.count().execute())))
    return findings
