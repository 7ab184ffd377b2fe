"""A fake HubSpot CRM v3 API on 127.0.0.1 (real HTTP, a random port, in a thread) for
connector tests.

It serves the documented shapes of HubSpot's CRM API (developers.hubspot.com, CRM v3
objects, search, owners, properties, associations v4):

- ``GET /crm/v3/objects/{companies,contacts,deals}``: ``limit`` (at most 100), ``after``,
  ``properties`` and ``associations`` (comma separated or repeated), ``archived``;
  ``{"results": [{"id", "properties", "createdAt", "updatedAt", "archived",
  "associations": {"companies": {"results": [{"id", "type"}]}}}], "paging": {"next":
  {"after", "link"}}}``; archived records carry ``archivedAt``;
- ``POST /crm/v3/objects/{type}/search``: ``filterGroups`` (``GTE``, ``GT``, ``LTE``,
  ``LT``, ``EQ`` on a property), ``sorts``, ``properties``, ``limit``, ``after``;
  ``{"total", "results", "paging"}``, without associations, as HubSpot answers;
- ``POST /crm/v4/associations/{from}/{to}/batch/read``: ``{"inputs": [{"id"}]}`` →
  ``{"status": "COMPLETE", "results": [{"from": {"id"}, "to": [{"toObjectId",
  "associationTypes": [{"category", "typeId", "label"}]}]}]}`` (``label: "Primary"`` for
  the primary company);
- a record's associations of one kind, 100 at most in an answer: past that, a list
  answer's ``associations.{kind}`` and a batch read's result carry ``paging.next.after``,
  and the batch read takes ``{"id", "after"}`` inputs for the next 100;
- a contact merged into another: gone, and named in the survivor's
  ``hs_merged_object_ids`` (``;``-separated, the survivor's own id included);
- ``GET /crm/v3/owners`` (``limit``, ``after``, ``archived``) and
  ``GET /crm/v3/properties/{type}``.

Timestamps are ISO 8601 with milliseconds; the clock moves a minute per change.
Errors have HubSpot's envelope ``{"status": "error", "message", "correlationId",
"category"}``: 401 ``INVALID_AUTHENTICATION`` for an unknown token, 403
``MISSING_SCOPES`` for a token without ``crm.objects.deals.read``, scripted 429s
(``Retry-After``) and 5xx.
"""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "pat-na1-fake"
NO_DEALS = "pat-na1-nodeals"
START = 1714521600000  # 2024-05-01T00:00:00Z, in milliseconds
BODY = "__body__"
"""The key under which a POST's JSON body reaches :meth:`FakeHubSpot.answer`."""
MODIFIED = {"companies": "hs_lastmodifieddate", "contacts": "lastmodifieddate"}
STAGES = ["appointmentscheduled", "qualifiedtobuy", "contractsent", "closedwon"]
SINGULAR = {"companies": "company", "contacts": "contact", "deals": "deal"}
TYPE_IDS = {
    ("contacts", "companies"): (1, 279),
    ("companies", "contacts"): (2, 280),
    ("deals", "companies"): (5, 341),
    ("companies", "deals"): (6, 342),
    ("deals", "contacts"): (0, 3),
    ("contacts", "deals"): (0, 4),
}
"""HubSpot-defined association type ids: (primary, unlabeled); 0 where none is primary."""
ASSOCIATIONS_SHOWN = 100
"""Associations of one kind in one answer for one record."""


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def millis(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def modified(kind: str) -> str:
    return MODIFIED.get(kind, "hs_lastmodifieddate")


class FakeHubSpot:
    """The owners, companies, contacts and deals of one HubSpot portal."""

    def __init__(self, *, customers: int = 6, owners: int = 4) -> None:
        self.clock = START
        self.store: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in SINGULAR}
        self.links: dict[tuple[str, str, str], list[tuple[str, bool]]] = {}
        self.properties: dict[str, list[str]] = {k: [] for k in SINGULAR}
        self.owners: list[dict[str, Any]] = []
        self.faults: list[tuple[str, int, dict[str, str]]] = []
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.base = ""
        self.search_window = 10_000
        """How far the search pages: an `after` beyond it is refused, as HubSpot does."""
        for n in range(owners):
            at = iso(self._tick())
            self.owners.append(
                {
                    "id": str(61284700 + n),
                    "email": f"owner{n}@northwind.example",
                    "type": "PERSON",
                    "firstName": f"Owner{n}",
                    "lastName": "Rep",
                    "userId": 9120300 + n,
                    "userIdIncludingInactive": 9120300 + n,
                    "createdAt": at,
                    "updatedAt": at,
                    "archived": n == owners - 1 and owners > 1,
                    "teams": [],
                }
            )
        for n in range(customers):
            self.add_customer(n)

    def _tick(self) -> int:
        self.clock += 60_000
        return self.clock

    def _put(self, kind: str, object_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        at = iso(self._tick())
        props = {
            **dict.fromkeys(self.properties[kind]),
            **properties,
            "createdate": at,
            modified(kind): at,
            "hs_object_id": object_id,
        }
        for name in props:
            if name not in self.properties[kind]:
                self.properties[kind].append(name)
        record = {
            "id": object_id,
            "properties": props,
            "createdAt": at,
            "updatedAt": at,
            "archived": False,
        }
        self.store[kind][object_id] = record
        return record

    def _link(self, kind: str, object_id: str, to: str, to_id: str, primary: bool) -> None:
        self.links.setdefault((kind, object_id, to), []).append((to_id, primary))
        back = (to, to_id, kind)
        self.links.setdefault(back, []).append((object_id, False))

    def add_customer(self, n: int, name: str | None = None) -> str:
        """A company, a contact at it and a deal with both."""
        owner = self.owners[n % max(len(self.owners) - 1, 1)]["id"] if self.owners else None
        company = str(9384710000 + n)
        self._put(
            "companies",
            company,
            {
                "name": name or f"Company {n:04d}",
                "domain": f"c{n:04d}.example",
                "industry": "COMPUTER_SOFTWARE",
                "numberofemployees": str(50 + 100 * n),
                "annualrevenue": str(1_000_000 * (n + 1)),
                "country": "United States",
                "hubspot_owner_id": owner,
                "lifecyclestage": "customer",
            },
        )
        contact = str(70200 + n)
        self._put(
            "contacts",
            contact,
            {
                "firstname": f"Person{n}",
                "lastname": "Example",
                "email": f"person@c{n:04d}.example",
                "phone": None,
                "jobtitle": "Director",
                "lifecyclestage": "customer",
                "hs_analytics_source": "ORGANIC_SEARCH",
                "associatedcompanyid": company,
                "hs_lifecyclestage_lead_date": iso(self.clock),
                "hs_lifecyclestage_customer_date": iso(self.clock),
            },
        )
        self._link("contacts", contact, "companies", company, primary=True)
        deal = str(18372610000 + n)
        stage = STAGES[n % len(STAGES)]
        record = self._put(
            "deals",
            deal,
            {
                "dealname": f"Company {n:04d} - Platform",
                "pipeline": "default",
                "dealstage": stage,
                "amount": str(12000 + 1000 * n),
                "deal_currency_code": "USD",
                "closedate": "2024-09-30T16:00:00.000Z",
                "hubspot_owner_id": owner,
                "dealtype": "newbusiness",
                "hs_is_closed": "true" if stage == "closedwon" else "false",
                "hs_is_closed_won": "true" if stage == "closedwon" else "false",
                "hs_deal_stage_probability": "1.0" if stage == "closedwon" else "0.2",
                **{f"hs_date_entered_{s}": None for s in STAGES},
            },
        )
        path = STAGES[: STAGES.index(stage) + 1]  # a day in each stage, the last one now
        for days, entered in enumerate(reversed(path)):
            at = millis(record["createdAt"]) - days * 86_400_000
            record["properties"][f"hs_date_entered_{entered}"] = iso(at)
        self._link("deals", deal, "companies", company, primary=True)
        self._link("deals", deal, "contacts", contact, primary=False)
        return company

    # -- mutations between syncs --------------------------------------------------------
    def _touch(self, kind: str, object_id: str, **changes: Any) -> None:
        record = self.store[kind][object_id]
        at = iso(self._tick())
        record["properties"].update(changes)
        record["properties"][modified(kind)] = at
        record["updatedAt"] = at

    def rename_company(self, company_id: str, name: str) -> None:
        with self.lock:
            self._touch("companies", company_id, name=name)

    def move_deal(self, deal_id: str, stage: str) -> None:
        with self.lock:
            self._touch("deals", deal_id, dealstage=stage)
            props = self.store["deals"][deal_id]["properties"]
            props[f"hs_date_entered_{stage}"] = props["hs_lastmodifieddate"]

    def new_customer(self, n: int, name: str) -> str:
        with self.lock:
            return self.add_customer(n, name)

    def archive(self, kind: str, object_id: str) -> None:
        """Delete a record (HubSpot archives it: listed with ``archived=true`` only)."""
        with self.lock:
            record = self.store[kind][object_id]
            record["archived"] = True
            record["archivedAt"] = iso(self._tick())

    def link_many(
        self, kind: str, object_id: str, to: str, to_ids: list[str], primary: str
    ) -> None:
        """Associate a record with many others; `primary` (among them) is the primary."""
        with self.lock:
            self.links[(kind, object_id, to)] = [(i, i == primary) for i in to_ids]
            self._touch(kind, object_id)

    def merge_contacts(self, survivor: str, merged: str) -> None:
        """Merge contact `merged` into `survivor`, as HubSpot does: the merged one is gone
        (not archived) and the survivor names it in ``hs_merged_object_ids``."""
        with self.lock:
            del self.store["contacts"][merged]
            props = self.store["contacts"][survivor]["properties"]
            ids = [i for i in str(props.get("hs_merged_object_ids") or survivor).split(";") if i]
            self._touch("contacts", survivor, hs_merged_object_ids=";".join([*ids, merged]))
            if "hs_merged_object_ids" not in self.properties["contacts"]:
                self.properties["contacts"].append("hs_merged_object_ids")

    def add_property(self, kind: str, name: str, value: str) -> None:
        """A new property on every record of `kind` (their modification time unchanged)."""
        with self.lock:
            self.properties[kind].append(name)
            for record in self.store[kind].values():
                record["properties"][name] = value

    def touch(self, kind: str, object_id: str) -> None:
        with self.lock:
            self._touch(kind, object_id)

    def fail(self, path: str, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """The next `times` requests to `path` answer `status`."""
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.faults += [(path, status, headers)] * times

    def export_csv(self, folder: Path) -> None:
        """The records as HubSpot's CSV exports with internal names write them: one column
        per property, the deal's primary company in `hs_primary_associated_company`."""
        folder.mkdir(parents=True)
        for kind, store in self.store.items():
            records = [dict(r["properties"]) for r in store.values() if not r["archived"]]
            if kind == "deals":
                for record in records:
                    links = self.links[("deals", record["hs_object_id"], "companies")]
                    record["hs_primary_associated_company"] = next(i for i, p in links if p)
            _write_csv(folder / f"{kind}.csv", records)
        owners = [
            {**{k: v for k, v in o.items() if k != "teams"}, "archived": str(o["archived"]).lower()}
            for o in self.owners
        ]
        _write_csv(folder / "owners.csv", owners)

    # -- answers -------------------------------------------------------------------------
    def _shape(
        self, kind: str, record: dict[str, Any], names: list[str] | None, links: list[str]
    ) -> dict[str, Any]:
        shown = deepcopy(record)
        if names is not None:
            keep = {*names, "createdate", modified(kind), "hs_object_id"}
            shown["properties"] = {k: v for k, v in record["properties"].items() if k in keep}
        found = {}
        for to in links:
            linked = self.links.get((kind, record["id"], to), [])
            if linked:
                type_ = f"{SINGULAR[kind]}_to_{SINGULAR[to]}"
                results = [
                    {"id": i, "type": type_ if primary else f"{type_}_unlabeled"}
                    for i, primary in linked[:ASSOCIATIONS_SHOWN]
                ]
                found[to] = {"results": results}
                if len(linked) > ASSOCIATIONS_SHOWN:
                    after = str(ASSOCIATIONS_SHOWN)
                    found[to]["paging"] = {"next": {"after": after, "link": None}}
        if found:
            shown["associations"] = found
        return shown

    def _paged(
        self, path: str, items: list[Any], query: dict[str, str], limit: int
    ) -> dict[str, Any]:
        start = int(query.get("after") or 0)
        page = items[start : start + limit]
        body: dict[str, Any] = {"results": page}
        if start + limit < len(items):
            after = str(start + limit)
            body["paging"] = {"next": {"after": after, "link": f"{self.base}{path}?after={after}"}}
        return body

    def list_objects(self, path: str, kind: str, query: dict[str, str]) -> dict[str, Any]:
        archived = query.get("archived", "false").lower() == "true"
        limit = min(int(query.get("limit", "10")), 100)
        names = query["properties"].split(",") if query.get("properties") else []
        links = query["associations"].split(",") if query.get("associations") else []
        records = [r for r in self.store[kind].values() if r["archived"] == archived]
        records.sort(key=lambda r: int(r["id"]))
        shown = [self._shape(kind, r, names or None, links) for r in records]
        return self._paged(path, shown, query, limit)

    def search(self, kind: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        records = [r for r in self.store[kind].values() if not r["archived"]]
        groups = request.get("filterGroups") or []
        if groups:
            records = [r for r in records if any(_matches(r, g) for g in groups)]
        for sort in reversed(request.get("sorts") or []):
            name = sort["propertyName"] if isinstance(sort, dict) else str(sort)
            descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
            records.sort(key=lambda r: _value(r["properties"].get(name)), reverse=descending)
        after = int(request.get("after") or 0)
        if after >= self.search_window:
            return 400, _error("VALIDATION_ERROR", f"after may not exceed {self.search_window}")
        limit = min(int(request.get("limit", 10)), 200)
        names = request.get("properties") or []
        page = [self._shape(kind, r, names, []) for r in records[after : after + limit]]
        body: dict[str, Any] = {"total": len(records), "results": page}
        if after + limit < len(records):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return 200, body

    def association_batch(self, kind: str, to: str, request: dict[str, Any]) -> dict[str, Any]:
        primary_id, unlabeled_id = TYPE_IDS[(kind, to)]
        results = []
        for item in request.get("inputs", []):
            linked = self.links.get((kind, str(item["id"]), to), [])
            start = int(item.get("after") or 0)
            shown = linked[start : start + ASSOCIATIONS_SHOWN]
            if not shown:
                continue
            targets = []
            for target, primary in shown:
                types = [{"category": "HUBSPOT_DEFINED", "typeId": unlabeled_id, "label": None}]
                if primary:
                    types.insert(
                        0, {"category": "HUBSPOT_DEFINED", "typeId": primary_id, "label": "Primary"}
                    )
                targets.append({"toObjectId": int(target), "associationTypes": types})
            result: dict[str, Any] = {"from": {"id": str(item["id"])}, "to": targets}
            if start + ASSOCIATIONS_SHOWN < len(linked):
                after = str(start + ASSOCIATIONS_SHOWN)
                result["paging"] = {"next": {"after": after, "link": None}}
            results.append(result)
        now = iso(self.clock)
        return {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}

    def answer(
        self, path: str, query: dict[str, str], auth: str
    ) -> tuple[int, Any, dict[str, str]]:
        self.requests.append(path)
        for n, (fault_path, status, headers) in enumerate(self.faults):
            if path == fault_path:
                del self.faults[n]
                kind = "RATE_LIMITS" if status == 429 else "INTERNAL_ERROR"
                return status, _error(kind, "You have reached your secondly limit."), headers
        if auth not in (f"Bearer {TOKEN}", f"Bearer {NO_DEALS}"):
            return (
                401,
                _error(
                    "INVALID_AUTHENTICATION",
                    "Authentication credentials not found. This API supports OAuth 2.0 "
                    "authentication and you can find more details at "
                    "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                ),
                {},
            )
        parts = path.strip("/").split("/")
        if auth == f"Bearer {NO_DEALS}" and "deals" in parts:
            body = _error(
                "MISSING_SCOPES",
                "This app hasn't been granted all required scopes to make this call. Read "
                "more about required scopes here: https://developers.hubspot.com/scopes.",
            )
            body["errors"] = [
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": ["crm.objects.deals.read"]},
                }
            ]
            return 403, body, {}
        request = json.loads(query.get(BODY) or "{}")
        with self.lock:
            if parts[:3] == ["crm", "v3", "owners"]:
                archived = query.get("archived", "false").lower() == "true"
                owners = [o for o in self.owners if o["archived"] == archived]
                limit = min(int(query.get("limit", "100")), 500)
                return 200, self._paged(path, deepcopy(owners), query, limit), {}
            if parts[:3] == ["crm", "v3", "properties"] and parts[3:4] and parts[3] in SINGULAR:
                names = self.properties[parts[3]]
                results = [
                    {"name": n, "label": n, "type": "string", "fieldType": "text"} for n in names
                ]
                return 200, {"results": results}, {}
            if parts[:3] == ["crm", "v3", "objects"] and len(parts) >= 4 and parts[3] in SINGULAR:
                if len(parts) == 4:
                    return 200, self.list_objects(path, parts[3], query), {}
                if parts[4:] == ["search"]:
                    status, body = self.search(parts[3], request)
                    return status, body, {}
            if (
                parts[:3] == ["crm", "v4", "associations"]
                and parts[5:] == ["batch", "read"]
                and parts[3] in SINGULAR
            ):
                return 200, self.association_batch(parts[3], parts[4], request), {}
        return 404, _error("OBJECT_NOT_FOUND", f"no route for {path}"), {}

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Serve on 127.0.0.1 at a random port; yields the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, query: dict[str, str]) -> None:
                url = urlsplit(self.path)
                path = url.path.rstrip("/")  # the SDK asks for `/crm/v3/owners/`
                for name, values in parse_qs(url.query).items():
                    query[name] = ",".join(values)
                status, body, headers = fake.answer(
                    path, query, self.headers.get("Authorization", "")
                )
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._reply({})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._reply({BODY: self.rfile.read(length).decode() if length else "{}"})

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.base
        finally:
            server.shutdown()
            server.server_close()


def _write_csv(path: Path, records: list[dict[str, Any]]) -> None:
    columns = list(dict.fromkeys(k for r in records for k in r))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)


def _error(category: str, message: str) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": "3f1c2b7e-0000-4000-8000-000000000000",
        "category": category,
    }


def _value(value: Any) -> tuple[int, Any]:
    """A property's value for sorting and comparing: times and numbers as numbers."""
    if value is None:
        return (0, 0)
    text = str(value)
    try:
        return (1, float(text))
    except ValueError:
        pass
    try:
        return (1, float(millis(text)))
    except ValueError:
        return (2, text)


def _matches(record: dict[str, Any], group: dict[str, Any]) -> bool:
    for f in group.get("filters", []):
        have, want = _value(record["properties"].get(f["propertyName"])), _value(f.get("value"))
        ok = {
            "EQ": have == want,
            "GT": have > want,
            "GTE": have >= want,
            "LT": have < want,
            "LTE": have <= want,
        }.get(f["operator"], False)
        if not ok:
            return False
    return True
