"""A full read of a large Salesforce object through a Bulk API 2.0 query job, as pages of
the REST query's own JSON (so a bulk page and a REST page of the same records load the
same rows).

The job (API version 47.0 and later):

1. ``POST /services/data/vXX.X/jobs/query`` with ``{"operation": "queryAll", "query":
   SOQL}`` (``query`` for an object without ``IsDeleted``): ``queryAll`` keeps the recycle
   bin, so deletes come as on the REST path;
2. ``GET .../jobs/query/{id}`` until ``state`` is ``JobComplete`` (``UploadComplete`` and
   ``InProgress`` wait, the wait doubling up to :data:`POLL_MAX` seconds); ``Failed`` or
   ``Aborted`` stops the sync with one line naming the object and the job's
   ``errorMessage``;
3. ``GET .../jobs/query/{id}/results?maxRecords=N`` and then ``&locator=L``: CSV, the next
   set's locator in the ``Sforce-Locator`` header (the text ``null`` after the last set).

CSV has no types: each value is typed back by the field's ``describe`` type (booleans,
numbers, datetimes written as REST writes them, an empty cell as null).

A Bulk API 2.0 result is not ordered, so the stream's cursor is not moved until the last
set is loaded: it then becomes the greatest ``(SystemModstamp, Id)`` the job read. A sync
killed during a job runs a new job on resume; the sets it loaded before are upserts of
the same rows.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from revops.errors import ConnectorError
from revops.ingest.connect.protocol import Deletion, Page, StreamState
from revops.ingest.connect.salesforce_api import API_VERSION, json_object

if TYPE_CHECKING:
    from revops.ingest.connect.salesforce_api import SalesforceApi

JOBS = "jobs/query"
POLL_FIRST = 0.5
POLL_MAX = 30.0
POLL_LIMIT = 4 * 3600.0
"""Seconds of waiting for one job before giving up (Salesforce ends a job at ten hours)."""
WAITING = frozenset({"UploadComplete", "InProgress"})
INTEGER_TYPES = frozenset({"int", "long"})
FLOAT_TYPES = frozenset({"double", "currency", "percent"})
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BulkQuery:
    """One object's full read: what to ask for and how to type the answer back."""

    stream: str
    entity: str
    fields: list[str]
    types: dict[str, str]
    stamp: str
    deletable: bool
    max_records: int


def bulk_pages(api: SalesforceApi, query: BulkQuery) -> Iterator[Page]:
    """The pages of one Bulk API 2.0 query job over `query`'s object, each a result set.

    Raises:
        ConnectorError: the job failed or was aborted, or a result set is not the CSV asked
            for (naming the object and the job).
    """
    stream = query.stream
    soql = f"SELECT {', '.join(query.fields)} FROM {stream}"
    operation = "queryAll" if query.deletable else "query"
    created = json_object(api.request(stream, "POST", JOBS, body={
        "operation": operation, "query": soql, "contentType": "CSV",
        "columnDelimiter": "COMMA", "lineEnding": "LF",
    }), stream)  # fmt: skip
    job = str(created.get("id") or "")
    if not job:
        raise ConnectorError("salesforce", stream, "the Bulk API 2.0 job was created without id")
    log.info("salesforce %s: Bulk API 2.0 %s job %s", stream, operation, job)
    _wait(api, stream, job)
    locator: str | None = None
    greatest: tuple[str, str] | None = None
    number = 0
    while True:
        params: dict[str, Any] = {"maxRecords": query.max_records}
        if locator:
            params["locator"] = locator
        response = api.request(stream, "GET", f"{JOBS}/{job}/results", params=params)
        following = response.headers.get("Sforce-Locator", "null")
        last = following in ("", "null")
        kept, deletions, greatest = _records(query, response.text, job, number, greatest)
        state = StreamState(f"{greatest[0]}|{greatest[1]}" if last and greatest else None)
        name = f"{stream}-bulk-{number}"
        body = {"totalSize": len(kept), "done": True, "records": kept}
        yield Page(
            stream,
            name,
            {f"{stream}.json": json.dumps(body)} if kept else {},
            state,
            len(kept) + len(deletions),
            {stream: frozenset(query.fields)},
            deletions,
        )
        if last:
            return
        locator = following
        number += 1


