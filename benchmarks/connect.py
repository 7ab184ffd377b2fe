"""Connector throughput against the local fake Stripe, Zendesk and HubSpot APIs
(tests/fake_*.py), beside a file ingest of the same records (what a hand export of the
lists gives).

Usage: python benchmarks/connect.py [--customers 500] [--page-size 100]
       [--source stripe|zendesk|hubspot]

Prints records per second for:

- full sync: every list, page by page, each page loaded through the mappings with its
  cursor committed in the page's transaction;
- incremental sync: the events after changes to a fifth of the customers (a rename, a
  seat change) and a delete;
- file ingest: the same lists as one JSON file each, `revops ingest run` (the ceiling a
  sync pays its paging and per-page transactions against);
- Zendesk: a full and an incremental sync of the incremental exports (organisations,
  users, tickets), the changes a fifth of the tickets solved and a fifth renamed;
- HubSpot: a full sync of owners, companies, contacts and deals (with their associations
  and stage dates), then an incremental one through the search after a fifth of the
  companies renamed, a fifth of the deals moved on a stage and a contact archived.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from revops import Workspace
from revops.ingest.connect import Connection, sync_source
from revops.ingest.connect.connection import save_connection
from revops.ingest.runner import ingest

import fake_hubspot
import fake_zendesk
from connectors import HUBSPOT
from fake_stripe import KEY, FakeStripe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--source", choices=("stripe", "zendesk", "hubspot"), default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="revops-connect-"))
    if args.source in (None, "stripe"):
        stripe(args.customers, args.page_size, work)
    if args.source in (None, "zendesk"):
        zendesk(args.customers, work)
    if args.source in (None, "hubspot"):
        hubspot(args.customers, args.page_size, work)


def stripe(customers: int, page_size: int, work: Path) -> None:
    """Stripe's lists and events, beside a file ingest of the same lists."""
    args = argparse.Namespace(customers=customers, page_size=page_size)
    os.environ["STRIPE_API_KEY"] = KEY
    fake = FakeStripe(customers=args.customers)
    with fake.serving() as url:
        ws = Workspace.create(work / "synced")
        connection = Connection(
            source="stripe", base_url=url, key_env="STRIPE_API_KEY", page_size=args.page_size
        )
        save_connection(ws.root, connection)
        full = sync_source(ws, "stripe")
        changed = list(fake.store["customer"])[: args.customers // 5]
        for n, customer in enumerate(changed):
            fake.rename_customer(customer, f"Renamed {n}")
            fake.change_seats(customer.replace("cus_", "sub_"), 7)
        fake.delete_customer(changed[-1])
        incremental = sync_source(ws, "stripe")
        ws.close()

        exports = work / "export" / "stripe"
        exports.mkdir(parents=True)
        records = 0
        for kind, name in (("customer", "customers"), ("product", "products"),
                           ("subscription", "subscriptions"), ("invoice", "invoices")):  # fmt: skip
            _, page = fake.listing(kind, {"limit": "1000000", "status": "all"})
            records += len(page["data"])
            (exports / f"{name}.json").write_text(json.dumps(page))
    files = Workspace.create(work / "files")
    began = time.perf_counter()
    ingest(files, [exports.parent], quality=False)
    file_seconds = time.perf_counter() - began
    files.close()

    print(f"fake Stripe, {args.customers} customers, pages of {args.page_size}")
    for label, result in (("full sync", full), ("incremental sync", incremental)):
        print(
            f"{label:17} {result.records:6,} records {result.pages:4} pages "
            f"{result.seconds:6.1f}s {result.rows_per_second:8,.0f} records/s "
            f"({result.changed:,} rows new or changed, {result.deletions} delete(s))"
        )
    print(
        f"{'file ingest':17} {records:6,} records {'':10} {file_seconds:6.1f}s "
        f"{records / file_seconds:8,.0f} records/s"
    )
    print(f"full sync / file ingest: {full.rows_per_second / (records / file_seconds):.2f}")


def zendesk(customers: int, work: Path) -> None:
    """Zendesk's exports: a full sync, then an incremental one after changes."""
    os.environ["ZENDESK_API_TOKEN"] = fake_zendesk.TOKEN
    fake = fake_zendesk.FakeZendesk(customers=customers)
    with fake.serving() as url:
        ws = Workspace.create(work / "zendesk")
        connection = Connection(
            source="zendesk",
            base_url=url,
            user=fake_zendesk.EMAIL,
            key_env="ZENDESK_API_TOKEN",
            page_size=100,
        )
        save_connection(ws.root, connection)
        full = sync_source(ws, "zendesk")
        for n in range(customers // 5):
            fake.solve(5000 + 10 * n + 1)
            fake.rename_organization(360061230000 + n, f"Renamed {n}")
        incremental = sync_source(ws, "zendesk")
        ws.close()
    print(f"fake Zendesk, {customers} organisations, pages of 100")
    for label, result in (("full sync", full), ("incremental sync", incremental)):
        print(
            f"{label:17} {result.records:6,} records {result.pages:4} pages "
            f"{result.seconds:6.1f}s {result.rows_per_second:8,.0f} records/s "
            f"({result.changed:,} rows new or changed)"
        )


def hubspot(customers: int, page_size: int, work: Path) -> None:
    """HubSpot's CRM objects: a full sync, then an incremental one after changes."""
    os.environ["HUBSPOT_ACCESS_TOKEN"] = fake_hubspot.TOKEN
    fake = fake_hubspot.FakeHubSpot(customers=customers, owners=20)
    with fake.serving() as url:
        ws = HUBSPOT.workspace(work / "hubspot")
        connection = Connection(
            source="hubspot", base_url=url, key_env="HUBSPOT_ACCESS_TOKEN", page_size=page_size
        )
        save_connection(ws.root, connection)
        full = sync_source(ws, "hubspot")
        for n in range(customers // 5):
            fake.rename_company(str(9384710000 + n), f"Renamed {n}")
            fake.move_deal(str(18372610000 + n), "closedwon")
        fake.archive("contacts", "70200")
        incremental = sync_source(ws, "hubspot")
        ws.close()
    fake.export_csv(work / "hubspot-export" / "hubspot")
    files = HUBSPOT.workspace(work / "hubspot-files")
    began = time.perf_counter()
    ingest(files, [work / "hubspot-export"], quality=False)
    file_seconds = time.perf_counter() - began
    files.close()
    records = len(fake.owners) + sum(
        not r["archived"] for store in fake.store.values() for r in store.values()
    )
    print(f"fake HubSpot, {customers} companies, contacts and deals, pages of {page_size}")
    for label, result in (("full sync", full), ("incremental sync", incremental)):
        print(
            f"{label:17} {result.records:6,} records {result.pages:4} pages "
            f"{result.seconds:6.1f}s {result.rows_per_second:8,.0f} records/s "
            f"({result.changed:,} rows new or changed, {result.deletions} delete(s))"
        )
    print(
        f"{'file ingest':17} {records:6,} records {'':10} {file_seconds:6.1f}s "
        f"{records / file_seconds:8,.0f} records/s (a CSV export of the records now)"
    )


if __name__ == "__main__":
    main()
