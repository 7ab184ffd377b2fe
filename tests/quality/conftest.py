"""A tiny company built row by row on each backend, and its quality component.

Tests write the rows they need with `world.add(entity, {...})`, their own rules with
`world.rules(yaml)`, then ask which records fail which rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from revops.config import RevOpsConfig
from revops.model import ENTITIES
from revops.quality.component import Quality
from revops.warehouse import Warehouse

from conftest import BACKENDS, open_warehouse
from support import empty_tables

AS_OF = date(2026, 6, 30)


class QualityWorld:
    """A warehouse with the model's tables, filled by the test, and ws.quality over it."""

    def __init__(self, warehouse: Warehouse, root: Path) -> None:
        self.warehouse = warehouse
        self.root = root
        self.config: dict[str, Any] = {}
        self.touched: set[str] = set()
        warehouse.init(ENTITIES.values())

    @property
    def backend(self) -> str:
        return self.warehouse.backend

    def add(self, entity: str, *rows: dict[str, Any]) -> None:
        """Load `rows` (each with its id) into `entity`; lineage defaults, strings typed."""
        spec = ENTITIES[entity]
        batch = []
        for row in rows:
            full = {"source_system": "test", "load_id": "test-load", **row}
            full.setdefault("source_id", str(full[spec.id_column]))
            batch.append({name: _typed(spec.column(name).type, v) for name, v in full.items()})
        self.warehouse.load(entity, batch, namespace=spec.namespace, mode="append")
        self.touched.add(entity)

    def rules(self, text: str, name: str = "custom.yaml") -> None:
        """Write a workspace rules file."""
        folder = self.root / "rules"
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")

    def quality(self) -> Quality:
        return Quality(self.root, RevOpsConfig.model_validate(self.config), lambda: self.warehouse)

    def failing(self, entity: str, rule: str, as_of: date = AS_OF) -> set[str]:
        """Ids of the records of `entity` that fail `rule` as of `as_of`."""
        evaluated = self.quality().evaluate(entity, as_of)
        index = [r.name for r in evaluated.rules].index(rule)
        table = evaluated.table
        rows = table.filter(table[f"fails_{index}"]).select("record_id").to_pyarrow()
        return set(rows.column("record_id").to_pylist())

    def applying(self, entity: str, rule: str, as_of: date = AS_OF) -> set[str]:
        """Ids of the records of `entity` that `rule` applies to."""
        evaluated = self.quality().evaluate(entity, as_of)
        index = [r.name for r in evaluated.rules].index(rule)
        table = evaluated.table
        rows = table.filter(table[f"applies_{index}"]).select("record_id").to_pyarrow()
        return set(rows.column("record_id").to_pylist())


def _typed(column_type: str, value: Any) -> Any:
    if value is None or not isinstance(value, str | int | float):
        return value
    if column_type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if column_type.startswith("timestamp") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if column_type.startswith("decimal") and not isinstance(value, bool):
        return Decimal(str(value))
    return value


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QualityWorld]:
    """An empty company on each backend in turn."""
    if request.param == "spark":
        shared = QualityWorld(request.getfixturevalue("spark_model_warehouse"), tmp_path)
        yield shared
        # Quality runs write the quality tables besides what the test added.
        stored = [name for name, spec in ENTITIES.items() if spec.family == "quality"]
        empty_tables(shared.warehouse, {*shared.touched, *stored})
        return
    warehouse = open_warehouse(request.param, tmp_path, request)
    yield QualityWorld(warehouse, tmp_path)
    warehouse.drop()
    warehouse.close()


@pytest.fixture
def duckdb_world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[QualityWorld]:
    """An empty company on DuckDB only, for tests of the layer rather than the SQL."""
    warehouse = open_warehouse("duckdb", tmp_path, request)
    yield QualityWorld(warehouse, tmp_path)
    warehouse.close()
