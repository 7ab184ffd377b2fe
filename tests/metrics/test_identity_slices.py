"""Slices through identity resolution: a billing customer takes the segment of the CRM
account it was matched to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

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


@pytest.mark.spark_scenario
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


@pytest.mark.spark_scenario
def test_a_record_keeps_its_own_value_over_its_clusters(company: MetricWorld) -> None:
    company.add("account", {"account_id": "bill-d", "name": "D", "segment": "enterprise"})
    company.add(
        "subscription_line",
        {"account_id": "bill-d", "mrr": 5, "start_date": "2023-01-01", "currency": "USD"},
    )
    _crosswalk(company, {"crm-a": "c1", "bill-d": "c1"})
    assert _mrr_by_segment(company) == {"enterprise": 5, None: 70}


@pytest.mark.spark_scenario
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


def _deal(world: MetricWorld, account: str, source: str, closed: str, **more: object) -> None:
    won = more.pop("won", True)
    world.add(
        "opportunity",
        {"account_id": account, "name": f"{account} {source}", "lead_source": source,
         "stage": "Closed Won" if won else "Closed Lost", "is_closed": True, "is_won": won,
         "amount": 1000, "type": "new", "close_date": closed, "closed_at": closed,
         "created_at": "2022-10-01", **more},
    )  # fmt: skip


def test_new_customers_and_cac_slice_by_the_channel_of_the_deal_that_won_the_company(
    company: MetricWorld,
) -> None:
    company.add("account", {"account_id": "crm-c", "name": "C"})
    _crosswalk(company, {"crm-a": "A", "bill-a": "A", "crm-b": "B", "crm-b2": "B",
                         "bill-b": "B", "crm-c": "C", "bill-c": "C"})  # fmt: skip
    # A: lost once on paid search, won on events, expanded on referral later.
    _deal(company, "crm-a", "paid_search", "2022-11-01", won=False)
    _deal(company, "crm-a", "events", "2022-12-10")
    _deal(company, "crm-a", "referral", "2023-06-01")
    # ...and a deal closed before those but entered in April (a migration): unknown on
    # 2023-03-31, the first win once known.
    _deal(company, "crm-a", "outbound", "2022-12-01", created_at="2023-04-15")
    # B: two CRM records of one company; the earlier win decides.
    _deal(company, "crm-b", "partner", "2022-12-21")
    _deal(company, "crm-b2", "paid_search", "2022-12-20")
    # C: won in December, reopened in May (the deal as it stands now is open).
    _deal(
        company,
        "crm-c",
        "organic",
        "2022-12-15",
        opportunity_id="c-deal",
        won=False,
        stage="Negotiation",
        is_closed=False,
        closed_at=None,
        close_date="2023-06-30",
    )
    versions = (("2022-10-01", "Prospecting", "2022-12-31"),
                ("2022-12-15", "Closed Won", "2022-12-15"),
                ("2023-05-01", "Negotiation", "2023-06-30"))  # fmt: skip
    company.add(
        "opportunity_history",
        *[{"opportunity_id": "c-deal", "valid_from": at, "stage": stage, "amount": 1000,
           "close_date": close, "currency": "USD"} for at, stage, close in versions],
    )  # fmt: skip
    for month, channel, amount in (("2023-02-01", "events", 900),
                                   ("2023-03-01", "paid_search", 600),
                                   ("2023-03-01", "outbound", 300)):  # fmt: skip
        company.add(
            "gtm_cost",
            {"month_start_date": month, "department": "marketing", "category": "programs",
             "channel": channel, "amount": amount, "currency": "USD"},
        )  # fmt: skip
    names = ["new_customers", "cac_paid"]
    then = company.compute(names, "FY2023-Q1", by=["channel"], as_of=date(2023, 3, 31))
    assert then.value("new_customers", channel="events") == 1  # bill-a, through crm-a
    assert then.value("new_customers", channel="paid_search") == 1  # bill-b
    assert then.value("new_customers", channel="organic") == 1  # bill-c: won then
    assert then.value("cac_paid", channel="events") == pytest.approx(900)
    assert then.value("cac_paid", channel="paid_search") == pytest.approx(600)
    assert then.value("cac_paid", channel="outbound") is None  # spend, no customer
    # The slices add up to the company's figure.
    total = company.compute(["new_customers"], "FY2023-Q1", as_of=date(2023, 3, 31))
    assert total.value("new_customers") == 3
    later = company.compute(names, "FY2023-Q1", by=["channel"], as_of=date(2030, 1, 1))
    assert later.value("new_customers", channel="outbound") == 1
    assert later.value("new_customers", channel=None) == 1  # C's one win was undone
    assert later.value("cac_paid", channel="outbound") == pytest.approx(300)
    assert later.value("cac_paid", channel="events") is None
