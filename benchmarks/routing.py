"""Lead routing speed and memory: N leads routed by a realistic rule file.

Usage: python benchmarks/routing.py [--leads 100000] [--reps 60] [--data DIR]

A synthetic company is written once into a DuckDB workspace in DIR (default: a folder in
the temp directory named after the size): `reps` SDRs and AEs in teams, one account per
five leads (owned by an AE, in a segment and region, resolved to golden records), 40 % of
the leads matched to an account, a third closed. Then, each in a fresh child process so
its peak resident memory is its own:

- plan: every open lead through the rules (account owner, territories by segment and
  region, round-robin and weighted pools with capacity, out-of-office, fallback);
- apply: the same, with every assignment and the pools' counters written to the warehouse;
- simulate: the last 90 days of leads replayed under a proposed rule file and the current.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULES = """
capacity: {capacity}
reps:
  - rep: sdr0@bench.test
    out_of_office: [{{from: 2026-06-01, to: 2026-06-30}}]
pools:
  - name: smb
    reps: [{smb}]
  - name: mid
    method: weighted
    reps: [{mid}]
    weights: {{{heavy}: 2}}
rules:
  - {{name: existing_owner, kind: account_owner}}
  - name: enterprise_emea
    kind: territory
    match: {{segment: [enterprise], region: [EMEA]}}
    rep: ae0@bench.test
  - {{name: smb, kind: territory, match: {{segment: [smb]}}, pool: smb}}
  - {{name: mid, kind: pool, pool: mid}}
"""

STEP = """
import json, resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
from revops import Workspace
root, step = Path(sys.argv[1]), sys.argv[2]
now = datetime(2026, 12, 1, tzinfo=UTC)
ws = Workspace.open(root)
began = time.perf_counter()
if step == "plan":
    leads = len(ws.routing.plan(at=now).decisions)
elif step == "apply":
    leads = len(ws.routing.apply(at=now).decisions)
else:
    sim = ws.routing.simulate(root / "proposed.yaml", days=90, as_of=now)
    leads = sim.comparison.current.leads
