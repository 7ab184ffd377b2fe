"""The request queue: value scores on paper (RICE, WSJF, type defaults, a KPI's money),
the status flow, the requester's rating and CSAT, CSV and Jira imports, the rank check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desk.conftest import JIRA, write
from leads.conftest import Company
from revops.desk.config import Score
from revops.desk.intake import RequestInput
from revops.desk.score import impact_of_money
from revops.errors import DeskError

TODAY = date(2026, 6, 10)


def _add(company: Company, title: str, **fields: object) -> str:
    request = RequestInput.model_validate({"title": title, "requester": "ana@acme.io", **fields})
    return str(company.ws.desk.add(request, by="test")["request_id"])


def _scores(company: Company) -> dict[str, dict[str, float]]:
    table = company.ws.desk.scored(TODAY)
    assert table is not None
    rows = table.to_pyarrow().to_pylist()
    return {r["request_id"]: r for r in rows}


def test_rice_and_wsjf_match_the_paper(desk_company: Company) -> None:
    a = _add(desk_company, "Win rate report", type="report", reach=40, impact=2,
             confidence=50, effort=4, stated_urgency="high")  # fmt: skip
    b = _add(desk_company, "Sync billing", type="integration", stated_urgency="low",
             due_date=date(2026, 6, 20))  # fmt: skip
    c = _add(desk_company, "Fix owners", type="data_fix", reach=10, impact=1, confidence=100,
             effort=1, stated_urgency="critical")  # fmt: skip
    scores = _scores(desk_company)
    # RICE = reach × impact × confidence / effort: 40 × 2 × 0.5 / 4.
    assert scores[a]["rice"] == pytest.approx(10.0)
    # WSJF = (value + time_weight 2 × high's 5 points + risk 0) / effort = (40 + 10) / 4.
    assert scores[a]["wsjf"] == pytest.approx(12.5)
    # The integration states nothing: reach 13, impact 0.5, confidence 65 %, effort 15.3
    # (its type's); low (1) + due within 14 days (3) = 4 points, × 2.
    assert scores[b]["score_effort"] == pytest.approx(15.3)
    assert scores[b]["rice"] == pytest.approx(13 * 0.5 * 0.65 / 15.3)
    assert scores[b]["wsjf"] == pytest.approx((13 * 0.5 * 0.65 + 2 * 4) / 15.3)
    # A data fix carries the type's risk point: (10 + 2 × 8 + 1) / 1.
    assert scores[c]["wsjf"] == pytest.approx(27.0)
    queue = desk_company.ws.desk.queue(today=TODAY)
    assert [r["request_id"] for r in queue] == [c, a, b]
    assert queue[0]["requester"] == "Ana Silva"
    assert queue[0]["requester_team"] == "Sales"
    assert {r["stated_urgency"] for r in queue} == {"critical", "high", "low"}


def test_the_rice_method_ranks_by_rice(desk_company: Company) -> None:
    (desk_company.ws.root / "desk").mkdir()
    write(desk_company.ws.root / "desk" / "desk.yaml", "score: {method: rice}\n")
    a = _add(desk_company, "Small", reach=10, impact=1, confidence=100, effort=1,
             stated_urgency="low")  # fmt: skip
    b = _add(desk_company, "Loud", reach=10, impact=1, confidence=100, effort=2,
             stated_urgency="critical")  # fmt: skip
    queue = desk_company.ws.desk.queue(today=TODAY)
    assert [r["request_id"] for r in queue] == [a, b]
    assert queue[0]["value_score"] == pytest.approx(10.0)


def test_a_bad_desk_file_names_its_key(desk_company: Company) -> None:
    from revops.errors import ConfigError

    (desk_company.ws.root / "desk").mkdir()
    write(desk_company.ws.root / "desk" / "desk.yaml", "score: {method: loudest}\n")
    with pytest.raises(ConfigError, match=r"desk\.yaml.*score\.method"):
        _ = desk_company.ws.desk.settings


def test_impact_follows_the_money_at_stake() -> None:
    score = Score()
    assert impact_of_money(0, score) == 0.25
    assert impact_of_money(4_999, score) == 0.25
    assert impact_of_money(5_000, score) == 0.5
    assert impact_of_money(120_000, score) == 2.0
    assert impact_of_money(2_000_000, score) == 3.0


def test_the_status_flow_refuses_moves_it_does_not_allow(desk_company: Company) -> None:
    desk = desk_company.ws.desk
    a = _add(desk_company, "Report")
    with pytest.raises(DeskError, match="is new: it may move to triaged, in_progress, declined"):
        desk.move(a, "done", by="bo")
    desk.update(a, {"owner_id": "bo@acme.io", "priority": "high", "effort": 2}, by="bo")
    row = desk.get(a)
    assert (row["status"], row["owner_id"], row["priority"]) == ("triaged", "user-bo", "high")
    desk.move(a, "in_progress", by="bo")
    done = desk.move(a, "done", by="bo")
    assert done["resolved_at"] is not None
    assert [v["status"] for v in desk.history(a)] == ["new", "triaged", "in_progress", "done"]
    with pytest.raises(DeskError, match="no user 'nobody'"):
        desk.update(a, {"owner_id": "nobody"}, by="bo")
    with pytest.raises(DeskError, match="not a field triage can change"):
        desk.update(a, {"status": "done"}, by="bo")


def test_the_requester_rates_a_closed_request_and_csat_counts_it(desk_company: Company) -> None:
    desk = desk_company.ws.desk
    a, b = _add(desk_company, "One"), _add(desk_company, "Two")
    with pytest.raises(DeskError, match="rate it once closed"):
        desk.rate(a, 5, by="ana@acme.io")
    for request in (a, b):
        desk.move(request, "in_progress", by="bo")
        desk.move(request, "done", by="bo")
    with pytest.raises(DeskError, match="only the requester"):
        desk.rate(a, 5, by="cy@acme.io")
    with pytest.raises(DeskError, match="1 to 5"):
        desk.rate(a, 6, by="ana@acme.io")
    desk.rate(a, 5, by="ANA@acme.io")
    desk.rate(b, 2, by="ana@acme.io", comment="late")
    assert desk.csat() == {"ratings": 2, "csat": 3.5, "satisfied_share": 0.5}
    # The same as KPIs of the catalog, for the quarter they were closed in.
    result = desk_company.ws.metrics.compute(["desk_ratings", "desk_csat", "desk_satisfied_share"])
    assert result.value("desk_ratings") == 2
    assert result.value("desk_csat") == pytest.approx(3.5)
    assert result.value("desk_satisfied_share") == pytest.approx(0.5)


def test_the_desk_kpis_are_unknown_before_any_request(company: Company) -> None:
    result = company.ws.metrics.compute(["desk_ratings", "desk_csat", "desk_satisfied_share"])
    assert result.value("desk_ratings") == 0
    assert result.value("desk_csat") is None
    assert result.value("desk_satisfied_share") is None


def test_a_jira_export_imports_once_and_maps_its_columns(
    desk_company: Company, tmp_path: Path
) -> None:
    desk = desk_company.ws.desk
    path = write(tmp_path / "jira.csv", JIRA)
    first = desk.import_csv(path, by="bo")
    assert (first.added, first.changed, first.unchanged) == (3, 0, 0)
    again = desk.import_csv(path, by="bo")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    one = desk.get("OPS-1")
    assert one["title"] == "Pipeline report by region"
    assert one["requester_id"] == "user-ana"
    assert one["stated_urgency"] == "high"
    assert one["due_date"] == date(2026, 6, 20)
    assert one["details"] == "For the QBR"
    assert one["requested_at"].isoformat().startswith("2026-06-02T09:15")
    assert desk.get("OPS-2")["status"] == "in_progress"
    assert desk.get("OPS-3")["stated_urgency"] == "critical"
    assert desk.get("OPS-3")["status"] == "done"
    edited = write(tmp_path / "jira2.csv", JIRA.replace(",In Progress,", ",Done,"))
    changed = desk.import_csv(edited, by="bo")
    assert (changed.added, changed.changed, changed.unchanged) == (0, 1, 2)
    assert desk.get("OPS-2")["version"] == 2


def test_a_bad_row_names_the_file_row_and_field(desk_company: Company, tmp_path: Path) -> None:
    desk = desk_company.ws.desk
    bad = write(tmp_path / "bad.csv", JIRA.replace("Lowest", "Soon"))
    with pytest.raises(DeskError, match=r"bad\.csv: row 3, field Priority: .*'Soon'"):
        desk.import_csv(bad, by="bo")
    dates = write(tmp_path / "dates.csv", JIRA.replace("02/Jun/26 9:15 AM", "June 2nd"))
    with pytest.raises(DeskError, match=r"dates\.csv: row 2, field Created"):
        desk.import_csv(dates, by="bo")
    own = write(tmp_path / "own.csv", "title,requester,reach\nA,ana@acme.io,-3\n")
    with pytest.raises(DeskError, match=r"own\.csv: row 2, field reach"):
        desk.import_csv(own, by="bo")
    assert desk.queue() == []


def test_the_desk_columns_import_and_unknown_people_keep_their_email(
    desk_company: Company, tmp_path: Path
) -> None:
    path = write(tmp_path / "own.csv", "title,requester,type,reach,effort,stated_urgency\n"
                 "Territory move,zoe@partner.io,Territory Change,5,2,High\n")  # fmt: skip
    result = desk_company.ws.desk.import_csv(path, by="bo")
    assert result.added == 1
    row = desk_company.ws.desk.get("DESK-1")
    assert (row["requester_id"], row["type"], row["stated_urgency"]) == (
        "email:zoe@partner.io", "territory_change", "high")  # fmt: skip


def test_a_requester_reads_only_their_own_requests(desk_company: Company, tmp_path: Path) -> None:
    desk = desk_company.ws.desk
    desk.import_csv(write(tmp_path / "jira.csv", JIRA), by="bo")
    mine = desk.queue(requester="ana@acme.io", include_closed=True, today=TODAY)
    assert [r["request_id"] for r in mine] == ["OPS-1"]
    assert len(desk.queue(include_closed=True, today=TODAY)) == 3


def test_the_rank_check_against_a_truth_file(desk_company: Company, tmp_path: Path) -> None:
    desk = desk_company.ws.desk
    desk.import_csv(write(tmp_path / "jira.csv", JIRA.replace("20/Jun/26", "30/Jun/26")), by="b")
    # WSJF: OPS-3 (critical) 20.225 / 3 > OPS-1 (high) 14.225 / 3 > OPS-2 (low) 6.225 / 3.
    truth = write(tmp_path / "truth.csv",
                  "issue_key,true_value\nOPS-1,30\nOPS-3,20\nOPS-2,10\n")  # fmt: skip
    figures = desk.rank_correlation(truth, TODAY)
    # Ranks 2, 0, 1 against the truth's 1, 0, 2 → 1 − 6 × 2 / (3 × 8) = 0.5.
    assert figures["requests"] == 3
    assert figures["value_score"] == pytest.approx(0.5)
    assert figures["stated_urgency"] == pytest.approx(0.5)
