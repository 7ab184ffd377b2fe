"""The KPI catalog on the 200k-account company, against pandas and hand-written SQL.

Usage: python benchmarks/metrics.py [--workspace DIR] [--accounts 200000] [--window FY2026-Q3]

The workspace (default: a folder in the temp directory named after the size) is made once
with `revops demo --accounts N` and reused. Then, each in a fresh child process so its
time and peak resident memory are its own:

Start-up (imports, connecting, reading the catalog) is paid before timing; each job runs
twice, cold (first queries on the connection) and warm, and both times are printed.

- catalog: revops computes every metric of the catalog for the window, by segment where
  the metric can be sliced by segment (the others whole);
- pandas set / revops same set: a straightforward pandas implementation (read the tables
  it needs, filter, merge the account segment, group) of the KPIs listed in PANDAS_SET,
  and revops computing the same KPIs;
- SQL five / revops five: hand-written DuckDB SQL for five KPIs by segment, and revops
  computing the same five;
- partners/campaigns: the partner programme by partner, campaign ROI and CAC under
  every attribution model by channel, GTM budget against actual by department, and list
  against sold price by product (issue 29: engines that join deals, registrations,
  campaigns and touches, cost lines with budget lines and their revisions, and deals' line
  items as they stood on the as-of day).

The values of each pair are compared (largest relative difference printed). Goals:
revops much faster than pandas, and within 1.3x of the hand-written SQL.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from revops import Workspace

FIVE = ("bookings", "win_rate", "average_deal_size", "sales_cycle_days_median", "pipeline_created")
PANDAS_SET = (
    *FIVE,
    "won_deals",
    "lost_deals",
    "win_rate_value",
    "sales_cycle_days",
    "bookings_new",
    "bookings_expansion",
    "bookings_renewal",
    "pipeline_created_count",
)
# The groups of issue 29 and the dimension each is read by.
PARTNERS_CAMPAIGNS = (
    ("partner_program", "partner"),
    ("campaign_roi", "channel"),
    ("campaign_cac", "channel"),
    ("budget_vs_actual", "department"),
    ("list_vs_sold_price", "product"),
)

# Hand-written SQL for the five: what an analyst would write against the warehouse.
SQL_FIVE = """
WITH won AS (
  SELECT a.segment, o.amount,
         (epoch(o.closed_at) - epoch(o.created_at)) / 86400.0 AS cycle_days
  FROM core.opportunity o LEFT JOIN core.account a USING (account_id)
  WHERE o.is_won AND o.closed_at >= $start AND o.closed_at < $end
), closed AS (
  SELECT a.segment, count(*) AS closed
  FROM core.opportunity o LEFT JOIN core.account a USING (account_id)
  WHERE o.is_closed AND o.closed_at >= $start AND o.closed_at < $end
  GROUP BY 1
), created AS (
  SELECT a.segment, sum(o.amount) AS pipeline_created
  FROM core.opportunity o LEFT JOIN core.account a USING (account_id)
  WHERE o.created_at >= $start AND o.created_at < $end
  GROUP BY 1
), wins AS (
  SELECT segment, sum(amount) AS bookings, count(*) AS won,
         median(cycle_days) AS sales_cycle_days_median
  FROM won GROUP BY 1
)
SELECT coalesce(w.segment, c.segment, p.segment) AS segment,
       coalesce(w.bookings, 0) AS bookings,
       w.won / nullif(c.closed, 0) AS win_rate,
       w.bookings / nullif(w.won, 0) AS average_deal_size,
       w.sales_cycle_days_median,
       coalesce(p.pipeline_created, 0) AS pipeline_created
