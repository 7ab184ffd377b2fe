"""Territory design at scale: N synthetic accounts, solve time and peak memory.

Usage: python benchmarks/territories.py [--accounts 20000] [--reps N] [--limit SECONDS]

Writes a new workspace (DuckDB) in a temp folder with N accounts (three segments, a
heavy-tailed employee count, today's owner at random among the segment's reps) and one
rep per 250 accounts in three segment teams, and a design balancing employees and
accounts with segment rules. Then, in a fresh child process so its peak resident memory is
its own, `ws.territories.plan()`: the warehouse read, the greedy baseline and CP-SAT (the
design's time limit, split across the three segment groups), and prints the timings, the
solver's status and gap and the comparison table.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 22)
SEGMENTS = ("smb", "mid_market", "enterprise")

CHILD = """
import json, resource, sys, time
from datetime import date
from revops import Workspace
began = time.perf_counter()
ws = Workspace.open(sys.argv[1])
found = ws.territories.plan(date.fromisoformat(sys.argv[2]))
seconds = time.perf_counter() - began
ws.close()
print(json.dumps({"seconds": seconds, "solver": found.solver_summary(),
                  "comparison": found.comparison_rows(),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def write_company(
    root: Path, accounts: int, reps: int, limit: float, continuity: float, seed: int = 7
) -> None:
    """A workspace with `accounts` accounts, `reps` reps and a segment-ruled design."""
    import pyarrow as pa

    from revops import Workspace
    from revops.model import ENTITIES

    ws = Workspace.create(root)
    ws.init_warehouse()
    rng = random.Random(seed)

    def table(entity: str, rows: list[dict[str, object]]) -> pa.Table:
        schema = ENTITIES[entity].schema().to_pyarrow()
        full = [{c: r.get(c) for c in schema.names} for r in rows]
        return pa.Table.from_pylist(full, schema)

    lineage = {"source_system": "bench", "load_id": "bench"}
    teams = [{"team_id": f"t-{s}", "name": f"Team {s}", "source_id": s, **lineage}
             for s in SEGMENTS]  # fmt: skip
    users = [{"user_id": f"u{i}", "name": f"Rep {i}", "team_id": f"t-{SEGMENTS[i % 3]}",
              "is_active": True, "hire_date": date(2024, 1, 1), "source_id": f"u{i}", **lineage}
             for i in range(reps)]  # fmt: skip
    by_segment = {s: [u["user_id"] for u in users if u["team_id"] == f"t-{s}"] for s in SEGMENTS}
    rows = []
    for i in range(accounts):
        segment = rng.choices(SEGMENTS, weights=(6, 3, 1))[0]
        rows.append({
            "account_id": f"a{i}", "name": f"Company {i}", "segment": segment,
            "employees": int(10 * rng.paretovariate(1.3)),
            "owner_id": rng.choice(by_segment[segment]),
            "source_id": f"a{i}", **lineage,
        })  # fmt: skip
    ws.warehouse.load("team", table("team", teams), mode="append")
    ws.warehouse.load("user", table("user", users), mode="append")
    ws.warehouse.load("account", table("account", rows), mode="append")
    ws.close()
    rules = "\n".join(f"  - {{field: segment, values: [{s}], teams: [t-{s}]}}" for s in SEGMENTS)
    (root / "plans" / "territories.yaml").write_text(
        "potential: {employees: 1.0}\nworkload: {accounts: 1.0}\n"
        f"continuity_weight: {continuity}\nrules:\n{rules}\n"
        f"solver: {{time_limit_seconds: {limit}}}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=None, help="default: one per 250 accounts")
    parser.add_argument("--limit", type=float, default=60.0, help="solver time limit, seconds")
    parser.add_argument("--continuity", type=float, default=1.0, help="continuity_weight")
    args = parser.parse_args()
    reps = args.reps or max(3, args.accounts // 250)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        began = time.perf_counter()
        write_company(root, args.accounts, reps, args.limit, args.continuity)
        print(f"wrote {args.accounts} accounts, {reps} reps in {time.perf_counter() - began:.1f} s")
        done = subprocess.run([sys.executable, "-c", CHILD, str(root), AS_OF.isoformat()],
                              capture_output=True, text=True, check=True)  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    s = result["solver"]
    print(
        f"plan: {result['seconds']:.1f} s in all, CP-SAT {s['status']} {s['seconds']:.1f} s, "
        f"gap {s['gap']:.2%}, {s['units']} units, {s['variables']} variables, "
        f"{s['groups']} groups; peak memory {result['peak_kib'] / 1024:.0f} MiB"
    )
    for row in result["comparison"]:
        print(
            f"  {row['assignment']:<10} CV potential {row['cv_potential']}, CV workload "
            f"{row['cv_workload']}, moved {row['moved_share']:.1%}"
        )


if __name__ == "__main__":
    main()
