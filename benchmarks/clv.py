"""Non-contractual CLV (BG/NBD + Gamma-Gamma) on a million invoices: time and peak memory.

Usage: python benchmarks/clv.py [--invoices 1000000] [--seed 1] [--data DIR]

A workspace whose `core.invoice` holds `--invoices` invoices of buyers without a
subscription is made once in DIR (default: a folder in the temp directory named after the
size and seed) and reused: customers drawn from a BG/NBD process (first purchases spread
over the first year, two years of history, values from a Gamma-Gamma; whole customers,
in batches of 10,000, so the count passes `--invoices` by up to a batch's invoices: 1,029,748
for the default). Then, each in a
fresh child process so its peak resident memory is its own:

- ceiling: DuckDB's own SQL of the same per-customer summary, read into numpy (no fit);
- revops: `ws.success.clv(periods=12, unit="month")`: the summary in the warehouse, both
  fits and the prediction for every customer.

The goal is minutes, not hours, for a million invoices, with memory bounded by the
customers (one summary row each), not by the invoices.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2026, 11, 22)

CEILING = """
import json, resource, sys, time
import duckdb
con = duckdb.connect(sys.argv[1] + "/warehouse.duckdb", read_only=True)
began = time.perf_counter()
frame = con.execute('''
  with days as (select account_id, issue_date as day, sum(amount) as amount
                from core.invoice where issue_date <= DATE '%s' group by 1, 2),
  firsts as (select *, min(day) over (partition by account_id) as first_day from days)
  select account_id, count(*) - 1 as frequency, max(day) - min(day) as recency,
         DATE '%s' - min(day) as age, sum(amount) filter (where day > first_day) as repeat
  from firsts group by 1''').fetchnumpy()
seconds = time.perf_counter() - began
print(json.dumps({"customers": len(frame["account_id"]), "seconds": seconds,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

REVOPS = """
import json, resource, sys, time
from datetime import date
from revops import Workspace
ws = Workspace.open(sys.argv[1], read_only=True)
began = time.perf_counter()
result = ws.success.clv(as_of=date.fromisoformat(sys.argv[2]), periods=12, unit="month")
seconds = time.perf_counter() - began
print(json.dumps({"customers": len(result.customers), "seconds": seconds,
                  "bgnbd": result.model.purchases.as_dict(),
                  "gamma_gamma": result.model.spend.as_dict(),
                  "expected_value": result.total_value,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def generate(invoices: int, seed: int, root: Path) -> None:
    """Write the workspace with `invoices` invoices into `root` unless it is there."""
    import numpy as np
    import pyarrow as pa

    from revops import Workspace

    if (root / "revops.yaml").exists():
        return
    print(f"generating {invoices:,} invoices into {root} …", file=sys.stderr)
    rng = np.random.default_rng(seed)
    start = AS_OF - timedelta(days=730)
    customer_ids, days, amounts = [], [], []
    made, batch = 0, 0
    while made < invoices:
        n = 10_000
        rate = rng.gamma(1.5, 1.0 / 60.0, n)  # purchases per day
        drop = rng.beta(1.0, 4.0, n)
        scale = 1.0 / rng.gamma(4.0, 1.0 / 300.0, n)
        now = rng.uniform(0.0, 365.0, n)
        alive = np.ones(n, dtype=bool)
        first = True
        while alive.any():
            take = np.flatnonzero(alive)
            customer_ids.append(np.char.add(f"b{batch}-", take.astype(str)))
            days.append(now[take].astype(int))
            amounts.append(np.round(rng.gamma(3.0, scale[take]), 2))
            made += len(take)
            if not first:  # a buyer may drop out after a repeat purchase, not the first
                alive &= rng.uniform(size=n) >= drop
            first = False
            now = now + rng.exponential(1.0 / rate)
            alive &= now < 730
        batch += 1
    # Whole customers: the last batch of 10,000 overshoots `invoices` by its invoices.
    ids = np.concatenate(customer_ids)
    issued = [start + timedelta(days=int(d)) for d in np.concatenate(days)]
    ws = Workspace.create(root)
    ws.init_warehouse()
    table = pa.table(
        {
            "invoice_id": [f"inv-{i}" for i in range(len(ids))],
            "account_id": ids,
            "status": ["paid"] * len(ids),
            "issue_date": issued,
            "amount": pa.array(np.concatenate(amounts)).cast(pa.decimal128(18, 2)),
            "currency": ["USD"] * len(ids),
            "source_system": ["bench"] * len(ids),
            "source_id": [f"inv-{i}" for i in range(len(ids))],
            "load_id": ["bench"] * len(ids),
        }
    )
    ws.warehouse.load("invoice", table, mode="append")
    ws.close()


def measure(script: str, root: Path) -> dict[str, object]:
    """Run `script` in a child process and return what it printed."""
    child = subprocess.run(
        [sys.executable, "-c", script, str(root), AS_OF.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.data or Path(tempfile.gettempdir()) / f"revops-clv-{args.invoices}-{args.seed}"
    if args.generate_only:
        generate(args.invoices, args.seed, root)
        return
    began = time.perf_counter()
    # In a child of its own: Linux keeps a process's peak memory across fork and exec, so
    # the measuring children would otherwise report the generator's.
    subprocess.run(
        [sys.executable, __file__, "--generate-only", "--invoices", str(args.invoices),
         "--seed", str(args.seed), "--data", str(root)],
        check=True,
    )  # fmt: skip
    made = time.perf_counter() - began
    ceiling = measure(CEILING.replace("%s", AS_OF.isoformat()), root)
    ours = measure(REVOPS, root)
    print(f"{args.invoices:,} invoices (workspace made in {made:.0f} s)")
    print(f"{'':>24} {'customers':>10} {'seconds':>8} {'peak MiB':>9}")
    for name, result in (("duckdb summary only", ceiling), ("revops clv (fit+predict)", ours)):
        peak = float(result["peak_kib"]) / 1024  # type: ignore[arg-type]
        print(f"{name:>24} {result['customers']:>10,} {result['seconds']:>8.1f} {peak:>9,.0f}")
    print("BG/NBD:", {k: round(v, 4) for k, v in ours["bgnbd"].items()})  # type: ignore[attr-defined]
    print("Gamma-Gamma:", {k: round(v, 4) for k, v in ours["gamma_gamma"].items()})  # type: ignore[attr-defined]
    print(f"expected value of the next 12 months: {ours['expected_value']:,.0f}")


if __name__ == "__main__":
    main()
