"""Peak memory of writing an identity run's scored pairs to the warehouse.

Usage: python benchmarks/identity_pairs.py [--pairs 600000] [--warehouse-memory 500MB]

Each side in a fresh child process (so its peak resident memory is its own) writes the
same synthetic pairs — ids, weight, probability and a JSON detail of six comparisons, as
`identity run` keeps them — into `identity.pair` of a new DuckDB workspace:

- one table: every pair in one Arrow table handed to `write_run` (the way before);
- batches: `PairWriter`, 100,000 pairs at a time to `identity.pair_stage`, moved into
  `identity.pair` inside the warehouse by `write_run` (what `identity run` does).

`--warehouse-memory` holds the warehouse's DuckDB to that limit, as `identity run` holds
it to `identity.memory_limit`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, random, resource, sys, time
from pathlib import Path
import pyarrow as pa
from revops import Workspace
from revops.identity.crosswalk import PairWriter, write_run
from revops.identity.splinkmodel import Resolution

mode, n, root, limit = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
Workspace.create(root)
ws = Workspace.open(root)
if limit:
    ws.warehouse.execute(f"SET memory_limit = '{limit}'")
rng = random.Random(1)
names = ["email", "first_name", "last_name", "phone", "company", "first_name_swapped_last_name"]

def batch(start, size):
    detail = [json.dumps({c: {"level": "same " + c, "weight": rng.random() * 8,
                              "tf_adjustment": 0.0, "left": f"{c} {start + i}",
                              "right": f"{c} {start + i + 1}"} for c in names}, sort_keys=True)
              for i in range(size)]
    return pa.table({
        "unique_id_l": [f"contact:salesforce:{start + i:09d}" for i in range(size)],
        "unique_id_r": [f"lead:salesforce:{start + i:09d}" for i in range(size)],
        "match_weight": [rng.uniform(-5, 20) for _ in range(size)],
        "match_probability": [rng.random() for _ in range(size)],
        "detail": detail,
    })

one = "contact:salesforce:000000000"
records = pa.table({k: [one if k == "unique_id" else "x"]
                    for k in ("unique_id", "entity", "record_id", "source_system", "source_id")})
clusters = pa.table({"unique_id": [one], "cluster_id": [one]})
began = time.perf_counter()
if mode == "one table":
    pairs = pa.concat_tables([batch(s, min(100_000, n - s)) for s in range(0, n, 100_000)])
    write_run(ws.warehouse, "person", records, Resolution(clusters, pairs, {}), 0.999, "r")
else:
    writer = PairWriter(ws.warehouse, "person", "r", 0.999, {})
    for s in range(0, n, 100_000):
        writer.write(batch(s, min(100_000, n - s)))
    writer.finish()
    write_run(ws.warehouse, "person", records, Resolution(clusters, batch(0, 0), {}), 0.999,
              "r", writer)
    writer.close()
rows = ws.warehouse.table("pair", "identity").count().execute()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"| {n:,} | {mode} | {rows:,} | {time.perf_counter() - began:.1f} | {peak:,.0f} |")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=600_000)
    parser.add_argument("--warehouse-memory", default="", help="e.g. 500MB")
    args = parser.parse_args()
    print("| pairs | written as | rows in identity.pair | seconds | peak MiB |")
    print("|---|---|---|---|---|")
    for mode in ("one table", "batches"):
        with tempfile.TemporaryDirectory(prefix="revops-pairs-") as folder:
            command = [sys.executable, "-c", CHILD, mode, str(args.pairs),
                       str(Path(folder) / "ws"), args.warehouse_memory]  # fmt: skip
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
