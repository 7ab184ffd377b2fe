"""The Stripe connector's own cases, beyond the conformance suite: rows that fail
validation are quarantined exactly as in a file ingest and the sync goes on; answers that
are not Stripe lists stop it with one line, the cursor where it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops.errors import ConnectorError
from revops.ingest.connect.protocol import StreamState
from revops.ingest.connect.state import read_states
from revops.ingest.connect.sync import sync
from revops.workspace import Workspace

from connectors import STRIPE
from fake_stripe import FakeStripe


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv(STRIPE.key_env, STRIPE.good_key)
    workspace = Workspace.create(tmp_path / "ws")
    yield workspace
    workspace.close()


def rejected(ws: Workspace) -> list[dict[str, Any]]:
    table = ws.warehouse.table("rejected_row", "quarantine")
    return list(table.to_pyarrow().to_pylist())


def test_a_row_that_fails_validation_is_quarantined_and_released_when_fixed(
    ws: Workspace,
) -> None:
    fake = FakeStripe(customers=4)
    fake.store["customer"]["cus_c0002"]["address"]["country"] = "Atlantis"
    with fake.serving() as url:
        first = sync(ws, STRIPE.connector(url))
        [row] = rejected(ws)
        assert (row["source_id"], row["field"], row["value"]) == (
            "cus_c0002",
            "address.country",
            "Atlantis",
        )
        assert "/stripe/customers-after-" in row["file"]
        assert first.quarantined == 1
        assert sum(load.rows_in for load in first.loads) == sum(
            load.loaded + load.quarantined + load.duplicates + load.skipped for load in first.loads
        )
        assert read_states(ws.warehouse, "stripe")["customers"].done  # the sync went on

        customer = fake.store["customer"]["cus_c0002"]
        customer["address"]["country"] = "FR"
        fake.rename_customer("cus_c0002", customer["name"])  # a customer.updated event
        second = sync(ws, STRIPE.connector(url))
    assert second.quarantined == 0
    accounts = ws.warehouse.table("account").to_pyarrow().to_pylist()
    assert {a["source_id"]: a["country"] for a in accounts}["cus_c0002"] == "FR"


def test_an_answer_that_is_not_json_stops_the_sync_with_one_line(ws: Workspace) -> None:
    fake = FakeStripe(customers=2)
    original = fake.answer

    def broken(path: str, query: dict[str, str], key: str) -> Any:
        if path == "/v1/products":
            return 200, "<html>maintenance</html>", {}
        return original(path, query, key)

    fake.answer = broken  # type: ignore[method-assign]
    with fake.serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, STRIPE.connector(url))
    message = str(caught.value)
    assert message.startswith("stripe products: ")
    assert "\n" not in message
    states = read_states(ws.warehouse, "stripe")
    assert states["customers"].done
    assert not states["products"].done


def test_a_record_without_an_id_stops_the_sync_with_one_line(ws: Workspace) -> None:
    fake = FakeStripe(customers=2)
    original = fake.answer

    def without_id(path: str, query: dict[str, str], key: str) -> Any:
        status, body, headers = original(path, query, key)
        if path == "/v1/invoices":
            body["data"][-1]["id"] = ""
        return status, body, headers

    fake.answer = without_id  # type: ignore[method-assign]
    with fake.serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, STRIPE.connector(url))
    assert str(caught.value) == "stripe invoices: a record of the page has no id: cannot page on"


def test_a_server_that_hangs_up_is_retried_then_one_line(ws: Workspace) -> None:
    with FakeStripe(customers=1).serving() as url:
        pass  # the server is gone: every connection is refused
    with pytest.raises(ConnectorError) as caught:
        sync(ws, STRIPE.connector(url))
    message = str(caught.value)
    assert message.startswith("stripe events: gave up after 4 attempts: connection failed: ")
    assert "\n" not in message


def test_a_second_sync_of_the_source_at_once_stops_with_one_line(ws: Workspace) -> None:
    from revops.automate.scheduler import job_lock

    with FakeStripe(customers=1).serving() as url, job_lock(ws.root, "sync-stripe") as held:
        assert held
        with pytest.raises(ConnectorError) as caught:
            sync(ws, STRIPE.connector(url))
    assert str(caught.value) == "stripe: another sync of this source is running now"


def test_a_cursor_past_stripes_30_days_says_to_sync_in_full(ws: Workspace) -> None:
    fake = FakeStripe(customers=2)
    with fake.serving() as url:
        sync(ws, STRIPE.connector(url))
        fake.store["event"].clear()  # the events of the cursor are older than 30 days now
        with pytest.raises(ConnectorError) as caught:
            sync(ws, STRIPE.connector(url))
        assert str(caught.value).startswith("stripe events: the event the cursor points at is gone")
        assert str(caught.value).endswith("run `revops sync stripe --full`")
        again = sync(ws, STRIPE.connector(url), full=True)
    assert again.is_full
    assert again.error == ""


def test_nested_lists_cut_at_ten_are_paged_to_the_end(ws: Workspace) -> None:
    fake = FakeStripe(customers=3)
    fake.add_invoice_lines("in_c0001_1", 24)  # 25 lines
    fake.add_subscription_items("sub_c0002", 24)  # 25 items
    with fake.serving() as url:
        served = fake.listing("invoice", {"limit": "100"})[1]
        cut = next(i for i in served["data"] if i["id"] == "in_c0001_1")
        assert (len(cut["lines"]["data"]), cut["lines"]["has_more"]) == (10, True)
        pages = list(STRIPE.connector(url, page_size=100).pages("invoices", StreamState()))
        [invoice] = [
            i for p in pages for i in json.loads(p.files["invoices.json"])["data"]
            if i["id"] == "in_c0001_1"
        ]  # fmt: skip
        sync(ws, STRIPE.connector(url))
        nested_calls = [r for r in fake.requests if "/lines" in r or "subscription_items" in r]
    lines = invoice["lines"]
    assert len(lines["data"]) == 25
    assert lines["has_more"] is False
    assert len({line["id"] for line in lines["data"]}) == 25
    items = ws.warehouse.table("subscription_line").to_pyarrow().to_pylist()
    mine = [r for r in items if r["source_id"].startswith("si_c0002")]
    assert len(mine) == 25
    # 15 entries past the first 10, 100 a request: one request per cut list per read
    # (the page read above, then the sync's invoices and subscriptions).
    assert len(nested_calls) == 3


def test_a_subscription_event_with_items_cut_at_ten_loads_every_item(ws: Workspace) -> None:
    fake = FakeStripe(customers=2)
    with fake.serving() as url:
        sync(ws, STRIPE.connector(url))
        fake.add_subscription_items("sub_c0001", 14)  # 15 items
        fake.change_seats("sub_c0001", 4)  # an event whose object holds 10 of them
        [event] = list(fake.listing("event", {"limit": "1"})[1]["data"])
        assert event["data"]["object"]["items"]["has_more"] is True
        sync(ws, STRIPE.connector(url))
    table = ws.warehouse.table("subscription_line")
    current = {
        r["source_id"] for r in table.to_pyarrow().to_pylist()
        if r["source_id"].startswith("si_c0001")
    }  # fmt: skip
    assert len(current) == 15
