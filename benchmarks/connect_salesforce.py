"""Salesforce connector throughput against the local fake REST API
(tests/fake_salesforce.py), beside a file ingest of the same records as Data Loader CSVs.

Usage: python benchmarks/connect_salesforce.py [--customers 500] [--page-size 1000]
       [--bulk-threshold N]

Prints records per second for:

- full sync: the twelve objects, query page by query page (``nextRecordsUrl``), each page
  loaded through the shipped mappings with its cursor committed in its transaction;
- incremental sync: after a fifth of the accounts renamed, a fifth of the deals moved to
  another close date and one contact deleted (``queryAll`` from the cursors);
- file ingest: the same records as one Data Loader CSV per object (`revops ingest run`).

With ``--bulk-threshold N``, the full sync reads each object of at least N records through
a Bulk API 2.0 query job (CSV result sets) instead of REST pages; the fake completes a job
after two polls, whose waits (0.5 s and 1 s) are real here.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from revops import Workspace
from revops.ingest.connect import Connection, sync_source
from revops.ingest.connect.connection import save_connection
from revops.ingest.runner import ingest

import fake_salesforce
from fake_salesforce import FakeSalesforce, sf_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--bulk-threshold", type=int, default=None)
    args = parser.parse_args()
    os.environ["SALESFORCE_ACCESS_TOKEN"] = fake_salesforce.TOKEN
    fake = FakeSalesforce(customers=args.customers)
    work = Path(tempfile.mkdtemp(prefix="revops-connect-sf-"))
    with fake.serving() as url:
        ws = Workspace.create(work / "synced")
        connection = Connection(
            source="salesforce",
            base_url=url,
            key_env="SALESFORCE_ACCESS_TOKEN",
            page_size=min(args.page_size, 1000),
            bulk_threshold=args.bulk_threshold,
        )
        save_connection(ws.root, connection)
        full = sync_source(ws, "salesforce")
        for n in range(1, args.customers // 5 + 1):
            fake.update("Account", sf_id("Account", n), Name=f"Renamed {n}")
            fake.update("Opportunity", sf_id("Opportunity", n), CloseDate="2024-12-31")
        fake.delete("Contact", sf_id("Contact", 1))
        incremental = sync_source(ws, "salesforce")
        ws.close()
    exports = work / "export" / "salesforce"
    exports.mkdir(parents=True)
    records = write_csv(fake, exports)
    files = Workspace.create(work / "files")
    began = time.perf_counter()
    ingest(files, [exports], quality=False)
    file_seconds = time.perf_counter() - began
    files.close()

    bulk = "" if args.bulk_threshold is None else f", Bulk API from {args.bulk_threshold:,}"
    print(f"fake Salesforce, {args.customers} customers, pages of {connection.page_size:,}{bulk}")
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


def write_csv(fake: FakeSalesforce, folder: Path) -> int:
    """The fake's live records as Data Loader CSVs; the number of records."""
    count = 0
    for obj, records in fake.store.items():
        names = [n for n, kind in fake.fields[obj] if kind != "address"]
        with (folder / f"{obj}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL)
            writer.writerow(names)
            for record in records.values():
                if not record.get("IsDeleted"):
                    writer.writerow([_cell(record[n]) for n in names])
                    count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
