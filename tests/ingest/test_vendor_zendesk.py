"""Zendesk exports as its API returns them (tests/fixtures/zendesk): organizations and
users from the incremental exports, and tickets in two cursor pages of
`/api/v2/incremental/tickets/cursor.json` (`{"tickets": [...], "after_cursor": ...,
"end_of_stream": ...}`), each ticket with its `satisfaction_rating`, and a page of
`/api/v2/satisfaction_ratings` (cursor pagination: `meta`, `links`). The export lists a
deleted ticket too, and agents beside end users."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.report import IngestReport
from revops.ingest.runner import ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "zendesk"
AS_OF = date(2024, 6, 30)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, IngestReport]]:
    ws = Workspace.create(tmp_path_factory.mktemp("desk") / "ws")
    report = ingest(ws, [FIXTURES], as_of=AS_OF)
    yield ws, report
    ws.close()


def test_the_pages_are_one_object_and_every_valid_row_loads(
    desk: tuple[Workspace, IngestReport],
) -> None:
    _, report = desk
    assert not report.failed
    assert report.notes == []
    counts = {
        load.object: (load.rows_in, load.loaded, load.quarantined, load.skipped)
        for load in report.loads
    }
    assert counts == {
        "organizations": (3, 3, 0, 0),
        "users": (6, 4, 0, 2),  # the agent and the admin are not customers' people
        "tickets": (13, 12, 0, 1),  # the deleted ticket
        "satisfaction_ratings": (8, 7, 0, 1),  # the survey offered and not answered
    }
    assert report.reference_warnings == 0


def test_values_read_from_the_nested_json(desk: tuple[Workspace, IngestReport]) -> None:
    ws, _ = desk
    accounts = {a["name"]: a for a in ws.warehouse.table("account").to_pyarrow().to_pylist()}
    assert accounts["Bluefin Logistics GmbH"]["domain"] == "bluefin-logistics.de"
    contacts = ws.warehouse.table("contact").to_pyarrow().to_pylist()
    assert "carla.schmidt@bluefin-logistics.de" in {c["email"] for c in contacts}
    tickets = {
        t["source_id"]: t for t in ws.warehouse.table("support_ticket").to_pyarrow().to_pylist()
    }
    assert tickets["5107"]["csat"] == 4  # the custom 1-5 field wins over good
    assert tickets["5102"]["csat"] == 1  # bad
    assert tickets["5103"]["csat"] is None  # offered, not answered
    assert tickets["5105"]["closed_at"] is None  # open
    assert tickets["5101"]["account_id"] == "zendesk:360061234501"
    ratings = {
        r["source_id"]: r
        for r in ws.warehouse.table("satisfaction_rating").to_pyarrow().to_pylist()
    }
    assert "82112" not in ratings  # offered, not answered
    assert ratings["82103"]["support_ticket_id"] == "zendesk:5103"
    assert (ratings["82103"]["score"], ratings["82103"]["reason"]) == (
        1,
        "The issue took too long to resolve",
    )
    assert ratings["82107"]["contact_id"] == "zendesk:398810001"


def test_csat_and_tickets_opened_match_the_hand_count(desk: tuple[Workspace, IngestReport]) -> None:
    ws, _ = desk
    result = ws.metrics.compute(["csat", "tickets_opened"], "FY2024-Q2", as_of=AS_OF)
    # rated and closed in the quarter: 5, 1, 5, 4, 1, 5 on the tickets, and 5103's bad
    # (1) from the ratings export, given after the ticket page said `offered`
    assert result.value("csat") == pytest.approx(22 / 7)
    assert result.value("tickets_opened") == 12


def test_an_empty_last_page_is_an_empty_object_not_a_problem(tmp_path: Path) -> None:
    from revops.ingest.readers import read_file

    page = tmp_path / "tickets-0003.json"
    page.write_text('{"tickets": [], "after_cursor": null, "end_of_stream": true}', "utf-8")
    [tickets] = read_file(page)
    assert (tickets.object, tickets.rows.num_rows, tickets.problems) == ("tickets", 0, ())