seconds = time.perf_counter() - began
ws.close()
print(json.dumps({"leads": leads, "seconds": seconds,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def build(root: Path, leads: int, reps: int) -> None:
    """The synthetic company, written through the warehouse's loads."""
    from datetime import UTC, date, datetime, timedelta

    import ibis
    import numpy as np
    import pyarrow as pa

    from revops import Workspace
    from revops.identity.accounts import LEAD_ACCOUNT_COLUMNS
    from revops.identity.crosswalk import ensure_tables
    from revops.identity.golden import write_golden

    rng = np.random.default_rng(7)
    ws = Workspace.create(root)
    warehouse = ws.warehouse
    ws.init_warehouse()
    ensure_tables(warehouse)
    sdrs, aes = reps // 2, reps - reps // 2
    users = [
        {
            "user_id": f"u-sdr{i}",
            "name": f"SDR {i}",
            "email": f"sdr{i}@bench.test",
            "team_id": "t-sdr",
            "is_active": i != 3,
            "hire_date": date(2024, 1, 1),
            "source_system": "bench",
            "source_id": f"sdr{i}",
        }
        for i in range(sdrs)
    ]
    users += [{"user_id": f"u-ae{i}", "name": f"AE {i}", "email": f"ae{i}@bench.test",
               "team_id": "t-ae", "is_active": True, "hire_date": date(2026, 9, 1) if i == 1
               else date(2023, 1, 1), "ramp_months": 3,
               "source_system": "bench", "source_id": f"ae{i}"} for i in range(aes)]  # fmt: skip
    warehouse.load("team", [{"team_id": t, "name": t, "source_system": "bench", "source_id": t}
                            for t in ("t-sdr", "t-ae")])  # fmt: skip
    warehouse.load("user", users)
    accounts = max(1, leads // 5)
    segments = np.array(["smb", "mid_market", "enterprise"])[rng.integers(0, 3, accounts)]
    regions = np.array(["NA", "EMEA", "APAC"])[rng.integers(0, 3, accounts)]
    account_ids = [f"a{j}" for j in range(accounts)]
    warehouse.load("account", pa.table({
        "account_id": account_ids, "source_system": ["salesforce"] * accounts,
        "source_id": account_ids, "name": [f"Company {j}" for j in range(accounts)],
        "domain": [f"c{j}.com" for j in range(accounts)], "segment": segments,
        "region": regions, "owner_id": [f"u-ae{j % aes}" for j in range(accounts)],
    }))  # fmt: skip
    crosswalk = pa.table({
        "kind": ["company"] * accounts, "entity": ["account"] * accounts,
        "record_id": account_ids, "unique_id": account_ids,
        "source_system": ["salesforce"] * accounts, "source_id": account_ids,
        "cluster_id": [f"g{j}" for j in range(accounts)], "cluster_size": [1] * accounts,
        "run_id": ["bench"] * accounts, "load_id": ["bench"] * accounts,
    })  # fmt: skip
    warehouse.load("crosswalk", crosswalk, namespace="identity", mode="replace")
    write_golden(warehouse)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    created = [
        start + timedelta(seconds=int(s)) for s in np.sort(rng.integers(0, 365 * 86400, leads))
    ]
    closed = rng.random(leads) < 0.33
    lead_ids = [f"l{i}" for i in range(leads)]
    warehouse.load("lead", pa.table({
        "lead_id": lead_ids, "source_system": ["salesforce"] * leads, "source_id": lead_ids,
        "email": [f"p{i}@x{i}.io" for i in range(leads)],
        "status": np.where(closed, "disqualified", "open"),
        "owner_id": [f"u-sdr{i % sdrs}" for i in range(leads)],
        "created_at": pa.array(created, pa.timestamp("us", tz="UTC")),
        "updated_at": pa.array([c + timedelta(days=3) for c in created],
                               pa.timestamp("us", tz="UTC")),
    }))  # fmt: skip
    matched = np.flatnonzero(rng.random(leads) < 0.4)
    warehouse.create_table("lead_account", ibis.schema(LEAD_ACCOUNT_COLUMNS), "identity")
    warehouse.load("lead_account", pa.table({
        "lead_id": [lead_ids[i] for i in matched],
        "account_id": [account_ids[int(i) % accounts] for i in matched],
        "method": ["domain"] * len(matched), "score": [1.0] * len(matched),
        "candidates": [1] * len(matched), "run_id": ["bench"] * len(matched),
        "load_id": ["bench"] * len(matched),
    }), namespace="identity", mode="append")  # fmt: skip
    first, second = list(range(sdrs // 2)), list(range(sdrs // 2, sdrs))
    capacity = max(50, leads // reps)

    def rules(smb: list[int], mid: list[int]) -> str:
        names = [", ".join(f"sdr{i}@bench.test" for i in pool) for pool in (smb, mid)]
        heavy = f"sdr{mid[0]}@bench.test"
        return RULES.format(capacity=capacity, smb=names[0], mid=names[1], heavy=heavy)

    (root / "rules" / "routing.yaml").write_text(rules(first, second))
    proposed = rules(second, first)
    (root / "proposed.yaml").write_text(proposed)
    ws.close()


def run_step(root: Path, step: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", STEP, str(root), step],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=60)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    root = args.data or Path(tempfile.gettempdir()) / f"revops-routing-{args.leads}-{args.reps}"
    if not (root / "revops.yaml").exists():
        began = time.perf_counter()
        build(root, args.leads, args.reps)
        print(f"company of {args.leads:,} leads built in {time.perf_counter() - began:.1f} s")
    for step in ("plan", "apply", "simulate"):
        result = run_step(root, step)
        rate = result["leads"] / result["seconds"] if result["seconds"] else float("nan")
        print(f"{step:9s} {int(result['leads']):>9,} leads  {result['seconds']:7.1f} s  "
              f"{rate:9,.0f} leads/s  peak {result['peak_kib'] / 1024:7.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
