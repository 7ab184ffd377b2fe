"""Time and peak memory of `revops leads score` on N synthetic leads.

A company of N leads over two years (a fifth as many accounts, matched by domain, and
1.5 campaign touches a lead) is written straight into a DuckDB warehouse; then, in a
child process of its own so its peak memory is its own, the leads are scored: rule
scores in the warehouse, the model trained on the shipped rules' weekly snapshots, every
open lead scored with reasons and stored in `leads.score`.

    python benchmarks/leads.py --leads 100000
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from revops import Workspace

AS_OF = date(2026, 6, 30)
TITLES = np.array(["CEO", "VP Sales", "Head of RevOps", "Director IT", "Sales Manager",
                   "Analyst", "Intern"], dtype=object)  # fmt: skip
SOURCES = np.array(["paid_search", "organic", "events", "referral", "outbound"], dtype=object)
SEGMENTS = np.array(["smb", "mid_market", "enterprise"], dtype=object)


def _stamps(days: np.ndarray) -> pa.Array:
    """Instants `days` after 2024-07-01 (NaN: null)."""
    missing = np.isnan(days)
    seconds = (np.nan_to_num(days) * 86_400).astype("int64")
    values = np.datetime64("2024-07-01T00:00:00", "s") + seconds.astype("timedelta64[s]")
    return pa.array(values, pa.timestamp("us", tz="UTC"), mask=missing)


def build(root: Path, leads: int, seed: int = 7) -> None:
    """The synthetic company in a new workspace at `root`."""
    rng = np.random.default_rng(seed)
    ws = Workspace.create(root)
    ws.init_warehouse()
    accounts = max(leads // 5, 1)
    account_ids = np.array([f"acc-{i}" for i in range(accounts)], dtype=object)
    domains = np.array([f"co{i}.example" for i in range(accounts)], dtype=object)
    ws.warehouse.load(
        "account",
        pa.table({
            "account_id": account_ids, "name": account_ids, "domain": domains,
            "segment": SEGMENTS[rng.integers(0, 3, accounts)],
            "employees": rng.integers(5, 5000, accounts),
            "source_system": ["bench"] * accounts, "source_id": account_ids,
            "created_at": _stamps(np.zeros(accounts)),
        }),
        mode="append",
    )  # fmt: skip
    quality = rng.beta(2, 5, leads)
    created = np.sort(rng.uniform(0, 729, leads))
    convert = rng.random(leads) < 0.05 + 0.5 * quality
    converted = np.where(convert, created + rng.lognormal(np.log(10), 0.6, leads), np.nan)
    converted = np.where(converted < 729, converted, np.nan)
    title = np.clip(((1 - quality) * 7 + rng.normal(0, 1, leads)).astype(int), 0, 6)
    lead_ids = np.array([f"lead-{i}" for i in range(leads)], dtype=object)
    company = rng.integers(0, accounts, leads)
    ws.warehouse.load(
        "lead",
        pa.table({
            "lead_id": lead_ids, "first_name": ["Ann"] * leads, "last_name": lead_ids,
            "email": [f"p{i}@{domains[c]}" for i, c in enumerate(company)],
            "domain": domains[company], "title": TITLES[title],
            "source": SOURCES[rng.integers(0, 5, leads)],
            "converted_at": _stamps(converted),
            "source_system": ["bench"] * leads, "source_id": lead_ids,
            "created_at": _stamps(created),
        }),
        mode="append",
    )  # fmt: skip
    touches = int(leads * 1.5)
    person = rng.integers(0, leads, touches)
    at = created[person] + rng.uniform(0, 20, touches)
    keep = at < 729
    touch_ids = np.array([f"t-{i}" for i in range(int(keep.sum()))], dtype=object)
    ws.warehouse.load(
        "campaign_touch",
        pa.table({
            "campaign_touch_id": touch_ids, "campaign_id": ["cmp"] * len(touch_ids),
            "person_id": lead_ids[person[keep]], "person_type": ["lead"] * len(touch_ids),
            "occurred_at": _stamps(at[keep]),
            "status": np.where(rng.random(len(touch_ids)) < quality[person[keep]], "responded",
                               "sent").astype(object),
            "source_system": ["bench"] * len(touch_ids), "source_id": touch_ids,
            "created_at": _stamps(at[keep]),
        }),
        mode="append",
    )  # fmt: skip
    ws.close()


def score(root: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Score the workspace at `root` (in a child): seconds, leads, peak MiB."""
    ws = Workspace.open(root)
    started = time.perf_counter()
    run = ws.leads.score(AS_OF)
    seconds = time.perf_counter() - started
    ws.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, run.leads, run.trained_rows, run.trained_outcomes, peak))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        started = time.perf_counter()
        build(root, args.leads)
        print(f"built {args.leads:,} leads in {time.perf_counter() - started:.1f} s")
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=score, args=(str(root), queue))
        child.start()
        seconds, leads, rows, outcomes, peak = queue.get()
        child.join()
        print(
            f"scored {leads:,} open leads (model trained on {rows:,} snapshots, "
            f"{outcomes:,} outcomes) in {seconds:.1f} s, peak memory {peak:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
