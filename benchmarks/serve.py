"""Latency of the cockpit under 20 concurrent clients on loopback.

Usage: python benchmarks/serve.py [--accounts 200000] [--workspace DIR] [--clients 20]
                                  [--requests 2000] [--seconds 120]

The demo workspace (default: a folder in the temp directory named after the size) is made
once with `revops demo --accounts N` and reused. The server (`revops serve`'s app, the
embedded DuckDB warehouse read-only, SQLite app database) runs in a child process under
uvicorn. A benchmark user signs in with an API token. Then:

- cold: the first request of each endpoint (values not yet computed for this scope);
- load: `--clients` threads, each with its own httpx client, cycling through the
  endpoints until `--requests` requests in all or `--seconds` have passed.

Printed per endpoint: requests, p50 and p95 latency, and p95 as a ratio of the baseline
measured in the same run: /healthz, which does no work. Goal: p95 of the cockpit home and
the metrics API under 300 ms.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ENDPOINTS = {
    "baseline /healthz": "/healthz",
    "cockpit home /": "/",
    "home API /api/v1/home": "/api/v1/home",
    "metrics API explore": "/api/v1/metrics/explore?metric=bookings&grain=month&by=segment",
}
SERVER = """
import sys, uvicorn
from revops.app import create_app
uvicorn.run(create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


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
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(workspace), str(port)])
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        print(f"{args.accounts:,} accounts, {args.clients} clients, up to {args.requests} "
              f"requests or {args.seconds:.0f} s")  # fmt: skip
        with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
            for name, path in ENDPOINTS.items():
                start = time.perf_counter()
                response = client.get(path)
                response.raise_for_status()
                print(f"cold  {name:28} {1000 * (time.perf_counter() - start):9.1f} ms")
        times: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        lock = threading.Lock()
        budget = [args.requests]
        deadline = time.perf_counter() + args.seconds
        errors: list[str] = []

        def work(offset: int) -> None:
            names = list(ENDPOINTS)
            with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
                turn = offset
                while time.perf_counter() < deadline:
                    with lock:
                        if budget[0] <= 0:
                            return
                        budget[0] -= 1
                    name = names[turn % len(names)]
                    turn += 1
                    start = time.perf_counter()
                    response = client.get(ENDPOINTS[name])
                    took = time.perf_counter() - start
                    with lock:
                        times[name].append(took)
                        if response.status_code != 200:
                            errors.append(f"{name}: {response.status_code}")

        threads = [threading.Thread(target=work, args=(i,)) for i in range(args.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        total = sum(len(t) for t in times.values())
        print(f"load: {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s), "
              f"{len(errors)} errors")  # fmt: skip
        base_p95 = percentile(times["baseline /healthz"], 0.95)
        for name, took in times.items():
            p50, p95 = percentile(took, 0.5), percentile(took, 0.95)
            print(f"load  {name:28} n={len(took):5}  p50 {1000 * p50:7.1f} ms  "
                  f"p95 {1000 * p95:7.1f} ms  ({p95 / base_p95:5.1f}x baseline p95)")  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
