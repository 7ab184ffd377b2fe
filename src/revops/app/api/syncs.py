"""GET /api/v1/sync/status: each connected source's last sync (`revops sync status`)."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.deps import JobViewer, StateDep
from revops.app.views.syncs import SyncStatus, connector_syncs

router = APIRouter(tags=["jobs"])


@router.get("/sync/status")
def sync_status(state: StateDep, principal: JobViewer) -> SyncStatus:
    """Per synced source: its last sync time, status, cursor, rows read, duration, deletes
    and last error. Admin and RevOps users (the Jobs page's permission)."""
    return SyncStatus(sources=connector_syncs(state))
