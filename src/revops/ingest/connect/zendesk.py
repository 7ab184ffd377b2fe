"""Zendesk Support through its incremental exports, with ``httpx``: each export page is
kept as the API sent it (the shape the ``zendesk/*`` mappings read from a hand export),
and the page's own paging link or cursor is what is committed with its rows.

Streams, each incremental from its cursor (the first sync and ``--full`` from the start):

- ``organizations``: ``/api/v2/incremental/organizations.json?start_time=`` (time-based:
  the cursor is the page's ``end_time``; the record at that time is read again next, as
  Zendesk documents, and loads unchanged);
- ``users`` and ``tickets``: ``/api/v2/incremental/{users,tickets}/cursor.json`` (cursor
  based: the cursor is the page's ``after_cursor``; ``end_of_stream`` ends a sync);
- ``satisfaction_ratings``: ``/api/v2/satisfaction_ratings.json?start_time=`` with cursor
  pagination (``page[size]``, ``page[after]``, ``meta.has_more``): within a sync the cursor
  is the start time and the page's ``after_cursor``; once done, the latest ``updated_at``
  read, the next sync's start time.

Rate limits: a 429 is waited out for its ``Retry-After``; and before that, a sync slows
down by itself: when an answer says a limit has at most :data:`RESERVE` request left —
``Zendesk-RateLimit-incremental-exports: total=10; remaining=1; resets=38`` on the
exports (10 a minute, 30 with the High Volume add-on), ``ratelimit-remaining`` (or
``X-Rate-Limit-Remaining``) account-wide — the next request waits for the reset
(``resets``, ``ratelimit-reset``, else a minute), so other clients of the account keep
their share and the sync does not spend its retries on 429s.

Deletes: a ticket with status ``deleted``, a user no longer ``active``, an organisation with
``deleted_at``. Why not ``zenpy``: see docs/connectors.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff, Retryable
from revops.ingest.connect.protocol import Deletion, Page, StreamState

if TYPE_CHECKING:
    import httpx

    from revops.ingest.connect.connection import Connection

TIME_BASED = {"organizations": "/api/v2/incremental/organizations.json"}
CURSOR_BASED = {
    "users": "/api/v2/incremental/users/cursor.json",
    "tickets": "/api/v2/incremental/tickets/cursor.json",
}
RATINGS = ("satisfaction_ratings", "/api/v2/satisfaction_ratings.json")
ENTITIES = {"organizations": "account", "users": "contact", "tickets": "support_ticket"}
OBJECTS = {"organizations": "organization", "users": "user", "tickets": "ticket"}
RESERVE = 1
"""Requests of a rate limit left unused: at this many remaining, wait for the reset."""
EXPORTS_LIMIT = "zendesk-ratelimit-incremental-exports"
log = logging.getLogger(__name__)


class ZendeskConnector:
    """Zendesk Support's incremental exports as pages of their own JSON."""

    source = "zendesk"
    deletes = True
    change_stream = "tickets"

    def __init__(self, connection: Connection, backoff: Backoff | None = None) -> None:
        if not connection.base_url:
            raise ConnectorError(
                self.source,
                None,
                "no base URL: connect with --base-url https://<subdomain>.zendesk.com",
            )
        if not connection.user:
            raise ConnectorError(
                self.source, None, "no user: connect with --user <the token's agent e-mail>"
            )
        self.connection = connection
        self.base = connection.base_url.rstrip("/")
        self.backoff = backoff or Backoff()
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """An HTTP client authenticated with the API token (read now)."""
        if self._client is None:
            import httpx

            auth = httpx.BasicAuth(f"{self.connection.user}/token", self.connection.api_key())
            self._client = httpx.Client(auth=auth, timeout=60.0, follow_redirects=False)
        return self._client

    def streams(self) -> Sequence[str]:
        """Organisations, users, tickets, then ratings (so their references resolve)."""
        return (*TIME_BASED, *CURSOR_BASED, RATINGS[0])

    def check(self) -> None:
        """One page of one ticket: raises ConnectorError when the token does not work."""
        self._get(
            "tickets", f"{self.base}{CURSOR_BASED['tickets']}", {"start_time": 0, "per_page": 1}
        )

    def start_full(self) -> dict[str, StreamState]:
        """Every stream from the start."""
        return {stream: StreamState() for stream in self.streams()}

    def pages(self, stream: str, state: StreamState) -> Iterator[Page]:
        """The pages of `stream` after `state`, oldest changes first."""
        size = self.connection.page_size
        if stream == RATINGS[0]:
            yield from self._rating_pages(state)
            return
        if stream in TIME_BASED:
            start = state.cursor or "0"
            url: str | None = f"{self.base}{TIME_BASED[stream]}"
            params: dict[str, Any] | None = {"start_time": start, "per_page": size}
            while url:
                body = self._get(stream, url, params)
                cursor = str(body.get("end_time", start))
                yield self._page(stream, f"{stream}-from-{start}", body, cursor)
                if body.get("end_of_stream", True) or cursor == start:
                    return
                start, params = cursor, {"start_time": cursor, "per_page": size}
            return
        params = {"cursor": state.cursor} if state.cursor else {"start_time": 0}
        params["per_page"] = size
        name = state.cursor or "start"
        while True:
            body = self._get(stream, f"{self.base}{CURSOR_BASED[stream]}", params)
            after = body.get("after_cursor")
            if not isinstance(after, str) or not after:
                raise ConnectorError(
                    self.source, stream, f"page {stream}-after-{name}: no after_cursor"
                )
            yield self._page(stream, f"{stream}-after-{name}", body, after)
            if body.get("end_of_stream", True) or after == name:
                return
            name, params = after, {"cursor": after, "per_page": size}

    def _rating_pages(self, state: StreamState) -> Iterator[Page]:
        stream, path = RATINGS
        position = dict(part.split("=", 1) for part in (state.cursor or "start=0").split(";"))
        start, after = position.get("start", "0"), position.get("after")
        latest = int(position.get("max", start))
        while True:
            params: dict[str, Any] = {"start_time": start, "page[size]": self.connection.page_size}
            if after:
                params["page[after]"] = after
            body = self._get(stream, f"{self.base}{path}", params)
            records = body.get(stream)
            for record in records if isinstance(records, list) else []:
                changed = _epoch(record.get("updated_at") if isinstance(record, dict) else None)
                latest = max(latest, changed if changed is not None else latest)
            meta = body.get("meta")
            more = isinstance(meta, dict) and bool(meta.get("has_more"))
            following = meta.get("after_cursor") if more and isinstance(meta, dict) else None
            cursor = (
                f"start={start};after={following};max={latest}" if following else f"start={latest}"
            )
            yield self._page(
                stream, f"{stream}-from-{start}-after-{after or 'start'}", body, cursor
            )
            if not following:
                return
            after = str(following)

    def _page(self, stream: str, name: str, body: dict[str, Any], cursor: str) -> Page:
        records = body.get(stream)
        if not isinstance(records, list):
            raise ConnectorError(
                self.source, stream, f"page {name}: no {stream} list in the answer"
            )
        deletions = [d for r in records if (d := _deletion(stream, r)) is not None]
        fields = frozenset(k for r in records if isinstance(r, dict) for k in r)
        files = {f"{stream}.json": json.dumps(body)} if records else {}
        return Page(
            stream, name, files, StreamState(cursor), len(records), {stream: fields}, deletions
        )

    def _get(self, stream: str, url: str, params: dict[str, Any] | None) -> dict[str, Any]:
        """One GET with retries; a failure that does not pass becomes one clear line."""
        import httpx

        def attempt() -> dict[str, Any]:
            try:
                response = self.client.get(url, params=params)
            except httpx.HTTPError as exc:
                raise Retryable(f"connection failed: {type(exc).__name__}: {exc}") from None
            if response.status_code == 429 or response.status_code >= 500:
                raise Retryable(
                    f"{'rate limited' if response.status_code == 429 else 'server error'} "
                    f"({response.status_code})",
                    _retry_after(response.headers.get("Retry-After")),
                )
            if response.status_code != 200:
                raise ConnectorError(self.source, stream, self._explain(response, stream))
            try:
                body = response.json()
            except ValueError:
                raise ConnectorError(
                    self.source, stream, "the API answered something that is not JSON"
                ) from None
            if not isinstance(body, dict):
                raise ConnectorError(
                    self.source, stream, "the API answered something other than a page"
                )
            pause = rate_limit_wait(response.headers)
            if pause:
                pause = min(pause, self.backoff.max_wait)
                log.info("zendesk %s: rate limit nearly used up; waiting %.0fs", stream, pause)
                self.backoff.sleep(pause)
            return body

        return self.backoff.call(attempt, self.source, stream)

    def _explain(self, response: httpx.Response, stream: str) -> str:
        where = f"the token from {self.connection.key_env or self.connection.secrets_file}"
        try:
            body = response.json()
        except ValueError:
            body = {}
        detail = body.get("description") or body.get("error") if isinstance(body, dict) else None
        message = " ".join(str(detail or response.reason_phrase).split())
        if response.status_code == 401:
            return (
                f"the API token was refused (401): check {where} and the user "
                f"{self.connection.user} ({message})"
            )
        if response.status_code == 403:
            return (
                f"the API token may not read {stream} (403): the export needs an admin's "
                f"token ({message})"
            )
        return f"the API refused the request ({response.status_code}): {message}"


