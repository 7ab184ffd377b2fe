"""The revenue meeting pack on the demo company: its numbers are the metric API's, its
HTML is self-contained, its PDF renders, its file's errors name file and key, and only
roles that read every row get it (API, page and CLI alike)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from app.conftest import AS_OF, MANAGER, QUARTER, REP, Cockpit, role_email, serving
from revops.cli.app import app as cli
from revops.config import QueryBudget
from revops.errors import ConfigError
from revops.pack import PackDocument
from revops.pack.activation import STATUS_TEXT, shown_month
from revops.pack.config import read_pack_file
from revops.pack.render import render_pdf_pages

BRIEF = """\
version: 1
templates:
  brief:
    title: Brief
    sections:
      - kind: headline
        team: sales
        metrics: [bookings, win_rate]
        compare: [previous]
        chart: false
      - {kind: desk, limit: 2}
      - {kind: risks}
  board:
    title: Board
    sections:
      - {kind: forecast, limit: 2}
      - {kind: plan}
      - {kind: risks}
"""
"""Small templates of the workspace's own, so the API and CLI tests build quickly."""
PLAN = f"""\
initiatives:
  - name: Bigger quarter
    owner: {REP}
    start_date: 2026-08-01
    end_date: 2027-01-31
    targets:
      - metric: bookings
        direction: at_least
        monthly: {{2026-08: 50000000, 2026-09: 50000000, 2026-10: 50000000,
                  2026-11: 50000000, 2026-12: 50000000}}
      - metric: win_rate
        direction: at_most
        monthly: {{2026-08: 1, 2026-09: 1, 2026-10: 1, 2026-11: 1, 2026-12: 1}}
"""
"""A plan on the demo company: bookings of 50M a month are missed, whatever the data."""
NOTES = """\
annotations:
  - {id: n1, date: 2026-09-10, text: Pricing change, metric: bookings, author: ann}
  - {id: n2, date: 2026-11-05, text: New qualification rules, metric: win_rate}
  - {id: n3, date: 2026-11-30, text: Written after the as-of day, metric: bookings}
"""
"""Notes on the sales headline's metrics: one in the year only (charted), one in the
quarter, one after the as-of day (shown nowhere)."""