def _wait(api: SalesforceApi, stream: str, job: str) -> None:
    """Poll the job until it is complete."""
    pause = POLL_FIRST
    waited = 0.0
    while True:
        info = json_object(api.request(stream, "GET", f"{JOBS}/{job}"), stream)
        state = str(info.get("state") or "")
        if state == "JobComplete":
            log.info(
                "salesforce %s: job %s complete, %s records",
                stream, job, info.get("numberRecordsProcessed"),
            )  # fmt: skip
            return
        if state not in WAITING:
            why = " ".join(str(info.get("errorMessage") or "no error message").split())
            raise ConnectorError(
                "salesforce",
                stream,
                f"the Bulk API 2.0 query job {job} on {stream} ended {state or 'without a state'}"
                f": {why}",
            )
        if waited >= POLL_LIMIT:
            raise ConnectorError(
                "salesforce",
                stream,
                f"the Bulk API 2.0 query job {job} on {stream} is still {state} after "
                f"{waited / 3600:.0f} h; it is left to Salesforce",
            )
        api.backoff.sleep(pause)  # the backoff's sleep: tests record the waits
        waited += pause
        pause = min(pause * 2, POLL_MAX)


def _records(
    query: BulkQuery,
    text: str,
    job: str,
    number: int,
    greatest: tuple[str, str] | None,
) -> tuple[list[dict[str, Any]], list[Deletion], tuple[str, str] | None]:
    """One result set's records as the REST API writes them, its deletes, and the
    greatest (stamp, Id) read so far."""
    stream = query.stream
    where = f"Bulk API 2.0 job {job}, result set {number + 1}"
    reader = csv.DictReader(io.StringIO(text))
    missing = {"Id", query.stamp} - set(reader.fieldnames or ())
    if missing:
        raise ConnectorError(
            "salesforce", stream, f"{where}: no {', '.join(sorted(missing))} column in the CSV"
        )
    kept: list[dict[str, Any]] = []
    deletions: list[Deletion] = []
    for line, row in enumerate(reader, start=2):
        record = {name: typed(row.get(name), query.types.get(name, "")) for name in query.fields}
        at, record_id = record.get(query.stamp), record.get("Id")
        if not isinstance(at, str) or not isinstance(record_id, str):
            raise ConnectorError(
                "salesforce", stream, f"{where}, line {line}: no Id or no {query.stamp}"
            )
        if greatest is None or (at, record_id) > greatest:
            greatest = (at, record_id)
        if record.get("IsDeleted") is True:
            moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%f%z")
            deletions.append(Deletion(stream, query.entity, record_id, moment))
            continue
        url = f"/services/data/{API_VERSION}/sobjects/{stream}/{record_id}"
        kept.append({"attributes": {"type": stream, "url": url}, **record})
    return kept, deletions, greatest


def typed(value: str | None, kind: str) -> Any:
    """A CSV cell as the REST API's JSON holds it.

    Examples:
        >>> typed("true", "boolean"), typed("", "string"), typed("50", "int")
        (True, None, 50)
        >>> typed("12000.0", "currency"), typed("2024-05-01T00:01:00.000Z", "datetime")
        (12000.0, '2024-05-01T00:01:00.000+0000')
    """
    if value is None or value == "":
        return None
    if kind == "boolean":
        return value.lower() == "true"
    try:
        if kind in INTEGER_TYPES:
            return int(value)
        if kind in FLOAT_TYPES:
            return float(value)
    except ValueError:
        return value  # left as text: the mapping's validation quarantines it, named
    if kind == "datetime" and value.endswith("Z"):
        return value[:-1] + "+0000"
    return value
