"""A fake Zendesk Support API on 127.0.0.1 (real HTTP, a random port, in a thread) for
connector tests.

It serves the documented incremental exports in their shapes (as in Zendesk's API
reference and tests/fixtures/zendesk): the cursor-based ``/api/v2/incremental/tickets/
cursor.json`` and ``users/cursor.json`` (``start_time`` or ``cursor``, ``per_page``;
``after_cursor``, ``after_url``, ``end_of_stream``) and the time-based
``/api/v2/incremental/organizations.json`` (``start_time``; ``next_page``, ``end_time``,
``end_of_stream``; the record at the page's end time is listed again on the next page, as
Zendesk does). Records come in ``updated_at`` order; deleted tickets stay with status
``deleted``, deleted users with ``active: false``, deleted organisations with
``deleted_at``. Errors: 401 ``Couldn't authenticate you``, 403 for a token without access
to an export, scripted 429s (``Retry-After``) and 5xx; with :meth:`FakeZendesk.limit`,
the rate-limit headers Zendesk documents (``X-Rate-Limit``, ``X-Rate-Limit-Remaining``,
``ratelimit-remaining``, ``ratelimit-reset`` and on the incremental exports
``Zendesk-RateLimit-incremental-exports: total=N; remaining=R; resets=S``) and a 429
with ``Retry-After`` once a minute's budget is used up.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

EMAIL = "agent@northwind.example"
TOKEN = "zd_token_fake"
NO_ORGANIZATIONS = "zd_token_noorgs"
START = 1714521600  # 2024-05-01T00:00:00Z
CURSOR_PATHS = {
    "/api/v2/incremental/tickets/cursor.json": "tickets",
    "/api/v2/incremental/users/cursor.json": "users",
}
TIME_PATHS = {"/api/v2/incremental/organizations.json": "organizations"}
RATINGS_PATH = "/api/v2/satisfaction_ratings.json"


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credentials(email: str, token: str) -> str:
    return base64.b64encode(f"{email}/token:{token}".encode()).decode()


class FakeZendesk:
    """The organisations, end users and tickets of one Zendesk account."""

    def __init__(self, *, customers: int = 6, seed: int = 7) -> None:
        self.seed = seed
        self.clock = START
        self.store: dict[str, dict[int, dict[str, Any]]] = {
            "organizations": {},
            "users": {},
            "tickets": {},
            "satisfaction_ratings": {},
        }
        self.faults: list[tuple[str, int, dict[str, str]]] = []
        self.budgets: dict[str, list[int]] = {}
        """Rate limits served: ``exports`` (the incremental exports' own) and ``account``
        → [total, remaining] for the current minute; none: no rate-limit headers."""
        self.resets = 38
        self.requests: list[str] = []
        """The paths asked for (past the credentials check), in order."""
        self.limited = 0
        """429s served because a budget was used up."""
        self.lock = threading.Lock()
        self.base = ""
        for n in range(customers):
            self.add_customer(n)

    def _tick(self) -> int:
        self.clock += 60
        return self.clock

    def _touch(self, record: dict[str, Any]) -> None:
        record["updated_at"] = iso(self._tick())

    def add_customer(self, n: int, name: str | None = None) -> int:
        """An organisation, one end user in it and two tickets the user opened."""
        at = self._tick()
        org_id = 360061230000 + n
        self.store["organizations"][org_id] = {
            "url": f"https://northwind.zendesk.com/api/v2/organizations/{org_id}.json",
            "id": org_id,
            "name": name or f"Company {n:04d}",
            "shared_tickets": False,
            "shared_comments": False,
            "external_id": None,
            "created_at": iso(at),
            "updated_at": iso(at),
            "deleted_at": None,
            "domain_names": [f"c{n:04d}.example"],
            "details": "",
            "notes": "",
            "group_id": None,
            "tags": ["customer"],
            "organization_fields": {"region": None},
        }
        user_id = 398810000 + n
        at = self._tick()
        self.store["users"][user_id] = {
            "id": user_id,
            "url": f"https://northwind.zendesk.com/api/v2/users/{user_id}.json",
            "name": f"Person {n:04d}",
            "email": f"person@c{n:04d}.example",
            "created_at": iso(at),
            "updated_at": iso(at),
            "time_zone": "UTC",
            "phone": None,
            "locale": "en-US",
            "organization_id": org_id,
            "role": "end-user",
            "verified": True,
            "external_id": None,
            "tags": [],
            "active": True,
            "suspended": False,
            "user_fields": {},
        }
        for k in range(2):
            self.add_ticket(5000 + 10 * n + k, user_id, org_id, solved=k == 0)
        return org_id

    def add_ticket(self, ticket_id: int, user_id: int, org_id: int, solved: bool) -> None:
        at = self._tick()
        self.store["tickets"][ticket_id] = {
            "url": f"https://northwind.zendesk.com/api/v2/tickets/{ticket_id}.json",
            "id": ticket_id,
            "external_id": None,
            "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso(at),
            "updated_at": iso(at),
            "generated_timestamp": at,
            "type": "question",
            "subject": f"Question {ticket_id}",
            "description": "How do I export?",
            "priority": "normal",
            "status": "solved" if solved else "open",
            "requester_id": user_id,
            "submitter_id": user_id,
            "assignee_id": None,
            "organization_id": org_id,
            "group_id": None,
            "tags": [],
            "custom_fields": [{"id": 360004812331, "value": None}],
            "satisfaction_rating": {"score": "good" if solved else "unoffered"},
            "is_public": True,
        }
        if solved:
            self.rate(ticket_id)

    def rate(self, ticket_id: int, score: str = "good") -> int:
        """The requester's answer to the survey of a solved ticket."""
        ticket = self.store["tickets"][ticket_id]
        rating_id = 82000 + ticket_id
        at = iso(self._tick())
        self.store["satisfaction_ratings"][rating_id] = {
            "url": f"https://northwind.zendesk.com/api/v2/satisfaction_ratings/{rating_id}.json",
            "id": rating_id,
            "assignee_id": None,
            "group_id": None,
            "requester_id": ticket["requester_id"],
            "ticket_id": ticket_id,
            "score": score,
            "created_at": at,
            "updated_at": at,
            "comment": "",
            "reason": "No reason provided",
            "reason_code": 0,
            "reason_id": 0,
        }
        ticket["satisfaction_rating"] = {"score": score, "id": rating_id, "comment": ""}
        return rating_id

    # -- mutations between syncs --------------------------------------------------------
    def rename_organization(self, org_id: int, name: str) -> None:
        with self.lock:
            record = self.store["organizations"][org_id]
            record["name"] = name
            self._touch(record)

    def solve(self, ticket_id: int, rating: str | None = None) -> None:
        """Solve a ticket; with `rating`, its requester answers the survey too."""
        with self.lock:
            record = self.store["tickets"][ticket_id]
            record["status"] = "solved"
            if rating:
                self.rate(ticket_id, rating)
            self._touch(record)

    def delete_ticket(self, ticket_id: int) -> None:
        with self.lock:
            record = self.store["tickets"][ticket_id]
            record["status"] = "deleted"
            self._touch(record)

    def new_customer(self, n: int, name: str) -> int:
        with self.lock:
            return self.add_customer(n, name)

    def limit(self, exports: int, account: int) -> None:
        """Serve rate-limit headers, and a 429 once a minute's budget is used up."""
        self.budgets = {"exports": [exports, exports], "account": [account, account]}

    def next_minute(self) -> None:
        """The limits reset."""
        for budget in self.budgets.values():
            budget[1] = budget[0]

    def _metered(self, path: str) -> tuple[dict[str, str], bool]:
        """The rate-limit headers of a request to `path`, and whether it is refused: every
        request counts against the account's budget, an export's against the exports' too."""
        self.requests.append(path)
        if not self.budgets:
            return {}, False
        kinds = ["account"]
        if path in CURSOR_PATHS or path in TIME_PATHS:
            kinds.append("exports")
        if any(self.budgets[kind][1] <= 0 for kind in kinds):
            self.limited += 1
            return {"Retry-After": str(self.resets)}, True
        for kind in kinds:
            self.budgets[kind][1] -= 1
        total, left = self.budgets["account"]
        headers = {
            "X-Rate-Limit": str(total),
            "X-Rate-Limit-Remaining": str(left),
            "ratelimit-limit": str(total),
            "ratelimit-remaining": str(left),
            "ratelimit-reset": str(self.resets),
        }
        if "exports" in kinds:
            total, left = self.budgets["exports"]
            headers["Zendesk-RateLimit-incremental-exports"] = (
                f"total={total}; remaining={left}; resets={self.resets}"
            )
        return headers, False

    def fail(self, path: str, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """The next `times` requests to `path` answer `status`."""
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.faults += [(path, status, headers)] * times

    # -- exports -------------------------------------------------------------------------
    def _ordered(self, kind: str) -> list[dict[str, Any]]:
        return sorted(self.store[kind].values(), key=lambda r: (r["updated_at"], r["id"]))

    def cursor_export(self, path: str, kind: str, query: dict[str, str]) -> dict[str, Any]:
        records = self._ordered(kind)
        per_page = int(query.get("per_page", "1000"))
        if "cursor" in query:
            after = json.loads(base64.b64decode(query["cursor"]))
            rest = [r for r in records if (r["updated_at"], r["id"]) > tuple(after)]
        else:
            since = iso(int(query.get("start_time", "0")))
            rest = [r for r in records if r["updated_at"] >= since]
        page = rest[:per_page]
        last = (page[-1]["updated_at"], page[-1]["id"]) if page else None
        if last is None and "cursor" in query:
            cursor = query["cursor"]
        elif last is None:
            cursor = base64.b64encode(json.dumps([iso(0), 0]).encode()).decode()
        else:
            cursor = base64.b64encode(json.dumps(list(last)).encode()).decode()
        return {
            kind: deepcopy(page),
            "after_url": f"{self.base}{path}?cursor={cursor}&per_page={per_page}",
            "after_cursor": cursor,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": len(rest) <= per_page,
        }

    def time_export(self, path: str, kind: str, query: dict[str, str]) -> dict[str, Any]:
        per_page = int(query.get("per_page", "1000"))
        start = int(query.get("start_time", "0"))
        since = iso(start)
        rest = [r for r in self._ordered(kind) if r["updated_at"] >= since]
        page = rest[:per_page]
        end = (
            int(datetime.strptime(page[-1]["updated_at"], "%Y-%m-%dT%H:%M:%S%z").timestamp())
            if page
            else start
        )
        done = len(rest) <= per_page
        return {
            kind: deepcopy(page),
            "next_page": None
            if done
            else f"{self.base}{path}?start_time={end}&per_page={per_page}",
            "count": len(page),
            "end_time": end,
            "end_of_stream": done,
        }

    def ratings(self, query: dict[str, str]) -> dict[str, Any]:
        """Cursor pagination (`page[size]`, `page[after]`) of the ratings changed since
        `start_time`, oldest first."""
        size = int(query.get("page[size]", "100"))
        since = iso(int(query.get("start_time", "0")))
        rest = [r for r in self._ordered("satisfaction_ratings") if r["updated_at"] >= since]
        if "page[after]" in query:
            after = tuple(json.loads(base64.b64decode(query["page[after]"])))
            rest = [r for r in rest if (r["updated_at"], r["id"]) > after]
        page = rest[:size]
        last = [page[-1]["updated_at"], page[-1]["id"]] if page else None
        cursor = base64.b64encode(json.dumps(last).encode()).decode() if last else None
        has_more = len(rest) > size
        return {
            "satisfaction_ratings": deepcopy(page),
            "meta": {"has_more": has_more, "after_cursor": cursor, "before_cursor": None},
            "links": {
                "prev": None,
                "next": f"{self.base}{RATINGS_PATH}?page%5Bafter%5D={cursor}" if has_more else None,
            },
        }

    def answer(
        self, path: str, query: dict[str, str], auth: str
    ) -> tuple[int, Any, dict[str, str]]:
        for n, (fault_path, status, headers) in enumerate(self.faults):
            if path == fault_path:
                del self.faults[n]
                return (
                    status,
                    {"error": "APIRateLimitExceeded" if status == 429 else "ServerError"},
                    headers,
                )
        if auth not in (
            f"Basic {credentials(EMAIL, TOKEN)}",
            f"Basic {credentials(EMAIL, NO_ORGANIZATIONS)}",
        ):
            return 401, {"error": "Couldn't authenticate you"}, {}
        if path in TIME_PATHS and auth == f"Basic {credentials(EMAIL, NO_ORGANIZATIONS)}":
            return (
                403,
                {
                    "error": "Forbidden",
                    "description": (
                        "You do not have access to this page. Please contact the account "
                        "owner of this help desk for further help."
                    ),
                },
                {},
            )
        with self.lock:
            headers, refused = self._metered(path)
            if refused:
                return 429, {"error": "APIRateLimitExceeded"}, headers
            if path in CURSOR_PATHS:
                return 200, self.cursor_export(path, CURSOR_PATHS[path], query), headers
            if path in TIME_PATHS:
                return 200, self.time_export(path, TIME_PATHS[path], query), headers
            if path == RATINGS_PATH:
                return 200, self.ratings(query), headers
        return 404, {"error": "InvalidEndpoint", "description": "Not found"}, {}

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Serve on 127.0.0.1 at a random port; yields the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                status, body, headers = fake.answer(
                    url.path, query, self.headers.get("Authorization", "")
                )
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.base
        finally:
            server.shutdown()
            server.server_close()