@pytest.fixture(scope="module")
def served(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The app on a copy of the demo workspace with the brief template in plans/pack.yaml."""
    root = tmp_path_factory.mktemp("pack") / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    (root / "plans").mkdir(exist_ok=True)
    (root / "plans" / "pack.yaml").write_text(BRIEF, encoding="utf-8")
    (root / "plans" / "activation.yaml").write_text(PLAN, encoding="utf-8")
    (root / "plans" / "annotations.yaml").write_text(NOTES, encoding="utf-8")
    with serving(root) as cockpit:
        yield cockpit


@pytest.fixture(scope="module")
def quarterly(served: Cockpit) -> PackDocument:
    """The shipped quarterly template, every kind of section, built once."""
    ws = served.app.state.revops.workspace
    return ws.pack.build(QUARTER, as_of=AS_OF, template="quarterly")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def html(served: Cockpit, quarterly: PackDocument) -> str:
    return served.app.state.revops.workspace.pack.html(quarterly)  # type: ignore[no-any-return]


def test_pack_numbers_equal_the_metric_api(served: Cockpit, quarterly: PackDocument) -> None:
    client = served.client(role_email("executive"))
    for metric in ("bookings", "win_rate", "arr", "nrr", "cac_blended", "data_quality_score"):
        figure = quarterly.figure(metric)
        answer = client.get(f"/api/v1/metrics/explore?metric={metric}&window={QUARTER}")
        assert answer.status_code == 200, answer.text
        assert figure.value == pytest.approx(answer.json()["rows"][0]["value"]), metric
    ws = served.app.state.revops.workspace
    result = ws.metrics.compute(["bookings", "win_rate"], QUARTER, compare="last_year", as_of=AS_OF)
    for metric in ("bookings", "win_rate"):
        row = result.frame[result.frame["metric"] == metric].iloc[0]
        assert quarterly.figure(metric).last_year == pytest.approx(row["compare_value"])
    bookings = quarterly.figure("bookings")
    assert bookings.target is not None
    assert bookings.target > 0
    assert bookings.source.rows_url is not None
    assert "/metrics/rows?metric=bookings" in (bookings.source.rows_url)


def test_every_section_of_the_quarterly_template_is_built(quarterly: PackDocument) -> None:
    kinds = [s.kind for s in quarterly.sections]
    assert kinds[:4] == ["headline"] * 4
    assert kinds[-1] == "risks"
    for kind in ("forecast", "pipeline", "funnel", "revenue", "efficiency", "quality", "desk",
                 "plan"):  # fmt: skip
        assert kind in kinds
    pipeline = next(s for s in quarterly.sections if s.kind == "pipeline")
    stalled = next(t for t in pipeline.tables if t.title.startswith("Stalled"))
    for row in stalled.rows:  # a deal's name beside its id, linked to its page
        assert row[0].url
        assert "/deals/" in row[0].url
        assert row[0].note
    risks = next(s for s in quarterly.sections if s.kind == "risks").risks
    assert any("coverage" in r.text for r in risks)
    assert len({r.text for r in risks}) == len(risks)  # a metric in two sections: said once


def test_the_plan_section_is_the_plan_status_with_its_misses_as_risks(
    served: Cockpit, quarterly: PackDocument
) -> None:
    status = served.app.state.revops.workspace.plan.status(AS_OF)
    [table] = next(s for s in quarterly.sections if s.kind == "plan").tables
    assert len(table.rows) == len(status.targets) == 2
    rows = {row[2].note: row for row in table.rows}
    for target in status.targets:
        row = rows[target.metric]
        shown = shown_month(target)
        assert shown is not None
        assert row[1].text == "John Hernandez"
        assert row[1].url is not None
        assert "/reps/" in row[1].url
        assert row[3].text.startswith(shown.month)
        assert row[4].value == pytest.approx(shown.target)
        assert row[5].value == pytest.approx(shown.measured)
        assert row[6].text == STATUS_TEXT[target.status]
    bookings = next(t for t in status.targets if t.metric == "bookings")
    assert bookings.status == "missed"
    assert table.rows[0][2].note == "bookings"  # missed first
    risks = next(s for s in quarterly.sections if s.kind == "risks").risks
    flagged = [r for r in risks if r.text.startswith("Plan target Bookings")]
    assert [r.severity for r in flagged] == ["high"]


def test_annotations_are_listed_and_marked_on_the_chart_up_to_the_as_of_day(
    quarterly: PackDocument, html: str
) -> None:
    sales = quarterly.sections[0]
    assert [(r.number, r.text) for r in sales.remarks] == [
        (1, "Pricing change"), (2, "New qualification rules"),
    ]  # fmt: skip
    [chart] = sales.charts
    [(position, number)] = chart.marks
    assert number == 1
    assert chart.labels[position] == "M08"  # September 2026 in a year starting in February
    assert "Pricing change" in html
    assert "New qualification rules" in html
    assert "Written after the as-of day" not in html
    for section in quarterly.sections:
        assert all(r.date <= AS_OF for r in section.remarks)


def test_the_forecast_section_shows_each_persons_call_as_it_stood_on_the_as_of_day(
    served: Cockpit,
) -> None:
    from revops.app import calls
    from revops.app.org import load_org
    from revops.metrics import Scope

    state = served.app.state.revops
    org = load_org(state.workspace.metrics)
    every = Scope.everything()

    def submit(who: str, at: datetime, **amounts: float) -> None:
        body = calls.parse_input(period=QUARTER, **amounts)
        calls.submit(state.db, org, body, period=QUARTER, submitter=who, scope=every, at=at)

    submit(REP, datetime(2026, 11, 20, 9, tzinfo=UTC), commit=1000, best_case=2000, pipeline=5000)
    submit(MANAGER, datetime(2026, 11, 21, 9, tzinfo=UTC), commit_adjustment=-100)
    submit(REP, datetime(2026, 11, 23, 9, tzinfo=UTC), commit=9999, best_case=9999, pipeline=9999)
    answer = served.client(role_email("executive")).get(
        f"/api/v1/pack?period={QUARTER}&as_of={AS_OF}&template=board"
    )
    assert answer.status_code == 200, answer.text
    forecast = answer.json()["sections"][0]
    table = next(t for t in forecast["tables"] if t["title"] == "Submitted calls")
    shown = {row[0]["note"]: row for row in table["rows"]}
    rep = org.find(REP)
    manager = org.find(MANAGER)
    assert rep is not None
    assert manager is not None
    assert set(shown) == {rep.user_id, manager.user_id}
    assert shown[rep.user_id][0]["text"] == rep.name
    assert shown[rep.user_id][2]["value"] == 1000  # the call of the 20th, not the 23rd's
    assert shown[manager.user_id][1]["text"] == "manager"
    assert shown[manager.user_id][2]["value"] == 900  # the team's 1,000 less 100
    assert shown[manager.user_id][5]["value"] == -100
    assert table["rows"][0][0]["note"] == manager.user_id  # managers first
    args = ["--workspace", str(served.root), "pack", "--period", QUARTER, "--as-of",
            str(AS_OF), "--template", "board", "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sections"][0]["tables"] == forecast["tables"]


def test_html_is_self_contained(html: str) -> None:
    assert "<script" not in html
    assert "<link" not in html
    assert "@import" not in html
    without_links = re.sub(r'href="[^"]*"', "", html)
    assert not re.search(r"https?://", without_links)
    assert html.count("data:image/png;base64,") >= 3
    assert 'id="note-1"' in html
    assert "rows behind it" in html


def test_pdf_renders(
    quarterly: PackDocument, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pdf, pages = render_pdf_pages(quarterly)
    assert [r.message for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert pdf.startswith(b"%PDF")
    assert pages >= 3
    (tmp_path / "pack.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm") is None:  # .ci/run installs poppler-utils
        pytest.skip("pdftoppm (poppler-utils) is not installed: the pages are not drawn")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(tmp_path / "pack.pdf"), str(tmp_path / "page")],
        check=True, timeout=120,
    )  # fmt: skip
    drawn = sorted(tmp_path.glob("page*.png"))
    assert len(drawn) == pages
    with Image.open(drawn[0]) as first:
        assert first.size[0] == pytest.approx(413, abs=2)  # A4 at 50 dpi
        assert first.size[1] == pytest.approx(585, abs=2)
        shades = first.convert("L").getcolors(maxcolors=256)
        assert shades is not None
        assert len(shades) > 20  # text and charts, not a blank page


def test_html_page_in_chromium(browser: Any, html: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.set_content(html)
    page.screenshot(path=str(tmp_path / "pack.png"))
    assert page.locator("h1").inner_text().startswith("Quarterly business review")
    assert page.locator("img.chart").count() >= 3
    assert [u for u in asked if not u.startswith(("data:", "about:"))] == []
    page.close()


def test_bad_pack_yaml_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    bad = tmp_path / "plans" / "pack.yaml"
    bad.write_text("templates:\n  weekly:\n    title: W\n    sections:\n      - {kind: nope}\n")
    with pytest.raises(ConfigError) as caught:
        read_pack_file(tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(bad) in message
    assert "templates.weekly.sections[0].kind" in message
    assert "unknown section kind" in message
    bad.write_text(
        "templates:\n  weekly:\n    title: W\n    sections:\n      - {kind: desk, limit: 0}\n"
    )
    with pytest.raises(ConfigError, match=r"sections\[0\]\.limit"):
        read_pack_file(tmp_path)


def test_schema_command_prints_the_file_schema() -> None:
    result = CliRunner().invoke(cli, ["pack", "schema"])
    assert result.exit_code == 0, result.output
    assert "templates" in json.loads(result.output)["properties"]


def test_only_roles_reading_every_row_get_the_pack(served: Cockpit) -> None:
    query = f"/api/v1/pack?period={QUARTER}&template=brief"
    for role in ("rep", "manager", "marketing"):
        client = served.client(role_email(role))
        assert client.get(query).status_code == 403, role
        assert client.get("/pack").status_code == 403, role
    executive = served.client(role_email("executive"))
    page = executive.get(f"/pack?period={QUARTER}")
    assert page.status_code == 200
    assert "Weekly revenue meeting" in page.text
    assert f"/api/v1/pack?period={QUARTER}&amp;template=quarterly&amp;format=pdf" in page.text
    answer = executive.get(query + "&format=html")
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Brief" in answer.text
    assert executive.get(f"/api/v1/pack?period={QUARTER}&template=a.b").status_code == 422
    assert executive.get(f"/api/v1/pack?period={QUARTER}&template=missing").status_code == 400


def test_the_pack_is_bounded_by_the_report_timeout_not_the_statement_timeout(
    served: Cockpit,
) -> None:
    ws = served.app.state.revops.workspace
    usual = ws.config
    executive = served.client(role_email("executive"))
    query = f"/api/v1/pack?period={QUARTER}&template=brief"
    try:  # a different day each time: a pack once built is kept
        ws.config = usual.model_copy(update={"query_budget": QueryBudget(
            statement_timeout_seconds=0.001, report_timeout_seconds=None)})  # fmt: skip
        assert executive.get(query + "&as_of=2026-11-20").status_code == 200
        ws.config = usual.model_copy(update={"query_budget": QueryBudget(
            statement_timeout_seconds=None, report_timeout_seconds=0.001)})  # fmt: skip
        stopped = executive.get(query + "&as_of=2026-11-19")
    finally:
        ws.config = usual
    assert stopped.status_code == 504
    assert "query_budget.report_timeout_seconds" in stopped.json()["detail"]


def test_cli_json_equals_api_json(served: Cockpit) -> None:
    api = served.client(role_email("finance")).get(
        f"/api/v1/pack?period={QUARTER}&as_of={AS_OF}&template=brief&format=json"
    )
    assert api.status_code == 200, api.text
    args = ["--workspace", str(served.root), "pack", "--period", QUARTER, "--as-of",
            str(AS_OF), "--template", "brief", "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api.json()
    assert api.json()["sections"][0]["figures"][0]["metric"] == "bookings"
