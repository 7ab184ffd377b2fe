"""A fake Salesforce REST API on 127.0.0.1 (real HTTP, a random port, in a thread) for
connector tests.

It serves the documented shapes of the REST API (version ``v60.0``):

- ``GET /services/data/v60.0/query?q=SOQL`` and ``queryAll`` (deleted rows too, with
  ``IsDeleted: true``): ``{"totalSize", "done", "nextRecordsUrl", "records"}``, each record
  with ``attributes`` (``type``, ``url``) then its fields; ``Sforce-Query-Options:
  batchSize=N`` sets the page size (any size here, so tests page small; Salesforce reads
  200 to 2,000 as a hint); the ``nextRecordsUrl`` (``.../query/01g...-N``) pages
  through the rows the query found when it ran, as a query locator does;
- ``GET /services/data/v60.0/sobjects/{Object}/describe``: ``name``, ``fields`` (``name``,
  ``type``, ``label``, ``nillable``), ``queryable``, ``replicateable``;
- Bulk API 2.0 query jobs: ``POST /services/data/v60.0/jobs/query`` (``operation``
  ``query`` or ``queryAll``, ``query``; answers the job: ``id``, ``operation``, ``object``,
  ``createdById``, ``createdDate``, ``systemModstamp``, ``state: UploadComplete``,
  ``concurrencyMode``, ``contentType: CSV``, ``apiVersion``, ``lineEnding``,
  ``columnDelimiter``), ``GET .../jobs/query/{id}`` (``state`` ``InProgress`` for
  ``bulk_polls`` polls, then ``JobComplete`` with ``numberRecordsProcessed``, or
  ``Failed`` with ``errorMessage`` for an object in ``failing_jobs``), and ``GET
  .../jobs/query/{id}/results?maxRecords=N&locator=L``: CSV (``true``/``false``, an empty
  cell for null, datetimes ``2024-05-01T00:01:00.000Z``) with the headers
  ``Sforce-NumberOfRecords`` and ``Sforce-Locator`` (``null`` after the last set); the
  rows are those the job found when it ran, in no particular order (here: by Id, backwards);
- ``POST /services/oauth2/token``: the refresh-token and client-credentials flows,
  answering ``access_token``, ``instance_url``, ``id``, ``token_type``, ``issued_at``,
  ``signature``, or ``{"error", "error_description"}``;
- errors as Salesforce writes them: a list of ``{"message", "errorCode"}``:
  401 ``INVALID_SESSION_ID``, 403 ``INSUFFICIENT_ACCESS`` (a token that may not read
  Lead), 403 ``REQUEST_LIMIT_EXCEEDED`` (the org's daily limit), 400 ``INVALID_FIELD`` /
  ``INVALID_TYPE`` / ``MALFORMED_QUERY``, 404 ``NOT_FOUND``; scripted 429s and 503s with
  ``Retry-After``.

The SOQL understood is what a replicating client sends: ``SELECT f, ... FROM Object
[WHERE f op literal [AND ...]] [ORDER BY f, ...] [LIMIT n]`` with datetime literals
(``2024-05-01T00:00:00Z``), quoted strings, numbers and booleans.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from revops.demo.ids import salesforce_id

VERSION = "v60.0"
DATA = f"/services/data/{VERSION}"
QUERY_PATH = f"{DATA}/query"
QUERY_ALL_PATH = f"{DATA}/queryAll"
JOBS_PATH = f"{DATA}/jobs/query"
TOKEN_PATH = "/services/oauth2/token"
TOKEN = "00DFAKE0000001!AQ.access"
NO_LEADS = "00DFAKE0000001!AQ.noleads"
LIMITED = "00DFAKE0000001!AQ.limited"
CLIENT_ID = "3MVG9fake.client.id"
CLIENT_SECRET = "fake-client-secret"
REFRESH_TOKEN = "5Aep861fake.refresh"
START = datetime(2024, 5, 1, tzinfo=UTC)

COMMON = [("CreatedDate", "datetime"), ("LastModifiedDate", "datetime")]
STAMP = [("SystemModstamp", "datetime")]
DELETED = [("IsDeleted", "boolean")]
FIELDS: dict[str, list[tuple[str, str]]] = {
    "UserRole": [("Id", "id"), ("Name", "string"), ("ParentRoleId", "reference"),
                 ("DeveloperName", "string"), ("LastModifiedDate", "datetime"), *STAMP],
    "User": [("Id", "id"), ("Username", "string"), ("FirstName", "string"),
             ("LastName", "string"), ("Email", "email"), ("Title", "string"),
             ("UserRoleId", "reference"), ("ManagerId", "reference"), ("IsActive", "boolean"),
             ("Address", "address"), *COMMON, *STAMP],
    "Campaign": [("Id", "id"), *DELETED, ("Name", "string"), ("Type", "picklist"),
                 ("Status", "picklist"), ("StartDate", "date"), ("EndDate", "date"),
                 ("BudgetedCost", "currency"), ("ActualCost", "currency"),
                 ("IsActive", "boolean"), ("OwnerId", "reference"), *COMMON, *STAMP],
    "Account": [("Id", "id"), *DELETED, ("Name", "string"), ("Type", "picklist"),
                ("ParentId", "reference"), ("Website", "url"), ("Industry", "picklist"),
                ("NumberOfEmployees", "int"), ("AnnualRevenue", "currency"),
                ("BillingCountry", "string"), ("BillingAddress", "address"),
                ("OwnerId", "reference"), ("CreatedById", "reference"), *COMMON, *STAMP],
    "Contact": [("Id", "id"), *DELETED, ("AccountId", "reference"), ("FirstName", "string"),
                ("LastName", "string"), ("Title", "string"), ("Email", "email"),
                ("Phone", "phone"), ("MailingCountry", "string"),
                ("MailingAddress", "address"), ("LeadSource", "picklist"),
                ("OwnerId", "reference"), *COMMON, *STAMP],
    "Lead": [("Id", "id"), *DELETED, ("FirstName", "string"), ("LastName", "string"),
             ("Company", "string"), ("Title", "string"), ("Email", "email"),
             ("Status", "picklist"), ("LeadSource", "picklist"), ("OwnerId", "reference"),
             ("IsConverted", "boolean"), ("ConvertedDate", "date"),
             ("ConvertedAccountId", "reference"), ("ConvertedContactId", "reference"),
             ("ConvertedOpportunityId", "reference"), *COMMON, *STAMP],
    "CampaignMember": [("Id", "id"), *DELETED, ("CampaignId", "reference"),
                       ("LeadId", "reference"), ("ContactId", "reference"),
                       ("Status", "picklist"), ("HasResponded", "boolean"),
                       ("FirstRespondedDate", "date"), *COMMON, *STAMP],
    "OpportunityHistory": [("Id", "id"), *DELETED, ("OpportunityId", "reference"),
                           ("StageName", "picklist"), ("Amount", "currency"),
                           ("CloseDate", "date"), ("Probability", "percent"),
                           ("ForecastCategory", "picklist"), ("CreatedDate", "datetime"),
                           ("CreatedById", "reference"), *STAMP],
    # Field history has no SystemModstamp: its rows never change.
    "OpportunityFieldHistory": [("Id", "id"), *DELETED, ("OpportunityId", "reference"),
                                ("CreatedById", "reference"), ("CreatedDate", "datetime"),
                                ("Field", "picklist"), ("DataType", "picklist"),
                                ("OldValue", "anyType"), ("NewValue", "anyType")],
    "Opportunity": [("Id", "id"), *DELETED, ("AccountId", "reference"), ("Name", "string"),
                    ("Type", "picklist"), ("StageName", "picklist"), ("Amount", "currency"),
                    ("Probability", "percent"), ("CloseDate", "date"),
                    ("ForecastCategoryName", "picklist"), ("IsClosed", "boolean"),
                    ("IsWon", "boolean"), ("LeadSource", "picklist"),
                    ("CampaignId", "reference"), ("OwnerId", "reference"),
                    ("NextStep", "string"), ("CreatedById", "reference"), *COMMON, *STAMP],
    "Task": [("Id", "id"), *DELETED, ("WhoId", "reference"), ("WhatId", "reference"),
             ("Subject", "string"), ("ActivityDate", "date"), ("Status", "picklist"),
             ("OwnerId", "reference"), ("TaskSubtype", "picklist"), ("IsClosed", "boolean"),
             ("CallDisposition", "string"), *COMMON, *STAMP],
    "Event": [("Id", "id"), *DELETED, ("WhoId", "reference"), ("WhatId", "reference"),
              ("Subject", "string"), ("StartDateTime", "datetime"),
              ("ActivityDateTime", "datetime"), ("DurationInMinutes", "int"),
              ("OwnerId", "reference"), *COMMON, *STAMP],
}  # fmt: skip
PREFIXES = {
    "UserRole": "00E", "User": "005", "Campaign": "701", "Account": "001", "Contact": "003",
    "Lead": "00Q", "CampaignMember": "00v", "OpportunityHistory": "008",
    "OpportunityFieldHistory": "017", "Opportunity": "006", "Task": "00T", "Event": "00U",
}  # fmt: skip


def sf_time(moment: datetime) -> str:
    """A datetime as the REST API writes it: ``2024-05-01T00:01:00.000+0000``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def sf_id(obj: str, n: int) -> str:
    return str(salesforce_id(PREFIXES[obj], [n])[0])


