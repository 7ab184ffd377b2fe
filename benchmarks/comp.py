"""Commission statements speed and memory: a fiscal year of statements for every rep.

Usage: python benchmarks/comp.py [--accounts 200000] [--year FY2027] [--data DIR] [--demo]

The company is a synthetic warehouse shaped like the demo company of `--accounts`
companies (the demo generator takes about two hours at 200,000): its head count (one AE
per 40 accounts in teams of 8 with a manager, one SDR per two AEs, one CSM per 150
accounts, one sales engineer per ten AEs; a tenth of the AEs hired and a tenth leaving
during the year), about 0.18 deals a year per account over three years with 3 to 5
versions each in opportunity history, half of the closed ones won, quarterly quotas per AE,
a subscription line per won deal, a sales engineer on the deal team of 3 deals in 10, an
SDR on 4 in 10 and a CSM on every account. It is written once into a DuckDB workspace in
DIR (default: a folder in the temp directory named after the size). `--demo` uses the
demo generator and ingest instead (for small sizes).

The plans: the shipped examples (AEs paid quarterly on bookings against the quota table
with tiers, threshold, cap, SPIF, draw and clawbacks; managers on their teams' bookings by
roll-up) and three overlays (SDRs, sales engineers from the deal team, CSMs on
expansions, on gross margin).

Each side runs in a fresh child process, so its time and peak resident memory are its own:

- baseline: the year's bookings by owner from the metric layer (the same deals, read
  as they stood on the as-of day and summed in the warehouse);
- statements: every statement of the year (each quarter of every plan, every
  participant), as `revops comp run --period FY...` does.

The ratio printed is statements / baseline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

AS_OF = date(2028, 1, 15)
HISTORY_START = date(2025, 1, 1)
DEMO_AS_OF = date(2027, 6, 30)
OVERLAYS = {
    "sdr.yaml": """
name: sdr
period: quarter
participants: [{role: SDR}]
credit: {by: sdr}
deal_types: [new]
quota: {source: fixed, amount: 150000}
rates: [{from: 0, to: 100, rate: 0.03}, {from: 100, rate: 0.05, name: accelerator}]
""",
    "se.yaml": """
name: se
period: quarter
participants: [{role: se}]
credit: {by: team, role: Sales Engineer}
quota: {source: fixed, amount: 400000}
rates: [{from: 0, rate: 0.01}]
""",
    "csm.yaml": """
name: csm
period: quarter
participants: [{role: CSM}]
credit: {by: csm}
deal_types: [expansion]
measure: margin
margin: {rate: 0.75, products: {services: 0.30}}
quota: {source: fixed, amount: 100000}
rates: [{from: 0, rate: 0.02}]
""",
}

CHILD = """
import json, resource, sys, time
from datetime import date
from revops import Workspace
mode, root, year, as_of = sys.argv[1], sys.argv[2], sys.argv[3], date.fromisoformat(sys.argv[4])
ws = Workspace.open(root, read_only=True)
began = time.perf_counter()
if mode == "baseline":
    found = ws.metrics.compute("bookings", year, by=["owner"], grain="quarter", as_of=as_of)
    result = {}
else:
    found = ws.comp.statements(year, as_of=as_of)
    result = {"statements": len(found), "lines": sum(len(s.lines) for s in found),
              "total": str(sum(s.total for s in found)),
              "participants": len({s.participant_id for s in found})}
