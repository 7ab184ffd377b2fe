"""Fairness under load: one expensive request must not slow everyone else down.

Usage: python benchmarks/fairness.py --workspace DIR [--clients 12] [--seconds 40]
                                     [--timeout 20] [--accounts 2000]

The workspace (default: a `revops demo --accounts N` made once in the temp directory) is
served by `revops serve` — real uvicorn on 127.0.0.1, the embedded DuckDB warehouse
read-only — in a child process, with `query_budget` in its revops.yaml set so the
expensive request is let through and stopped by the statement timeout only
(`--timeout` seconds; max_window_days and max_cells raised). The benchmark adds to the
app database an executive (every row) and the rep with the most deals, each with a token.

Two phases of `--seconds` each, `--clients` threads cycling through ordinary requests
(home, explorer values of this quarter and year, drill-down rows, pipeline, funnel) as the
executive and as the rep:

1. ordinary requests only;
2. the same while one more client, as the rep, asks again and again for win rate over
   1901-01-01..2099-12-31 by month and segment (the request that held the warehouse for
   248 s behind one lock).

Printed: requests, p50 and p95 of the ordinary requests per phase, and what the expensive
request got (status, time). Goal: the others' p95 under 1 s in both phases. Last, with the
default budget, the expensive request is refused at once with 422 naming the limit.
"""

from __future__ import annotations

import argparse
import itertools
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

EXPENSIVE = (
    "/api/v1/metrics/explore?metric=win_rate&window=1901-01-01..2099-12-31&grain=month&by=segment"
)
ORDINARY = [
    "/api/v1/home",
    "/api/v1/metrics/explore?metric=bookings",
    "/api/v1/metrics/explore?metric=win_rate&by=segment",
    "/api/v1/metrics/explore?metric=arr&grain=quarter",
    "/api/v1/metrics/rows?metric=won_deals",
    "/api/v1/funnel",
    "/api/v1/me",
]
BUDGET = re.compile(r"(?ms)^query_budget:.*?(?=^\S|\Z)")


def prepare(workspace: Path, accounts: int) -> dict[str, str]:
    """Make the demo workspace unless it is there; tokens of an executive and a rep."""
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

    ws = Workspace.open(workspace, read_only=True)
    deals = ws.warehouse.table("opportunity")
    people = ws.warehouse.table("user")
    top = deals.group_by("owner_id").agg(n=deals.count()).order_by([deals.count().desc()])
    top = top.join(people, top.owner_id == people.user_id).order_by([top.n.desc()]).limit(1)
    rep_email = str(top.execute()["email"].iloc[0])
    db = AppDatabase(ws.config.app_database.url, ws.root)
    db.migrate()
    tokens = {}
    for name, email, role in [("executive", "fair.exec@example.com", "executive"),
                              ("rep", rep_email, "rep")]:  # fmt: skip
        account = next((u for u in users.list_users(db) if u.email == email), None)
        if account is None:
            account = users.add_user(db, email, role, "benchmark-password")
        tokens[name], _ = users.create_token(db, account.id, "fair", ("read",), actor="bench")
    db.close()
    ws.close()
    return tokens


def set_budget(workspace: Path, text: str | None) -> None:
    """Replace the `query_budget:` block of revops.yaml (None: remove it)."""
    config = workspace / "revops.yaml"
    body = BUDGET.sub("", config.read_text()).rstrip("\n") + "\n"
    config.write_text(body + (text or ""))


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def serve(workspace: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`revops serve` in a child process on a free port, once it answers and is warm."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "revops", "--workspace", str(workspace), "serve",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    while time.perf_counter() - began < 900:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).json().get("warm") == "yes":
                break
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return server, base


def load(base: str, tokens: dict[str, str], clients: int, seconds: float,
         expensive: bool) -> tuple[list[float], list[str], list[tuple[int, float]]]:  # fmt: skip
    """Ordinary requests from `clients` threads for `seconds` (and the expensive one
    repeated in one more thread when `expensive`): their times, errors, and the expensive
    request's (status, seconds)."""
    import httpx

    deadline = time.perf_counter() + seconds
    times: list[float] = []
    errors: list[str] = []
    heavy: list[tuple[int, float]] = []
    lock = threading.Lock()

    def ordinary(offset: int) -> None:
        token = tokens["rep" if offset % 2 else "executive"]
        paths = itertools.islice(itertools.cycle(ORDINARY), offset, None)
        with httpx.Client(base_url=base, timeout=120,
                          headers={"Authorization": f"Bearer {token}"}) as client:  # fmt: skip
            for path in paths:
                if time.perf_counter() >= deadline:
                    return
                start = time.perf_counter()
                response = client.get(path)
                took = time.perf_counter() - start
                with lock:
                    times.append(took)
                    if response.status_code != 200:
                        errors.append(f"{path}: {response.status_code}")

    def costly() -> None:
        auth = {"Authorization": f"Bearer {tokens['rep']}"}
        with httpx.Client(base_url=base, timeout=600, headers=auth) as client:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = client.get(EXPENSIVE)
                heavy.append((response.status_code, time.perf_counter() - start))

    threads = [threading.Thread(target=ordinary, args=(i,)) for i in range(clients)]
    if expensive:
        threads.append(threading.Thread(target=costly))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    import httpx

    workspace = args.workspace or Path(tempfile.gettempdir()) / f"revops-fair-{args.accounts}"
    tokens = prepare(workspace, args.accounts)
    set_budget(workspace, f"query_budget:\n  statement_timeout_seconds: {args.timeout}\n"
                          "  max_window_days: 100000\n  max_cells: 1000000\n")  # fmt: skip
    server, base = serve(workspace)
    try:
        for token in tokens.values():  # each scope's ordinary values computed once
            for path in ORDINARY:
                httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=300)
        print(f"{args.clients} clients × {args.seconds:.0f} s per phase, statement timeout "
              f"{args.timeout:g} s")  # fmt: skip
        for expensive in (False, True):
            times, errors, heavy = load(base, tokens, args.clients, args.seconds, expensive)
            name = "with the expensive request" if expensive else "ordinary requests only"
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            print(f"{name:28} n={len(times):5}  p50 {1000 * p50:7.1f} ms  "
                  f"p95 {1000 * p95:7.1f} ms  errors {len(errors)}")  # fmt: skip
            for status, took in heavy:
                print(f"  expensive request: {status} after {took:.1f} s")
    finally:
        server.terminate()
        server.wait(30)
    set_budget(workspace, None)
    server, base = serve(workspace)
    try:
        start = time.perf_counter()
        response = httpx.get(base + EXPENSIVE, timeout=60,
                             headers={"Authorization": f"Bearer {tokens['rep']}"})  # fmt: skip
        print(f"default budget: {response.status_code} after "
              f"{time.perf_counter() - start:.2f} s: {response.json()['detail']}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
