"""Run a connector's pages through the file ingest: same mappings, validation,
quarantine, history and atomic loads, with the stream's cursor committed in the
transaction of the page's last load.

Each page is written as the API's own JSON to a staging folder, loaded with
:func:`revops.ingest.runner.run` (so a page is exactly a file ingest of the API's
export), and removed. A page whose loads are interrupted is fetched again from the last
committed cursor: its earlier loads are upserts of the same rows and its quarantine rows
replace themselves (a page keeps its name), so a resumed sync ends with the rows of an
uninterrupted one.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from revops.errors import ConnectorError, RevOpsError
from revops.ingest import tables
from revops.ingest.connect import state
from revops.ingest.connect.protocol import Connector, Page, StreamState, SupportsIncremental
from revops.ingest.mapping import Mapping, all_mappings
from revops.ingest.references import check_references
from revops.ingest.report import FileNote, ObjectLoad
from revops.ingest.runner import run
from revops.warehouse.batch import new_load_id

if TYPE_CHECKING:
    from revops.warehouse import LoadSpec, Warehouse
    from revops.workspace import Workspace

log = logging.getLogger(__name__)
STAGING = Path(".revops") / "sync"


@dataclass
class SyncResult:
    """What one sync of one source did."""

    source: str
    run_id: str
    is_full: bool
    pages: int = 0
    records: int = 0
    """Records the API returned (events count once each)."""
    loads: list[ObjectLoad] = field(default_factory=list)
    notes: list[FileNote] = field(default_factory=list)
    deletions: int = 0
    new_fields: dict[str, list[str]] = field(default_factory=dict)
    """Object → fields seen for the first time (not reported on a source's first sync)."""
    reference_warnings: int = 0
    seconds: float = 0.0
    error: str = ""

    @property
    def rows_in(self) -> int:
        """Rows read by the mappings (a record can feed several)."""
        return sum(load.rows_in for load in self.loads)

    @property
    def changed(self) -> int:
        """Canonical rows inserted or updated."""
        return sum(load.inserted + load.updated for load in self.loads)

    @property
    def quarantined(self) -> int:
        """Rows refused, with the reason, in quarantine."""
        return sum(load.quarantined for load in self.loads)

    @property
    def rows_per_second(self) -> float:
        """Records fetched and loaded per second of the run."""
        return self.records / self.seconds if self.seconds else 0.0


def sync(
    workspace: Workspace,
    connector: Connector,
    *,
    full: bool = False,
    progress: Callable[[Page], None] | None = None,
) -> SyncResult:
    """Pull what changed in `connector`'s source since its cursor (everything on the first
    sync, or with `full`) into the warehouse.

    Two syncs of one source never run at once: the second stops (a lock file under
    ``.revops/locks/``, and a PostgreSQL advisory lock on a shared warehouse).

    Raises:
        ConnectorError: the API refused or kept failing, a page could not be loaded (the
            cursor stays at the last page loaded, and the run is recorded as failed), or
            another sync of the source is running.
    """
    from revops.automate.scheduler import job_lock, warehouse_lock

    source = connector.source
    workspace.init_warehouse()
    warehouse = workspace.warehouse
    tables.ensure_tables(warehouse)
    state.ensure_tables(warehouse)
    name = f"sync-{source}"
    with job_lock(workspace.root, name) as on_disk, warehouse_lock(warehouse, name) as shared:
        if not (on_disk and shared):
            raise ConnectorError(source, None, "another sync of this source is running now")
        return _sync(workspace, connector, full, progress)


def _sync(
    workspace: Workspace,
    connector: Connector,
    full: bool,
    progress: Callable[[Page], None] | None,
) -> SyncResult:
    source = connector.source
    warehouse = workspace.warehouse
    states = state.read_states(warehouse, source)
    is_full = full or not states
    result = SyncResult(source, new_load_id(), is_full)
    started = datetime.now(UTC)
    began = time.perf_counter()
    try:
        if is_full and isinstance(connector, SupportsIncremental):
            states = connector.start_full()
            warehouse.load_many([state.state_specs(source, states)])
        _pull(workspace, connector, states, result, progress)
    except BaseException as exc:  # recorded as failed, whatever stopped it, then raised
        result.error = str(exc) if isinstance(exc, RevOpsError) else f"{type(exc).__name__}: {exc}"
        raise
    finally:
        result.seconds = time.perf_counter() - began
        try:
            _record_run(warehouse, result, started)
        except RevOpsError:
            log.exception("the run of %s could not be recorded", source)
    return result


def _pull(
    workspace: Workspace,
    connector: Connector,
    states: dict[str, StreamState],
    result: SyncResult,
    progress: Callable[[Page], None] | None,
) -> None:
    warehouse = workspace.warehouse
    mappings = all_mappings(workspace.root)
    shutil.rmtree(workspace.root / STAGING / connector.source, ignore_errors=True)  # a killed run's
    known = state.known_fields(warehouse, connector.source)
    known_before = set(known)
    for stream in connector.streams():
        for page in connector.pages(stream, states.get(stream, StreamState())):
            if progress:
                progress(page)
            new = {
                obj: set(names) - known.get(obj, set())
                for obj, names in page.fields.items()
                if set(names) - known.get(obj, set())
            }
            if page.state == states.get(stream) and not (page.files or page.deletions or new):
                continue  # nothing to load or record: an object without changes costs no write
            _load_page(workspace, mappings, connector.source, page, new, result)
            for obj, names in new.items():
                known.setdefault(obj, set()).update(names)
                if obj in known_before:  # an object's first fields are not news
                    result.new_fields.setdefault(obj, []).extend(sorted(names))
                    log.warning("%s %s: new field(s) %s", connector.source, obj, sorted(names))
            states[stream] = page.state
    loaded = [load for load in result.loads if load.status == "loaded"]
    result.reference_warnings = check_references(warehouse, mappings, loaded)


def _load_page(
    workspace: Workspace,
    mappings: list[Mapping],
    source: str,
    page: Page,
    new_fields: dict[str, set[str]],
    result: SyncResult,
) -> None:
    """Load one page and commit its cursor with its rows, or raise without committing."""
    specs: list[LoadSpec] = [state.state_specs(source, {page.stream: page.state})]
    if page.deletions:
        specs.append(state.deletion_spec(source, page.deletions))
    if new_fields:
        specs.append(state.field_spec(source, new_fields))
    folder = workspace.root / STAGING / source / page.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, text in page.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    loads: list[ObjectLoad] = []
    try:
        if page.files:
            pages = run(
                workspace,
                [folder],
                source=source,
                mappings=mappings,
                commit_with=specs,
                prepare=False,
            )
            for item in pages:
                if isinstance(item, FileNote):
                    if item.level == "error":
                        raise ConnectorError(
                            source, page.stream, f"page {page.name} not loaded: {item.message}"
                        )
                    result.notes.append(item)
                    continue
                loads.append(item)
                if item.status == "failed":
                    raise ConnectorError(
                        source, page.stream, f"page {page.name} not loaded: {item.message}"
                    )
    except ConnectorError:
        raise
    except RevOpsError as exc:  # a batch the warehouse refused: named by source and page
        raise ConnectorError(source, page.stream, f"page {page.name} not loaded: {exc}") from None
    finally:
        result.loads += loads
        shutil.rmtree(folder, ignore_errors=True)
    if not loads:  # nothing to load: the cursor moves on its own
        workspace.warehouse.load_many(specs)
    result.pages += 1
    result.records += page.records
    result.deletions += len(page.deletions)


def _record_run(warehouse: Warehouse, result: SyncResult, started: datetime) -> None:
    new = "; ".join(f"{obj}: {', '.join(names)}" for obj, names in result.new_fields.items())
    row = {
        "run_id": result.run_id,
        "source_system": result.source,
        "is_full": result.is_full,
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "seconds": result.seconds,
        "pages": result.pages,
        "rows": result.records,
        "deletions": result.deletions,
        "new_fields": new,
        "status": "failed" if result.error else "ok",
        "error": result.error,
    }
    warehouse.load_many([state.run_spec(row)])
