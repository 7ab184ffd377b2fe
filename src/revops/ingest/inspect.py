"""Looking back at ingest: the load log, where a row came from, what was refused, and
a dry run of a mapping on a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import RevOpsError
from revops.ingest import tables
from revops.ingest.mapping import load_mapping_file
from revops.ingest.readers import read_files
from revops.ingest.runner import allowed_for
from revops.ingest.transform import MappedRows, engine, map_rows
from revops.model import get_entity

if TYPE_CHECKING:
    import pyarrow as pa

    from revops.config import RevOpsConfig
    from revops.warehouse import Warehouse


def load_log(warehouse: Warehouse, limit: int) -> list[dict[str, Any]]:
    """The `limit` latest loads, newest first."""
    if not warehouse.has_table(*tables.LOG):
        return []
    log = warehouse.table(*tables.LOG)
    rows = log.order_by(log.finished_at.desc()).limit(limit).to_pyarrow().to_pylist()
    return list(rows)


def trace(warehouse: Warehouse, entity_name: str, record: str) -> dict[str, Any]:
    """Where the canonical row `record` (its canonical or source id) came from.

    Raises:
        RevOpsError: no such row.
    """
    entity = get_entity(entity_name)
    rows = warehouse.table(entity.name, entity.namespace)
    found = (
        rows.filter((rows[entity.id_column] == record) | (rows.source_id == record))
        .to_pyarrow()
        .to_pylist()
    )
    if not found:
        raise RevOpsError(f"no {entity.name} with id or source id {record!r}")
    row = found[0]
    document: dict[str, Any] = {"row": row}
    if warehouse.has_table(*tables.LOG):
        log = warehouse.table(*tables.LOG)
        loads = log.filter(log.load_id == row["load_id"]).to_pyarrow().to_pylist()
        document["load"] = loads[0] if loads else None
    for other in _history_entities(entity.name):
        versions = warehouse.table(other.name, other.namespace)
        key = other.history_key
        assert key is not None
        document["history"] = (
            versions.filter(versions[key] == row[entity.id_column])
            .order_by("valid_from")
            .drop("load_id")
            .to_pyarrow()
            .to_pylist()
        )
    refused = warehouse.table(*tables.REJECTED)
    document["quarantine"] = (
        refused.filter(refused.entity == entity.name, refused.source_id == row["source_id"])
        .select("file", "row", "field", "value", "reason", "load_id")
        .to_pyarrow()
        .to_pylist()
    )
    return document


def _history_entities(entity: str) -> list[Any]:
    from revops.model import ENTITIES

    return [e for e in ENTITIES.values() if e.history_key == f"{entity}_id"]


def quarantined(
    warehouse: Warehouse, mapping: str | None = None, *, flagged: bool = False
) -> pa.Table:
    """Every quarantined field (or, `flagged`, every value loaded with a warning),
    ordered by file and row."""
    table = warehouse.table(*(tables.FLAGGED if flagged else tables.REJECTED))
    if mapping is not None:
        table = table.filter(table.mapping == mapping)
    return table.order_by(["mapping", "file", "row", "column"]).to_pyarrow()


@dataclass(frozen=True)
class CheckResult:
    """A mapping run on a file without loading."""

    mapped: MappedRows


def check_mapping(mapping_file: Path, data: Path, config: RevOpsConfig) -> list[CheckResult]:
    """Run each mapping of `mapping_file` on the rows of `data`, loading nothing."""
    mappings = load_mapping_file(mapping_file)
    sources = list(read_files([data]))
    with engine() as con:
        return [
            CheckResult(
                map_rows(
                    con,
                    mapping,
                    [s for s in sources if s.object == mapping.object] or sources[:1],
                    {s.object: [s] for s in sources},
                    allowed_for(mapping, config),
                )
            )
            for mapping in mappings
        ]
