"""Stripe through its official Python SDK (``stripe``): the SDK builds the requests, reads
the responses and pages (``next_page`` after the last id, ``previous_page`` before the
first); revops decides when to retry (rate limits and server errors, honouring
``Retry-After``) and what a failure means to the user.

Streams, in order:

- ``customers``, ``products``, ``subscriptions`` (``status=all``, with their items) and
  ``invoices`` (with their lines): a full pass over each list, newest first, the cursor
  being the last id loaded (``starting_after`` when resumed);
- ``events``: the changes since the cursor, oldest first (``ending_before`` the last
  event loaded). Each page's events become the files of a file ingest: the latest
  ``data.object`` of each customer, product, subscription and invoice it names, and its
  ``customer.subscription.*`` events themselves (the versions of subscription lines).
  ``customer.deleted``, ``product.deleted`` and ``invoice.deleted`` record a delete.

A subscription's ``items`` and an invoice's ``lines`` are lists inside the object that
Stripe cuts at 10 entries (``has_more: true``): such a list is completed before the page
is loaded, from ``/v1/subscription_items?subscription=ID`` or ``/v1/invoices/ID/lines``
with ``starting_after``, 100 at a time, so an invoice of 25 lines loads 25. An event's
object is completed with the entries as they are when the sync reads them (Stripe keeps
no older ones): a subscription version read from an older event may show items added
since.

A full sync first notes the newest event (or the time, when there is none): the events
after it are read once the lists are done, so nothing changed during the full pass is
missed. Stripe keeps events 30 days: sync more often than that, or run ``--full``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff, Retryable
from revops.ingest.connect.protocol import Deletion, Page, StreamState

if TYPE_CHECKING:
    import stripe as stripe_sdk

    from revops.ingest.connect.connection import Connection

LISTS: dict[str, str] = {
    "customers": "customer",
    "products": "product",
    "subscriptions": "subscription",
    "invoices": "invoice",
}
"""List streams and the object each holds."""
EVENTS = "events"
ENTITIES = {"customer": "account", "product": "product", "invoice": "invoice"}
"""Objects whose delete is recorded, and the canonical entity of their rows."""
CREATED = "created:"
CLOCK_MARGIN = 300
"""Seconds before now that a full sync of an account without events reads events from."""
NESTED = {"subscription": "items", "invoice": "lines"}
"""Objects holding a list Stripe cuts at 10 entries, and the list's field."""


