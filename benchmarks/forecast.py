"""The forecast backtest on the 200k-account company: time and peak memory.

Usage: python benchmarks/forecast.py [--workspace DIR] [--accounts 200000] [--periods 8]
                                     [--jobs weighted,all] [--log FILE]

The workspace (default: a folder in the temp directory named after the size) is made once
with `revops demo --accounts N` and reused. Each job runs in a fresh child process, so its
time and peak resident memory are its own:

- weighted: the baseline, the backtest of the weighted-pipeline method alone (the same
  snapshot pull, one method);
- all: the backtest of every method, 8 quarters × 13 weekly as-of days, with the time of
  the one snapshot query printed apart.

The ratio printed is all / weighted: what the five other methods cost on top of pulling
the snapshots and reading bookings.

Each child reports on stderr (copied to `--log`) the time and peak memory after every
backtested period, so a run stopped early still says what it cost per period.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 22)


def peak_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, workspace: Path, periods: int) -> dict[str, object]:
    """Backtest in this process and report times and peak memory."""
    from revops import Workspace
    from revops.core import Period
    from revops.forecast.backtest import completed_periods, run_backtest
    from revops.forecast.data import ForecastData, backtest_days

    ws = Workspace.open(workspace)
    metrics = ws.metrics
    metrics.compute("bookings", "FY2026-Q1", as_of=AS_OF)  # connect and read the catalog
    start = time.perf_counter()
    chosen = completed_periods(metrics, "quarter", AS_OF, periods)
    days = [d for p in chosen for d in backtest_days(metrics.calendar, p)]
    data = ForecastData.load(metrics, days, kind="quarter", last_day=AS_OF)
    pulled = time.perf_counter()
    print(f"{mode}: snapshots {pulled - start:.1f} s, {len(data.snapshots):,} rows, "
          f"peak {peak_mib():,.0f} MiB", file=sys.stderr, flush=True)  # fmt: skip

    def progress(period: Period) -> None:
        print(f"{mode}: {period.label} done at {time.perf_counter() - start:.1f} s, "
              f"peak {peak_mib():,.0f} MiB", file=sys.stderr, flush=True)  # fmt: skip

    methods = ["weighted"] if mode == "weighted" else None
    result = run_backtest(
        metrics, last_day=AS_OF, periods=periods, methods=methods, data=data, on_period=progress
    )
    done = time.perf_counter()
    ws.close()
    return {
        "seconds": done - start,
        "snapshot_seconds": pulled - start,
        "snapshot_rows": len(data.snapshots),
        "runs": len(result.runs),
        "peak_mib": peak_mib(),
    }


def measure(mode: str, workspace: Path, periods: int, log: Path | None) -> dict[str, object]:
    """Run `mode` in a fresh child process and return what it measured."""
    with open(log or os.devnull, "a", encoding="utf-8") as progress:
        completed = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--workspace", str(workspace),
             "--periods", str(periods)],
            check=True,
            stdout=subprocess.PIPE,
            stderr=progress,
            text=True,
        )  # fmt: skip
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def prepare(workspace: Path, accounts: int) -> None:
    """Make the demo workspace unless it is already there."""
    if (workspace / "warehouse.duckdb").exists():
        return
    print(f"making the {accounts:,}-account demo workspace in {workspace} …", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "revops", "--workspace", str(workspace), "demo",
         "--accounts", str(accounts), "--as-of", AS_OF.isoformat()],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--periods", type=int, default=8)
    parser.add_argument("--jobs", default="weighted,all", help="weighted, all, or both")
    parser.add_argument("--log", type=Path, default=None, help="progress of each period")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.gettempdir()) / f"revops-ws-{args.accounts}"
    if args.child:
        print(json.dumps(child(args.child, workspace, args.periods)))
        return
    prepare(workspace, args.accounts)
    jobs = [j for j in args.jobs.split(",") if j]
    if not jobs or set(jobs) - {"weighted", "all"}:
        parser.error("--jobs takes weighted, all or weighted,all")
    runs = {mode: measure(mode, workspace, args.periods, args.log) for mode in jobs}
    print(f"backtest of {args.periods} quarters, weekly, workspace {workspace}")
    print(f"{'':>10} {'total s':>9} {'snapshots s':>12} {'rows':>10} {'runs':>6} {'peak MiB':>9}")
    for name, run in runs.items():
        print(f"{name:>10} {run['seconds']:>9.1f} {run['snapshot_seconds']:>12.1f} "
              f"{run['snapshot_rows']:>10,} {run['runs']:>6} "
              f"{float(str(run['peak_mib'])):>9,.0f}")  # fmt: skip
    if len(runs) == 2:
        ratio = float(str(runs["all"]["seconds"])) / float(str(runs["weighted"]["seconds"]))
        print(f"all methods / weighted alone: {ratio:.1f}x")


if __name__ == "__main__":
    main()
