"""What the warehouse keeps about syncs, beside the rows they load (namespace ``raw``):

- ``sync_state``: per source and stream, the cursor reached and whether the stream's full
  pass is done. It is written in the same transaction as the rows of the page that
  reached it, so a sync killed at any moment resumes from the last page loaded, without
  loss or duplicates.
- ``sync_run``: one row per sync run: when, how long, rows, deletes, new fields, errors.
- ``source_deletion``: records the source deleted, with the time (a soft delete: the
  canonical row stays, with its history).
- ``source_field``: the fields each source object has been seen with, so a new one is
  reported once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from revops.ingest.connect.protocol import Deletion, StreamState
from revops.warehouse import LoadSpec

if TYPE_CHECKING:
    import ibis.expr.schema as sch

    from revops.warehouse import Warehouse

NAMESPACE = "raw"
STATE = "sync_state"
RUN = "sync_run"
DELETION = "source_deletion"
FIELD = "source_field"

_SCHEMAS: dict[str, dict[str, str]] = {
    STATE: {
        "source_system": "string",
        "stream": "string",
        "cursor": "string",
        "is_done": "boolean",
        "updated_at": "timestamp('UTC')",
        "load_id": "string",
    },
    RUN: {
        "run_id": "string",
        "source_system": "string",
        "is_full": "boolean",
        "started_at": "timestamp('UTC')",
        "finished_at": "timestamp('UTC')",
        "seconds": "float64",
        "pages": "int64",
        "rows": "int64",
        "deletions": "int64",
        "new_fields": "string",
        "status": "string",
        "error": "string",
        "load_id": "string",
    },
    DELETION: {
        "source_system": "string",
        "object": "string",
        "entity": "string",
        "source_id": "string",
        "record_id": "string",
        "deleted_at": "timestamp('UTC')",
        "event_id": "string",
        "load_id": "string",
    },
    FIELD: {
        "source_system": "string",
        "object": "string",
        "field": "string",
        "first_seen_at": "timestamp('UTC')",
        "load_id": "string",
    },
}
_KEYS = {
    STATE: ("source_system", "stream"),
    DELETION: ("source_system", "object", "source_id"),
    FIELD: ("source_system", "object", "field"),
}


def schema(name: str) -> sch.Schema:
    """The ibis schema of one sync table."""
    import ibis

    return ibis.schema(_SCHEMAS[name])


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the sync tables that do not exist yet."""
    warehouse.ensure_tables(NAMESPACE, {name: schema(name) for name in _SCHEMAS})


def _table(name: str, rows: Sequence[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=schema(name).to_pyarrow())


def _upsert(name: str, rows: Sequence[dict[str, Any]]) -> LoadSpec:
    return LoadSpec(name, _table(name, rows), NAMESPACE, "upsert", _KEYS[name])


def state_specs(source: str, states: dict[str, StreamState]) -> LoadSpec:
    """The load that records `states` (stream → state) of `source`."""
    now = datetime.now(UTC)
    rows = [
        {
            "source_system": source,
            "stream": stream,
            "cursor": state.cursor,
            "is_done": state.done,
            "updated_at": now,
        }
        for stream, state in states.items()
    ]
    return _upsert(STATE, rows)


def deletion_spec(source: str, deletions: Iterable[Deletion]) -> LoadSpec:
    """The load that records `deletions` (the latest time wins for a record deleted twice)."""
    latest: dict[tuple[str, str], Deletion] = {}
    for d in deletions:
        key = (d.object, d.source_id)
        if key not in latest or d.deleted_at > latest[key].deleted_at:
            latest[key] = d
    rows = [
        {
            "source_system": source,
            "object": d.object,
            "entity": d.entity,
            "source_id": d.source_id,
            "record_id": f"{source}:{d.source_id}",
            "deleted_at": d.deleted_at,
            "event_id": d.event_id,
        }
        for d in latest.values()
    ]
    return _upsert(DELETION, rows)


def field_spec(source: str, fields: dict[str, set[str]]) -> LoadSpec:
    """The load that records fields first seen now (object → fields)."""
    now = datetime.now(UTC)
    rows = [
        {"source_system": source, "object": obj, "field": name, "first_seen_at": now}
        for obj, names in sorted(fields.items())
        for name in sorted(names)
    ]
    return _upsert(FIELD, rows)


def run_spec(row: dict[str, Any]) -> LoadSpec:
    """The load that appends one sync run."""
    return LoadSpec(RUN, _table(RUN, [row]), NAMESPACE, "append")


def read_states(warehouse: Warehouse, source: str) -> dict[str, StreamState]:
    """Each stream's stored state."""
    table = warehouse.table(STATE, NAMESPACE)
    rows = table.filter(table.source_system == source).to_pyarrow().to_pylist()
    return {r["stream"]: StreamState(r["cursor"], bool(r["is_done"])) for r in rows}


def known_fields(warehouse: Warehouse, source: str) -> dict[str, set[str]]:
    """The fields seen so far, by object."""
    table = warehouse.table(FIELD, NAMESPACE)
    rows = table.filter(table.source_system == source).to_pyarrow().to_pylist()
    found: dict[str, set[str]] = {}
    for r in rows:
        found.setdefault(r["object"], set()).add(r["field"])
    return found


@dataclass(frozen=True)
class SourceStatus:
    """One source's sync status, as `revops sync status` shows it."""

    source: str
    cursor: str | None
    last_run_at: datetime | None
    status: str
    rows: int
    seconds: float
    deletions: int
    error: str
    streams: dict[str, StreamState]


def statuses(warehouse: Warehouse, change_streams: Mapping[str, str]) -> list[SourceStatus]:
    """Every synced source's last run and cursors; `change_streams` names each source's
    stream of changes, whose cursor is the source's."""
    if not all(warehouse.has_table(name, NAMESPACE) for name in (STATE, RUN)):
        return []
    states = warehouse.table(STATE, NAMESPACE).to_pyarrow().to_pylist()
    runs = warehouse.table(RUN, NAMESPACE).to_pyarrow().to_pylist()
    sources = sorted({r["source_system"] for r in states} | {r["source_system"] for r in runs})
    found = []
    for source in sources:
        streams = {
            r["stream"]: StreamState(r["cursor"], bool(r["is_done"]))
            for r in states
            if r["source_system"] == source
        }
        mine = [r for r in runs if r["source_system"] == source]
        last = max(mine, key=lambda r: r["started_at"]) if mine else None
        changes = [s for name, s in streams.items() if name == change_streams.get(source)]
        found.append(
            SourceStatus(
                source=source,
                cursor=changes[0].cursor if changes else None,
                last_run_at=last["finished_at"] if last else None,
                status=last["status"] if last else "interrupted",
                rows=last["rows"] if last else 0,
                seconds=last["seconds"] if last else 0.0,
                deletions=last["deletions"] if last else 0,
                error=(last["error"] or "") if last else "",
                streams=streams,
            )
        )
    return found
