"""What a connector is: a source of pages, each the API's own JSON for one request.

A connector knows its API (paging, cursors, errors); the sync engine
(:mod:`revops.ingest.connect.sync`) knows the warehouse. Between them is a
:class:`Page`: the files to load (the API's JSON, in the shape the shipped mappings read
for a file ingest), the cursor that loading them reaches, and the deletes they record.
Capabilities are small protocols, as ibis declares what a backend can do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Deletion:
    """A record the source deleted: `object` is the API's name (``customer``), `entity` the
    canonical table its rows are in."""

    object: str
    entity: str
    source_id: str
    deleted_at: datetime
    event_id: str = ""


@dataclass(frozen=True)
class StreamState:
    """Where a stream stands: its cursor, and whether its full pass is done."""

    cursor: str | None = None
    done: bool = False


@dataclass(frozen=True)
class Page:
    """One API response, ready to load.

    Args:
        stream: the stream it belongs to (``customers``, ``events``).
        name: a name stable for the same request (the cursor it was asked from), so a
            page fetched again after a crash replaces its own quarantine rows.
        files: file name → JSON text, in the shapes the shipped mappings read.
        state: the stream's state once this page is loaded.
        records: records the page holds.
        fields: object → the top-level fields its records carry (to report new ones).
        deletions: records the page says were deleted.
    """

    stream: str
    name: str
    files: Mapping[str, str]
    state: StreamState
    records: int = 0
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    deletions: Sequence[Deletion] = ()


@runtime_checkable
class Connector(Protocol):
    """A source API: its streams, and the pages of each from a state on."""

    source: str

    def check(self) -> None:
        """Make one small call: raises ConnectorError when the credentials do not work."""

    def streams(self) -> Sequence[str]:
        """The streams of a sync, in order (a full pass of lists, then changes)."""

    def pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        """The pages of `stream` after `state`, oldest change last loaded last."""


@runtime_checkable
class SupportsIncremental(Protocol):
    """A connector whose later syncs read only what changed since the cursor."""

    def start_full(self) -> dict[str, StreamState]:
        """The states a full sync starts from: list streams from the start, the change
        stream from now (so changes made during the full pass are read after it)."""


@runtime_checkable
class SupportsDeletes(Protocol):
    """A connector whose pages record deletes (:attr:`Page.deletions`)."""

    deletes: bool
