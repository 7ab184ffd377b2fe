"""The Stripe connector's own cases, beyond the conformance suite: rows that fail
validation are quarantined exactly as in a file ingest and the sync goes on; answers that
are not Stripe lists stop it with one line, the cursor where it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops.errors import ConnectorError
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