result["seconds"] = time.perf_counter() - began
ws.close()
result["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(result))
"""


def write_company(root: Path, accounts: int, seed: int = 11) -> dict[str, int]:
    """A synthetic company of `accounts` accounts (see the module's docstring)."""
    import numpy as np
    import pyarrow as pa

    from revops import Workspace
    from revops.model import ENTITIES

    rng = np.random.default_rng(seed)
    ws = Workspace.create(root)
    ws.init_warehouse()

    def load(entity: str, columns: dict[str, Any]) -> int:
        spec = ENTITIES[entity]
        schema = spec.schema().to_pyarrow()
        size = len(next(iter(columns.values())))
        lineage = {"source_system": "bench", "load_id": "bench"}
        arrays = []
        for field in schema:
            if field.name in columns and pa.types.is_decimal(field.type):
                cents = [None if v is None else Decimal(f"{v:.2f}") for v in columns[field.name]]
                arrays.append(pa.array(cents, field.type))
            elif field.name in columns:
                arrays.append(pa.array(columns[field.name], field.type))
            elif field.name in lineage:
                arrays.append(pa.array([lineage[field.name]] * size, field.type))
            elif field.name in ("source_id", spec.id_column):
                ids = columns.get(spec.id_column) or [f"{entity}-{i}" for i in range(size)]
                arrays.append(pa.array(ids, field.type))
            else:
                arrays.append(pa.nulls(size, field.type))
        ws.warehouse.load(
            entity,
            pa.Table.from_arrays(arrays, schema=schema),
            namespace=spec.namespace,
            mode="append",
        )
        return size

    aes, teams_n = max(6, accounts // 40), max(1, accounts // 320)
    sdrs, csms, ses = max(3, aes // 2), max(2, accounts // 150), max(1, aes // 10)
    teams = [f"t{i}" for i in range(teams_n)]
    load(
        "team",
        {
            "team_id": [*teams, "sdr", "cs", "se"],
            "name": [*(f"Sales {i}" for i in range(teams_n)), "SDRs", "Success", "SEs"],
            "manager_id": [*(f"m{i}" for i in range(teams_n)), "m0", "m0", "m0"],
        },
    )
    user: dict[str, list[Any]] = {
        k: []
        for k in (
            "user_id",
            "name",
            "email",
            "role",
            "team_id",
            "manager_id",
            "hire_date",
            "termination_date",
        )
    }
    year_start = date(AS_OF.year - 1, 1, 1)

    def person(
        uid: str, role: str, team: str, manager: str | None, hired: date, left: date | None
    ) -> None:
        for key, value in zip(
            user,
            (uid, f"Person {uid}", f"{uid}@bench.test", role, team, manager, hired, left),
            strict=True,
        ):
            user[key].append(value)

    for i in range(teams_n):
        person(f"m{i}", "manager", teams[i], None, date(2022, 1, 1), None)
    for i in range(aes):
        joins = rng.random() < 0.1
        leaves = not joins and rng.random() < 0.1
        hired = (
            year_start + timedelta(days=int(rng.integers(0, 300))) if joins else date(2023, 3, 1)
        )
        left = year_start + timedelta(days=int(rng.integers(30, 360))) if leaves else None
        person(f"ae{i}", "AE", teams[i % teams_n], f"m{i % teams_n}", hired, left)
    for i in range(sdrs):
        person(f"sdr{i}", "SDR", "sdr", "m0", date(2023, 3, 1), None)
    for i in range(csms):
        person(f"csm{i}", "CSM", "cs", "m0", date(2023, 3, 1), None)
    for i in range(ses):
        person(f"se{i}", "se", "se", "m0", date(2023, 3, 1), None)
    counts = {"users": load("user", user)}
    ids = np.arange(accounts)
    counts["accounts"] = load(
        "account",
        {
            "account_id": [f"a{i}" for i in ids],
            "name": [f"Company {i}" for i in ids],
            "owner_id": [f"ae{i % aes}" for i in ids],
            "csm_id": [f"csm{i % csms}" for i in rng.integers(0, csms, accounts)],
        },
    )
    products = ["core", "plus", "analytics", "services"]
    load(
        "product",
        {
            "product_id": products,
            "name": [p.title() for p in products],
            "sku": products,
            "family": ["core", "core", "add_on", "services"],
        },
    )
    days = (AS_OF - HISTORY_START).days
    deals = int(accounts * 0.18 * days / 365)
    created = rng.integers(0, days - 20, deals)
    cycle = rng.integers(15, 150, deals)
    closed = created + cycle
    is_closed = closed < days
    won = is_closed & (rng.random(deals) < 0.5)
    amount = np.round(rng.lognormal(np.log(18000), 0.8, deals), 2)
    account = rng.integers(0, accounts, deals)
    kinds = rng.choice(np.array(["new", "expansion", "renewal"]), deals, p=[0.5, 0.35, 0.15])
    day = [HISTORY_START + timedelta(days=int(d)) for d in range(days + 200)]
    moment = [datetime(d.year, d.month, d.day, 15) for d in day]
    stage = np.where(won, "Closed Won", np.where(is_closed, "Closed Lost", "Proposal"))
    opp_ids = [f"o{i}" for i in range(deals)]
    counts["opportunities"] = load(
        "opportunity",
        {
            "opportunity_id": opp_ids,
            "name": [f"Deal {i}" for i in range(deals)],
            "account_id": [f"a{a}" for a in account],
            "owner_id": [f"ae{a % aes}" for a in account],
            "sdr_id": [
                f"sdr{i % sdrs}" if r < 0.4 else None for i, r in enumerate(rng.random(deals))
            ],
            "type": kinds.tolist(),
            "stage": stage.tolist(),
            "amount": amount.tolist(),
            "currency": ["USD"] * deals,
            "close_date": [day[c] for c in closed],
            "is_closed": is_closed.tolist(),
            "is_won": won.tolist(),
            "closed_at": [moment[c] if k else None for c, k in zip(closed, is_closed, strict=True)],
            "created_at": [moment[c] for c in created],
        },
    )
    history: dict[str, list[Any]] = {
        k: [] for k in ("opportunity_id", "valid_from", "stage", "amount", "currency", "close_date")
    }
    steps = ("Prospecting", "Qualification", "Discovery", "Proposal")
    versions = rng.integers(3, 6, deals)
    for i in range(deals):
        span = int(cycle[i])
        for v in range(int(versions[i]) - 1):
            at = int(created[i]) + span * v // int(versions[i])
            if at >= days:
                break
            for key, value in zip(
                history,
                (
                    opp_ids[i],
                    moment[at],
                    steps[min(v, 3)],
                    float(amount[i]),
                    "USD",
                    day[int(closed[i])],
                ),
                strict=True,
            ):
                history[key].append(value)
        if is_closed[i]:
            for key, value in zip(
                history,
                (
                    opp_ids[i],
                    moment[int(closed[i])],
                    str(stage[i]),
                    float(amount[i]),
                    "USD",
                    day[int(closed[i])],
                ),
                strict=True,
            ):
                history[key].append(value)
    counts["history"] = load("opportunity_history", history)
    quarters = [
        (date(y, m, 1), date(y + (m == 10), (m + 3) % 12 or 12, 1) - timedelta(days=1))
        for y in range(HISTORY_START.year, AS_OF.year + 1)
        for m in (1, 4, 7, 10)
    ]
    counts["quotas"] = load(
        "quota",
        {
            "quota_id": [f"q{i}-{j}" for i in range(aes) for j in range(len(quarters))],
            "user_id": [f"ae{i}" for i in range(aes) for _ in quarters],
            "period_start_date": [q[0] for _ in range(aes) for q in quarters],
            "period_end_date": [q[1] for _ in range(aes) for q in quarters],
            "amount": [60000.0] * (aes * len(quarters)),
            "currency": ["USD"] * (aes * len(quarters)),
        },
    )
    sold = np.flatnonzero(won)
    counts["lines"] = load(
        "subscription_line",
        {
            "subscription_line_id": [f"l{i}" for i in sold],
            "account_id": [f"a{account[i]}" for i in sold],
            "opportunity_id": [opp_ids[i] for i in sold],
            "product_id": [products[i % 4] for i in sold],
            "start_date": [day[int(closed[i])] for i in sold],
            "mrr": [round(float(amount[i]) / 12, 2) for i in sold],
            "currency": ["USD"] * len(sold),
        },
    )
    teamed = np.flatnonzero(rng.random(deals) < 0.3)
    counts["team_members"] = load(
        "opportunity_team_member",
        {
            "opportunity_team_member_id": [f"tm{i}" for i in teamed],
            "opportunity_id": [opp_ids[i] for i in teamed],
            "user_id": [f"se{i % ses}" for i in teamed],
            "role": ["Sales Engineer"] * len(teamed),
            "created_at": [moment[int(created[i])] for i in teamed],
        },
    )
    ws.close()
    return counts


def build_demo(root: Path, accounts: int) -> None:
    """The demo company, ingested."""
    from revops import Workspace
    from revops.demo import DemoParams
    from revops.demo.generate import generate_company
    from revops.ingest.runner import ingest

    params = DemoParams(accounts=accounts, years=3, seed=42, as_of=DEMO_AS_OF)
    data = root.parent / "data"
    generate_company(params, data)
    ws = Workspace.create(root, fiscal_year_start_month=params.fiscal_year_start_month)
    try:
        report = ingest(ws, sorted(str(p) for p in data.iterdir() if p.name != "truth"))
        assert not report.failed, report.failed
    finally:
        ws.close()


def run(mode: str, root: Path, year: str, as_of: date) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(root), year, as_of.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    import time

    from revops.comp.plan import write_example_plans

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--year", default="FY2027")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--demo", action="store_true", help="the demo generator's company")
    args = parser.parse_args()
    kind = "demo" if args.demo else "synthetic"
    base = args.data or Path(tempfile.gettempdir()) / f"revops-bench-comp-{kind}-{args.accounts}"
    root = base / "ws"
    if not (root / "revops.yaml").exists():
        base.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        if args.demo:
            build_demo(root, args.accounts)
        else:
            counts = write_company(root, args.accounts)
            print(", ".join(f"{v:,} {k}" for k, v in counts.items()))
        print(f"wrote the {kind} company in {time.perf_counter() - began:.0f} s")
        write_example_plans(root)
        for name, text in OVERLAYS.items():
            (root / "plans" / "comp" / name).write_text(text.lstrip(), encoding="utf-8")
    as_of = DEMO_AS_OF if args.demo else AS_OF
    baseline = run("baseline", root, args.year, as_of)
    result = run("statements", root, args.year, as_of)
    print(
        f"{args.year} for the {args.accounts:,}-account {kind} company: "
        f"{result['statements']:,} statements of {result['participants']:,} participants, "
        f"{result['lines']:,} lines, total {result['total']}, in {result['seconds']:.2f} s, "
        f"peak {result['peak_kib'] / 1024:.0f} MiB; baseline (bookings by owner) "
        f"{baseline['seconds']:.2f} s, peak {baseline['peak_kib'] / 1024:.0f} MiB; "
        f"ratio {result['seconds'] / baseline['seconds']:.1f}"
    )


if __name__ == "__main__":
    main()
