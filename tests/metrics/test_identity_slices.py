"""Slices through identity resolution: a billing customer takes the segment of the CRM
account it was matched to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
import pytest

from metrics.conftest import MetricWorld
from revops.identity.crosswalk import NAMESPACE, TABLES, ensure_tables

WINDOW = "FY2024-Q1"


def _crosswalk(world: MetricWorld, clusters: dict[str, str]) -> None:
    """Store a crosswalk putting each account id of `clusters` in its cluster."""
    ensure_tables(world.warehouse)
    schema = TABLES["crosswalk"]
    rows = [
        {"kind": "companies", "entity": "account", "record_id": record,
         "unique_id": f"account:{record}", "source_system": "test", "source_id": record,
         "cluster_id": cluster, "cluster_size": list(clusters.values()).count(cluster),
         "run_id": "r1", "load_id": "l1"}
        for record, cluster in clusters.items()
    ]  # fmt: skip
    table = pa.Table.from_pylist(rows, schema=pa.schema({n: _arrow(t) for n, t in schema.items()}))
    world.warehouse.load("crosswalk", table, namespace=NAMESPACE, mode="replace")


def _golden(world: MetricWorld, rows: list[dict[str, str]]) -> None:
    """Store golden accounts with the columns a run writes (`rows` name some of them)."""
    from revops.identity.golden import golden_expression

    schema = golden_expression(world.warehouse, "account").schema()
    if not world.warehouse.has_table("golden_account", NAMESPACE):
        world.warehouse.create_table("golden_account", schema, NAMESPACE)
    full = [{name: row.get(name) for name in schema.names} for row in rows]
    table = pa.Table.from_pylist(full, schema=schema.to_pyarrow())
    world.warehouse.load("golden_account", table, namespace=NAMESPACE, mode="replace")


def _arrow(kind: str) -> pa.DataType:
    return {"string": pa.string(), "int64": pa.int64()}[kind]


@pytest.fixture
def company(world: MetricWorld) -> Iterator[MetricWorld]:
    """CRM accounts crm-a (smb) and crm-b (enterprise, recorded twice: the later record
    says mid_market); billing customers bill-a and bill-b without a segment, and bill-c
    that no CRM account matches. Each customer pays 10, 20 and 40 a month."""
    world.add(
        "account",
        {"account_id": "crm-a", "name": "A", "segment": "smb",
         "updated_at": datetime(2024, 1, 1, tzinfo=UTC)},
        {"account_id": "crm-b", "name": "B", "segment": "enterprise",
         "updated_at": datetime(2023, 1, 1, tzinfo=UTC)},
        {"account_id": "crm-b2", "name": "B Inc.", "segment": "mid_market",
         "updated_at": datetime(2023, 6, 1, tzinfo=UTC)},
        {"account_id": "bill-a", "name": "A", "source_system": "stripe"},
        {"account_id": "bill-b", "name": "B", "source_system": "stripe",
         "updated_at": datetime(2024, 2, 1, tzinfo=UTC)},
        {"account_id": "bill-c", "name": "C", "source_system": "stripe"},
    )  # fmt: skip
    world.add(
        "subscription_line",
        *[
            {"account_id": account, "mrr": mrr, "start_date": "2023-01-01", "currency": "USD"}
            for account, mrr in (("bill-a", 10), ("bill-b", 20), ("bill-c", 40))
        ],
    )
    yield world
    if world.warehouse.has_table("crosswalk", NAMESPACE):
        _crosswalk(world, {})  # the Spark world is shared by the session
    if world.warehouse.has_table("golden_account", NAMESPACE):
        _golden(world, [])


def _mrr_by_segment(world: MetricWorld) -> dict[str | None, float]:
    frame = world.compute(["mrr"], WINDOW, by=["segment"]).frame
    pairs = zip(frame.segment, frame.value, strict=True)
    return {(None if pd.isna(segment) else segment): value for segment, value in pairs}


def test_without_identity_resolution_billing_customers_have_no_segment(
    company: MetricWorld,
) -> None:
    assert _mrr_by_segment(company) == {None: 70}


def test_a_matched_customer_takes_the_segment_of_its_latest_crm_record(
    company: MetricWorld,
) -> None:
    _crosswalk(
        company,
        {"crm-a": "c1", "bill-a": "c1", "crm-b": "c2", "crm-b2": "c2", "bill-b": "c2",
         "bill-c": "c3"},
    )  # fmt: skip
    # bill-b: of its cluster's records with a segment, crm-b2 was updated last.
    assert _mrr_by_segment(company) == {"smb": 10, "mid_market": 20, None: 40}
    total = company.compute(["mrr"], WINDOW).value("mrr")
    assert total == 70


def test_a_record_keeps_its_own_value_over_its_clusters(company: MetricWorld) -> None:
    company.add("account", {"account_id": "bill-d", "name": "D", "segment": "enterprise"})
    company.add(
        "subscription_line",
        {"account_id": "bill-d", "mrr": 5, "start_date": "2023-01-01", "currency": "USD"},
    )
    _crosswalk(company, {"crm-a": "c1", "bill-d": "c1"})
    assert _mrr_by_segment(company) == {"enterprise": 5, None: 70}


def test_the_golden_record_of_the_crosswalks_run_decides_over_the_latest_record(
    company: MetricWorld,
) -> None:
    _crosswalk(company, {"crm-b": "c2", "crm-b2": "c2", "bill-b": "c2"})
    _golden(company, [{"golden_account_id": "c2", "segment": "enterprise", "run_id": "r1"}])
    assert _mrr_by_segment(company) == {"enterprise": 20, None: 50}


def test_a_golden_record_of_an_earlier_crosswalk_is_not_used(company: MetricWorld) -> None:
    _crosswalk(company, {"crm-b": "c2", "crm-b2": "c2", "bill-b": "c2"})
    # c2 of an earlier run held other records: its segment says nothing of this c2.
    _golden(company, [{"golden_account_id": "c2", "segment": "enterprise", "run_id": "r0"}])
    assert _mrr_by_segment(company) == {"mid_market": 20, None: 50}


@pytest.mark.parametrize(("run", "label"), [("r1", "Bee Corp"), ("r0", None)])
def test_a_nameless_record_is_named_by_its_golden_record_of_the_crosswalks_run(
    company: MetricWorld, run: str, label: str | None
) -> None:
    from revops.metrics.labels import lookup

    company.add("account", {"account_id": "bill-x", "source_system": "stripe"})  # no name
    _crosswalk(company, {"crm-b": "c2", "bill-x": "c2"})
    _golden(company, [{"golden_account_id": "c2", "name": "Bee Corp", "run_id": run}])
    ctx = company.metrics().context()
    assert lookup(ctx, "account", ["bill-x", "crm-b"]) == {
        "crm-b": "B",
        **({} if label is None else {"bill-x": label}),
    }
