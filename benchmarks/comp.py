"""Commission statements speed and memory: a fiscal year of statements for every rep.

Usage: python benchmarks/comp.py [--accounts 2000] [--year FY2027] [--data DIR]

The demo company (`revops demo`'s generator and ingest, `--accounts` companies, three
years to its today) is written once into a DuckDB workspace in DIR (default: a folder in
the temp directory named after the size) with the shipped example plans (an AE plan paid
quarterly on bookings against the quota table with tiers, threshold, cap, SPIF, draw and
clawbacks; a managers' roll-up plan). Then, in a fresh child process so its peak resident
memory is its own, every statement of the fiscal year (each quarter of both plans, every
participant) is computed from the warehouse, as `revops comp run --period FY...` does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

AS_OF = date(2027, 6, 30)

STEP = """
import json, resource, sys, time
from datetime import date
from revops import Workspace
root, year, as_of = sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3])
ws = Workspace.open(root, read_only=True)
began = time.perf_counter()
found = ws.comp.statements(year, as_of=as_of)
seconds = time.perf_counter() - began
lines = sum(len(s.lines) for s in found)
total = str(sum(s.total for s in found))
ws.close()
print(json.dumps({"statements": len(found), "lines": lines, "total": total,
                  "seconds": seconds,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def build(root: Path, accounts: int) -> None:
    """The demo company, ingested, with the example plans."""
    from revops import Workspace
    from revops.comp.plan import write_example_plans
    from revops.demo import DemoParams
    from revops.demo.generate import generate_company
    from revops.ingest.runner import ingest

    params = DemoParams(accounts=accounts, years=3, seed=42, as_of=AS_OF)
    data = root.parent / "data"
    generate_company(params, data)
    ws = Workspace.create(root, fiscal_year_start_month=params.fiscal_year_start_month)
    try:
        report = ingest(ws, sorted(str(p) for p in data.iterdir() if p.name != "truth"))
        assert not report.failed, report.failed
    finally:
        ws.close()
    write_example_plans(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--year", default="FY2027")
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    base = args.data or Path(tempfile.gettempdir()) / f"revops-bench-comp-{args.accounts}"
    root = base / "ws"
    if not (root / "revops.yaml").exists():
        base.mkdir(parents=True, exist_ok=True)
        build(root, args.accounts)
    done = subprocess.run(
        [sys.executable, "-c", STEP, str(root), args.year, AS_OF.isoformat()],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{args.year} for the {args.accounts:,}-account company: {result['statements']:,} "
        f"statements, {result['lines']:,} lines, total {result['total']}, in "
        f"{result['seconds']:.2f} s, peak {result['peak_kib'] / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
