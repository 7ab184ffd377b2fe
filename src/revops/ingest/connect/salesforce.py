"""Salesforce through its REST API: SOQL queries of the objects the shipped mappings read,
each page kept as the API sent it (a query result is ``{"totalSize", "done", "records"}``
with each record's ``attributes.type``: the shape the sObject reader loads, so a page and a
Data Loader CSV of the same records load the same rows).

Every object is a stream, incremental from its cursor (the first sync and ``--full`` from
the start): ``SELECT <the described fields> FROM <Object> WHERE SystemModstamp >= <the
cursor's second> ORDER BY SystemModstamp, Id``, following ``nextRecordsUrl`` until
``done``. The cursor is the last record's ``SystemModstamp`` and ``Id``: the records of
the cursor's second up to it are read again and skipped, so a page boundary inside one
second loses nothing (SOQL's datetime literals have no milliseconds). Objects that never
change (``OpportunityFieldHistory``) have no ``SystemModstamp``: their ``CreatedDate`` is
the cursor.

Objects with ``IsDeleted`` are read with ``queryAll``: a record in the recycle bin comes
with ``IsDeleted: true`` and its delete time as ``SystemModstamp``; it is recorded as a
delete and not loaded, so its row stays as it was.

A full read of a large object (its first query page's ``totalSize`` at least the
connection's ``bulk_threshold``, 50,000 by default; 0: every object) goes through a Bulk
API 2.0 query job instead (:mod:`revops.ingest.connect.salesforce_bulk`): a few requests
whatever the size, where REST pages take 2,000 records a request at best. Incremental
reads stay on REST. Fields are those ``describe`` lists
(but compound address and location fields, which a Data Loader export leaves out too): a
field created in Setup is read from the next sync on, and reported.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff
from revops.ingest.connect.protocol import Deletion, Page, StreamState
from revops.ingest.connect.salesforce_api import SalesforceApi
from revops.ingest.connect.salesforce_bulk import BulkQuery, bulk_pages

if TYPE_CHECKING:
    from revops.ingest.connect.connection import Connection

ENTITIES = {
    "UserRole": "team",
    "User": "user",
    "Campaign": "campaign",
    "Account": "account",
    "Contact": "contact",
    "Lead": "lead",
    "CampaignMember": "campaign_touch",
    "OpportunityHistory": "opportunity_history",
    "OpportunityFieldHistory": "opportunity_field_change",
    "Opportunity": "opportunity",
    "Task": "activity",
    "Event": "activity",
}
"""The objects a sync reads, in order, and the canonical entity of their rows. Salesforce's
own history comes before the deals, as in a file ingest: a deal's snapshot then adds only
the versions it does not hold."""
LEFT_OUT_TYPES = frozenset({"address", "location", "base64"})
"""Field types not asked for: compound fields (their parts are fields of their own) and
file bodies."""
STAMPS = ("SystemModstamp", "CreatedDate", "LastModifiedDate")
BULK_THRESHOLD = 50_000
"""Records from which a full sync of an object uses a Bulk API 2.0 query job (REST pages
take 2,000 records a request at best; a job takes a few requests whatever its size)."""
BULK_MAX_RECORDS = 100_000
"""Records per Bulk API 2.0 result set (``maxRecords``): one page loaded at a time."""
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"
log = logging.getLogger(__name__)


class SalesforceConnector:
    """Salesforce's REST query API as pages of its own JSON."""

    source = "salesforce"
    deletes = True
    change_stream = "Opportunity"

    def __init__(self, connection: Connection, backoff: Backoff | None = None) -> None:
        self.connection = connection
        self.api = SalesforceApi(connection, backoff or Backoff())
        self._described: dict[str, tuple[list[str], str, bool] | None] = {}
        self._types: dict[str, dict[str, str]] = {}
        threshold = connection.bulk_threshold
        self.bulk_threshold = BULK_THRESHOLD if threshold is None else threshold
        self.bulk_max_records = BULK_MAX_RECORDS

    def streams(self) -> Sequence[str]:
        """The objects, roles and users first so references resolve in order."""
        return tuple(ENTITIES)

    def check(self) -> None:
        """One user asked for: raises ConnectorError when the credentials do not work."""
        self.api.get("User", "query", {"q": "SELECT Id FROM User LIMIT 1"})

    def start_full(self) -> dict[str, StreamState]:
        """Every object from the start."""
        return {stream: StreamState() for stream in self.streams()}

    def pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        """The pages of `stream` changed after `state`'s cursor, oldest change first."""
        described = self.describe(stream)
        if described is None:
            return
        fields, stamp, deletable = described
        since = _position(state.cursor, stream)
        bulk = BulkQuery(
            stream, ENTITIES[stream], fields, self._types[stream], stamp, deletable,
            self.bulk_max_records,
        )  # fmt: skip
        if since is None and self.bulk_threshold == 0:
            yield from bulk_pages(self.api, bulk)
            return
        soql = f"SELECT {', '.join(fields)} FROM {stream}"
        if since:
            soql += f" WHERE {stamp} >= {_literal(since[0], stream)}"
        soql += f" ORDER BY {stamp}, Id"
        headers = {"Sforce-Query-Options": f"batchSize={self.connection.page_size}"}
        body = self.api.get(stream, "queryAll" if deletable else "query", {"q": soql}, headers)
        total = body.get("totalSize")
        if since is None and isinstance(total, int) and total >= self.bulk_threshold:
            # The first page tells the object's size: a large one is read by a job.
            log.info("salesforce %s: %s records; reading them by a Bulk API job", stream, total)
            yield from bulk_pages(self.api, bulk)
            return
        cursor = state.cursor
        while True:
            page, cursor = _page(stream, body, stamp, fields, since, cursor)
            yield page
            following = body.get("nextRecordsUrl")
            if body.get("done", True) or not isinstance(following, str):
                return
            body = self.api.get(stream, following, None, headers)

    def describe(self, stream: str) -> tuple[list[str], str, bool] | None:
        """The fields to ask for, the cursor's field and whether deletes are kept; None for
        an object the org does not have."""
        if stream not in self._described:
            self._described[stream] = self._describe(stream)
        return self._described[stream]

    def _describe(self, stream: str) -> tuple[list[str], str, bool] | None:
        try:
            body = self.api.get(stream, f"sobjects/{stream}/describe")
        except ConnectorError as exc:
            if "(404)" not in str(exc):
                raise
            log.warning("salesforce %s: the org has no such object; not read", stream)
            return None
        described = body.get("fields")
        if not isinstance(described, list):
            raise ConnectorError(self.source, stream, "the describe answer lists no fields")
        kept = [
            f
            for f in described
            if isinstance(f, dict) and f.get("name") and f.get("type") not in LEFT_OUT_TYPES
        ]
        fields = [str(f["name"]) for f in kept]
        self._types[stream] = {str(f["name"]): str(f.get("type") or "") for f in kept}
        stamp = next((s for s in STAMPS if s in fields), None)
        if "Id" not in fields or stamp is None:
            raise ConnectorError(
                self.source, stream, "the object has no Id or no time to sync from"
            )
        return fields, stamp, "IsDeleted" in fields