FROM wins w
FULL JOIN closed c ON w.segment IS NOT DISTINCT FROM c.segment
FULL JOIN created p ON coalesce(w.segment, c.segment) IS NOT DISTINCT FROM p.segment
"""


def child(mode: str, workspace: Path, window: str) -> dict[str, object]:
    """Run one measured job in this (child) process."""
    import resource

    from revops import Workspace

    ws = Workspace.open(workspace)
    period = ws.metrics.window(window)
    # Imports, connection and catalog are start-up costs, not computing: paid before timing.
    if mode == "sql_five":
        import duckdb

        con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    elif mode != "pandas":
        ws.warehouse.table("opportunity")
        ws.metrics.catalog  # noqa: B018
    times = []
    values: dict[str, float | None] = {}
    for _ in range(2):  # cold (first query on the connection), then warm
        began = time.perf_counter()
        if mode == "sql_five":
            values = sql_five(con, period.start, period.end)
        elif mode == "pandas":
            values = pandas_set(workspace, period.start, period.end)
        else:
            values = revops(ws, mode, window)
        times.append(time.perf_counter() - began)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"cold": times[0], "warm": times[1], "peak_kib": peak, "values": values}


def revops(ws: Workspace, mode: str, window: str) -> dict[str, float | None]:
    """The catalog, the five or the pandas set through the metric layer."""
    if mode == "catalog":
        catalog = ws.metrics.catalog
        sliced = [m.name for m in catalog if "segment" in catalog.allowed_dimensions(m.name)]
        whole = [m.name for m in catalog if m.name not in sliced]
        frames = [ws.metrics.compute(sliced, window, by=["segment"]).frame]
        frames.append(ws.metrics.compute(whole, window).frame)
        return {"metrics": float(len(sliced) + len(whole)), "rows": float(sum(map(len, frames)))}
    if mode == "partners_campaigns":
        frames = [ws.metrics.compute([g], window, by=[by]).frame for g, by in PARTNERS_CAMPAIGNS]
        return {"rows": float(sum(map(len, frames)))}
    names = FIVE if mode == "revops_five" else PANDAS_SET
    frame = ws.metrics.compute(list(names), window, by=["segment"]).frame
    return {f"{r.metric}|{r.segment}": _number(r.value) for r in frame.itertuples()}


def sql_five(con: duckdb.DuckDBPyConnection, start: object, end: object) -> dict[str, float | None]:
    """The five KPIs by segment with the hand-written SQL."""
    values: dict[str, float | None] = {}
    for segment, *numbers in con.execute(SQL_FIVE, {"start": start, "end": end}).fetchall():
        for name, number in zip(FIVE, numbers, strict=True):
            values[f"{name}|{segment}"] = _number(number)
    return values


def _number(value: object) -> float | None:
    import math

    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def pandas_set(workspace: Path, start: object, end: object) -> dict[str, float | None]:
    """The PANDAS_SET KPIs by segment, the way a pandas notebook computes them."""
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    deals = con.sql("SELECT * FROM core.opportunity").df()
    accounts = con.sql("SELECT account_id, segment FROM core.account").df()
    deals = deals.merge(accounts, on="account_id", how="left")
    deals["amount"] = deals["amount"].astype("float64")
    begin = pd.Timestamp(start, tz="UTC")
    stop = pd.Timestamp(end, tz="UTC")
    closed = deals[(deals.closed_at >= begin) & (deals.closed_at < stop) & deals.is_closed]
    won = closed[closed.is_won].copy()
    won["cycle_days"] = (won.closed_at - won.created_at).dt.total_seconds() / 86400
    created = deals[(deals.created_at >= begin) & (deals.created_at < stop)]
    by = "segment"
    table = pd.DataFrame(
        {
            "bookings": won.groupby(by, dropna=False).amount.sum(),
            "won_deals": won.groupby(by, dropna=False).size(),
            "closed": closed.groupby(by, dropna=False).size(),
            "closed_amount": closed.groupby(by, dropna=False).amount.sum(),
            "sales_cycle_days": won.groupby(by, dropna=False).cycle_days.mean(),
            "sales_cycle_days_median": won.groupby(by, dropna=False).cycle_days.median(),
            "pipeline_created": created.groupby(by, dropna=False).amount.sum(),
            "pipeline_created_count": created.groupby(by, dropna=False).size(),
        }
    )
    for kind in ("new", "expansion", "renewal"):
        table[f"bookings_{kind}"] = won[won.type == kind].groupby(by, dropna=False).amount.sum()
    table["lost_deals"] = closed[~closed.is_won].groupby(by, dropna=False).size()
    additive = [c for c in table.columns if not c.startswith("sales_cycle")]
    table[additive] = table[additive].fillna(0)
    table["win_rate"] = table.won_deals / table.closed.where(table.closed != 0)
    table["win_rate_value"] = table.bookings / table.closed_amount.where(table.closed_amount != 0)
    table["average_deal_size"] = table.bookings / table.won_deals.where(table.won_deals != 0)
    values: dict[str, float | None] = {}
    for segment, row in table.iterrows():
        label = None if pd.isna(segment) else segment
        for name in PANDAS_SET:
            values[f"{name}|{label}"] = _number(row[name])
    return values


def measure(mode: str, workspace: Path, window: str) -> dict[str, object]:
    """Run `mode` in a fresh child process and return what it measured."""
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--workspace", str(workspace),
         "--window", window],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def largest_difference(a: dict[str, float | None], b: dict[str, float | None]) -> float:
    """The largest relative difference between two sets of values (inf when keys differ)."""
    keys = {k for k, v in a.items() if v not in (None, 0)} | {
        k for k, v in b.items() if v not in (None, 0)
    }
    worst = 0.0
    for key in keys:
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            return float("inf")
        worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
    return worst


def prepare(workspace: Path, accounts: int) -> None:
    """Make the demo workspace unless it is already there."""
    if (workspace / "warehouse.duckdb").exists():
        return
    print(f"making the {accounts:,}-account demo workspace in {workspace} …", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "revops", "--workspace", str(workspace), "demo",
         "--accounts", str(accounts), "--as-of", "2026-11-22"],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--window", default="FY2026-Q3")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.gettempdir()) / f"revops-ws-{args.accounts}"
    if args.child:
        print(json.dumps(child(args.child, workspace, args.window)))
        return
    prepare(workspace, args.accounts)
    modes = ("catalog", "pandas", "revops_set", "sql_five", "revops_five", "partners_campaigns")
    runs = {m: measure(m, workspace, args.window) for m in modes}
    print(f"window {args.window}, by segment, workspace {workspace}")
    print(f"{'':>16} {'cold s':>8} {'warm s':>8} {'peak MiB':>9}")
    for name, run in runs.items():
        print(f"{name:>16} {run['cold']:>8.3f} {run['warm']:>8.3f} "
              f"{run['peak_kib'] / 1024:>9,.0f}")  # type: ignore[operator]  # fmt: skip
    catalog = runs["catalog"]["values"]
    print(f"catalog: {catalog['metrics']:.0f} metrics, {catalog['rows']:.0f} values")  # type: ignore[index]
    for ours, theirs, label, goal in (
        ("revops_set", "pandas", "pandas", "goal: well above 1"),
        ("revops_five", "sql_five", "hand-written SQL", "goal: ≥ 0.77, i.e. within 1.3x"),
    ):
        cold, warm = (
            float(runs[theirs][k]) / float(runs[ours][k])  # type: ignore[arg-type]
            for k in ("cold", "warm")
        )
        difference = largest_difference(runs[ours]["values"], runs[theirs]["values"])  # type: ignore[arg-type]
        print(f"revops vs {label}: speed ratio cold {cold:.2f}, warm {warm:.2f} ({goal}); "
              f"largest value difference {difference:.2e}")  # fmt: skip


if __name__ == "__main__":
    main()
