"""How well the lead scores rank leads on demo companies: the learned score against the
rule scores and the imported `lead.score`, by AUC for conversion and by Spearman rank
correlation with the generator's true lead quality (`truth/lead_quality.csv`).

Settings are chosen on the fit seeds and reported on the others. Each seed's company is
made by `revops demo` (reused when its folder exists); the model is trained on what was
known at a cutoff and judged on what became of the leads after it (`ws.leads.backtest`).

    python benchmarks/leads_quality.py --accounts 2000 --fit-seeds 1,2 --report-seeds 3,4
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from revops import Workspace
from revops.leads.evaluate import auc

SCORES = ("model_score", "window_probability", "rule_score", "fit", "engagement", "imported_score")


def company(folder: Path, seed: int, accounts: int, as_of: date) -> Path:
    """The demo workspace of `seed`, made when missing."""
    workspace = folder / f"demo-{accounts}-{seed}"
    if not (workspace / "revops.yaml").is_file():
        subprocess.run(
            [sys.executable, "-m", "revops", "--workspace", str(workspace), "demo",
             "--accounts", str(accounts), "--seed", str(seed), "--as-of", as_of.isoformat()],
            check=True, capture_output=True,
        )  # fmt: skip
    return workspace


def figures(workspace: Path, as_of: date, snapshots: int) -> dict[str, float | int | None]:
    """AUC and Spearman (first snapshot of each lead) of every score on one company."""
    truth = pd.read_csv(workspace / "demo-data" / "truth" / "lead_quality.csv", dtype=str)
    truth = truth[truth["salesforce_id"].fillna("") != ""]
    quality = pd.Series(
        truth["quality"].astype(float).to_numpy(), index="salesforce:" + truth["salesforce_id"]
    )
    ws = Workspace.open(workspace, read_only=True)
    try:
        frame, model = ws.leads.backtest(as_of, snapshots=snapshots)
    finally:
        ws.close()
    out: dict[str, float | int | None] = {
        "snapshots": len(frame),
        "outcomes": int(frame["label"].sum()),
        "trained_rows": model.rows,
    }
    for name in SCORES:
        out[f"auc_{name}"] = auc(frame["label"].astype(int), frame[name])
    first = frame.sort_values("snapshot_at").drop_duplicates("lead_id")
    known = first.assign(quality=first["lead_id"].map(quality)).dropna(subset=["quality"])
    out["leads_with_truth"] = len(known)
    for name in SCORES:
        values = known[name]
        rho = None if values.notna().sum() < 3 else values.corr(known["quality"], "spearman")
        out[f"spearman_{name}"] = None if rho is None else round(float(rho), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--fit-seeds", default="1,2")
    parser.add_argument("--report-seeds", default="3,4")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--snapshots", type=int, default=8)
    parser.add_argument("--folder", type=Path, default=Path(".benchmarks/leads"))
    args = parser.parse_args()
    rows = []
    for role, seeds in (("fit", args.fit_seeds), ("report", args.report_seeds)):
        for seed in (int(s) for s in seeds.split(",") if s):
            workspace = company(args.folder, seed, args.accounts, args.as_of)
            rows.append(
                {"seeds": role, "seed": seed, **figures(workspace, args.as_of, args.snapshots)}
            )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.T.to_string(header=False))
        numeric = table.drop(columns=["seeds"]).apply(pd.to_numeric, errors="coerce")
        print("\nmean by seed set:")
        print(numeric.assign(seeds=table["seeds"]).groupby("seeds").mean().T.round(4).to_string())


if __name__ == "__main__":
    main()
