"""A tiny company built row by row on each backend, and the metric layer over it.

Tests write the rows they need with `world.add(entity, {...}, ...)` (ids, lineage and
types filled in), then ask `world.compute(...)` and compare with values they worked out
by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from revops.config import RevOpsConfig
from revops.core import FiscalCalendar
from revops.metrics import MetricResult, Metrics
from revops.model import ENTITIES
from revops.warehouse import Warehouse

from conftest import BACKENDS, open_warehouse
from support import empty_tables, typed_rows


class MetricWorld:
    """A warehouse holding the model's tables, filled by the test, and its metric layer."""

    def __init__(self, warehouse: Warehouse, root: Path) -> None:
        self.warehouse = warehouse
        self.root = root
        self.settings: dict[str, Any] = {}
        self.config_overrides: dict[str, Any] = {}
        self.touched: set[str] = set()
        warehouse.init(ENTITIES.values())
        self._counter = 0

    def empty(self) -> None:
        """Empty the tables this world wrote to, so the next test starts from nothing."""
        empty_tables(self.warehouse, self.touched)
        self.touched.clear()

    @property
    def backend(self) -> str:
        return self.warehouse.backend

    def add(self, entity: str, *rows: dict[str, Any]) -> None:
        """Load `rows` into `entity`; ids and lineage default, strings become dates."""
        spec = ENTITIES[entity]
        batch = typed_rows(entity, rows, self._counter, load_id="test-load")
        self._counter += len(rows)
        self.warehouse.load(entity, batch, namespace=spec.namespace, mode="append")
        self.touched.add(entity)

    def metrics(self) -> Metrics:
        config = RevOpsConfig.model_validate({**self.config_overrides, "metrics": self.settings})
        calendar = FiscalCalendar(config.fiscal.year_start_month, config.fiscal.year_named_by)
        return Metrics(self.root, config, calendar, lambda: self.warehouse)

    def compute(self, metrics: list[str] | str, window: str, **kwargs: Any) -> MetricResult:
        kwargs.setdefault("as_of", date(2030, 1, 1))
        return self.metrics().compute(metrics, window, **kwargs)

    def value(self, metric: str, window: str, **kwargs: Any) -> float | None:
        """The single value of `metric` in `window` (no slicing)."""
        return self.compute([metric], window, **kwargs).value(metric)


@pytest.fixture(scope="session")
def spark_world(
    spark_model_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> MetricWorld:
    """One Spark company for the run, emptied after each test."""
    return MetricWorld(spark_model_warehouse, tmp_path_factory.mktemp("spark-world"))


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MetricWorld]:
    """An empty company on each backend in turn."""
    if request.param == "spark":
        shared: MetricWorld = request.getfixturevalue("spark_world")
        shared.settings, shared.config_overrides, shared.root = {}, {}, tmp_path
        yield shared
        shared.empty()
        return
    warehouse = open_warehouse(request.param, tmp_path, request)
    yield MetricWorld(warehouse, tmp_path)
    warehouse.drop()
    warehouse.close()


@pytest.fixture
def duckdb_world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[MetricWorld]:
    """An empty company on DuckDB only, for tests of the layer rather than the numbers."""
    warehouse = open_warehouse("duckdb", tmp_path, request)
    yield MetricWorld(warehouse, tmp_path)
    warehouse.close()
