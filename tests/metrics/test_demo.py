"""Invariants of the catalog on a small demo company, and the backends agreeing on it."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.demo import DemoParams
from revops.demo.generate import generate_company
from revops.ingest.runner import ingest
from revops.metrics import MetricResult

from conftest import POSTGRES_URL

PARAMS = DemoParams(accounts=300, years=2, seed=5, as_of=date(2026, 11, 22))
AS_OF = PARAMS.as_of
YEAR = "FY2026"
NOT_IN_THE_DEMO = {
    "first_response_hours": "the Zendesk export has no first response time",
    "tech_adoption_rate_intended": "the stack inventory states no intended users",
}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company")
    generate_company(PARAMS, out)
    return out


def _ingested(company: Path, root: Path, warehouse_url: str | None = None) -> Workspace:
    Workspace.create(root, fiscal_year_start_month=PARAMS.fiscal_year_start_month)
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
    return ws


@pytest.fixture(scope="module")
def demo(company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = _ingested(company, tmp_path_factory.mktemp("duckdb") / "ws")
    yield ws
    ws.close()


def _by_month(demo: Workspace, metrics: list[str]) -> MetricResult:
    return demo.metrics.compute(metrics, YEAR, grain="month", as_of=AS_OF)


def test_bookings_by_type_sum_to_bookings(demo: Workspace) -> None:
    parts = ["bookings_new", "bookings_expansion", "bookings_renewal", "bookings_untyped"]
    result = demo.metrics.compute(["bookings", *parts], YEAR, by=["segment"], as_of=AS_OF)
    frame = result.frame.pivot_table(
        index="segment", columns="metric", values="value", dropna=False
    )
    assert frame["bookings"].sum() > 0
    for segment, row in frame.iterrows():
        assert row[parts].sum() == pytest.approx(row["bookings"]), segment


def test_every_metric_of_the_catalog_computes_on_the_demo(demo: Workspace) -> None:
    catalog = demo.metrics.catalog
    result = demo.metrics.compute([m.name for m in catalog], YEAR, as_of=AS_OF)
    values = {r["metric"]: r["value"] for r in result.records()}
    assert set(values) == set(catalog.metrics)
    undefined = {name for name, value in values.items() if value is None}
    # A KPI with no value on a whole year of the demo company computes nothing useful,
    # unless the demo's tools do not export what it needs.
    assert undefined == set(NOT_IN_THE_DEMO)
    assert all(math.isfinite(v) for v in values.values() if v is not None)


@pytest.mark.postgres
def test_postgres_gives_the_numbers_duckdb_gives(
    demo: Workspace, company: Path, tmp_path: Path
) -> None:
    other = _ingested(company, tmp_path / "pg", POSTGRES_URL)
    try:
        catalog = demo.metrics.catalog
        sliced = [m.name for m in catalog if "segment" in catalog.allowed_dimensions(m.name)]
        whole = [m.name for m in catalog if m.name not in sliced]
        for names, by in ((sliced, ["segment"]), (whole, [])):
            ours = demo.metrics.compute(names, YEAR, by=by, as_of=AS_OF).records()
            theirs = other.metrics.compute(names, YEAR, by=by, as_of=AS_OF).records()
            assert len(ours) == len(theirs)
            for mine, its in zip(ours, theirs, strict=True):
                assert (mine["metric"], mine.get("segment")) == (its["metric"], its.get("segment"))
                if mine["value"] is None or its["value"] is None:
                    assert mine["value"] == its["value"], mine
                else:
                    assert mine["value"] == pytest.approx(its["value"], rel=1e-9, abs=1e-9), mine
    finally:
        other.warehouse.drop()
        other.close()
