"""Readers of their own and the statement timeout, on every backend that has them."""

from __future__ import annotations

import threading
import time

import pytest

from revops.errors import QueryTimeout
from revops.warehouse import Warehouse

SLOW = (
    "SELECT count(*) AS n FROM range(1000000) a, range(100000) b"
    " WHERE (a.range * 31 + b.range) % 1000003 = 7"
)
"""A cross product no join can shortcut: 10^11 rows, minutes of DuckDB on any machine (an
equality filter became a hash join that a fast machine finished inside the deadline)."""
SLOW_POSTGRES = "SELECT pg_sleep(20)"


def _slow(warehouse: Warehouse) -> str:
    return SLOW_POSTGRES if warehouse.backend == "postgres" else SLOW


def test_a_query_past_the_deadline_is_stopped_and_named(warehouse: Warehouse) -> None:
    if not warehouse.concurrent_readers:
        pytest.skip("a backend without readers of its own has no statement timeout")
    reader = warehouse.reader()
    start = time.perf_counter()
    with pytest.raises(QueryTimeout, match="statement_timeout_seconds"), reader.deadline(0.5):
        reader.con.raw_sql(_slow(warehouse)).fetchall()
    assert time.perf_counter() - start < 10
    # The connection works again after it.
    with reader.deadline(5):
        assert reader.con.raw_sql("SELECT 1").fetchall() == [(1,)]
    if reader is not warehouse:
        reader.close()


def test_readers_of_their_own_answer_while_another_one_is_busy(warehouse: Warehouse) -> None:
    if not warehouse.concurrent_readers:
        pytest.skip("this backend reads one query at a time")
    busy, free = warehouse.reader(), warehouse.reader()
    stopped: list[BaseException] = []

    def hog() -> None:
        try:
            with busy.deadline(4):
                busy.con.raw_sql(_slow(warehouse)).fetchall()
        except QueryTimeout as exc:
            stopped.append(exc)

    thread = threading.Thread(target=hog)
    thread.start()
    time.sleep(0.5)
    start = time.perf_counter()
    assert free.con.raw_sql("SELECT 42").fetchall() == [(42,)]
    answered = time.perf_counter() - start
    thread.join()
    assert answered < 2, f"a free reader waited {answered:.1f} s for a busy one"
    assert len(stopped) == 1
    busy.close()
    free.close()
