"""Pipeline analytics on a demo company, against a pandas implementation of the waterfall.

Usage: python benchmarks/pipeline.py [--workspace DIR] [--accounts 2000] [--as-of 2026-11-22]

The workspace (default: a folder in the temp directory named after the size) is made once
with `revops demo --accounts N --as-of DAY` and reused. Each job runs twice, cold and warm:

- revops waterfall: `ws.pipeline.waterfall` over the last fiscal quarter that has ended;
- pandas waterfall: the same steps from the history table read into pandas (as-of per
  deal by sorting and taking each deal's last version, then classifying each deal);
- revops stalled and bottlenecks: `ws.pipeline.stalled` and `ws.pipeline.bottlenecks`,
  reported for scale.

The two waterfalls must agree to the cent; the ratio revops / pandas is printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from revops import Workspace


def timed(job: Callable[[], Any]) -> tuple[float, float, Any]:
    """Cold and warm seconds of `job`, and its (warm) result."""
    start = time.perf_counter()
    job()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    result = job()
    return cold, time.perf_counter() - start, result


def pandas_waterfall(ws: Workspace, start: date, end: date, window: Any) -> dict[str, float]:
    """The waterfall's steps computed in pandas from the whole history table."""
    import pandas as pd

    history = ws.warehouse.table("opportunity_history", "history").execute()
    stages = {s.name: s.category for s in ws.config.opportunity_stages}

    def state(day: date) -> pd.DataFrame:
        cut = pd.Timestamp(day + timedelta(days=1), tz="UTC")
        known = history[history["valid_from"] < cut].sort_values(["valid_from", "load_id"])
        last = known.groupby("opportunity_id").tail(1).set_index("opportunity_id")
        close = pd.to_datetime(last["close_date"])
        category = last["stage"].map(stages).fillna("unknown")
        due = (close >= pd.Timestamp(window.start)) & (close < pd.Timestamp(window.end))
        amount = last["amount"].astype(float).fillna(0.0)
        return pd.DataFrame({"category": category, "due": due, "amount": amount})

    before, after = state(start), state(end)
    both = after.join(before, rsuffix="_start", how="left")
    in_start = (both["category_start"] == "open") & (both["due_start"] == True)  # noqa: E712
    in_end = (both["category"] == "open") & both["due"]
    closed = both["category"].isin(["won", "lost"])
    was_closed = both["category_start"].isin(["won", "lost"])
    between = closed & ~was_closed & both["due"]
    enters = ~in_start & (in_end | between)
    leaves = (in_start & ~in_end) | (~in_start & between)
    start_amount = both["amount_start"].fillna(0.0)
    change = both["amount"] - start_amount
    stays = in_start & in_end
    exit_amount = start_amount.where(in_start, both["amount"])
    existed = both["category_start"].notna()
    won = leaves & (both["category"] == "won")
    slipped = leaves & (both["category"] == "open")
    return {
        "open_start": start_amount[in_start].sum(),
        "created": both["amount"][enters & ~existed].sum(),
        "pulled_in": both["amount"][enters & existed].sum(),
        "increased": change[stays & (change > 0)].sum(),
        "decreased": -change[stays & (change < 0)].sum(),
        "won": exit_amount[won].sum(),
        "lost": exit_amount[leaves & ~won & ~slipped].sum(),
        "slipped": exit_amount[slipped].sum(),
        "open_end": both["amount"][in_end].sum(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 22))
    args = parser.parse_args()
    root = args.workspace or Path(tempfile.gettempdir()) / f"revops-pipeline-{args.accounts}"
    if not (root / "revops.yaml").exists():
        command = [sys.executable, "-m", "revops", "-w", str(root), "demo",
                   "--accounts", str(args.accounts), "--as-of", args.as_of.isoformat()]  # fmt: skip
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    from revops import Workspace

    ws = Workspace.open(root)
    quarter = ws.calendar.period_of(args.as_of, "quarter").previous()
    start, end = quarter.start - timedelta(days=1), quarter.last_day
    print(f"{args.accounts} accounts, waterfall of {quarter.label} from {start} to {end}")
    cold, warm, ours = timed(lambda: ws.pipeline.waterfall(start, end, as_of=args.as_of))
    p_cold, p_warm, theirs = timed(lambda: pandas_waterfall(ws, start, end, quarter))
    worst = max(abs(float(ours.amounts[s]) - theirs[s]) for s in theirs)
    print(f"  revops waterfall  cold {cold:6.2f} s  warm {warm:6.2f} s")
    print(f"  pandas waterfall  cold {p_cold:6.2f} s  warm {p_warm:6.2f} s")
    print(f"  warm ratio revops / pandas {warm / p_warm:5.2f}; largest difference {worst:.2f}")
    for name, job in (
        ("stalled", lambda: ws.pipeline.stalled(args.as_of)),
        ("bottlenecks", lambda: ws.pipeline.bottlenecks(quarter.label, as_of=args.as_of)),
    ):
        cold, warm, result = timed(job)
        rows = len(result.rows)
        print(f"  revops {name:<11} cold {cold:6.2f} s  warm {warm:6.2f} s  {rows} rows")
    ws.close()
    if worst >= 0.005:
        raise SystemExit("the waterfalls disagree")


if __name__ == "__main__":
    main()
