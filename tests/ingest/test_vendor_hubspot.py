"""HubSpot CRM exports (tests/fixtures/hubspot): owners, companies, contacts and deals
with property internal names as the CRM API names them, and the deal pipelines as
`/crm/v3/pipelines/deals` returns them - a sales pipeline with HubSpot's default stage ids
and a renewals pipeline with numeric ones. Deals carry `hs_date_entered_<stage id>`.

`revops ingest inspect --apply` turns the pipelines into stages named by their labels with
the ids as `source_values`; every row then loads, and the KPIs match a hand count.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.proposal_yaml import propose_config
from revops.ingest.report import IngestReport
from revops.ingest.runner import ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubspot"
AS_OF = date(2024, 6, 30)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, IngestReport]]:
    root = tmp_path_factory.mktemp("portal") / "ws"
    Workspace.create(root).close()
    propose_config(root / "revops.yaml", [FIXTURES], apply=True)
    ws = Workspace.open(root)
    report = ingest(ws, [FIXTURES], as_of=AS_OF)
    yield ws, report
    ws.close()


def test_the_pipelines_become_stages_with_their_ids_as_source_values(
    portal: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = portal
    stages = {s.name: s for s in ws.config.opportunity_stages}
    assert stages["Appointment Scheduled"].source_values == ("appointmentscheduled",)
    assert (stages["Renewed"].category, stages["Renewed"].source_values) == ("won", ("1093827465",))
    assert (stages["Churned"].category, stages["Churned"].probability) == ("lost", 0)
    assert stages["Contract Sent"].probability == 90
    open_names = [s.name for s in ws.config.opportunity_stages if s.category == "open"]
    assert open_names[:2] == ["Appointment Scheduled", "Qualified To Buy"]


def test_every_row_loads(portal: tuple[Workspace, IngestReport]) -> None:
    _, report = portal
    assert not report.failed
    counts = {load.mapping: (load.rows_in, load.loaded, load.quarantined) for load in report.loads}
    assert counts == {
        "hubspot.owners.user": (3, 3, 0),
        "hubspot.companies.account": (6, 6, 0),
        "hubspot.contacts.contact": (8, 8, 0),
        "hubspot.contacts.lifecycle_event": (32, 32, 0),
        "hubspot.deals.opportunity": (15, 15, 0),
        # one version per non-empty hs_date_entered_<stage> of the sales pipeline
        "hubspot.deals.opportunity_history": (33, 33, 0),
        "hubspot.products.product": (5, 5, 0),
        "hubspot.line_items.deal_line": (6, 6, 0),
    }
    assert report.reference_warnings == 0
    assert {Path(n.file).name for n in report.notes} == {"pipelines.json"}


def test_line_items_price_won_deals_against_their_products_price(
    portal: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = portal
    names = ["list_price_realisation", "won_line_list_amount", "won_line_sold_amount",
             "priced_won_lines", "priced_won_deals"]  # fmt: skip
    # Won in the first half of 2024: Lumen 12 x 3,750 at 20 % off (36,000 of 45,000);
    # Parcelwise 12 x 700 at list; Orchard 40 x 400 less 25 a seat (15,000 of 16,000) and
    # onboarding at list 600; Kestrel 10 x 1,500 at 20 % off (12,000 of 15,000). Verdant's
    # line is on a lost deal.
    half = ws.metrics.compute(names, "2024-01-01..2024-06-30", as_of=AS_OF)
    assert half.value("won_line_list_amount") == pytest.approx(85_000)
    assert half.value("won_line_sold_amount") == pytest.approx(72_000)
    assert half.value("list_price_realisation") == pytest.approx(72_000 / 85_000)
    assert (half.value("priced_won_lines"), half.value("priced_won_deals")) == (5, 4)
    by_product = ws.metrics.compute(names, "2024-01-01..2024-06-30", by=["product"], as_of=AS_OF)
    campus = "hubspot:1642736503"
    assert by_product.value("list_price_realisation", product=campus) == pytest.approx(0.9375)


def test_deals_carry_the_workspace_stage_and_type(portal: tuple[Workspace, IngestReport]) -> None:
    ws, _ = portal
    deals = {d["name"]: d for d in ws.warehouse.table("opportunity").to_pyarrow().to_pylist()}
    renewal = deals["Lumen Dental - Renewal 2024"]
    assert (renewal["stage"], renewal["type"], renewal["is_won"]) == ("Renewed", "renewal", True)
    assert renewal["closed_at"] is not None
    assert deals["Parcelwise - Tracking API"]["probability"] == pytest.approx(90)
    assert deals["Orchard Schools - District expansion"]["type"] == "expansion"
    # The default `hs_next_step` property is the deal's next step; empty stays empty.
    assert deals["Brightline Legal - Second look"]["next_step"] == "Second demo with the partners"
    assert deals["Parcelwise - Tracking API"]["next_step"] is None
    owners = {u["name"] for u in ws.warehouse.table("user").to_pyarrow().to_pylist()}
    assert owners == {"Jordan Kim", "Aisha Bello", "Lars Eriksen"}
    history = ws.warehouse.table("opportunity_history", "history").to_pyarrow().to_pylist()
    assert {h["stage"] for h in history} >= {"Appointment Scheduled", "Closed Won", "Closed Lost"}


def test_bookings_win_rate_and_pipeline_match_the_hand_count(
    portal: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = portal
    names = ["bookings", "bookings_new", "bookings_expansion", "bookings_renewal", "win_rate"]
    year = ws.metrics.compute(names, "FY2024", as_of=AS_OF)
    assert year.value("bookings") == 102_000
    assert year.value("bookings_new") == 56_400
    assert year.value("bookings_expansion") == 15_600
    assert year.value("bookings_renewal") == 30_000
    assert year.value("win_rate") == pytest.approx(5 / 8)
    q2 = ws.metrics.compute(["bookings", "win_rate"], "FY2024-Q2", as_of=AS_OF)
    assert q2.value("bookings") == 57_600
    assert q2.value("win_rate") == pytest.approx(3 / 5)
    q3 = ws.metrics.compute(["open_pipeline", "open_pipeline_count"], "FY2024-Q3", as_of=AS_OF)
    assert q3.value("open_pipeline") == 51_000
    assert q3.value("open_pipeline_count") == 7


def test_the_sales_play_property_gives_win_rate_by_play(
    portal: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = portal
    deals = {d["name"]: d for d in ws.warehouse.table("opportunity").to_pyarrow().to_pylist()}
    assert deals["Lumen Dental - Practice suite"]["sales_play"] == "Land and expand"
    assert deals["Parcelwise - Starter"]["sales_play"] is None  # an empty property
    names = ["won_deals", "closed_deals", "win_rate"]
    by_play = ws.metrics.compute(names, "FY2024", by=["sales_play"], as_of=AS_OF)
    # Land and expand: Lumen and Kestrel won, Brightline lost. Value selling: Orchard won,
    # Verdant lost. No play: Parcelwise and the Lumen renewal won, the Parcelwise renewal lost.
    assert by_play.value("win_rate", sales_play="Land and expand") == pytest.approx(2 / 3)
    assert by_play.value("closed_deals", sales_play="Value selling") == 2
    assert by_play.value("win_rate", sales_play="Value selling") == pytest.approx(1 / 2)
    plays = {r["group"]: r for r in ws.coaching.plays("FY2024", as_of=AS_OF).rows}
    assert (plays["Land and expand"]["won"], plays["Land and expand"]["closed"]) == (2, 3)
    assert (plays["(none)"]["won"], plays["(none)"]["closed"]) == (2, 3)
    assert plays["Value selling"]["win_rate_low"] < 0.5 < plays["Value selling"]["win_rate_high"]


def test_the_crm_api_json_pages_load_like_the_csv_export(tmp_path: Path) -> None:
    folder = tmp_path / "hubspot"
    folder.mkdir()
    for name in ("owners", "companies", "deals"):
        with (FIXTURES / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle))
        key = "id" if name == "owners" else "hs_object_id"
        page = {
            "results": [
                {
                    "id": r[key],
                    "properties": {k: (v or None) for k, v in r.items()},
                    "archived": False,
                }
                for r in records
            ],
            "paging": {"next": {"after": "100"}} if name == "deals" else None,
        }
        (folder / f"{name}.json").write_text(json.dumps(page), encoding="utf-8")
    shutil.copy(FIXTURES / "pipelines.json", folder)
    root = tmp_path / "ws"
    Workspace.create(root).close()
    propose_config(root / "revops.yaml", [folder], apply=True)
    ws = Workspace.open(root)
    try:
        report = ingest(ws, [folder], quality=False)
        counts = {load.mapping: (load.rows_in, load.loaded) for load in report.loads}
        assert counts["hubspot.deals.opportunity"] == (15, 15)
        assert counts["hubspot.deals.opportunity_history"] == (33, 33)
        year = ws.metrics.compute("bookings", "FY2024", as_of=AS_OF)
        assert year.value("bookings") == 102_000
    finally:
        ws.close()


def test_a_contacts_primary_company_is_its_account(portal: tuple[Workspace, IngestReport]) -> None:
    ws, _ = portal
    contacts = {c["source_id"]: c for c in ws.warehouse.table("contact").to_pyarrow().to_pylist()}
    assert contacts["70215"]["account_id"] == "hubspot:9384710211"
    assert contacts["70229"]["account_id"] == "hubspot:9384710213"  # two contacts, one company
    assert contacts["70227"]["account_id"] is None  # no company
    assert sum(c["account_id"] is not None for c in contacts.values()) == 7


def test_api_pages_associations_give_the_primary_company(tmp_path: Path) -> None:
    """`/crm/v3/objects/contacts?associations=companies` pages (tests/fixtures/hubspot_api):
    a company is listed under its primary and its unlabeled type; a contact of two
    companies has the primary one as its account."""
    ws = Workspace.create(tmp_path / "ws")
    try:
        report = ingest(ws, [FIXTURES.parent / "hubspot_api"], quality=False)
        assert not report.failed
        counts = {x.mapping: (x.rows_in, x.loaded, x.quarantined) for x in report.loads}
        assert counts["hubspot.companies.account"] == (3, 3, 0)
        assert counts["hubspot.contacts.contact"] == (4, 4, 0)
        assert report.reference_warnings == 0
        rows = ws.warehouse.table("contact").to_pyarrow().to_pylist()
        accounts = {c["source_id"]: c["account_id"] for c in rows}
        assert accounts == {
            "80101": "hubspot:18204416501",
            "80102": "hubspot:18204416502",
            "80103": "hubspot:18204416503",
            "80104": None,
        }
    finally:
        ws.close()


def test_the_exports_association_column_takes_the_first_company(tmp_path: Path) -> None:
    """HubSpot's UI export writes `Associated Company IDs`, several joined by `;`."""
    folder = tmp_path / "exports" / "hubspot"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "companies.csv", folder)
    with (FIXTURES / "contacts.csv").open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        second = "9384710216" if row["associatedcompanyid"] else ""
        joined = ";".join(x for x in (row.pop("associatedcompanyid"), second) if x)
        row["Associated Company IDs"] = joined
    with (folder / "contacts.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ws = Workspace.create(tmp_path / "ws")
    try:
        report = ingest(ws, [folder], quality=False)
        assert not report.failed
        contacts = ws.warehouse.table("contact").to_pyarrow().to_pylist()
        accounts = {c["source_id"]: c["account_id"] for c in contacts}
        assert accounts["70217"] == "hubspot:9384710212"
        assert accounts["70227"] is None
    finally:
        ws.close()
