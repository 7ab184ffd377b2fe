"""A small demo company, ingested and resolved once for the identity tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.demo import DemoParams
from revops.demo.generate import generate_company
from revops.identity import RunSummary
from revops.ingest.runner import ingest

PARAMS = DemoParams(accounts=300, years=2, seed=5, as_of=date(2026, 11, 22))


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company")
    generate_company(PARAMS, out)
    return out


@pytest.fixture(scope="module")
def demo(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("ws") / "ws"
    Workspace.create(root, fiscal_year_start_month=PARAMS.fiscal_year_start_month)
    ws = Workspace.open(root)
    report = ingest(ws, sorted(str(p) for p in company.iterdir() if p.name != "truth"))
    assert report.failed == []
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def resolved(demo: Workspace) -> list[RunSummary]:
    return demo.identity.run()
