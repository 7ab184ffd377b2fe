"""How fast the load primitives are, as ratios to a plain bulk insert measured in the same run.

Usage: python benchmarks/warehouse_load.py [--rows N] [--backend duckdb|postgres]

The baseline is the fastest thing the backend can do with the batch: one
`CREATE TABLE AS SELECT` from the arrow table (DuckDB) or one `COPY` of the batch as CSV
text (PostgreSQL) into an empty table. Each primitive is reported as seconds and as a
multiple of that baseline.
"""

from __future__ import annotations

import argparse
import io
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from revops.model import get_entity
from revops.warehouse import Warehouse, connect

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
OPPORTUNITY = get_entity("opportunity")


def opportunities(count: int, *, changed_every: int = 0) -> pa.Table:
    """`count` opportunities; with `changed_every`, every n-th has a new amount."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    amounts = [
        Decimal(i % 50_000) + (Decimal(1) if changed_every and i % changed_every == 0 else 0)
        for i in range(count)
    ]
    return pa.table(
        {
            "opportunity_id": [f"opp-{i}" for i in range(count)],
            "source_system": ["salesforce"] * count,
            "source_id": [f"006{i:015d}" for i in range(count)],
            "account_id": [f"acc-{i % (count // 5 + 1)}" for i in range(count)],
            "stage": [("Prospecting", "Proposal", "Closed Won")[i % 3] for i in range(count)],
            "amount": pa.array(amounts, pa.decimal128(18, 2)),
            "currency": ["USD"] * count,
            "created_at": [start + timedelta(minutes=i) for i in range(count)],
        }
    )


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def baseline(warehouse: Warehouse, batch: pa.Table) -> float:
    """Seconds for the backend's own bulk load of `batch` into a new table."""
    if warehouse.backend == "duckdb":
        raw = warehouse.con.con
        raw.register("bench_batch", batch)
        return timed(
            lambda: raw.execute("CREATE TABLE bench_baseline AS SELECT * FROM bench_batch")
        )
    columns = ", ".join(batch.column_names)

    def copy() -> None:
        # The batch as CSV text written by Arrow, in one COPY: PostgreSQL's own bulk path.
        text = io.BytesIO()
        pacsv.write_csv(batch, text, pacsv.WriteOptions(include_header=False))
        with warehouse.transaction() as cursor:  # type: ignore[attr-defined]
            cursor.execute(
                "CREATE TEMP TABLE bench_baseline AS SELECT * FROM "
                f"{warehouse.qualified('opportunity', 'core')} WITH NO DATA"
            )
            with cursor.copy(f"COPY bench_baseline ({columns}) FROM STDIN (FORMAT csv)") as out:
                out.write(text.getvalue())

    return timed(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--backend", choices=("duckdb", "postgres"), default="duckdb")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        if args.backend == "duckdb":
            warehouse = connect("duckdb:///bench.duckdb", Path(folder))
        else:
            prefix = f"bench{secrets.token_hex(3)}_"
            warehouse = connect(POSTGRES_URL, Path(folder), schema_prefix=prefix)
        try:
            warehouse.init([OPPORTUNITY])
            batch = opportunities(args.rows)
            changed = opportunities(args.rows, changed_every=10)
            base = baseline(warehouse, batch)
            results = {
                "upsert, all rows new": timed(lambda: warehouse.load("opportunity", batch)),
                "upsert, same batch again (no-op)": timed(
                    lambda: warehouse.load("opportunity", batch)
                ),
                "upsert, 10% of rows changed": timed(
                    lambda: warehouse.load("opportunity", changed)
                ),
                "replace, whole table": timed(
                    lambda: warehouse.load("opportunity", batch, mode="replace")
                ),
            }
        finally:
            warehouse.drop()
            warehouse.close()

    print(f"{args.backend}, {args.rows:,} opportunity rows")
    print(f"{'baseline: bulk insert into an empty table':44} {base:7.2f} s   1.0x")
    for label, seconds in results.items():
        print(f"{label:44} {seconds:7.2f} s {seconds / base:5.1f}x")


if __name__ == "__main__":
    main()
