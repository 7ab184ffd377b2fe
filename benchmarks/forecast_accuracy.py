"""Forecast accuracy over several demo companies: the per-method, per-week backtest table.

Usage: python benchmarks/forecast_accuracy.py --seeds 1,2,3 [--root DIR] [--accounts 2000]
       [--years 3] [--periods 8] [--weeks 7-13] [--methods a,b] [--save runs.csv]

For each seed a demo workspace `ROOT/sSEED` (`ROOT/sSEED-yYEARS` for other than 3 years of
history) is made once (`revops demo --accounts N --years Y --seed S --as-of 2026-11-22`) and
reused; the backtest (8 quarters × 13 weekly as-of days) runs on
it, one seed after another. The runs of all seeds are pooled: each table cell is over
seeds × periods forecasts. It prints median accuracy, coverage of the P10-P90 range and the
mean signed error / actual per method and week, then one line per method over the chosen
weeks (median accuracy, WAPE, coverage, mean and spread of the signed error).

Keep two sets of seeds: choose modelling settings on one (1, 2, 3), report on the other
(4, 5, 6), so the figures are not tuned to the companies they are measured on.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

AS_OF = date(2026, 11, 22)


def workspace_for(
    root: Path, seed: int, accounts: int, years: int = 3, options: Sequence[str] = ()
) -> Path:
    """The demo workspace of `seed` (with `revops demo` `options` such as a slowdown), made
    unless it is already there; the options are in its name, so no two companies share one."""
    name = f"s{seed}" if years == 3 else f"s{seed}-y{years}"
    if options:
        name += "-" + "".join(c if c.isalnum() else "_" for c in "_".join(options))
    workspace = root / name
    if not (workspace / "warehouse.duckdb").exists():
        print(f"making the seed-{seed} company in {workspace} …", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "revops", "--workspace", str(workspace), "demo",
             "--accounts", str(accounts), "--years", str(years), "--seed", str(seed),
             "--as-of", AS_OF.isoformat(), *options],
            check=True,
            capture_output=True,
        )  # fmt: skip
    return workspace


def backtest(workspace: Path, periods: int, methods: list[str] | None) -> pd.DataFrame:
    """The backtest's runs (one row per method, period and week) on `workspace`."""
    from revops import Workspace
    from revops.forecast.backtest import run_backtest

    ws = Workspace.open(workspace)
    try:
        return run_backtest(ws.metrics, last_day=AS_OF, periods=periods, methods=methods).runs
    finally:
        ws.close()


def tables(runs: pd.DataFrame, weeks: range) -> str:
    """Markdown tables of the pooled runs: per method and week, then over `weeks`."""
    runs = runs.assign(
        accuracy=runs["accuracy"].astype(float),
        in_range=runs["in_range"].astype(float),
        relative=runs["error"].astype(float) / runs["actual"].astype(float),
    )
    order = list(dict.fromkeys(runs["method"]))
    out = []
    for column, title in (("accuracy", "median accuracy"), ("in_range", "P10-P90 coverage"),
                          ("relative", "mean signed error / actual")):  # fmt: skip
        how = "median" if column == "accuracy" else "mean"
        table = runs.pivot_table(index="week", columns="method", values=column, aggfunc=how)
        out.append(f"{title}\n{_markdown(table[order].round(3), 'week')}")
    chosen = runs[runs["week"].isin(list(weeks))]
    summary = chosen.groupby("method", sort=False).agg(
        acc=("accuracy", "median"),
        wape=("error", lambda e: e.abs().sum() / chosen.loc[e.index, "actual"].sum()),
        cov=("in_range", "mean"),
        mean_err=("relative", "mean"),
        std_err=("relative", "std"),
    )
    out.append(
        f"weeks {weeks.start}-{weeks.stop - 1}, pooled\n"
        f"{_markdown(summary.loc[order].round(3), 'method')}"
    )
    return "\n\n".join(out)


def _markdown(frame: pd.DataFrame, index: str) -> str:
    head = [index, *map(str, frame.columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, row in frame.iterrows():
        lines.append("| " + " | ".join([str(key), *(f"{v:g}" for v in row)]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated demo seeds")
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "revops-acc")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--years", type=int, default=3, help="fiscal years of history")
    parser.add_argument("--periods", type=int, default=8)
    parser.add_argument("--weeks", default="7-13", help="weeks of the summary, FIRST-LAST")
    parser.add_argument("--methods", default=None, help="comma-separated (default: all)")
    parser.add_argument("--save", type=Path, default=None, help="write the pooled runs (CSV)")
    args = parser.parse_args()
    first, last = (int(w) for w in args.weeks.split("-"))
    methods = args.methods.split(",") if args.methods else None
    frames = []
    for seed in (int(s) for s in args.seeds.split(",")):
        started = time.perf_counter()
        runs = backtest(
            workspace_for(args.root, seed, args.accounts, args.years), args.periods, methods
        )
        frames.append(runs.assign(seed=seed))
        print(f"seed {seed}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    pooled = pd.concat(frames, ignore_index=True)
    if args.save:
        pooled.to_csv(args.save, index=False)
    print(f"seeds {args.seeds}, {args.years} years of history, {args.periods} periods each\n")
    print(tables(pooled, range(first, last + 1)))


if __name__ == "__main__":
    main()
