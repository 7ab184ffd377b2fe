"""The HubSpot connector's own cases, beyond the conformance suite: the API's pages load
the rows a CSV export of the same records loads (through the same shipped mappings); a
record read through the search keeps its associations; the search starts again before
HubSpot's 10,000-record window; a missing scope is named; a record archived before the
first sync is recorded, not loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revops.errors import ConnectorError
from revops.ingest.connect import hubspot
from revops.ingest.connect.state import ensure_tables
from revops.ingest.connect.sync import sync
from revops.ingest.runner import ingest
from revops.workspace import Workspace

import fake_hubspot
from connectors import HUBSPOT
from fake_hubspot import FakeHubSpot


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv(HUBSPOT.key_env, HUBSPOT.good_key)
    workspace = HUBSPOT.workspace(tmp_path / "ws")
    yield workspace
    workspace.close()


def test_a_sync_loads_the_rows_a_csv_export_of_the_same_records_loads(
    ws: Workspace, tmp_path: Path
) -> None:
    fake = FakeHubSpot(customers=5)
    with fake.serving() as url:
        result = sync(ws, HUBSPOT.connector(url))
    assert result.quarantined == 0
    fake.export_csv(tmp_path / "hubspot")
    files = HUBSPOT.workspace(tmp_path / "files")
    try:
        report = ingest(files, [tmp_path / "hubspot"], quality=False)
        assert not report.failed
        ensure_tables(files.warehouse)  # the (empty) deletes a sync would have recorded
        assert HUBSPOT.snapshot(files) == HUBSPOT.snapshot(ws)
    finally:
        files.close()
    deals = ws.warehouse.table("opportunity").to_pyarrow().to_pylist()
    assert {d["account_id"] for d in deals} == {f"hubspot:{9384710000 + n}" for n in range(5)}


def test_a_deal_read_through_the_search_keeps_its_company(ws: Workspace) -> None:
    fake = FakeHubSpot(customers=3)
    with fake.serving() as url:
        sync(ws, HUBSPOT.connector(url))
        fake.move_deal("18372610001", "closedwon")
        fake.new_customer(7, "Newcomer Inc")
        sync(ws, HUBSPOT.connector(url))
    assert fake.requests.count("/crm/v4/associations/deals/companies/batch/read") >= 1
    deals = {d["source_id"]: d for d in ws.warehouse.table("opportunity").to_pyarrow().to_pylist()}
    assert deals["18372610001"]["stage"] == "Closed Won"
    assert deals["18372610001"]["account_id"] == "hubspot:9384710001"
    assert deals["18372610007"]["account_id"] == "hubspot:9384710007"
    contacts = ws.warehouse.table("contact").to_pyarrow().to_pylist()
    assert {c["source_id"]: c["account_id"] for c in contacts}["70207"] == "hubspot:9384710007"


def test_the_search_starts_again_before_its_window_ends(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hubspot, "SEARCH_WINDOW", 4)
    fake = FakeHubSpot(customers=7)
    fake.search_window = 4  # HubSpot's is 10,000: `after` beyond it is refused (400)
    with fake.serving() as url:
        sync(ws, HUBSPOT.connector(url, page_size=2))
        for n in range(7):
            fake.rename_company(str(9384710000 + n), f"Renamed {n}")
        result = sync(ws, HUBSPOT.connector(url, page_size=2))
    names = {a["name"] for a in ws.warehouse.table("account").to_pyarrow().to_pylist()}
    assert names == {f"Renamed {n}" for n in range(7)}
    assert result.error == ""


def test_a_missing_scope_is_named(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HUBSPOT.key_env, fake_hubspot.NO_DEALS)
    with FakeHubSpot(customers=2).serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, HUBSPOT.connector(url))
    assert str(caught.value) == (
        "hubspot deals: the access token may not read deals (403): give the private app the "
        "scope crm.objects.deals.read (MISSING_SCOPES)"
    )


def test_a_record_archived_before_the_first_sync_is_recorded_and_not_loaded(
    ws: Workspace,
) -> None:
    fake = FakeHubSpot(customers=3)
    fake.archive("deals", "18372610002")
    with fake.serving() as url:
        result = sync(ws, HUBSPOT.connector(url))
        again = sync(ws, HUBSPOT.connector(url))
    assert (result.deletions, again.deletions) == (1, 0)  # recorded once
    deals = {d["source_id"] for d in ws.warehouse.table("opportunity").to_pyarrow().to_pylist()}
    assert deals == {"18372610000", "18372610001"}
    [deleted] = ws.warehouse.table("source_deletion", "raw").to_pyarrow().to_pylist()
    assert (deleted["object"], deleted["entity"], deleted["record_id"]) == (
        "deals",
        "opportunity",
        "hubspot:18372610002",
    )
    assert deleted["deleted_at"].isoformat().startswith("2024-05-01T00:")


def test_a_deal_with_more_than_100_companies_keeps_its_primary_one(ws: Workspace) -> None:
    fake = FakeHubSpot(customers=3)
    deal, primary = "18372610001", "9384710002"  # the primary: 150th of 150 companies
    others = [str(9384800000 + n) for n in range(149)]
    fake.link_many("deals", deal, "companies", [*others, primary], primary)
    with fake.serving() as url:
        sync(ws, HUBSPOT.connector(url))  # the list answer holds the first 100
        first = _account_of(ws, deal)
        fake.move_deal(deal, "contractsent")  # read again through the search
        sync(ws, HUBSPOT.connector(url))
    assert first == _account_of(ws, deal) == f"hubspot:{primary}"


def _account_of(ws: Workspace, deal: str) -> str:
    table = ws.warehouse.table("opportunity")
    [row] = table.filter(table.source_id == deal).to_pyarrow().to_pylist()
    return str(row["account_id"])


def test_a_contact_merged_away_is_recorded_as_deleted_not_dropped(ws: Workspace) -> None:
    fake = FakeHubSpot(customers=3)
    with fake.serving() as url:
        sync(ws, HUBSPOT.connector(url))
        fake.merge_contacts("70200", "70201")
        result = sync(ws, HUBSPOT.connector(url))
    assert result.deletions == 1
    deleted = ws.warehouse.table("source_deletion", "raw").to_pyarrow().to_pylist()
    [row] = [r for r in deleted if r["source_id"] == "70201"]
    assert (row["object"], row["entity"], row["event_id"]) == (
        "contacts", "contact", "merged into 70200",
    )  # fmt: skip
    survivor = fake.store["contacts"]["70200"]["properties"]["lastmodifieddate"]
    assert row["deleted_at"].isoformat().replace("+00:00", "Z")[:19] == survivor[:19]
    contacts = ws.warehouse.table("contact")
    kept = contacts.filter(contacts.source_id == "70201").to_pyarrow().to_pylist()
    assert len(kept) == 1  # the row stays, with its history
