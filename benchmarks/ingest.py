"""Ingest speed and memory on the demo company, against DuckDB's own reader (the ceiling).

Usage: python benchmarks/ingest.py [--accounts 200000] [--data DIR]

The company is generated once into DIR (default: a folder in the temp directory named
after the size) and reused. Then, each in a fresh child process so its peak resident
memory is its own:

- ceiling: DuckDB's `read_csv` / `read_json` of every export into a DuckDB file, types
  auto-detected, no mapping and no checks;
- revops: `revops demo`'s path: every system ingested into a new workspace's DuckDB
  warehouse, with mappings, validation, quarantine, history and the load log.

Both count the same source rows. The goal is revops at half the ceiling's speed or more.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

REVOPS = """
import json, resource, sys, time
from pathlib import Path
from revops import Workspace
from revops.ingest.runner import ingest
data, target = Path(sys.argv[1]), sys.argv[2]
systems = json.loads(sys.argv[3])
ws = Workspace.create(target)
began = time.perf_counter()
report = ingest(ws, [str(data / s) for s in systems])
seconds = time.perf_counter() - began
ws.close()
rows = sum(load.rows_in for load in report.loads if load.entity not in ("lifecycle_event",
                                                                         "partner"))
print(json.dumps({"rows": rows, "seconds": seconds, "failed": len(report.failed),
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


def measure(script: str, data: Path, target: Path) -> dict[str, float]:
    """Run `script` in a child process and return what it printed."""
    child = subprocess.run(
        [sys.executable, "-c", script, str(data), str(target), json.dumps(SYSTEMS)],
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
    args = parser.parse_args()
    data = args.data or Path(tempfile.gettempdir()) / f"revops-demo-{args.accounts}"
    generate(args.accounts, data)
    with tempfile.TemporaryDirectory() as scratch:
        began = time.perf_counter()
        ceiling = measure(CEILING, data, Path(scratch) / "ceiling.duckdb")
        ours = measure(REVOPS, data, Path(scratch) / "workspace")
        total = time.perf_counter() - began
    print(f"{'':>22} {'rows':>12} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
    for name, result in (("duckdb read_csv", ceiling), ("revops ingest", ours)):
        rate = result["rows"] / result["seconds"]
        peak = result["peak_kib"] / 1024
        print(f"{name:>22} {result['rows']:>12,.0f} {result['seconds']:>8.1f} {rate:>10,.0f} "
              f"{peak:>9,.0f}")  # fmt: skip
    speed = (ours["rows"] / ours["seconds"]) / (ceiling["rows"] / ceiling["seconds"])
    print(f"revops speed / ceiling: {speed:.2f} (goal ≥ 0.50); "
          f"quarantined {ours['quarantined']:,.0f}, failed loads {ours['failed']:.0f}; "
          f"{total:.0f} s in all")  # fmt: skip


if __name__ == "__main__":
    main()
