"""Ingest speed and memory on the demo company, against each warehouse's own bulk reader
(the ceiling).

Usage: python benchmarks/ingest.py [--accounts 200000] [--data DIR] [--postgres URL]

The company is generated once into DIR (default: a folder in the temp directory named
after the size) and reused. Then, each in a fresh child process so its peak resident
memory is its own:

- ceiling: DuckDB's `read_csv` / `read_json` of every export into a DuckDB file, types
  auto-detected, no mapping and no checks;
- revops: `revops demo`'s path: every system ingested into a new workspace's DuckDB
  warehouse, with mappings, validation, quarantine, history and the load log; then the
  same files again (nothing to write);
- with `--postgres URL` (default: the local test server; `none` to skip) the same on
  PostgreSQL: its ceiling is a `COPY` of every raw file into a table of text columns (a
  JSON file or line into one column), and revops ingests into a workspace whose warehouse
  is that server, in schemas of its own that are dropped afterwards.

Each side counts the source rows it read. The goal is revops at half its ceiling's
speed or more.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SYSTEMS = ("salesforce", "hubspot", "stripe", "zendesk", "product", "web", "finance", "stack",
           "enablement", "partners", "planning", "revops")  # fmt: skip

CEILING = """
import json, resource, sys, time
from pathlib import Path
import duckdb
data, target = Path(sys.argv[1]), sys.argv[2]
systems = json.loads(sys.argv[3])
con = duckdb.connect(target)
began = time.perf_counter()
rows = 0
for index, path in enumerate(sorted(p for s in systems for p in (data / s).glob("*.*"))):
    reader = "read_json" if path.suffix == ".jsonl" else "read_csv"
    con.execute(f"CREATE TABLE t{index} AS SELECT * FROM {reader}('{path}')")
    rows += con.execute(f"SELECT count(*) FROM t{index}").fetchone()[0]
seconds = time.perf_counter() - began
print(json.dumps({"rows": rows, "seconds": seconds,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

POSTGRES_CEILING = """
import csv, json, resource, sys, time
from pathlib import Path
import psycopg
data, url = Path(sys.argv[1]), sys.argv[2]
systems = json.loads(sys.argv[3])
schema = "ceiling_" + str(int(time.time()))
rows = 0
with psycopg.connect(url, autocommit=True) as con:
    con.execute(f"CREATE SCHEMA {schema}")
    try:
        began = time.perf_counter()
        for index, path in enumerate(sorted(p for s in systems for p in (data / s).glob("*.*"))):
            table = f"{schema}.t{index}"
            if path.suffix == ".csv":
                header = next(csv.reader(path.open(encoding="utf-8-sig", newline="")))
                columns = ", ".join(f'"c{i}" text' for i in range(len(header)))
                options = "FORMAT csv, HEADER true"
            else:  # a JSON document or JSON lines: one column, no quoting
                columns = '"doc" text'
                options = "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'"
            con.execute(f"CREATE TABLE {table} ({columns})")
            with con.cursor() as cursor, path.open("rb") as source:
                with cursor.copy(f"COPY {table} FROM STDIN ({options})") as copy:
                    while chunk := source.read(1 << 20):
                        copy.write(chunk)
            rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        seconds = time.perf_counter() - began
    finally:
        con.execute(f"DROP SCHEMA {schema} CASCADE")
print(json.dumps({"rows": rows, "seconds": seconds,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

REVOPS = """
import json, resource, sys, time
from pathlib import Path
from revops import Workspace
from revops.ingest.runner import ingest
data, target = Path(sys.argv[1]), sys.argv[2]
systems = json.loads(sys.argv[3])
postgres = sys.argv[4] if len(sys.argv) > 4 else ""
ws = Workspace.create(target)
if postgres:
    config = Path(target) / "revops.yaml"
    text = config.read_text().replace("url: duckdb:///warehouse.duckdb", f"url: {postgres}", 1)
    prefix = "ingest" + str(int(time.time())) + "_"
    config.write_text(text.replace('schema_prefix: ""', f'schema_prefix: "{prefix}"', 1))
    ws.close()
    ws = Workspace.open(target)
began = time.perf_counter()
try:
    report = ingest(ws, [str(data / s) for s in systems])
    seconds = time.perf_counter() - began
    again = time.perf_counter()
    reused = ingest(ws, [str(data / s) for s in systems])
    again = time.perf_counter() - again
finally:
    if postgres:
        ws.warehouse.drop()
    ws.close()
rows = sum(load.rows_in for load in report.loads if load.entity not in ("lifecycle_event",
                                                                         "partner"))
print(json.dumps({"rows": rows, "seconds": seconds, "failed": len(report.failed),
                  "again_seconds": again,
                  "again_reused": sum(1 for load in reused.loads if load.reused),
                  "loads": len(report.loads),
                  "quarantined": sum(load.quarantined for load in report.loads),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def generate(accounts: int, data: Path) -> None:
    """Generate the company into `data` unless it is already there."""
    if (data / "truth" / "params.json").exists():
        return
    print(f"generating {accounts:,} accounts into {data} …", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "revops", "demo", "generate", "--out", str(data),
         "--accounts", str(accounts), "--as-of", "2026-11-22"],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def measure(script: str, data: Path, target: Path | str, *extra: str) -> dict[str, float]:
    """Run `script` in a child process and return what it printed."""
    child = subprocess.run(
        [sys.executable, "-c", script, str(data), str(target), json.dumps(SYSTEMS), *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--postgres", default=POSTGRES_URL, help="server URL, or none")
    args = parser.parse_args()
    data = args.data or Path(tempfile.gettempdir()) / f"revops-demo-{args.accounts}"
    generate(args.accounts, data)
    runs: list[tuple[str, dict[str, float], dict[str, float]]] = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        ceiling = measure(CEILING, data, Path(scratch) / "ceiling.duckdb")
        ours = measure(REVOPS, data, Path(scratch) / "workspace")
        runs.append(("duckdb", ceiling, ours))
        if args.postgres != "none":
            ceiling = measure(POSTGRES_CEILING, data, args.postgres)
            ours = measure(REVOPS, data, Path(scratch) / "pg-workspace", args.postgres)
            runs.append(("postgres", ceiling, ours))
    total = time.perf_counter() - began
    print(f"{args.accounts:,} accounts")
    print(f"{'':>26} {'rows':>12} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
    for backend, ceiling, ours in runs:
        reader = "read_csv" if backend == "duckdb" else "COPY"
        for name, result in ((f"{backend} {reader}", ceiling), (f"revops on {backend}", ours)):
            rate = result["rows"] / result["seconds"]
            peak = result["peak_kib"] / 1024
            print(f"{name:>26} {result['rows']:>12,.0f} {result['seconds']:>8.1f} "
                  f"{rate:>10,.0f} {peak:>9,.0f}")  # fmt: skip
        speed = (ours["rows"] / ours["seconds"]) / (ceiling["rows"] / ceiling["seconds"])
        print(
            f"{backend}: revops speed / ceiling {speed:.2f} (goal ≥ 0.50); "
            f"quarantined {ours['quarantined']:,.0f}, failed loads {ours['failed']:.0f}"
        )
        again = (ours["rows"] / ours["again_seconds"]) / (ceiling["rows"] / ceiling["seconds"])
        print(
            f"{backend}: the same files again {ours['again_seconds']:.1f} s "
            f"({ours['again_reused']:.0f} of {ours['loads']:.0f} loads reused), "
            f"speed / ceiling {again:.2f} (goal ≥ 1)"
        )
    print(f"{total:.0f} s in all")


if __name__ == "__main__":
    main()
