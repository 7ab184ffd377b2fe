"""Where Splink computes: an embedded DuckDB, or the warehouse's own PostgreSQL or Spark.

:func:`splink_engine` opens the Splink database API for a run and cleans up after it,
also on error:

- ``duckdb``: an in-memory DuckDB, closed after the run.
- ``postgres``: the warehouse's database, in a work schema of its own
  (``<prefix>identity_work_<random>``) that holds the records, Splink's intermediate
  tables and the SQL functions the comparisons need (:mod:`revops.identity.pgapi`);
  it is dropped with everything in it after the run.
- ``spark``: the warehouse's Spark session; intermediate results are persisted in
  memory and unpersisted, and the temporary views dropped, after the run.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd

    from revops.warehouse import Warehouse

log = logging.getLogger(__name__)

EngineName = Literal["duckdb", "postgres", "spark"]
EngineChoice = Literal["auto", "duckdb"]


@dataclass
class SplinkEngine:
    """An open Splink database API and what is needed to read results back from it.

    Attributes:
        name: the backend Splink computes on.
        db_api: the Splink `DatabaseAPI`.
        work_schema: on PostgreSQL, the schema that holds this run's tables.
    """

    name: EngineName
    db_api: Any
    work_schema: str | None = None
    u_chunks: int = 10
    """Chunks Splink splits the random pairs of u estimation into. Every chunk is one
    query; on Spark each costs seconds of job overhead, and the pairs fit in one."""

    def table_name(self, stem: str) -> str:
        """A name for an input table that no other run in the same session uses."""
        return f"{stem}_{secrets.token_hex(4)}"

    def frame(self, table: Any) -> pd.DataFrame:
        """A Splink result table as a pandas frame, read out of the engine."""
        if self.name == "spark":
            frame: pd.DataFrame = table.as_spark_dataframe().toPandas()
        elif self.name == "duckdb":
            frame = table.as_duckdbpyrelation().df()
        else:
            frame = table.as_pandas_dataframe()
        return frame

    def batches(
        self, table: Any, keep: str | None = None, size: int = 100_000
    ) -> Iterator[pd.DataFrame]:
        """A Splink result table as pandas frames of at most `size` rows, so a large
        result never sits in Python whole (on DuckDB; other engines give one frame).

        `keep` is a SQL `QUALIFY` condition the rows must meet, computed in the engine
        (on DuckDB).
        """
        if self.name != "duckdb":
            yield self.frame(table)
            return
        relation = table.as_duckdbpyrelation()
        if keep:
            relation = relation.query("pairs", f"SELECT * FROM pairs QUALIFY {keep}")
        reader = relation.fetch_arrow_reader(size)
        for batch in reader:
            yield batch.to_pandas()

    def arrow(self, table: Any, columns: list[str]) -> pa.Table:
        """`columns` of a Splink result table as an Arrow table."""
        frame = self.frame(table)[columns]
        return pa.Table.from_pandas(frame, preserve_index=False)


def engine_for(warehouse: Warehouse, choice: EngineChoice) -> EngineName:
    """The engine a run uses: the warehouse's backend for `auto`, else DuckDB."""
    return "duckdb" if choice == "duckdb" else warehouse.backend


@contextmanager
def splink_engine(
    warehouse: Warehouse, choice: EngineChoice = "auto", memory_limit: str | None = None
) -> Iterator[SplinkEngine]:
    """Open the Splink database API for one run on the engine `choice` names.

    `memory_limit` bounds the embedded DuckDB (identity.memory_limit); past it DuckDB
    spills to a temporary folder, then fails with an out-of-memory error.

    Raises:
        IdentityError: the PostgreSQL server cannot give the comparisons the functions
            they need (no fuzzystrmatch extension).
    """
    name = engine_for(warehouse, choice)
    if name == "postgres":
        with _postgres(warehouse) as engine:
            yield engine
    elif name == "spark":
        with _spark(warehouse) as engine:
            yield engine
    else:
        with embedded_engine(memory_limit) as engine:
            yield engine


@contextmanager
def embedded_engine(memory_limit: str | None = None) -> Iterator[SplinkEngine]:
    """An in-memory DuckDB for one run, closed after it (with its spill folder)."""
    import tempfile

    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    # Splink materialises intermediate tables; two threads is what this machine has and
    # keeps a 1M-record run within memory.
    con.execute("SET threads TO 2")
    with tempfile.TemporaryDirectory(prefix="revops-identity-") as spill:
        con.execute(f"SET temp_directory = '{spill}'")
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit.replace(' ', '')}'")
        try:
            yield SplinkEngine("duckdb", DuckDBAPI(connection=con))
        finally:
            con.close()


@contextmanager
def _postgres(warehouse: Warehouse) -> Iterator[SplinkEngine]:
    import sqlalchemy

    from revops.identity.pgapi import CopyPostgresAPI, install_functions

    schema = f"{warehouse.schema_prefix}identity_work_{secrets.token_hex(4)}"
    url = sqlalchemy.make_url(warehouse.url.raw).set(drivername="postgresql+psycopg")
    admin = sqlalchemy.create_engine(url, poolclass=sqlalchemy.NullPool)
    with admin.begin() as con:
        con.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        with admin.begin() as con:
            fuzzy = install_functions(con, schema)
        # Every pooled connection searches the work schema first, so Splink's unqualified
        # table and function names resolve there; fuzzystrmatch may live elsewhere.
        path = ",".join(dict.fromkeys([f'"{schema}"', f'"{fuzzy}"', "public"]))
        # JIT off: Splink's predictions are one huge expression that PostgreSQL spent
        # about 25 s compiling for milliseconds of work.
        options = f"-c search_path={path} -c jit=off"
        engine = sqlalchemy.create_engine(url, connect_args={"options": options})
        try:
            yield SplinkEngine("postgres", CopyPostgresAPI(engine, schema), work_schema=schema)
        finally:
            engine.dispose()
    finally:
        with admin.begin() as con:
            con.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _spark(warehouse: Warehouse) -> Iterator[SplinkEngine]:
    from revops.identity.sparkapi import PersistingSparkAPI

    session = warehouse.con._session
    db_api = PersistingSparkAPI(session)
    try:
        yield SplinkEngine("spark", db_api, u_chunks=1)
    finally:
        db_api.release()  # also drops the views of the tables registered as input
