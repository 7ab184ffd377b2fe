"""One expensive request does not hold everyone else up (a short benchmarks/fairness.py):
the query budget refuses it or stops it, and other clients are served meanwhile on their
own warehouse connections. Real uvicorn on 127.0.0.1, bounded loops."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.conftest import AS_OF, REP, Cockpit
from revops.app import create_app, users
from revops.app.db import AppDatabase
from revops.config import QueryBudget

EXPENSIVE = (
    "/api/v1/metrics/explore?metric=win_rate&window=1901-01-01..2099-12-31&grain=month&by=segment"
)
ORDINARY = [
    "/api/v1/home",
    "/api/v1/metrics/explore?metric=bookings",
    "/api/v1/metrics/explore?metric=win_rate&by=segment",
    "/api/v1/metrics/rows?metric=won_deals",
    "/api/v1/me",
]
CLIENTS = 10
SECONDS = 8.0
# Long enough that an ordinary request is never cut on a busy CI machine (the full suite
# runs beside it); the expensive one runs for minutes without a budget.
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def server(cockpit: Cockpit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The cockpit's workspace served by uvicorn in a thread, with a rep's token."""
    import uvicorn

    ws = cockpit.app.state.revops.workspace
    db = AppDatabase("sqlite:///app.db", tmp_path_factory.mktemp("fair-db"))
    app = create_app(ws, db=db, as_of=AS_OF, warm=False)
    account = users.add_user(db, REP, "rep", "correct horse battery")
    token, _ = users.create_token(db, account.id, "fair", ("read",), actor="test")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    for _ in range(200):
        if served.started:
            break
        time.sleep(0.05)
    yield ws, f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    served.should_exit = True
    thread.join(10)
    db.close()


def test_the_default_budget_refuses_the_expensive_request_at_once_naming_the_limit(
    server: Any,
) -> None:
    ws, base, headers = server
    usual = ws.config
    response = httpx.get(base + EXPENSIVE, headers=headers, timeout=30)
    assert response.status_code == 422
    assert "max_window_days" in response.json()["detail"]
    ws.config = ws.config.model_copy(update={"query_budget": QueryBudget(max_cells=5)})
    try:
        monthly = httpx.get(base + "/api/v1/metrics/explore?metric=bookings&grain=month"
                            "&window=FY2027", headers=headers, timeout=60)  # fmt: skip
    finally:
        ws.config = usual
    assert monthly.status_code == 422
    assert "max_cells" in monthly.json()["detail"]


def test_others_are_served_while_an_expensive_request_runs_until_its_timeout(
    server: Any,
) -> None:
    ws, base, headers = server
    for path in ORDINARY:  # computed once, as every scope's usual pages are when warm
        assert httpx.get(base + path, headers=headers, timeout=300).status_code == 200
    usual = ws.config
    ws.config = usual.model_copy(
        update={
            "query_budget": QueryBudget(
                statement_timeout_seconds=TIMEOUT, max_window_days=100_000, max_cells=10**6
            )
        }
    )
    try:
        quiet, _ = _load(base, headers, with_expensive=False)
        busy, heavy = _load(base, headers, with_expensive=True)
    finally:
        ws.config = usual
    [(status, took, text)] = heavy
    assert status == 504, text
    assert "statement timeout" in text
    assert "SELECT" not in text
    assert took < TIMEOUT + 10
    assert len(busy) > CLIENTS * 3
    # The goal is p95 < 1 s; on a shared CI machine the bound is relative to the same
    # load without the expensive request (behind one lock, each drill-down waited for it).
    assert _p95(busy) < max(1.0, 3 * _p95(quiet)), (_p95(quiet), _p95(busy))


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[int(0.95 * (len(ordered) - 1))]


def _load(
    base: str, headers: dict[str, str], *, with_expensive: bool
) -> tuple[list[float], list[tuple[int, float, str]]]:
    """Ordinary requests from CLIENTS threads for SECONDS, and the expensive one once."""
    deadline = time.perf_counter() + SECONDS
    times: list[float] = []
    failed: list[str] = []
    heavy: list[tuple[int, float, str]] = []

    def ordinary(offset: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            turn = offset
            while time.perf_counter() < deadline:
                path = ORDINARY[turn % len(ORDINARY)]
                turn += 1
                start = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - start)
                if response.status_code != 200:
                    failed.append(f"{path}: {response.status_code}")

    def expensive() -> None:
        start = time.perf_counter()
        response = httpx.get(base + EXPENSIVE, headers=headers, timeout=120)
        heavy.append((response.status_code, time.perf_counter() - start, response.text))

    threads = [threading.Thread(target=ordinary, args=(i,)) for i in range(CLIENTS)]
    if with_expensive:
        threads.append(threading.Thread(target=expensive))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    return times, heavy
