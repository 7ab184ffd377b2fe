"""Fixtures shared by the whole suite: one warehouse per backend, one Spark session per run."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from revops import Workspace
from revops.demo import DemoParams
from revops.warehouse import Warehouse, connect

POSTGRES_URL = os.environ.get("REVOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

DEMO = DemoParams(accounts=300, years=2, seed=5, as_of=date(2026, 11, 22))
"""The small demo company the engines' invariant tests share."""

BACKENDS = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("spark", id="spark", marks=pytest.mark.spark),
]


SPARK_SCENARIOS = os.environ.get("REVOPS_TEST_SPARK") == "all"
"""Whether the Spark case of every scenario runs (`make test-spark`), not only those of
each engine's worked example."""

SWEEPS = os.environ.get("REVOPS_TEST_SWEEP") == "all"
"""Whether a sweep (a test marked `sweep`: every route, page or metric, for each of
several roles) runs for every role (`make test-long`), not only for the role it keeps."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Send every Spark test to one xdist worker, so a parallel run starts one JVM, not two,
    and the other tests of a file to one worker, so a module's fixtures (a served company,
    a resolved one) are built once, not on both; unless REVOPS_TEST_SPARK=all, skip the
    Spark case of a `spark_scenario` test and every Spark case of a file after its first
    (Spark spends seconds planning each query); skip a sweep's cases of the roles it does
    not keep unless REVOPS_TEST_SWEEP=all.

    First: xdist's worker reads the `xdist_group` marks in its own hook of this name, and
    a conftest's hook would otherwise run after it (the marks then name no group)."""
    first_of_file: dict[str, str] = {}
    for item in items:
        sweep = item.get_closest_marker("sweep")
        if sweep is not None and not SWEEPS and not _kept(item, sweep.kwargs["keep"]):
            item.add_marker(pytest.mark.skip(reason=SWEEP_SKIP))
        if not item.get_closest_marker("spark"):
            if not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
            continue
        item.add_marker(pytest.mark.xdist_group("spark"))
        if SPARK_SCENARIOS:
            continue
        if item.get_closest_marker("spark_scenario"):
            item.add_marker(pytest.mark.skip(reason=SCENARIO_SKIP))
            continue
        first = first_of_file.setdefault(str(item.path), item.nodeid)
        if first != item.nodeid:
            item.add_marker(pytest.mark.skip(reason=LATER_SKIP))


def _kept(item: pytest.Item, keep: str) -> bool:
    """Whether `item` is the case of its sweep that `make test` runs: the one whose
    parameters include `keep` (a role)."""
    callspec = getattr(item, "callspec", None)
    return callspec is None or keep in callspec.params.values()


SWEEP_SKIP = (
    "a sweep's case for another role: `make test` runs each sweep for the role it keeps, "
    "every role with REVOPS_TEST_SWEEP=all (make test-long)"
)

LATER_SKIP = (
    "a Spark case after its file's first: `make test` runs one Spark case of each file (a "
    "worked example), every case runs with REVOPS_TEST_SPARK=all (make test-spark)"
)

SCENARIO_SKIP = (
    "a variant of an engine's scenario: its worked example runs on Spark in every run, "
    "each variant with REVOPS_TEST_SPARK=all (make test-spark); Spark plans these in minutes"
)


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local-mode Spark session for the whole run: it takes seconds to start."""
    from revops.warehouse.spark import spark_session as start
    from revops.warehouse.url import WarehouseURL

    home = tmp_path_factory.mktemp("spark")
    session = start(WarehouseURL.parse("spark://local?cores=2", home))
    session.sparkContext.setLogLevel("ERROR")
    # The tests' tables hold a few rows: compiling each query's generated Java costs more
    # than it saves.
    session.conf.set("spark.sql.codegen.wholeStage", "false")
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


@pytest.fixture(scope="session")
def spark_model_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """One Spark warehouse with the model's tables for the run, shared by the metric and
    quality tests (which empty what they fill): creating the tables takes Spark far
    longer than emptying the few a test fills."""
    from revops.model import ENTITIES

    warehouse = open_warehouse("spark", tmp_path_factory.mktemp("spark-model"), request)
    warehouse.init(ENTITIES.values())
    yield warehouse
    warehouse.drop()


@pytest.fixture(params=BACKENDS)
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    """An empty warehouse on each backend in turn."""
    wh = open_warehouse(request.param, tmp_path, request)
    yield wh
    wh.drop()
    if wh.backend != "spark":  # the shared session outlives the test
        wh.close()


@pytest.fixture(scope="session")
def demo_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exports of :data:`DEMO` (with `truth/`), generated once per run; read only."""
    from revops.demo.generate import generate_company

    out = tmp_path_factory.mktemp("demo-company")
    generate_company(DEMO, out)
    return out


_INGESTED: dict[Path, Path] = {}
"""A pristine copy of each company's ingested DuckDB workspace, made by this process."""


def ingest_demo(company: Path, root: Path, warehouse_url: str | None = None) -> Workspace:
    """A new workspace at `root` on the demo's fiscal calendar with `company` ingested.

    `warehouse_url` points it at a server warehouse, under a schema prefix of its own. On
    DuckDB the first workspace of a company is ingested and kept aside, and the next ones
    are copies of it: the same rows, without ingesting again.
    """
    import shutil

    from revops.ingest.runner import ingest

    pristine = _INGESTED.get(company) if warehouse_url is None else None
    if pristine is not None:
        shutil.copytree(pristine, root)
        return Workspace.open(root)
    Workspace.create(root, fiscal_year_start_month=DEMO.fiscal_year_start_month)
    if warehouse_url is not None:
        config = root / "revops.yaml"
        text = config.read_text().replace(
            "url: duckdb:///warehouse.duckdb", f"url: {warehouse_url}"
        )
        text = text.replace('schema_prefix: ""', f"schema_prefix: m{secrets.token_hex(4)}_")
        config.write_text(text)
    ws = Workspace.open(root)
    report = ingest(ws, sorted(str(p) for p in company.iterdir() if p.name != "truth"))
    assert report.failed == []
    if warehouse_url is None:
        ws.close()
        kept = company.parent / f"{company.name}-ingested-{secrets.token_hex(4)}"
        shutil.copytree(root, kept)
        _INGESTED[company] = kept
        ws = Workspace.open(root)
    return ws
