"""A Salesforce org on the standard sales process, exported the Data Loader way
(tests/fixtures/salesforce: API field names, every value quoted, `true`/`false`, ISO
datetimes with milliseconds and `Z`, empty = null, 18-character ids), with empty amounts on
early stages, Salesforce's own opportunity types, a custom Region__c field, and Event.csv
naming its contacts and deals by 15-character ids as a report export does.

`revops ingest inspect --apply` proposes the workspace config, one `extends:` file adds
the custom fields, and every row loads through the shipped mappings; the KPIs below are
counted by hand from the CSVs (the fiscal year starts in February, FY named by its end).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.proposal_yaml import propose_config
from revops.ingest.report import IngestReport
from revops.ingest.runner import ingest

from support import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "salesforce"
AS_OF = date(2024, 6, 30)
STANDARD_STAGES = [
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
    "Negotiation/Review", "Closed Won", "Closed Lost",
]  # fmt: skip
EXTENSION = """\
# The org's custom fields, on top of the shipped mappings.
- extends: salesforce/Account
  columns:
    region: Region__c
"""
# Files the shipped mappings do not load: inspect reads OpportunityStage.
NOT_LOADED = {"OpportunityStage"}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, IngestReport]]:
    root = tmp_path_factory.mktemp("org") / "ws"
    Workspace.create(root).close()
    propose_config(root / "revops.yaml", [FIXTURES], apply=True)
    (root / "mappings").mkdir(exist_ok=True)
    (root / "mappings" / "salesforce.yaml").write_text(EXTENSION, encoding="utf-8")
    ws = Workspace.open(root)
    report = ingest(ws, [FIXTURES], as_of=AS_OF)
    yield ws, report
    ws.close()


def test_inspect_proposes_the_standard_sales_process_and_the_fiscal_year(
    org: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = org
    config = ws.config
    assert [s.name for s in config.opportunity_stages] == STANDARD_STAGES
    assert [s.probability for s in config.opportunity_stages] == [
        10, 10, 20, 50, 60, 70, 75, 90, 100, 0
    ]  # fmt: skip
    assert [s.category for s in config.opportunity_stages][-3:] == ["open", "won", "lost"]
    assert (config.fiscal.year_start_month, config.fiscal.year_named_by) == (2, "end")
    assert (ws.root / "revops.yaml.bak").is_file()
    # The comments of revops.yaml are kept.
    assert "# Lifecycle stages of a person" in ws.config_file.read_text(encoding="utf-8")


def test_every_row_loads_and_none_is_quarantined(org: tuple[Workspace, IngestReport]) -> None:
    _, report = org
    assert not report.failed
    counts = {load.object: (load.rows_in, load.loaded, load.quarantined) for load in report.loads}
    assert counts == {
        "Account": (8, 8, 0),
        "Contact": (10, 10, 0),
        "Lead": (8, 8, 0),
        "User": (4, 4, 0),
        "UserRole": (3, 3, 0),
        "Opportunity": (24, 24, 0),
        "OpportunityHistory": (80, 80, 0),
        "OpportunityFieldHistory": (61, 61, 0),
        "OpportunityTeamMember": (4, 4, 0),
        "Task": (10, 10, 0),
        "Event": (6, 6, 0),
        "Campaign": (3, 3, 0),
        "CampaignMember": (8, 8, 0),
        "Product2": (4, 4, 0),
        "OpportunityLineItem": (8, 8, 0),
    }
    assert report.reference_warnings == 0
    unmapped = {Path(n.file).stem for n in report.notes if "no salesforce mapping" in n.message}
    assert unmapped == NOT_LOADED


def test_types_become_revops_types_and_closure_follows_the_stage(
    org: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = org
    deals = ws.warehouse.table("opportunity").to_pyarrow().to_pylist()
    by_name = {d["name"]: d for d in deals}
    assert {d["type"] for d in deals} == {"new", "expansion", "renewal"}
    assert by_name["Fjord Energy - Plan change"]["type"] == "renewal"  # Downgrade
    assert by_name["Granite Insurance - Replacement"]["type"] == "renewal"
    assert by_name["Eastlake Software - New seats"]["type"] == "new"  # New Business
    # Empty amounts load: early stages, one lost early and one won pilot.
    assert sum(d["amount"] is None for d in deals) == 6
    assert by_name["Harbor Retail - Pilot"]["is_won"] is True
    regions = {
        a["name"]: a["region"] for a in ws.warehouse.table("account").to_pyarrow().to_pylist()
    }
    assert regions["Fjord Energy AS"] == "EMEA"
    # NextStep is a standard field: the shipped mapping reads it.
    assert by_name["Cedar Health - Analytics"]["next_step"] == "Follow up on pricing"


def test_bookings_win_rate_and_pipeline_match_the_hand_count(
    org: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = org
    year = ws.metrics.compute(["bookings", "won_deals", "lost_deals"], "FY2025", as_of=AS_OF)
    assert year.value("bookings") == 144_000  # the won pilot has no amount
    assert (year.value("won_deals"), year.value("lost_deals")) == (8, 5)
    q2 = ws.metrics.compute(
        ["bookings", "bookings_new", "bookings_expansion", "bookings_renewal", "bookings_untyped",
         "win_rate"],
        "FY2025-Q2",
        as_of=AS_OF,
    )  # fmt: skip
    assert q2.value("bookings") == 53_500
    assert q2.value("bookings_new") == 22_000
    assert q2.value("bookings_expansion") == 7_500
    assert q2.value("bookings_renewal") == 24_000
    assert q2.value("bookings_untyped") in (0, None)
    assert q2.value("win_rate") == pytest.approx(5 / 8)
    q1 = ws.metrics.compute(["bookings", "win_rate"], "FY2025-Q1", as_of=AS_OF)
    assert q1.value("bookings") == 90_500
    assert q1.value("win_rate") == pytest.approx(3 / 5)
    q3 = ws.metrics.compute(["open_pipeline", "open_pipeline_count"], "FY2025-Q3", as_of=AS_OF)
    assert q3.value("open_pipeline") == 115_000
    assert q3.value("open_pipeline_count") == 7
    by_region = ws.metrics.compute("bookings", "FY2025", by=["region"], as_of=AS_OF)
    assert {r["region"]: r["value"] for r in by_region.records()} == {
        "NA": 70_500, "EMEA": 51_500, "APAC": 22_000
    }  # fmt: skip


def test_line_items_price_won_deals_against_list_by_product(
    org: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = org
    names = ["list_price_realisation", "won_line_list_amount", "priced_won_lines"]
    # Q1 (Feb-Apr 2024): Acme Platform 40 x 1,200 sold 40,000 and Analytics 10 x 1,000 at
    # 20 % off = 8,000; Bluefin 25 Fleet at list 12,500; Dunmore's renewal 30,000 at list.
    # Cedar's lines are lost, Acme's renewal lines open.
    q1 = ws.metrics.compute(names, "FY2025-Q1", as_of=AS_OF)
    assert q1.value("won_line_list_amount") == pytest.approx(100_500)
    assert q1.value("list_price_realisation") == pytest.approx(90_500 / 100_500)
    assert q1.value("priced_won_lines") == 4
    # Q2 to the as-of day: Eastlake 20 Platform at 1,100 (list 1,200), Acme Analytics 25 % off.
    q2 = ws.metrics.compute(names, "FY2025-Q2", as_of=AS_OF)
    assert q2.value("list_price_realisation") == pytest.approx(29_500 / 34_000)
    by_product = ws.metrics.compute(names, "FY2025", by=["product"], as_of=AS_OF)
    platform = "salesforce:01t5g000000001AAAQ"
    assert by_product.value("list_price_realisation", product=platform) == (
        pytest.approx(62_000 / 72_000)
    )
    assert by_product.value("priced_won_lines", product=platform) == 2
    versions = ws.warehouse.table("deal_line_history", "history").count().execute()
    assert versions == 8  # one per line, from its SystemModstamp


def test_the_quality_rules_flag_missing_amounts_by_stage_category(
    org: tuple[Workspace, IngestReport],
) -> None:
    ws, report = org
    assert report.quality is not None
    assert not report.quality_problem
    evaluated = ws.quality.evaluate("opportunity", AS_OF)
    names = [r.name for r in evaluated.rules]
    table = evaluated.table.to_pyarrow().to_pylist()

    def failing(rule: str) -> int:
        return sum(bool(row[f"fails_{names.index(rule)}"]) for row in table)

    assert failing("opportunity_amount_missing") == 5  # four open, one lost
    assert failing("opportunity_won_amount_missing") == 1


def test_without_is_closed_and_is_won_columns_closure_comes_from_the_stage(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    with (FIXTURES / "Opportunity.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    dropped = {rows[0].index("IsClosed"), rows[0].index("IsWon")}
    with (folder / "Opportunity.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [[v for i, v in enumerate(r) if i not in dropped] for r in rows]
        )
    shutil.copy(FIXTURES / "OpportunityStage.csv", folder)
    root = tmp_path / "ws"
    Workspace.create(root).close()
    propose_config(root / "revops.yaml", [folder], apply=True)
    ws = Workspace.open(root)
    try:
        report = ingest(ws, [folder / "Opportunity.csv"], quality=False)
        assert [load.quarantined for load in report.loads] == [0]
        result = ws.metrics.compute(["bookings", "won_deals", "lost_deals"], "FY2025", as_of=AS_OF)
        assert result.value("bookings") == 144_000
        assert (result.value("won_deals"), result.value("lost_deals")) == (8, 5)
    finally:
        ws.close()


def test_inspect_from_the_command_line_prints_a_diff_and_apply_writes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    Workspace.create(root).close()
    code, out, err = run_cli(capsys, "-w", str(root), "ingest", "inspect", str(FIXTURES))
    assert code == 0, err
    assert "+  - {name: Needs Analysis, probability: 20, category: open}" in out
    assert "-  - {name: Discovery, probability: 40, category: open}" in out
    assert "Discovery" in (root / "revops.yaml").read_text(encoding="utf-8")
    code, out, err = run_cli(capsys, "-w", str(root), "ingest", "inspect", str(FIXTURES), "--apply")
    assert code == 0, err
    assert "Needs Analysis" in (root / "revops.yaml").read_text(encoding="utf-8")
    code, out, err = run_cli(capsys, "-w", str(root), "ingest", "inspect", str(FIXTURES))
    assert (code, out) == (0, "")
    assert "already fits" in err


def test_fifteen_character_ids_meet_their_eighteen_character_records(
    org: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = org
    activity = ws.warehouse.table("activity")
    events = activity.filter(activity.source_id.startswith("00U")).to_pyarrow().to_pylist()
    assert len(events) == 6
    # Event.csv names its contacts and deals by 15-character ids, as a report does.
    assert {e["opportunity_id"] for e in events} >= {"salesforce:0065g000000001AAAQ"}
    opportunities = set(
        ws.warehouse.table("opportunity").to_pyarrow()["opportunity_id"].to_pylist()
    )
    assert {e["opportunity_id"] for e in events} <= opportunities


def test_field_history_keeps_the_owner_changes_opportunity_history_lacks(
    org: tuple[Workspace, IngestReport],
) -> None:
    ws, _ = org
    changes = ws.warehouse.table("opportunity_field_change").to_pyarrow().to_pylist()
    by_field: dict[str, int] = {}
    for change in changes:
        by_field[change["field"]] = by_field.get(change["field"], 0) + 1
    assert by_field == {"StageName": 56, "Amount": 2, "Owner": 2, "CloseDate": 1}
    owner = [c for c in changes if c["field"] == "Owner"]
    assert {(c["data_type"], c["old_value"], c["new_value"]) for c in owner} == {
        ("EntityId", "0055g000000002AAAQ", "0055g000000003AAAQ"),
        ("Text", "Marco Ruiz", "Priya Nair"),
    }
    [moved] = {c["opportunity_id"] for c in owner}
    assert moved == "salesforce:0065g000000019AAAQ"
    assert {c["changed_by_user_id"] for c in owner} == {"salesforce:0055g000000001AAAQ"}
    # The deal's current owner is the change's new one.
    deals = ws.warehouse.table("opportunity").to_pyarrow().to_pylist()
    [deal] = [d for d in deals if d["opportunity_id"] == moved]
    assert deal["owner_id"] == "salesforce:0055g000000003AAAQ"


def test_deal_team_members_load_with_their_roles(org: tuple[Workspace, IngestReport]) -> None:
    ws, _ = org
    members = ws.warehouse.table("opportunity_team_member").to_pyarrow().to_pylist()
    assert sorted((m["opportunity_id"], m["user_id"], m["role"]) for m in members) == [
        ("salesforce:0065g000000001AAAQ", "salesforce:0055g000000003AAAQ", "Sales Engineer"),
        ("salesforce:0065g000000001AAAQ", "salesforce:0055g000000004AAAQ", "Lead Qualifier"),
        ("salesforce:0065g000000019AAAQ", "salesforce:0055g000000001AAAQ", "Executive Sponsor"),
        ("salesforce:0065g000000019AAAQ", "salesforce:0055g000000002AAAQ", "Sales Engineer"),
    ]
