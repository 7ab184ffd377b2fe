"""Latency of the cockpit under 20 concurrent clients on loopback.

Usage: python benchmarks/serve.py [--accounts 200000] [--workspace DIR] [--clients 20]
                                  [--requests 2000] [--seconds 120]

The demo workspace (default: a folder in the temp directory named after the size) is made
once with `revops demo --accounts N` and reused; the benchmark adds a user and an API
token to its app database, so point `--workspace` at a copy you may write. The server is
`revops serve` (the embedded DuckDB warehouse read-only, SQLite app database) in a child
process. A benchmark user (executive: every row) authenticates with an API token. Then:

- warm-up: the time until the server has computed its default pages in the background
  (`/healthz` says `warm`), then the first request of each fixed endpoint;
- load: `--clients` threads, each with its own httpx client, cycling through the
  endpoints until `--requests` requests in all or `--seconds` have passed. The metrics
  API is asked for a realistic handful of metrics × windows × slices, so some requests
  compute values and the others reuse them: both are printed apart.

Printed per endpoint: requests, p50 and p95 latency, and p95 as a ratio of the baseline
measured in the same run: /healthz, which does no work. Goal: p95 of the cockpit home and
the metrics API under 300 ms.
"""

from __future__ import annotations

import argparse
import itertools
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

FIXED = {
    "baseline /healthz": "/healthz",
    "cockpit home /": "/",
    "home API /api/v1/home": "/api/v1/home",
}
EXPLORED = ("bookings", "pipeline_created", "win_rate", "arr")
"""Metrics the load asks the explorer API for, each by window, grain and slice."""


def prepare(workspace: Path, accounts: int) -> str:
    """Make the demo workspace unless it is there; return a token of a benchmark admin."""
    if not (workspace / "warehouse.duckdb").exists():
        print(f"making the {accounts:,}-account demo workspace in {workspace} …", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "revops", "--workspace", str(workspace), "demo",
             "--accounts", str(accounts)],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    from revops import Workspace
    from revops.app import users
    from revops.app.db import AppDatabase

    ws = Workspace.open(workspace)
    db = AppDatabase(ws.config.app_database.url, ws.root)
    db.migrate()
    email = "bench@example.com"
    account = next((u for u in users.list_users(db) if u.email == email), None)
    if account is None:
        account = users.add_user(db, email, "executive", "benchmark-password")
    secret, _ = users.create_token(db, account.id, "bench", ("read",), actor="benchmark")
    db.close()
    return secret


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def explore_urls(home: dict[str, Any]) -> list[str]:
    """Explorer API calls a person makes: each of :data:`EXPLORED` for this quarter, the
    last one and the fiscal year, as one value, by month, and by segment."""
    current = home["window"]
    quarters = [p["period"] for p in home["cards"][0]["trend"] if "-Q" in p["period"]]
    earlier = [q for q in quarters if q != current][-1:]
    windows = [current, *earlier, current.split("-")[0]]
    shapes = ["", "&grain=month", "&by=segment"]
    return [
        f"/api/v1/metrics/explore?metric={metric}&window={window}{shape}"
        for metric, window, shape in itertools.product(EXPLORED, windows, shapes)
    ]


def show(name: str, took: list[float], base_p95: float) -> None:
    """One line of latency figures."""
    if not took:
        print(f"load  {name:34} n=    0")
        return
    p50, p95 = percentile(took, 0.5), percentile(took, 0.95)
    print(f"load  {name:34} n={len(took):5}  p50 {1000 * p50:7.1f} ms  "
          f"p95 {1000 * p95:7.1f} ms  ({p95 / base_p95:5.1f}x baseline p95)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    import httpx

    workspace = args.workspace or Path(tempfile.gettempdir()) / f"revops-serve-{args.accounts}"
    token = prepare(workspace, args.accounts)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "revops", "--workspace", str(workspace), "serve",
               "--port", str(port)]  # fmt: skip
    began = time.perf_counter()
    server = subprocess.Popen(command)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        warm = wait_until_warm(base, began, args.seconds * 5)
        company = (f"workspace {args.workspace}" if args.workspace
                   else f"{args.accounts:,}-account demo")  # fmt: skip
        print(f"{company}, {args.clients} clients, up to {args.requests} "
              f"requests or {args.seconds:.0f} s; warm {warm:.1f} s after start")  # fmt: skip
        with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
            for name, path in FIXED.items():
                start = time.perf_counter()
                response = client.get(path)
                response.raise_for_status()
                print(f"first {name:34} {1000 * (time.perf_counter() - start):9.1f} ms")
            explored = explore_urls(client.get("/api/v1/home").json())
        run_load(args, base, headers, explored)
    finally:
        server.terminate()
        server.wait(30)


def wait_until_warm(base: str, began: float, limit: float) -> float:
    """Seconds from `began` until the server answers and has warmed its pages."""
    import httpx

    while time.perf_counter() - began < limit:
        try:
            response = httpx.get(f"{base}/healthz", timeout=1)
            if response.status_code == 200 and response.json().get("warm") == "yes":
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return time.perf_counter() - began


def run_load(args: argparse.Namespace, base: str, headers: dict[str, str],
             explored: list[str]) -> None:  # fmt: skip
    """The concurrent part: every client cycles through the fixed endpoints and its share
    of the explorer calls; a call's first request anywhere counts as computed."""
    import httpx

    explore_miss, explore_hit = "metrics API (computed)", "metrics API (reused)"
    times: dict[str, list[float]] = {name: [] for name in [*FIXED, explore_miss, explore_hit]}
    lock = threading.Lock()
    budget = [args.requests]
    deadline = time.perf_counter() + args.seconds
    errors: list[str] = []
    asked: set[str] = set()
    urls = itertools.cycle(explored)

    def work(offset: int) -> None:
        names = [*FIXED, "explore"]
        with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
            turn = offset
            while time.perf_counter() < deadline:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                    name = names[turn % len(names)]
                    path = next(urls) if name == "explore" else FIXED[name]
                    if name == "explore":
                        name = explore_hit if path in asked else explore_miss
                        asked.add(path)
                turn += 1
                start = time.perf_counter()
                response = client.get(path)
                took = time.perf_counter() - start
                with lock:
                    times[name].append(took)
                    if response.status_code != 200:
                        errors.append(f"{path}: {response.status_code}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(args.clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    total = sum(len(t) for t in times.values())
    print(f"load: {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s), "
          f"{len(errors)} errors {errors[:3]}; {len(explored)} explorer calls")  # fmt: skip
    base_p95 = percentile(times["baseline /healthz"], 0.95)
    for name, took in times.items():
        show(name, took, base_p95)
    explore_all = times[explore_miss] + times[explore_hit]
    show("metrics API (all)", explore_all, base_p95)


if __name__ == "__main__":
    main()
