"""A small demo company, ingested and resolved once for the identity tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revops import Workspace
from revops.identity import RunSummary

from conftest import DEMO, ingest_demo

PARAMS = DEMO


@pytest.fixture(scope="module")
def company(demo_company: Path) -> Path:
    return demo_company


@pytest.fixture(scope="module")
def demo(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = ingest_demo(company, tmp_path_factory.mktemp("ws") / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def resolved(demo: Workspace) -> list[RunSummary]:
    return demo.identity.run()
