"""The small demo company of the whole suite, ingested once for the forecast tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import ibis
import pytest

from revops import Workspace

from conftest import DEMO, ingest_demo

PARAMS = DEMO


@pytest.fixture(scope="session")
def company(demo_company: Path) -> Path:
    """The generated exports (with `truth/`)."""
    return demo_company


@pytest.fixture(scope="session")
def demo(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The company ingested into a DuckDB workspace."""
    ws = ingest_demo(company, tmp_path_factory.mktemp("forecast-demo") / "ws")
    yield ws
    ws.close()


NO_ACTIVITY_FILES = ("Task.csv", "Event.csv")
"""The Salesforce exports that carry activities: a company without them has none."""


@pytest.fixture(scope="session")
def no_activities(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The small demo company's CRM (Salesforce files only) without its activity files."""
    from revops.ingest.runner import ingest

    root = tmp_path_factory.mktemp("forecast-no-activities") / "ws"
    ws = Workspace.create(root, fiscal_year_start_month=PARAMS.fiscal_year_start_month)
    files = sorted(
        str(p) for p in (company / "salesforce").iterdir() if p.name not in NO_ACTIVITY_FILES
    )
    report = ingest(ws, files)
    assert report.failed == []
    yield ws
    ws.close()


def copy_company(
    source: Workspace, root: Path, change: Callable[[str, ibis.Table], ibis.Table]
) -> Workspace:
    """A copy of `source`'s CRM tables at `root`, each passed through `change(entity, table)`."""
    from revops.model import ENTITIES

    copy = Workspace.create(root, fiscal_year_start_month=source.config.fiscal.year_start_month)
    copy.init_warehouse()
    for entity in ("account", "user", "fx_rate", "opportunity", "opportunity_history", "activity"):
        spec = ENTITIES[entity]
        if not source.warehouse.has_table(entity, spec.namespace):
            continue
        table = change(entity, source.warehouse.table(entity, spec.namespace))
        copy.warehouse.load(entity, table.to_pyarrow(), namespace=spec.namespace, mode="replace")
    return copy
