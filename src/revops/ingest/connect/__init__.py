"""API connectors: store a connection, sync a source incrementally, show the state.

The modules, each with one job: `connection` (where a source is and where its key is),
`protocol` (pages and capabilities), `backoff` (retries), `state` (cursors, runs, deletes
and fields in the warehouse), `sync` (pages through the file ingest), `registry` and one
module per source (`stripe`, `zendesk`, `hubspot` with `hubspot_api`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.ingest.connect.connection import Connection, get_connection, save_connection
from revops.ingest.connect.registry import CHANGE_STREAMS, SOURCES, create_connector

if TYPE_CHECKING:
    from pathlib import Path

    from revops.ingest.connect.state import SourceStatus
    from revops.ingest.connect.sync import SyncResult
    from revops.workspace import Workspace

__all__ = ["SOURCES", "Connection", "connect", "status", "sync_source"]


def connect(root: Path, connection: Connection, *, check: bool = True) -> Path:
    """Store `connection` in the workspace at `root`, after one call that proves the key
    works (unless not `check`). Returns the connections file.

    Raises:
        ConnectorError: the key is missing or refused, or the secrets file is misplaced.
    """
    if check:
        create_connector(connection).check()
    return save_connection(root, connection)


def sync_source(workspace: Workspace, source: str, *, full: bool = False) -> SyncResult:
    """Sync one connected source (see :func:`revops.ingest.connect.sync.sync`)."""
    from revops.ingest.connect.sync import sync

    connector = create_connector(get_connection(workspace.root, source))
    return sync(workspace, connector, full=full)


def status(workspace: Workspace) -> list[SourceStatus]:
    """Each synced source's cursor, last run, rows, duration and error (`revops sync
    status`, the cockpit's RevOps home and GET /api/v1/sync/status), read through the
    calling thread's warehouse connection."""
    from revops.ingest.connect.state import statuses

    return statuses(workspace.reading_warehouse(), CHANGE_STREAMS)
