"""The small demo company of the whole suite, ingested once for the forecast tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
