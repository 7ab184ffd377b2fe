"""Data-quality rules on a demo company: revops in the warehouse against pandas.

Usage: python benchmarks/quality.py [--workspace DIR] [--accounts 2000] [--as-of 2026-11-22]

The workspace (default: a folder in the temp directory named after the size) is made once
with the demo generator and ingest, then reused. Timed, each twice (cold, then warm):

- revops: `ws.quality.run(save=False)` - every built-in rule on every entity, one query
  per entity, summarised per owner in the warehouse;
- pandas: the straightforward alternative for five of those rules (read the tables into
  pandas, check, count): contact email format and uniqueness, account industry picklist
  and country, opportunities pointing at a missing account.

Failures per rule of the two are compared (they must agree), and the ratio printed: the
goal is revops faster than pandas while it evaluates seven times as many rules.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

FIVE = (
    "contact_email_valid",
    "contact_email_unique",
    "account_industry_picklist",
    "account_country_required",
    "opportunity_account_exists",
)


def _workspace(root: Path, accounts: int, as_of: date) -> Any:
    from revops import Workspace

    if (root / "revops.yaml").is_file():
        return Workspace.open(root)
    from revops.demo import DemoParams
    from revops.demo.generate import generate_company
    from revops.ingest.runner import ingest

    params = DemoParams(accounts=accounts, as_of=as_of)
    data = root / "demo-data"
    generate_company(params, data)
    ws = Workspace.create(root, fiscal_year_start_month=params.fiscal_year_start_month)
    ingest(ws, sorted(str(p) for p in data.iterdir() if p.name != "truth"))
    return ws


def _revops(ws: Any, as_of: date) -> dict[str, int]:
    run = ws.quality.run(as_of, save=False)
    totals: dict[str, int] = {}
    for score in run.scores:
        for rule, (_, failed) in score.failures.items():
            totals[rule] = totals.get(rule, 0) + failed
    return totals


def _pandas(ws: Any, as_of: date) -> dict[str, int]:
    import pandas as pd

    def frame(entity: str) -> pd.DataFrame:
        return ws.warehouse.table(entity).to_pandas()

    contacts, accounts, deals = frame("contact"), frame("account"), frame("opportunity")
    email = contacts["email"]
    valid = email.str.fullmatch(r"[^@ ,]+@[^@ ,]+\.[A-Za-z]{2,}")
    key = email.str.strip().str.lower()
    keyed = contacts.assign(key=key.where(key != ""))
    counts = keyed.groupby(["source_system", "key"])["key"].transform("size")
    industries = ws.quality.rules.rule("account_industry_picklist").check.values
    known = set(accounts["account_id"])
    return {
        "contact_email_valid": int((email.notna() & ~valid.fillna(False).astype(bool)).sum()),
        "contact_email_unique": int((keyed["key"].notna() & (counts > 1)).sum()),
        "account_industry_picklist": int(
            (accounts["industry"].notna() & ~accounts["industry"].isin(industries)).sum()
        ),
        "account_country_required": int(
            (accounts["country"].isna() | (accounts["country"].str.strip() == "")).sum()
        ),
        "opportunity_account_exists": int(
            (deals["account_id"].notna() & ~deals["account_id"].isin(known)).sum()
        ),
    }


def _timed(job: Any, *args: Any) -> tuple[dict[str, int], float, float]:
    started = time.perf_counter()
    job(*args)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    result = job(*args)
    return result, cold, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 22))
    args = parser.parse_args()
    root = args.workspace or Path(tempfile.gettempdir()) / f"revops-quality-{args.accounts}"
    ws = _workspace(root, args.accounts, args.as_of)
    try:
        ours, ours_cold, ours_warm = _timed(_revops, ws, args.as_of)
        theirs, theirs_cold, theirs_warm = _timed(_pandas, ws, args.as_of)
        rules = len(ws.quality.rules)
    finally:
        ws.close()
    disagree = {r: (ours[r], theirs[r]) for r in FIVE if ours[r] != theirs[r]}
    print(f"workspace {root} ({args.accounts:,} accounts)")
    print(f"revops  {rules} rules: cold {ours_cold:6.2f} s  warm {ours_warm:6.2f} s")
    print(f"pandas  {len(FIVE)} rules: cold {theirs_cold:6.2f} s  warm {theirs_warm:6.2f} s")
    print(f"ratio revops / pandas (warm): {ours_warm / theirs_warm:.2f}")
    print("failures per rule agree" if not disagree else f"DISAGREE: {disagree}")
    sys.exit(1 if disagree else 0)


if __name__ == "__main__":
    main()
