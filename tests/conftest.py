"""Fixtures shared by the whole suite: one warehouse per backend, one Spark session per run."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops.warehouse import Warehouse, connect

POSTGRES_URL = os.environ.get("REVOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

BACKENDS = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("spark", id="spark", marks=pytest.mark.spark),
]


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local-mode Spark session for the whole run: it takes seconds to start."""
    from revops.warehouse.spark import spark_session as start
    from revops.warehouse.url import WarehouseURL

    home = tmp_path_factory.mktemp("spark")
    session = start(WarehouseURL.parse("spark://local?cores=2", home))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def open_warehouse(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Warehouse:
    """A fresh, empty warehouse on `backend`; server backends get a unique schema prefix."""
    prefix = f"t{secrets.token_hex(4)}_"
    if backend == "duckdb":
        return connect("duckdb:///warehouse.duckdb", tmp_path)
    if backend == "postgres":
        return connect(POSTGRES_URL, tmp_path, schema_prefix=prefix)
    session = request.getfixturevalue("spark_session")
    return connect("spark://local", tmp_path, schema_prefix=prefix, spark_session=session)


@pytest.fixture(params=BACKENDS)
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    """An empty warehouse on each backend in turn."""
    wh = open_warehouse(request.param, tmp_path, request)
    yield wh
    wh.drop()
    if wh.backend != "spark":  # the shared session outlives the test
        wh.close()