class StripeConnector:
    """The Stripe API as pages of its own JSON."""

    source = "stripe"
    deletes = True
    change_stream = EVENTS

    def __init__(self, connection: Connection, backoff: Backoff | None = None) -> None:
        self.connection = connection
        self.backoff = backoff or Backoff()
        self._client: stripe_sdk.StripeClient | None = None

    @property
    def client(self) -> stripe_sdk.StripeClient:
        """The SDK's client, made on first use (the key is read then)."""
        if self._client is None:
            import stripe as stripe_sdk

            base = self.connection.base_url
            self._client = stripe_sdk.StripeClient(
                self.connection.api_key(),
                base_addresses={"api": base} if base else None,
                max_network_retries=0,  # retries are ours: the SDK's ignore Retry-After
            )
        return self._client

    def streams(self) -> Sequence[str]:
        """The list streams, then the events."""
        return (*LISTS, EVENTS)

    def check(self) -> None:
        """One customer asked for: raises ConnectorError when the key does not work."""
        self._call("customers", lambda: self._service("customers").list({"limit": 1}))

    def start_full(self) -> dict[str, StreamState]:
        """Lists from the start; events after the newest one now (or from now)."""
        newest = self._call(EVENTS, lambda: self._service(EVENTS).list({"limit": 1}))
        # Without an event, from a little before now: our clock may run ahead of Stripe's,
        # and an event read twice is loaded once.
        now = int(datetime.now(UTC).timestamp()) - CLOCK_MARGIN
        anchor = newest.data[0].id if newest.data else f"{CREATED}{now}"
        return {**{s: StreamState() for s in LISTS}, EVENTS: StreamState(anchor)}

    def pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        """The pages of `stream` after `state`."""
        if stream == EVENTS:
            yield from self._event_pages(state)
        elif not state.done:
            yield from self._list_pages(stream, state)

    def _service(self, stream: str) -> Any:
        return getattr(self.client.v1, stream)

    def _list_pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        params: dict[str, Any] = {"limit": min(self.connection.page_size, 100)}
        if stream == "subscriptions":
            params["status"] = "all"
        if state.cursor:
            params["starting_after"] = state.cursor
        page = self._call(stream, lambda: self._service(stream).list(params))
        cursor = state.cursor
        while True:
            body = _body(page, stream)
            records = body["data"]
            for record in records:
                self._complete(record, stream)
            name = f"{stream}-after-{cursor or 'start'}"
            cursor = _last_id(records, stream) if records else cursor
            done = not page.has_more or not records
            yield Page(
                stream,
                name,
                {f"{stream}.json": json.dumps(body)},
                StreamState(cursor, done),
                len(records),
                {LISTS[stream]: _fields(records)},
            )
            if done:
                return
            page = self._call(stream, page.next_page)

    def _event_pages(self, state: StreamState) -> Iterator[Page]:
        size = min(self.connection.page_size, 100)
        if state.cursor is None or state.cursor.startswith(CREATED):
            # No event to page from: every event since the time (few: the full pass's).
            since = int(state.cursor[len(CREATED) :]) if state.cursor else 0
            params = {"limit": size, "created": {"gte": since}}
            page = self._call(EVENTS, lambda: self._service(EVENTS).list(params))
            events = list(_body(page, EVENTS)["data"])
            while page.has_more:
                page = self._call(EVENTS, page.next_page)
                events += _body(page, EVENTS)["data"]
            events.reverse()
            label = state.cursor or "start"
            for n in range(0, len(events), size):
                chunk = events[n : n + size]
                page_of = _events_page(f"events-{label}-{n}", chunk, _last_id(chunk, EVENTS))
                yield self._completed(page_of)
            return
        cursor = state.cursor
        params = {"limit": size, "ending_before": cursor}
        page = self._call(EVENTS, lambda: self._service(EVENTS).list(params))
        while True:
            newest_first = _body(page, EVENTS)["data"]
            if not newest_first:
                return
            name = f"events-after-{cursor}"
            cursor = _last_id(newest_first[:1], EVENTS)
            yield self._completed(_events_page(name, list(reversed(newest_first)), cursor))
            if not page.has_more:
                return
            page = self._call(EVENTS, page.previous_page)

    def _complete(self, record: Any, stream: str) -> None:
        """Fill in `record`'s nested list (a subscription's items, an invoice's lines)
        when Stripe cut it, in place."""
        kind = record.get("object") if isinstance(record, dict) else None
        field = NESTED.get(kind) if isinstance(kind, str) else None
        nested = record.get(field) if field else None
        if not isinstance(nested, dict) or not nested.get("has_more"):
            return
        data = nested.get("data")
        owner = record.get("id")
        if not isinstance(data, list) or not data or not isinstance(owner, str):
            raise ConnectorError(
                self.source,
                stream,
                f"{kind} {owner}: its {field} list says it has more but holds none to page from",
            )
        v1: Any = self.client.v1  # the SDK's typed params ask for literals; ours are built
        while True:
            params: dict[str, Any] = {"limit": 100, "starting_after": _last_id(data, stream)}
            fetch: Callable[[], Any]
            if kind == "subscription":
                params["subscription"] = owner
                fetch = partial(v1.subscription_items.list, params)
            else:
                fetch = partial(v1.invoices.line_items.list, owner, params)
            page = self._call(stream, fetch)
            more = _body(page, stream)["data"]
            data.extend(more)
            if not page.has_more or not more:
                break
        nested["has_more"] = False

    def _completed(self, page: Page) -> Page:
        """An event page whose subscriptions and invoices (the latest objects, and the
        events' own) have their whole nested lists, each asked for once."""
        files = dict(page.files)
        done: dict[str, list[Any]] = {}
        for name in ("subscriptions.json", "invoices.json", "events.json"):
            if name not in files:
                continue
            body = json.loads(files[name])
            records = body["data"]
            if name == "events.json":
                records = [e.get("data", {}).get("object") for e in records]
            cut = [r for r in records if _is_cut(r)]
            for record in cut:
                field = NESTED[record["object"]]
                if record["id"] not in done:
                    self._complete(record, EVENTS)
                    done[record["id"]] = record[field]["data"]
                record[field].update(data=done[record["id"]], has_more=False)
            if cut:
                files[name] = json.dumps(body)
        return replace(page, files=files)

    def _call(self, stream: str, fn: Callable[[], Any]) -> Any:
        """`fn()` with retries; a failure that does not pass becomes one clear line."""
        import stripe as stripe_sdk

        def attempt() -> Any:
            try:
                return fn()
            except stripe_sdk.RateLimitError as exc:
                raise Retryable("rate limited (429)", _retry_after(exc)) from None
            except stripe_sdk.APIConnectionError as exc:
                raise Retryable(f"connection failed: {_network_problem(exc)}") from None
            except stripe_sdk.StripeError as exc:
                if (exc.http_status or 0) >= 500 or exc.http_status == 409:
                    raise Retryable(
                        f"server error ({exc.http_status})", _retry_after(exc)
                    ) from None
                raise ConnectorError(
                    self.source, stream, _explain(exc, stream, self.connection)
                ) from None

        return self.backoff.call(attempt, self.source, stream)


