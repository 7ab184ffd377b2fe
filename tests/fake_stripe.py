"""A fake Stripe API on 127.0.0.1 (real HTTP, a random port, in a thread) for connector tests.

It serves the documented shapes of Stripe's API objects (``customer``, ``product``,
``price``, ``subscription`` with ``items``, ``invoice`` with ``lines``, ``event`` with
``data.object`` and ``data.previous_attributes``), written after the objects of Stripe's
public OpenAPI fixtures, and its list semantics: newest first, ``limit``,
``starting_after``, ``ending_before`` (the page just newer than the id, ``has_more`` when
more are newer still), ``created[gt|gte|lt|lte]``, ``status=all`` for subscriptions.
Errors have Stripe's envelope ``{"error": {"type", "code", "message"}}``: 401 for an
unknown key (``api_key_expired`` for a revoked one), 403 for a restricted key without
the permission, and scripted 429s (with ``Retry-After``) and 5xx. Mutations between
syncs write events as Stripe does. As Stripe does, a subscription's ``items`` and an
invoice's ``lines`` are cut at 10 entries (``has_more: true``) wherever the object is
served (lists and events); the whole lists are at ``/v1/subscription_items?subscription=ID``
and ``/v1/invoices/ID/lines`` (``limit``, ``starting_after``, in the object's order).
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY = "sk_test_fake"
REVOKED = "sk_test_revoked"
NO_INVOICES = "rk_test_noinvoices"
START = 1714521600  # 2024-05-01T00:00:00Z
NESTED_SHOWN = 10
"""Entries of a nested list served inside its object."""
NESTED = {"subscription": "items", "invoice": "lines"}

PATHS = {
    "/v1/customers": "customer",
    "/v1/products": "product",
    "/v1/subscriptions": "subscription",
    "/v1/invoices": "invoice",
    "/v1/events": "event",
}


class FakeStripe:
    """The objects of one Stripe account, their events, and the faults to serve."""

    def __init__(self, *, customers: int = 6, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.clock = START
        self.seq = 0
        self.store: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in PATHS.values()}
        self.order: dict[str, int] = {}
        self.faults: list[tuple[str, int, dict[str, str]]] = []
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.prices = [
            self._product("Starter", 2900, "month"),
            self._product("Growth", 9900, "month"),
            self._product("Scale", 120000, "year"),
        ]
        for n in range(customers):
            self.add_customer(n)

    # -- objects -------------------------------------------------------------------
    def _tick(self) -> int:
        self.clock += 60
        return self.clock

    def _put(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        self.order.setdefault(obj["id"], self.seq)
        self.store[obj["object"]][obj["id"]] = obj
        return obj

    def _event(
        self, type_: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> None:
        data: dict[str, Any] = {"object": deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        event_id = f"evt_{self.seq + 1:06d}"
        self._put(
            {
                "id": event_id,
                "object": "event",
                "api_version": "2024-06-20",
                "created": self.clock,
                "data": data,
                "livemode": False,
                "pending_webhooks": 0,
                "request": {"id": f"req_{self.seq:06d}", "idempotency_key": None},
                "type": type_,
            }
        )

    def _product(self, name: str, cents: int, interval: str) -> dict[str, Any]:
        at = self._tick()
        product_id = f"prod_{name}"
        product = {
            "id": product_id,
            "object": "product",
            "active": True,
            "created": at,
            "default_price": f"price_{name}",
            "description": None,
            "images": [],
            "livemode": False,
            "metadata": {},
            "name": name,
            "package_dimensions": None,
            "shippable": None,
            "statement_descriptor": None,
            "tax_code": None,
            "unit_label": None,
            "updated": at,
            "url": None,
        }
        self._put(product)
        self._event("product.created", product)
        return {
            "id": f"price_{name}",
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": at,
            "currency": "usd",
            "livemode": False,
            "lookup_key": None,
            "metadata": {},
            "nickname": None,
            "product": product_id,
            "recurring": {
                "interval": interval,
                "interval_count": 1,
                "meter": None,
                "trial_period_days": None,
                "usage_type": "licensed",
            },
            "tax_behavior": "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring",
            "unit_amount": cents,
            "unit_amount_decimal": str(cents),
        }

    def add_customer(self, n: int, name: str | None = None) -> str:
        """A customer, its subscription and its first invoice, with their events."""
        at = self._tick()
        slug = f"c{n:04d}"
        customer = {
            "id": f"cus_{slug}",
            "object": "customer",
            "address": {
                "city": None,
                "country": self.rng.choice(["US", "GB", "DE", "FR"]),
                "line1": None,
                "line2": None,
                "postal_code": None,
                "state": None,
            },
            "balance": 0,
            "created": at,
            "currency": "usd",
            "default_source": None,
            "delinquent": False,
            "description": None,
            "discount": None,
            "email": f"billing@{slug}.example",
            "invoice_prefix": slug.upper(),
            "livemode": False,
            "metadata": {},
            "name": name or f"Company {n:04d}",
            "phone": None,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }
        self._put(customer)
        self._event("customer.created", customer)
        price = self.rng.choice(self.prices)
        quantity = self.rng.randint(1, 5)
        sub_id = f"sub_{slug}"
        end = at + (365 if price["recurring"]["interval"] == "year" else 30) * 86400
        item = {
            "id": f"si_{slug}",
            "object": "subscription_item",
            "created": at,
            "current_period_end": end,
            "current_period_start": at,
            "discounts": [],
            "metadata": {},
            "price": price,
            "quantity": quantity,
            "subscription": sub_id,
            "tax_rates": [],
        }
        subscription = {
            "id": sub_id,
            "object": "subscription",
            "application": None,
            "billing_cycle_anchor": at,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": at,
            "currency": "usd",
            "current_period_end": end,
            "current_period_start": at,
            "customer": customer["id"],
            "days_until_due": None,
            "default_payment_method": None,
            "description": None,
            "discount": None,
            "discounts": [],
            "ended_at": None,
            "items": {
                "object": "list",
                "data": [item],
                "has_more": False,
                "total_count": 1,
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
            "latest_invoice": f"in_{slug}_1",
            "livemode": False,
            "metadata": {},
            "start_date": at,
            "status": "active",
            "trial_end": None,
            "trial_start": None,
        }
        self._put(subscription)
        self._event("customer.subscription.created", subscription)
        self.add_invoice(customer["id"], sub_id, item, 1)
        return str(customer["id"])

    def add_invoice(self, customer: str, sub_id: str, item: dict[str, Any], n: int) -> None:
        at = self._tick()
        total = item["price"]["unit_amount"] * item["quantity"]
        invoice_id = f"in_{customer[4:]}_{n}"
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "account_country": "US",
            "amount_due": total,
            "amount_paid": total,
            "amount_remaining": 0,
            "billing_reason": "subscription_create" if n == 1 else "subscription_cycle",
            "collection_method": "charge_automatically",
            "created": at,
            "currency": "usd",
            "customer": customer,
            "due_date": None,
            "effective_at": at,
            "lines": {
                "object": "list",
                "data": [
                    {
                        "id": f"il_{invoice_id[3:]}",
                        "object": "line_item",
                        "amount": total,
                        "currency": "usd",
                        "description": f"{item['quantity']} × {item['price']['product']}",
                        "discount_amounts": [],
                        "discountable": True,
                        "discounts": [],
                        "invoice": invoice_id,
                        "livemode": False,
                        "metadata": {},
                        "period": {"start": at, "end": item["current_period_end"]},
                        "price": item["price"],
                        "proration": False,
                        "quantity": item["quantity"],
                        "subscription": sub_id,
                        "subscription_item": item["id"],
                        "type": "subscription",
                    }
                ],
                "has_more": False,
                "total_count": 1,
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "number": f"{customer[4:].upper()}-{n:04d}",
            "paid": True,
            "period_end": at,
            "period_start": at,
            "status": "paid",
            "status_transitions": {
                "finalized_at": at,
                "marked_uncollectible_at": None,
                "paid_at": at,
                "voided_at": None,
            },
            "subscription": sub_id,
            "subtotal": total,
            "tax": None,
            "total": total,
        }
        self._put(invoice)
        self._event("invoice.paid", invoice)

    # -- mutations between syncs --------------------------------------------------------
    def rename_customer(self, customer_id: str, name: str) -> None:
        with self.lock:
            self._tick()
            customer = self.store["customer"][customer_id]
            previous = {"name": customer["name"]}
            customer["name"] = name
            self._event("customer.updated", customer, previous)

    def delete_customer(self, customer_id: str) -> None:
        with self.lock:
            self._tick()
            customer = self.store["customer"].pop(customer_id)
            self._event("customer.deleted", customer)

    def change_seats(self, sub_id: str, quantity: int) -> None:
        with self.lock:
            self._tick()
            subscription = self.store["subscription"][sub_id]
            previous = {"items": deepcopy(subscription["items"])}
            subscription["items"]["data"][0]["quantity"] = quantity
            self._event("customer.subscription.updated", subscription, previous)

    def cancel(self, sub_id: str) -> None:
        with self.lock:
            at = self._tick()
            subscription = self.store["subscription"][sub_id]
            subscription.update(status="canceled", canceled_at=at, ended_at=at)
            self._event("customer.subscription.deleted", subscription)

    def new_customer(self, n: int, name: str) -> str:
        with self.lock:
            return self.add_customer(n, name)

    def fail(self, path: str, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """The next `times` requests to `path` answer `status`."""
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.faults += [(path, status, headers)] * times

    # -- lists ---------------------------------------------------------------------
    def listing(self, kind: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            items = sorted(
                self.store[kind].values(),
                key=lambda o: (o["created"], self.order[o["id"]]),
                reverse=True,
            )
            if kind == "subscription" and query.get("status") != "all":
                items = [o for o in items if o["status"] != "canceled"]
            for op, test in (
                ("gt", lambda a, b: a > b),
                ("gte", lambda a, b: a >= b),
                ("lt", lambda a, b: a < b),
                ("lte", lambda a, b: a <= b),
            ):
                if f"created[{op}]" in query:
                    bound = int(query[f"created[{op}]"])
                    items = [o for o in items if test(o["created"], bound)]
            limit = int(query.get("limit", "10"))
            ids = [o["id"] for o in items]
            if "starting_after" in query:
                if query["starting_after"] not in ids:
                    return 400, _error(
                        "invalid_request_error",
                        "resource_missing",
                        f"No such {kind}: '{query['starting_after']}'",
                    )
                rest = items[ids.index(query["starting_after"]) + 1 :]
                page, has_more = rest[:limit], len(rest) > limit
            elif "ending_before" in query:
                if query["ending_before"] not in ids:
                    return 400, _error(
                        "invalid_request_error",
                        "resource_missing",
                        f"No such {kind}: '{query['ending_before']}'",
                    )
                newer = items[: ids.index(query["ending_before"])]
                page, has_more = newer[-limit:], len(newer) > limit
            else:
                page, has_more = items[:limit], len(items) > limit
            url = next(p for p, k in PATHS.items() if k == kind)
            data = [_cut(o) for o in page]
            return 200, {"object": "list", "data": data, "has_more": has_more, "url": url}

    def nested(self, kind: str, owner: str, query: dict[str, str]) -> tuple[int, Any]:
        """A subscription's items or an invoice's lines, whole, paged."""
        with self.lock:
            found = self.store[kind].get(owner)
            if found is None:
                return 404, _error(
                    "invalid_request_error", "resource_missing", f"No such {kind}: '{owner}'"
                )
            nested = found[NESTED[kind]]
            entries = nested["data"]
            ids = [e["id"] for e in entries]
            after = query.get("starting_after")
            if after is not None and after not in ids:
                return 400, _error(
                    "invalid_request_error", "resource_missing", f"No such line: '{after}'"
                )
            rest = entries[ids.index(after) + 1 :] if after else entries
            limit = int(query.get("limit", "10"))
            body = {"object": "list", "data": deepcopy(rest[:limit]),
                    "has_more": len(rest) > limit, "url": nested["url"]}  # fmt: skip
            return 200, body

    def add_subscription_items(self, sub_id: str, count: int) -> None:
        """`count` more items on a subscription (copies of its first, with their own ids)."""
        with self.lock:
            items = self.store["subscription"][sub_id]["items"]
            for n in range(count):
                items["data"].append(
                    {**deepcopy(items["data"][0]), "id": f"si_{sub_id[4:]}_x{n:02d}"}
                )
            items["total_count"] = len(items["data"])

    def add_invoice_lines(self, invoice_id: str, count: int) -> None:
        """`count` more lines on an invoice (copies of its first, with their own ids)."""
        with self.lock:
            lines = self.store["invoice"][invoice_id]["lines"]
            for n in range(count):
                line = {**deepcopy(lines["data"][0]), "id": f"il_{invoice_id[3:]}_x{n:02d}"}
                lines["data"].append(line)
            lines["total_count"] = len(lines["data"])

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
                fake.requests.append(self.path)
                key = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                status, body, headers = fake.answer(url.path, query, key)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Request-Id", f"req_fake{len(fake.requests)}")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()

    def answer(self, path: str, query: dict[str, str], key: str) -> tuple[int, Any, dict[str, str]]:
        for n, (fault_path, status, headers) in enumerate(self.faults):
            if path == fault_path:
                del self.faults[n]
                kind = "rate_limit_error" if status == 429 else "api_error"
                return status, _error(kind, None, f"fake {status}"), headers
        if key == REVOKED:
            return (
                401,
                _error(
                    "invalid_request_error",
                    "api_key_expired",
                    f"Expired API Key provided: {key[:12]}***",
                ),
                {},
            )
        if key not in (KEY, NO_INVOICES):
            return (
                401,
                _error("invalid_request_error", None, f"Invalid API Key provided: {key[:12]}***"),
                {},
            )
        if key == NO_INVOICES and path == "/v1/invoices":
            message = (
                f"The provided key '{key[:12]}***' does not have the required "
                "permissions for this endpoint. Having the 'rak_invoice_read' permission "
                "would allow this request to continue."
            )
            return 403, _error("invalid_request_error", None, message), {}
        if path == "/v1/subscription_items" and "subscription" in query:
            status, body = self.nested("subscription", query["subscription"], query)
            return status, body, {}
        if path.startswith("/v1/invoices/") and path.endswith("/lines"):
            status, body = self.nested("invoice", path.split("/")[3], query)
            return status, body, {}
        if path not in PATHS:
            return (
                404,
                _error("invalid_request_error", None, f"Unrecognized request URL (GET: {path})"),
                {},
            )
        status, body = self.listing(PATHS[path], query)
        return status, body, {}


def _cut(obj: dict[str, Any]) -> dict[str, Any]:
    """An object as served: a copy, its nested list (an event's object's too) cut at
    NESTED_SHOWN entries with has_more, as Stripe does."""
    served = deepcopy(obj)
    inner = served.get("data", {}).get("object") if served.get("object") == "event" else None
    for target in (served, inner):
        field = NESTED.get(target.get("object", "")) if isinstance(target, dict) else None
        if target is not None and field and len(target[field]["data"]) > NESTED_SHOWN:
            target[field]["data"] = target[field]["data"][:NESTED_SHOWN]
            target[field]["has_more"] = True
    return served


def _error(kind: str, code: str | None, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "code": code, "message": message}}
