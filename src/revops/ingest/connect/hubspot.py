"""HubSpot CRM (v3) as pages of its own JSON, through the official SDK
(:mod:`revops.ingest.connect.hubspot_api`). Every page is a ``{"results": [...]}`` answer,
the shape the shipped ``hubspot/*`` mappings read from a file (the API-page reader
flattens each record's ``properties`` and its ``associations``).

Streams, in order:

- ``owners``: every owner, active then archived (``GET /crm/v3/owners``), on every sync
  (owners have no search; a portal has few);
- ``companies``, ``contacts`` (with their companies) and ``deals`` (with their companies
  and contacts): a full pass over ``GET /crm/v3/objects/{object}`` asking for every
  property (so a new one is seen and reported), then the changes through
  ``POST /crm/v3/objects/{object}/search`` on the modification time (``lastmodifieddate``
  for contacts, ``hs_lastmodifieddate`` otherwise, ascending). A full sync first notes
  each object's newest modification: the search starts there once the pass is done, so a
  record changed during the pass is read again. Search answers carry no associations:
  they are read for the page's records from ``POST /crm/v4/associations/.../batch/read``
  and put in the records in the list's shape. A deal's stage history is its
  ``hs_date_entered_<stage>`` properties, as in a file export;
- ``companies_archived``, ``contacts_archived``, ``deals_archived``: the archived records
  (``archived=true``), each recorded once as a delete at its ``archivedAt``.

A record with more associations than one answer holds (a list answer's ``associations``
with ``paging``, a batch read's result with ``paging.next.after``) has them all read
before its page is loaded: the batch read again with ``{"id", "after"}`` until no
``paging`` is left, so the primary company is found among hundreds. A contact that others
were merged into names them in ``hs_merged_object_ids``: each merged-away id is recorded
as a delete (``event_id`` ``merged into <id>``, at the survivor's modification), so its
row stays with its history and is known to be gone.

The cursor of an object is ``since=<ms>`` (the newest modification read), with the page
reached (``after=``) while a pass or a search is under way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff
from revops.ingest.connect.hubspot_api import SOURCE, HubSpotAPI
from revops.ingest.connect.protocol import Deletion, Page, StreamState

if TYPE_CHECKING:
    from revops.ingest.connect.connection import Connection

OWNERS = "owners"
OBJECTS = ("companies", "contacts", "deals")
ENTITIES = {"companies": "account", "contacts": "contact", "deals": "opportunity"}
MODIFIED = {"companies": "hs_lastmodifieddate", "contacts": "lastmodifieddate"}
ASSOCIATIONS = {"companies": (), "contacts": ("companies",), "deals": ("companies", "contacts")}
SINGULAR = {"companies": "company", "contacts": "contact", "deals": "deal"}
ARCHIVED = "_archived"
SEARCH_WINDOW = 10_000
"""HubSpot's search pages no further than this: the search starts again from the newest
modification read before it gets there."""


class HubSpotConnector:
    """HubSpot's CRM objects, owners and archived records as pages of its own JSON."""

    source = SOURCE
    deletes = True
    change_stream = "deals"

    def __init__(self, connection: Connection, backoff: Backoff | None = None) -> None:
        self.connection = connection
        self.api = HubSpotAPI(connection, backoff or Backoff())
        self.size = min(connection.page_size, 100)

    def streams(self) -> Sequence[str]:
        """Owners, the objects (companies first, so references resolve), their archives."""
        return (OWNERS, *OBJECTS, *(f"{o}{ARCHIVED}" for o in OBJECTS))

    def check(self) -> None:
        """One owner asked for: raises ConnectorError when the token does not work."""
        self.api.owners(limit=1)

    def start_full(self) -> dict[str, StreamState]:
        """Every list from the start; each object's search from its newest change now."""
        states = {stream: StreamState() for stream in self.streams()}
        for stream in OBJECTS:
            states[stream] = StreamState(f"since={self._newest(stream)}")
        return states

    def pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        """The pages of `stream` after `state`."""
        if stream == OWNERS:
            yield from self._owner_pages(state)
        elif stream in OBJECTS:
            yield from self._object_pages(stream, state)
        elif stream.removesuffix(ARCHIVED) in OBJECTS:
            yield from self._archived_pages(stream, state)
        else:
            raise ConnectorError(self.source, stream, "no such stream")

    def _newest(self, stream: str) -> int:
        """The newest modification time of `stream`'s records (0 when it has none)."""
        prop = MODIFIED.get(stream, "hs_lastmodifieddate")
        request = {
            "sorts": [{"propertyName": prop, "direction": "DESCENDING"}],
            "properties": [prop],
            "limit": 1,
        }
        results = _results(self.api.search(stream, request), stream)
        return _millis(results[0], prop, stream) if results else 0

    def _owner_pages(self, state: StreamState) -> Iterator[Page]:
        phase, _, after = ("active;" if state.done else state.cursor or "active;").partition(";")
        while True:
            params: dict[str, Any] = {
                "limit": self.size,
                "archived": "true" if phase == "archived" else "false",
            }
            if after:
                params["after"] = after
            body = self.api.owners(**params)
            records = _results(body, OWNERS)
            following = _next(body)
            name = f"owners-{phase}-after-{after or 'start'}"
            if following:
                cursor = StreamState(f"{phase};{following}")
            else:
                cursor = StreamState("archived;", phase == "archived")
            fields = frozenset(k for r in records for k in r)
            files = {"owners.json": json.dumps(body)} if records else {}
            yield Page(OWNERS, name, files, cursor, len(records), {OWNERS: fields})
            if following:
                after = following
            elif phase == "active":
                phase, after = "archived", ""
            else:
                return

    def _object_pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        names = self.api.properties(stream)
        at = _position(state.cursor)
        since = int(at["since"]) if "since" in at else self._newest(stream)
        if not state.done:
            after = at.get("after")
            while True:
                params: dict[str, Any] = {
                    "limit": self.size,
                    "properties": names,
                    "archived": "false",
                }
                if ASSOCIATIONS[stream]:
                    params["associations"] = list(ASSOCIATIONS[stream])
                if after:
                    params["after"] = after
                body = self.api.objects(stream, **params)
                cut = [r for r in _results(body, stream) if _has_more_associations(r)]
                if cut:
                    self._associate(stream, cut)
                following = _next(body)
                cursor = f"since={since};after={following}" if following else f"since={since}"
                name = f"{stream}-after-{after or 'start'}"
                yield self._page(stream, name, body, StreamState(cursor, not following))
                if not following:
                    break
                after = following
            at = {}
        yield from self._search_pages(stream, names, since, at.get("after"), int(at.get("max", 0)))

    def _search_pages(
        self, stream: str, names: list[str], since: int, after: str | None, latest: int
    ) -> Iterator[Page]:
        prop = MODIFIED.get(stream, "hs_lastmodifieddate")
        latest = max(latest, since)
        while True:
            request: dict[str, Any] = {
                "filterGroups": [
                    {"filters": [{"propertyName": prop, "operator": "GTE", "value": str(since)}]}
                ],
                "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                "properties": names,
                "limit": self.size,
            }
            if after:
                request["after"] = after
            body = self.api.search(stream, request)
            records = _results(body, stream)
            for record in records:
                latest = max(latest, _millis(record, prop, stream))
            self._associate(stream, records)
            following = _next(body)
            if following and int(following) + self.size > SEARCH_WINDOW:
                following = None  # start again from the newest read
                again = latest > since
            else:
                again = False
            cursor = (
                f"since={since};after={following};max={latest}" if following else f"since={latest}"
            )
            name = f"{stream}-since-{since}-after-{after or 0}"
            yield self._page(stream, name, body, StreamState(cursor, True))
            if following:
                after = following
            elif again:
                since, after = latest, None
            else:
                return

    def _associate(self, stream: str, records: list[dict[str, Any]]) -> None:
        """Put each record's associations in it, as the list answer holds them: all of
        them, a record's further pages asked for with its ``after``."""
        ids = [str(r["id"]) for r in records if r.get("id") is not None]
        if not ids:
            return
        for to in ASSOCIATIONS[stream]:
            linked: dict[str, list[dict[str, str]]] = {}
            kind = f"{SINGULAR[stream]}_to_{SINGULAR[to]}"
            inputs = [{"id": i} for i in ids]
            while inputs:
                body = self.api.associations(stream, to, inputs)
                inputs = []
                for item in _results(body, stream):
                    source_id = str((item.get("from") or {}).get("id"))
                    for target in item.get("to") or []:
                        labels = [t.get("label") for t in target.get("associationTypes") or []]
                        type_ = kind if "Primary" in labels else f"{kind}_unlabeled"
                        found = {"id": str(target.get("toObjectId")), "type": type_}
                        linked.setdefault(source_id, []).append(found)
                    after = _next(item)
                    if after:
                        inputs.append({"id": source_id, "after": after})
            for record in records:
                associations = record.setdefault("associations", {})
                if str(record.get("id")) in linked:
                    associations[to] = {"results": linked[str(record["id"])]}
                else:
                    associations.pop(to, None)
                if not associations:
                    del record["associations"]

    def _archived_pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        obj = stream.removesuffix(ARCHIVED)
        at = _position(state.cursor)
        since, after = int(at.get("since", -1)), at.get("after")
        latest = int(at.get("max", since))
        while True:
            params: dict[str, Any] = {"limit": self.size, "archived": "true"}
            if after:
                params["after"] = after
            body = self.api.objects(obj, **params)
            records = _results(body, obj)
            deletions = []
            for record in records:
                when = _millis(record, "archivedAt", obj)
                latest = max(latest, when)
                if when > since:
                    at_time = datetime.fromtimestamp(when / 1000, UTC)
                    deletions.append(Deletion(obj, ENTITIES[obj], str(record["id"]), at_time))
            following = _next(body)
            cursor = (
                f"since={since};after={following};max={latest}" if following else f"since={latest}"
            )
            name = f"{stream}-since-{since}-after-{after or 'start'}"
            yield Page(stream, name, {}, StreamState(cursor, True), len(records), {}, deletions)
            if not following:
                return
            after = following

    def _page(self, stream: str, name: str, body: dict[str, Any], state: StreamState) -> Page:
        records = _results(body, stream)
        fields = frozenset(
            k for r in records if isinstance(r.get("properties"), dict) for k in r["properties"]
        )
        files = {f"{stream}.json": json.dumps(body)} if records else {}
        merged = _merged(records, stream) if stream == "contacts" else []
        return Page(stream, name, files, state, len(records), {stream: fields}, merged)


