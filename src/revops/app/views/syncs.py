"""Connector syncs as the cockpit shows them: per connected source its last sync, status,
cursor, rows, duration and last error — the rows of `revops sync status`, from the same
function (:func:`revops.ingest.connect.status`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from revops.app.state import AppState


class ConnectorSync(BaseModel):
    """One source's last sync."""

    source: str = Field(description="The source API: hubspot, salesforce, stripe, zendesk.")
    last_sync_at: str | None = Field(
        description="When the last sync finished (UTC, to the second); None when a sync was "
        "interrupted before it recorded its run."
    )
    status: str = Field(description="ok, failed or interrupted.")
    cursor: str | None = Field(description="Where the source's stream of changes stands.")
    rows: int = Field(description="Records the last sync read from the API.")
    seconds: float = Field(description="How long the last sync took.")
    deletions: int = Field(description="Deletes the last sync recorded.")
    error: str = Field(description="Why the last sync failed, in one line ('' when it did not).")


class SyncStatus(BaseModel):
    """Every synced source's state (the JSON of GET /api/v1/sync/status)."""

    sources: list[ConnectorSync]


def connector_syncs(state: AppState) -> list[ConnectorSync]:
    """Every synced source's last sync, read now (a sync writes no load the page cache
    watches, so this is never cached)."""
    from revops.ingest.connect import status

    with state.reading():
        found = status(state.workspace)
    return [
        ConnectorSync(
            source=s.source,
            last_sync_at=s.last_run_at.isoformat()[:19] if s.last_run_at else None,
            status=s.status,
            cursor=s.cursor,
            rows=s.rows,
            seconds=round(s.seconds, 2),
            deletions=s.deletions,
            error=s.error,
        )
        for s in found
    ]