def _deletion(stream: str, record: Any) -> Deletion | None:
    """The delete a record of an export says, if any."""
    if not isinstance(record, dict) or record.get("id") is None:
        return None
    deleted = (
        (stream == "tickets" and record.get("status") == "deleted")
        or (stream == "users" and record.get("active") is False)
        or (stream == "organizations" and bool(record.get("deleted_at")))
    )
    if not deleted:
        return None
    when = record.get("deleted_at") or record.get("updated_at")
    try:
        at = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
    except ValueError:
        raise ConnectorError(
            "zendesk", stream, f"record {record['id']} is deleted at no valid time"
        ) from None
    return Deletion(OBJECTS[stream], ENTITIES[stream], str(record["id"]), at)


def _epoch(value: Any) -> int | None:
    """Unix seconds of an ISO 8601 time, None when it is not one."""
    try:
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def rate_limit_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait before the next request, when an answer's rate-limit headers say a
    limit has at most RESERVE requests left (the longest of the limits' resets); None
    otherwise. `headers` must match names without regard to case, as httpx's do.

    Examples:
        >>> rate_limit_wait({EXPORTS_LIMIT: "total=10; remaining=1; resets=38"})
        38.0
        >>> rate_limit_wait({EXPORTS_LIMIT: "total=10; remaining=7; resets=38"}) is None
        True
        >>> rate_limit_wait({"ratelimit-remaining": "0", "ratelimit-reset": "12"})
        12.0
        >>> rate_limit_wait({"x-rate-limit-remaining": "1"})
        60.0
    """
    waits = []
    exports = headers.get(EXPORTS_LIMIT)
    if exports:
        parts = dict(p.strip().partition("=")[::2] for p in exports.split(";"))
        left, reset = _number(parts.get("remaining")), _number(parts.get("resets"))
        if left is not None and left <= RESERVE:
            waits.append(60.0 if reset is None else reset)
    left = _number(headers.get("ratelimit-remaining") or headers.get("x-rate-limit-remaining"))
    if left is not None and left <= RESERVE:
        reset = _number(headers.get("ratelimit-reset"))
        waits.append(60.0 if reset is None else reset)
    return max(waits) if waits else None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