def _body(page: Any, stream: str) -> dict[str, Any]:
    """The page's JSON as the API sent it."""
    try:
        body = json.loads(page.last_response.body)
    except (AttributeError, TypeError, ValueError):
        raise ConnectorError(
            "stripe", stream, "the API answered something other than a list"
        ) from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ConnectorError("stripe", stream, "the API answered something other than a list")
    return body


def _last_id(records: Sequence[Any], stream: str) -> str:
    """The id of the last record: the cursor after it."""
    last = records[-1]
    if not isinstance(last, dict) or not isinstance(last.get("id"), str) or not last["id"]:
        raise ConnectorError("stripe", stream, "a record of the page has no id: cannot page on")
    return str(last["id"])


def _is_cut(record: Any) -> bool:
    """Whether `record` is a subscription or invoice whose nested list Stripe cut."""
    if not isinstance(record, dict) or record.get("object") not in NESTED:
        return False
    nested = record.get(NESTED[str(record["object"])])
    return isinstance(nested, dict) and bool(nested.get("has_more"))


def _fields(records: Sequence[Any]) -> frozenset[str]:
    return frozenset(k for r in records if isinstance(r, dict) for k in r)


def _events_page(name: str, events: list[dict[str, Any]], cursor: str) -> Page:
    """Events (oldest first) as the files a file ingest of them would read."""
    latest: dict[str, dict[str, dict[str, Any]]] = {}
    changes = []
    deletions = []
    fields: dict[str, set[str]] = {"event": set()}
    for event in events:
        if not isinstance(event, dict):
            raise ConnectorError("stripe", EVENTS, f"page {name}: an event is not an object")
        fields["event"].update(event)
        data = event.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        obj = obj if isinstance(obj, dict) else {}
        kind, kind_id, type_ = obj.get("object"), obj.get("id"), str(event.get("type", ""))
        if isinstance(kind, str) and kind in LISTS.values() and kind_id:
            latest.setdefault(kind, {})[kind_id] = obj
            fields.setdefault(kind, set()).update(obj)
        if type_.startswith("customer.subscription."):
            changes.append(event)
        if type_.endswith(".deleted") and kind in ENTITIES and kind_id:
            at = _moment(event, name)
            deletions.append(Deletion(kind, ENTITIES[kind], kind_id, at, str(event["id"])))
    files = {
        f"{stream}.json": _envelope(list(latest[kind].values()))
        for stream, kind in LISTS.items()
        if kind in latest
    }
    if changes:
        files["events.json"] = _envelope(changes)
    return Page(
        EVENTS,
        name,
        files,
        StreamState(cursor),
        len(events),
        {k: frozenset(v) for k, v in fields.items()},
        deletions,
    )


def _moment(event: dict[str, Any], page: str) -> datetime:
    """When an event happened (Unix seconds)."""
    try:
        return datetime.fromtimestamp(int(event["created"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ConnectorError(
            "stripe", EVENTS, f"page {page}: event {event.get('id')} has no valid created time"
        ) from None


def _envelope(records: list[dict[str, Any]]) -> str:
    return json.dumps({"object": "list", "data": records, "has_more": False})


def _network_problem(exc: Any) -> str:
    """The network error inside the SDK's paragraph about it, on one line."""
    text = " ".join(str(exc.user_message or exc).split())
    _, found, detail = text.partition("(Network error: ")
    return detail.removesuffix(")") if found else text


def _retry_after(exc: Any) -> float | None:
    headers = exc.headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _explain(exc: Any, stream: str, connection: Connection) -> str:
    """One line a user acts on, for an error the API will repeat if asked again."""
    import stripe as stripe_sdk

    where = f"the key from {connection.key_env or connection.secrets_file}"
    lines = (exc.user_message or str(exc) or "").strip().splitlines()
    message = lines[0] if lines else "no message"
    if isinstance(exc, stripe_sdk.AuthenticationError):
        body: dict[str, Any] = exc.json_body if isinstance(exc.json_body, dict) else {}
        error = body.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        if "api_key_expired" in (exc.code, code):
            return f"the API key has expired or was revoked (401): replace {where}"
        return f"the API key was refused (401): check {where} ({message})"
    if isinstance(exc, stripe_sdk.PermissionError):
        return (
            f"the API key may not read {stream} (403): give it read access to {stream} ({message})"
        )
    if stream == EVENTS and exc.code == "resource_missing":
        return (
            f"the event the cursor points at is gone ({message}); Stripe keeps events 30 "
            "days: run `revops sync stripe --full`"
        )
    status = f" ({exc.http_status})" if exc.http_status else ""
    return f"the API refused the request{status}: {message}"