def _has_more_associations(record: dict[str, Any]) -> bool:
    """Whether a list answer's record holds only the first page of an association."""
    associations = record.get("associations")
    if not isinstance(associations, dict):
        return False
    return any(isinstance(v, dict) and _next(v) for v in associations.values())


def _merged(records: list[dict[str, Any]], stream: str) -> list[Deletion]:
    """The contacts merged away into these (``hs_merged_object_ids``, ``;``-separated), as
    deletes at the survivor's modification."""
    found = []
    for record in records:
        properties = record.get("properties") or {}
        ids = str(properties.get("hs_merged_object_ids") or "")
        merged = [i.strip() for i in ids.split(";") if i.strip() and i.strip() != record["id"]]
        if not merged:
            continue
        at = datetime.fromtimestamp(_millis(record, MODIFIED[stream], stream) / 1000, UTC)
        for source_id in merged:
            found.append(
                Deletion(stream, ENTITIES[stream], source_id, at, f"merged into {record['id']}")
            )
    return found


def _results(body: dict[str, Any], stream: str) -> list[dict[str, Any]]:
    results = body.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise ConnectorError(SOURCE, stream, "the API answered something other than results")
    return results


def _next(body: dict[str, Any]) -> str | None:
    """The `after` of the next page, None on the last."""
    paging = body.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    after = following.get("after") if isinstance(following, dict) else None
    return str(after) if after not in (None, "") else None


def _millis(record: dict[str, Any], prop: str, stream: str) -> int:
    """A record's time (a property, else a top-level field) in Unix milliseconds."""
    properties = record.get("properties")
    value = properties.get(prop) if isinstance(properties, dict) else None
    value = value if value is not None else record.get(prop)
    try:
        if str(value).isdigit():
            return int(str(value))
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        raise ConnectorError(
            SOURCE, stream, f"record {record.get('id')} has no valid {prop}: {value!r}"
        ) from None


def _position(cursor: str | None) -> dict[str, str]:
    """A cursor's parts: ``since=1;after=2`` → ``{"since": "1", "after": "2"}``."""
    return dict(part.split("=", 1) for part in (cursor or "").split(";") if "=" in part)
