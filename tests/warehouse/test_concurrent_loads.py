"""Two processes loading one PostgreSQL table at once leave one row per key."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest

from revops.warehouse import LoadResult, Warehouse, connect

from conftest import POSTGRES_URL
from support import DEAL, deals


@pytest.mark.postgres
def test_concurrent_upserts_of_the_same_new_keys_do_not_duplicate_them(tmp_path: Path) -> None:
    prefix = f"c{secrets.token_hex(4)}_"
    first, second = (connect(POSTGRES_URL, tmp_path, schema_prefix=prefix) for _ in range(2))
    first.init([DEAL])
    batch = deals(
        ("1", "Prospecting", "10.00", "2024-01-31"), ("2", "Proposal", "20.00", "2024-02-29")
    )
    # Both loads decide what to write before either applies it: the worst interleaving.
    both_staged = threading.Barrier(2, timeout=30)
    results: list[LoadResult] = []

    def load(warehouse: Warehouse) -> None:
        def progress(step: str) -> None:
            if step == "staged":
                both_staged.wait()

        results.append(warehouse.load("deal", batch, progress=progress))

    threads = [threading.Thread(target=load, args=(w,)) for w in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert [r.inserted for r in results] == [2, 2]
        assert first.table("deal").count().execute() == 2
    finally:
        first.drop()
        first.close()
        second.close()