def errors(code: str, message: str) -> list[dict[str, Any]]:
    """An error body as the REST API writes it."""
    return [{"message": message, "errorCode": code}]


class FakeSalesforce:
    """The CRM of one Salesforce org: roles, users, a campaign, and per customer an
    account, a contact, a lead, a deal with its history, a campaign member, a task and an
    event."""

    def __init__(self, *, customers: int = 6) -> None:
        self.clock = START
        self.fields = {obj: list(fields) for obj, fields in FIELDS.items()}
        self.store: dict[str, dict[str, dict[str, Any]]] = {obj: {} for obj in FIELDS}
        self.faults: list[tuple[str, int, dict[str, str], list[dict[str, Any]]]] = []
        self.tokens = {TOKEN, NO_LEADS, LIMITED}
        self.issued = itertools.count(1)
        self.locators: dict[str, tuple[list[dict[str, Any]], int]] = {}
        """Query locator → the records the query found when it ran, and its batch size."""
        self.jobs: dict[str, dict[str, Any]] = {}
        """Bulk API 2.0 query job id → the job, its rows and the polls left."""
        self.bulk_polls = 2
        self.failing_jobs: set[str] = set()
        """Objects whose Bulk API 2.0 query jobs end Failed."""
        self.requests: list[tuple[str, str]] = []
        """(method, path) of every request, in order."""
        self.lock = threading.RLock()
        self.base = ""
        self._seed()
        for n in range(customers):
            self.add_customer(n)

    # -- records -------------------------------------------------------------------------
    def _tick(self) -> str:
        self.clock += timedelta(minutes=1)
        return sf_time(self.clock)

    def _put(self, obj: str, n: int, **values: Any) -> str:
        now = self._tick()
        record: dict[str, Any] = {name: None for name, kind in self.fields[obj]}
        record.update(Id=sf_id(obj, n), CreatedDate=now, LastModifiedDate=now)
        if "SystemModstamp" in record:
            record["SystemModstamp"] = now
        if "IsDeleted" in record:
            record["IsDeleted"] = False
        for name, kind in self.fields[obj]:
            if kind == "address":
                record[name] = None  # compound: a replicating client does not ask for it
        record.update(values)
        self.store[obj][record["Id"]] = record
        return str(record["Id"])

    def _seed(self) -> None:
        sales = self._put("UserRole", 1, Name="Sales", DeveloperName="Sales")
        self._put("UserRole", 2, Name="Customer Success", DeveloperName="CustomerSuccess")
        self.owner = self._put(
            "User", 1, Username="ae@northwind.example", FirstName="Avery", LastName="Stone",
            Email="ae@northwind.example", Title="Account Executive", UserRoleId=sales,
            IsActive=True,
        )  # fmt: skip
        self.campaign = self._put(
            "Campaign", 1, Name="Spring Webinar", Type="Webinar", Status="Completed",
            StartDate="2024-04-10", EndDate="2024-04-10", BudgetedCost=5000.0,
            ActualCost=4200.0, IsActive=False, OwnerId=self.owner,
        )  # fmt: skip

    def add_customer(self, n: int, name: str | None = None) -> str:
        """An account with its contact, lead, deal, history, campaign member and activities."""
        number = n + 1
        domain = f"c{n:04d}.example"
        account = self._put(
            "Account", number, Name=name or f"Company {n:04d}", Type="Prospect",
            Website=f"https://www.{domain}", Industry="Software", NumberOfEmployees=50 + n,
            AnnualRevenue=1000000.0 * number, BillingCountry="United States",
            OwnerId=self.owner, CreatedById=self.owner,
        )  # fmt: skip
        contact = self._put(
            "Contact", number, AccountId=account, FirstName="Pat", LastName=f"Person{n:04d}",
            Title="Head of Data", Email=f"pat@{domain}", Phone="+1 415 555 0100",
            MailingCountry="United States", LeadSource="Web", OwnerId=self.owner,
        )  # fmt: skip
        lead = self._put(
            "Lead", number, FirstName="Lee", LastName=f"Lead{n:04d}", Company=f"Lead Co {n}",
            Title="Analyst", Email=f"lee@lead{n:04d}.example", Status="Open - Not Contacted",
            LeadSource="Web", OwnerId=self.owner, IsConverted=False,
        )  # fmt: skip
        self._put(
            "CampaignMember", number, CampaignId=self.campaign, LeadId=lead, Status="Sent",
            HasResponded=False,
        )  # fmt: skip
        deal = sf_id("Opportunity", number)
        self._put(
            "OpportunityHistory", number, OpportunityId=deal, StageName="Prospecting",
            Amount=12000.0, CloseDate="2024-09-30", Probability=10.0,
            ForecastCategory="Pipeline", CreatedById=self.owner,
        )  # fmt: skip
        self._put(
            "OpportunityFieldHistory", number, OpportunityId=deal, CreatedById=self.owner,
            Field="created", DataType="Text",
        )  # fmt: skip
        self._put(
            "Opportunity", number, AccountId=account, Name=f"Company {n:04d} - Platform",
            Type="New Business", StageName="Prospecting", Amount=12000.0, Probability=10.0,
            CloseDate="2024-09-30", ForecastCategoryName="Pipeline", IsClosed=False,
            IsWon=False, LeadSource="Web", CampaignId=self.campaign, OwnerId=self.owner,
            NextStep="Book a first call", CreatedById=self.owner,
        )  # fmt: skip
        self._put(
            "Task", number, WhoId=contact, WhatId=deal, Subject="Discovery call",
            ActivityDate="2024-05-02", Status="Completed", OwnerId=self.owner,
            TaskSubtype="Call", IsClosed=True, CallDisposition="Connected",
        )  # fmt: skip
        self._put(
            "Event", number, WhoId=contact, WhatId=deal, Subject="Product demo",
            StartDateTime=sf_time(self.clock), ActivityDateTime=sf_time(self.clock),
            DurationInMinutes=60, OwnerId=self.owner,
        )  # fmt: skip
        return account

    # -- mutations between syncs --------------------------------------------------------
    def update(self, obj: str, record_id: str, **values: Any) -> None:
        """Change a record as a user would: its LastModifiedDate and SystemModstamp move."""
        with self.lock:
            record = self.store[obj][record_id]
            record.update(values)
            now = self._tick()
            record["LastModifiedDate"] = now
            record["SystemModstamp"] = now

    def delete(self, obj: str, record_id: str) -> None:
        """Move a record to the recycle bin: IsDeleted, and a new SystemModstamp."""
        self.update(obj, record_id, IsDeleted=True)

    def new_customer(self, n: int, name: str) -> str:
        with self.lock:
            return self.add_customer(n, name)

    def add_field(self, obj: str, name: str, kind: str, value: Any) -> None:
        """A custom field created in Setup: described, and on every record."""
        with self.lock:
            self.fields[obj].append((name, kind))
            for record in self.store[obj].values():
                record[name] = value

    def fail(
        self,
        path: str,
        status: int,
        times: int = 1,
        retry_after: str | None = None,
        error: tuple[str, str] = ("SERVER_UNAVAILABLE", "fake fault"),
    ) -> None:
        """The next `times` requests to `path` answer `status` with `error` (code, message)."""
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.faults += [(path, status, headers, errors(*error))] * times

    def expire_tokens(self) -> None:
        """Every access token issued so far is refused from now (401 INVALID_SESSION_ID)."""
        self.tokens = {t for t in self.tokens if t in (NO_LEADS, LIMITED)}

    # -- the API -------------------------------------------------------------------------
    def answer(
        self, path: str, query: dict[str, str], auth: str
    ) -> tuple[int, Any, dict[str, str]]:
        """One GET: status, JSON body, headers."""
        for n, (fault_path, status, headers, body) in enumerate(self.faults):
            if path == fault_path:
                del self.faults[n]
                return status, body, headers
        token = auth.removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, errors("INVALID_SESSION_ID", "Session expired or invalid"), {}
        if token == LIMITED:
            message = "TotalRequests Limit exceeded."
            return 403, errors("REQUEST_LIMIT_EXCEEDED", message), {}
        with self.lock:
            self.requests.append(("GET", path))
            if path.startswith(f"{JOBS_PATH}/"):
                return self.job(path.removeprefix(f"{JOBS_PATH}/"), query)
            if path in (QUERY_PATH, QUERY_ALL_PATH):
                return self.run_query(query.get("q", ""), path == QUERY_ALL_PATH, query, token)
            if path.startswith(f"{QUERY_PATH}/") or path.startswith(f"{QUERY_ALL_PATH}/"):
                return self.more(path.rsplit("/", 1)[1])
            found = re.fullmatch(rf"{DATA}/sobjects/(\w+)/describe", path)
            if found:
                return self.describe(found.group(1), token)
        return 404, errors("NOT_FOUND", "The requested resource does not exist"), {}

    def describe(self, obj: str, token: str) -> tuple[int, Any, dict[str, str]]:
        if obj not in self.fields:
            return 404, errors("NOT_FOUND", "The requested resource does not exist"), {}
        if obj == "Lead" and token == NO_LEADS:
            return 403, errors("INSUFFICIENT_ACCESS", "insufficient access rights on object id"), {}
        fields = [
            {"name": name, "type": kind, "label": name, "nillable": name != "Id"}
            for name, kind in self.fields[obj]
        ]
        body = {"name": obj, "label": obj, "queryable": True, "replicateable": True}
        return (
            200,
            {**body, "fields": fields, "urls": {"describe": f"{DATA}/sobjects/{obj}/describe"}},
            {},
        )

    def run_query(
        self, soql: str, everything: bool, query: dict[str, str], token: str
    ) -> tuple[int, Any, dict[str, str]]:
        parsed = SOQL.fullmatch(soql.strip())
        if not parsed:
            return 400, errors("MALFORMED_QUERY", f"unexpected token in: {soql[:80]}"), {}
        obj = parsed["object"]
        if obj not in self.fields:
            message = f"sObject type '{obj}' is not supported."
            return 400, errors("INVALID_TYPE", message), {}
        if obj == "Lead" and token == NO_LEADS:
            return 403, errors("INSUFFICIENT_ACCESS", "insufficient access rights on object id"), {}
        known = {name for name, _ in self.fields[obj]}
        selected = [f.strip() for f in parsed["fields"].split(",")]
        order = [f.strip() for f in (parsed["order"] or "").split(",") if f.strip()]
        for name in [*selected, *order]:
            if name not in known:
                message = f"No such column '{name}' on entity '{obj}'."
                return 400, errors("INVALID_FIELD", message), {}
        rows = [r for r in self.store[obj].values() if everything or not r.get("IsDeleted")]
        try:
            keep = _condition(parsed["where"])
        except ValueError as exc:
            return 400, errors("MALFORMED_QUERY", str(exc)), {}
        rows = [r for r in rows if keep(r)]
        rows.sort(key=lambda r: tuple("" if r[f] is None else str(r[f]) for f in order))
        if parsed["limit"]:
            rows = rows[: int(parsed["limit"])]
        records = [
            {
                "attributes": {"type": obj, "url": f"{DATA}/sobjects/{obj}/{r['Id']}"},
                **{name: deepcopy(r.get(name)) for name in selected},
            }
            for r in rows
        ]
        locator = f"01gFAKE{len(self.locators):08d}"
        self.locators[locator] = (records, max(1, int(query.get("batchSize", "2000"))))
        return self.more(f"{locator}-0")

    def more(self, position: str) -> tuple[int, Any, dict[str, str]]:
        locator, _, offset = position.rpartition("-")
        if locator not in self.locators or not offset.isdigit():
            message = "invalid query locator"
            return 400, errors("INVALID_QUERY_LOCATOR", message), {}
        records, size = self.locators[locator]
        start = int(offset)
        page = records[start : start + size]
        done = start + size >= len(records)
        body: dict[str, Any] = {"totalSize": len(records), "done": done}
        if not done:
            body["nextRecordsUrl"] = f"{QUERY_PATH}/{locator}-{start + size}"
        body["records"] = page
        return 200, body, {}

    def create_job(self, body: Any, auth: str) -> tuple[int, Any, dict[str, str]]:
        """``POST .../jobs/query``: a Bulk API 2.0 query job over the rows found now."""
        token = auth.removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, errors("INVALID_SESSION_ID", "Session expired or invalid"), {}
        operation = body.get("operation") if isinstance(body, dict) else None
        if operation not in ("query", "queryAll") or not isinstance(body.get("query"), str):
            return 400, errors("INVALIDJOB", "operation and query are required"), {}
        parsed = SOQL.fullmatch(body["query"].strip())
        if not parsed or parsed["order"]:
            message = "Bulk API 2.0 query: malformed query or unsupported clause"
            return 400, errors("INVALIDJOB", message), {}
        obj = parsed["object"]
        status, found, _ = self.run_query(body["query"], operation == "queryAll", {}, token)
        if status != 200:
            return status, found, {}
        records = self.locators.pop(next(reversed(self.locators)))[0]
        job_id = f"750FAKE{len(self.jobs):011d}"
        now = sf_time(self.clock)
        self.jobs[job_id] = {
            "info": {
                "id": job_id, "operation": operation, "object": obj,
                "createdById": self.owner, "createdDate": now, "systemModstamp": now,
                "state": "UploadComplete", "concurrencyMode": "Parallel",
                "contentType": "CSV", "apiVersion": float(VERSION[1:]),
                "lineEnding": "LF", "columnDelimiter": "COMMA",
            },
            "fields": [f.strip() for f in parsed["fields"].split(",")],
            "types": dict(self.fields[obj]),
            "records": sorted(records, key=lambda r: str(r["Id"]), reverse=True),
            "polls": self.bulk_polls,
        }  # fmt: skip
        return 200, dict(self.jobs[job_id]["info"]), {}

    def job(self, rest: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """``GET .../jobs/query/{id}`` and ``.../results``."""
        job_id, _, results = rest.partition("/")
        job = self.jobs.get(job_id)
        if job is None or results not in ("", "results"):
            return 404, errors("NOT_FOUND", "The requested resource does not exist"), {}
        info = job["info"]
        if not results:
            if info["state"] in ("UploadComplete", "InProgress"):
                if job["polls"] > 0:
                    job["polls"] -= 1
                    info.update(state="InProgress", numberRecordsProcessed=0, retries=0)
                elif info["object"] in self.failing_jobs:
                    message = "QUERY_TIMEOUT: Your query request was running for too long."
                    info.update(state="Failed", errorMessage=message)
                else:
                    count = len(job["records"])
                    info.update(state="JobComplete", numberRecordsProcessed=count, retries=0)
                info["totalProcessingTime"] = 120
            return 200, dict(info), {}
        if info["state"] != "JobComplete":
            return 400, errors("API_ERROR", f"Job {job_id} is not complete"), {}
        start = int(base64.b64decode(query["locator"]).decode()) if query.get("locator") else 0
        size = int(query.get("maxRecords", "50000"))
        rows = job["records"][start : start + size]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(job["fields"])
        for record in rows:
            writer.writerow(_cell(record.get(f), job["types"].get(f, "")) for f in job["fields"])
        more = start + size < len(job["records"])
        locator = base64.b64encode(str(start + size).encode()).decode() if more else "null"
        headers = {"Sforce-NumberOfRecords": str(len(rows)), "Sforce-Locator": locator}
        return 200, out.getvalue(), headers

    def token(self, form: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """``POST /services/oauth2/token``."""
        grant = form.get("grant_type")
        if form.get("client_id") != CLIENT_ID:
            return (
                400,
                {"error": "invalid_client_id", "error_description": "client identifier invalid"},
                {},
            )
        if grant == "refresh_token" and form.get("refresh_token") != REFRESH_TOKEN:
            return (
                400,
                {"error": "invalid_grant", "error_description": "expired access/refresh token"},
                {},
            )
        if grant == "client_credentials" and form.get("client_secret") != CLIENT_SECRET:
            return (
                400,
                {"error": "invalid_client", "error_description": "invalid client credentials"},
                {},
            )
        if grant not in ("refresh_token", "client_credentials"):
            return (
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
                {},
            )
        issued = f"00DFAKE0000001!AQ.issued{next(self.issued)}"
        self.tokens.add(issued)
        return (
            200,
            {
                "access_token": issued,
                "signature": "fakeSignature=",
                "scope": "api refresh_token",
                "instance_url": self.base,
                "id": f"https://login.salesforce.com/id/00DFAKE0000001AAA/{self.owner}",
                "token_type": "Bearer",
                "issued_at": str(int(self.clock.timestamp() * 1000)),
            },
            {},
        )

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Serve on 127.0.0.1 at a random port; yields the base URL (the instance URL)."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def reply(self, status: int, body: Any, headers: dict[str, str]) -> None:
                is_csv = isinstance(body, str)
                payload = body.encode() if is_csv else json.dumps(body).encode()
                self.send_response(status)
                kind = "text/csv" if is_csv else "application/json;charset=UTF-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                options = self.headers.get("Sforce-Query-Options", "")
                size = re.search(r"batchSize=(\d+)", options)
                if size:
                    query["batchSize"] = size.group(1)
                auth = self.headers.get("Authorization", "")
                self.reply(*fake.answer(url.path, query, auth))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length).decode()
                if urlsplit(self.path).path == JOBS_PATH:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = None
                    with fake.lock:
                        fake.requests.append(("POST", JOBS_PATH))
                        auth = self.headers.get("Authorization", "")
                        self.reply(*fake.create_job(body, auth))
                    return
                form = {k: v[-1] for k, v in parse_qs(raw).items()}
                if urlsplit(self.path).path != TOKEN_PATH:
                    self.reply(
                        404, errors("NOT_FOUND", "The requested resource does not exist"), {}
                    )
                    return
                with fake.lock:
                    self.reply(*fake.token(form))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.base
        finally:
            server.shutdown()
            server.server_close()


SOQL = re.compile(
    r"SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+ORDER\s+BY\s+(?P<order>.+?))?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?",
    re.IGNORECASE | re.DOTALL,
)
TERM = re.compile(r"\s*(\w+)\s*(>=|<=|!=|=|>|<)\s*('(?:[^'\\]|\\.)*'|[\w:.+-]+)\s*")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


def _condition(where: str | None) -> Callable[[dict[str, Any]], bool]:
    """A row filter for a conjunction of comparisons (enough for a replicating client)."""
    if not where:
        return lambda row: True
    terms = []
    for part in re.split(r"\s+AND\s+", where.strip(), flags=re.IGNORECASE):
        found = TERM.fullmatch(part)
        if not found:
            raise ValueError(f"unexpected token in WHERE: {part[:60]}")
        terms.append((found.group(1), found.group(2), _literal(found.group(3))))

    def keep(row: dict[str, Any]) -> bool:
        for name, op, value in terms:
            have = row.get(name)
            if isinstance(value, datetime):
                have = _moment(have) if have else None
            if have is None:
                return op == "=" and value is None
            if not _compare(have, op, value):
                return False
        return True

    return keep


def _cell(value: Any, kind: str) -> str:
    """A value as a Bulk API 2.0 CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "datetime":
        return str(value).replace("+0000", "Z")
    return str(value)


def _literal(text: str) -> Any:
    if text.startswith("'"):
        return text[1:-1].replace("\\'", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if DATETIME.fullmatch(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return float(text)


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _compare(have: Any, op: str, value: Any) -> bool:
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
        "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
    }  # fmt: skip
    return ops[op](have, value)
