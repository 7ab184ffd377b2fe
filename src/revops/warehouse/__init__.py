"""Warehouse backends: one canonical model on DuckDB, PostgreSQL or Spark, through ibis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from revops.warehouse.asof import as_of, with_validity
from revops.warehouse.base import (
    NAMESPACES,
    SOURCE_KEY,
    LoadMode,
    LoadResult,
    LoadSpec,
    TableStatus,
    Warehouse,
)
from revops.warehouse.url import WarehouseURL

__all__ = [
    "NAMESPACES",
    "SOURCE_KEY",
    "LoadMode",
    "LoadResult",
    "LoadSpec",
    "TableStatus",
    "Warehouse",
    "WarehouseURL",
    "as_of",
    "connect",
    "with_validity",
]


def connect(
    url: str,
    root: Path,
    *,
    schema_prefix: str = "",
    spark_session: Any = None,
    read_only: bool = False,
) -> Warehouse:
    """Open the warehouse at `url` (relative file paths inside `root`).

    Args:
        url: `duckdb:///FILE`, `postgresql://...` or `spark://local`.
        root: the workspace folder.
        schema_prefix: prefix of the revops schemas.
        spark_session: an existing Spark session to attach to instead of starting one.
        read_only: open an embedded DuckDB file for reading only, so other processes may
            read it too (server backends ignore it: their permissions decide).
    """
    parsed = WarehouseURL.parse(url, root)
    if parsed.backend == "duckdb":
        from revops.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse.connect(parsed, schema_prefix, read_only=read_only)
    if parsed.backend == "postgres":
        from revops.warehouse.postgres import PostgresWarehouse

        return PostgresWarehouse.connect(parsed, schema_prefix)
    from revops.warehouse.spark import SparkWarehouse

    return SparkWarehouse.connect(parsed, schema_prefix, session=spark_session)
