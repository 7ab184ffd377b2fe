"""The warehouse tables ingest keeps beside the canonical model: what each load did (and
the digest of what it read), the rows it refused, the values it loaded but flagged, and
the references it could not resolve."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.schema as sch

    from revops.warehouse import Warehouse

LOG = ("ingest_log", "raw")
FINGERPRINT = ("ingest_fingerprint", "raw")
REJECTED = ("rejected_row", "quarantine")
WARNING = ("reference_warning", "quarantine")
FLAGGED = ("flagged_value", "quarantine")

_FIELD_ROWS = {
    "mapping": "string",
    "source_system": "string",
    "object": "string",
    "entity": "string",
    "file": "string",
    "row": "int64",
    "source_id": "string",
    "field": "string",
    "column": "string",
    "value": "string",
    "reason": "string",
    "record": "string",
    "load_id": "string",
}
"""A field of a source row: the quarantined ones and the flagged ones alike."""

_SCHEMAS: dict[tuple[str, str], dict[str, str]] = {
    LOG: {
        "load_id": "string",
        "mapping": "string",
        "source_system": "string",
        "object": "string",
        "entity": "string",
        "files": "string",
        "started_at": "timestamp('UTC')",
        "finished_at": "timestamp('UTC')",
        "status": "string",
        "message": "string",
        "rows_in": "int64",
        "inserted": "int64",
        "updated": "int64",
        "unchanged": "int64",
        "duplicates": "int64",
        "quarantined": "int64",
        "skipped": "int64",
        "released": "int64",
        "history_rows": "int64",
    },
    FINGERPRINT: {"mapping": "string", "fingerprint": "string", "load_id": "string"},
    REJECTED: _FIELD_ROWS,
    FLAGGED: _FIELD_ROWS,
    WARNING: {
        "source_system": "string",
        "entity": "string",
        "id": "string",
        "source_id": "string",
        "column": "string",
        "value": "string",
        "reason": "string",
        "load_id": "string",
    },
}


def schema(table: tuple[str, str]) -> sch.Schema:
    """The ibis schema of one ingest table."""
    import ibis

    return ibis.schema(_SCHEMAS[table])


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the ingest tables that do not exist yet (the namespaces already do)."""
    for name, namespace in _SCHEMAS:
        if not warehouse.has_table(name, namespace):
            warehouse.create_table(name, schema((name, namespace)), namespace)
