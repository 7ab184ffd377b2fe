"""A small demo company for the forecast tests, generated and ingested once per run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.demo import DemoParams
from revops.demo.generate import generate_company
from revops.ingest.runner import ingest

PARAMS = DemoParams(accounts=300, years=2, seed=5, as_of=date(2026, 11, 22))


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated exports (with `truth/`)."""
    out = tmp_path_factory.mktemp("forecast-company")
    generate_company(PARAMS, out)
    return out


@pytest.fixture(scope="session")
def demo(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The company ingested into a DuckDB workspace."""
    root = tmp_path_factory.mktemp("forecast-demo") / "ws"
    Workspace.create(root, fiscal_year_start_month=PARAMS.fiscal_year_start_month)
    ws = Workspace.open(root)
    report = ingest(ws, sorted(str(p) for p in company.iterdir() if p.name != "truth"))
    assert report.failed == []
    yield ws
    ws.close()