def _page(
    stream: str,
    body: dict[str, Any],
    stamp: str,
    fields: list[str],
    since: tuple[str, str] | None,
    cursor: str | None,
) -> tuple[Page, str | None]:
    """One query result as a page, and the cursor after it."""
    records = body.get("records")
    name = f"{stream}-after-{re.sub(r'[^0-9A-Za-z]+', '', cursor or 'start')}"
    if not isinstance(records, list):
        raise ConnectorError("salesforce", stream, f"page {name}: no records list in the answer")
    kept: list[dict[str, Any]] = []
    deletions: list[Deletion] = []
    last = _position(cursor, stream)
    for record in records:
        at, record_id = _key(record, stamp, stream, name)
        if since and (at, record_id) <= since:
            continue  # read again from the cursor's second, loaded already
        if record.get("IsDeleted") is True:
            deletions.append(Deletion(stream, ENTITIES[stream], record_id, _moment(at, stream)))
        else:
            kept.append(record)
        last = (at, record_id)
    after = f"{last[0]}|{last[1]}" if last else cursor
    files = {f"{stream}.json": json.dumps({**body, "records": kept})} if kept else {}
    page = Page(
        stream,
        name,
        files,
        StreamState(after),
        len(kept) + len(deletions),
        {stream: frozenset(fields)},
        deletions,
    )
    return page, after


def _key(record: Any, stamp: str, stream: str, page: str) -> tuple[str, str]:
    """A record's place in the stream: its time and id."""
    at = record.get(stamp) if isinstance(record, dict) else None
    record_id = record.get("Id") if isinstance(record, dict) else None
    if not isinstance(at, str) or not isinstance(record_id, str) or not record_id:
        raise ConnectorError(
            "salesforce", stream, f"page {page}: a record has no Id or no {stamp}: cannot page on"
        )
    return at, record_id


def _position(cursor: str | None, stream: str) -> tuple[str, str] | None:
    if not cursor:
        return None
    at, found, record_id = cursor.partition("|")
    if not found:
        raise ConnectorError("salesforce", stream, f"the stored cursor {cursor!r} is not a time|id")
    return at, record_id


def _moment(text: str, stream: str) -> datetime:
    try:
        return datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        raise ConnectorError("salesforce", stream, f"{text!r} is not a Salesforce time") from None


def _literal(text: str, stream: str) -> str:
    """A SOQL datetime literal of the second of `text` (SOQL's literals have no
    milliseconds).

    Examples:
        >>> _literal("2024-05-01T10:02:03.500+0000", "Account")
        '2024-05-01T10:02:03Z'
    """
    from datetime import UTC

    return _moment(text, stream).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
