"""The revenue meeting pack on the demo company: its numbers are the metric API's, its
HTML is self-contained, its PDF renders, its file's errors name file and key, and only
roles that read every row get it (API, page and CLI alike)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.conftest import AS_OF, QUARTER, Cockpit, role_email, serving
from revops.cli.app import app as cli
from revops.config import QueryBudget
from revops.errors import ConfigError
from revops.pack import PackDocument
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
"""
"""A small template of the workspace's own, so the API and CLI tests build quickly."""


@pytest.fixture(scope="module")
def served(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The app on a copy of the demo workspace with the brief template in plans/pack.yaml."""
    root = tmp_path_factory.mktemp("pack") / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    (root / "plans").mkdir(exist_ok=True)
    (root / "plans" / "pack.yaml").write_text(BRIEF, encoding="utf-8")
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
    for kind in ("forecast", "pipeline", "funnel", "revenue", "efficiency", "quality", "desk"):
        assert kind in kinds
    pipeline = next(s for s in quarterly.sections if s.kind == "pipeline")
    stalled = next(t for t in pipeline.tables if t.title.startswith("Stalled"))
    for row in stalled.rows:  # a deal's name beside its id, linked to its page
        assert row[0].url
        assert "/deals/" in row[0].url
        assert row[0].note
    risks = next(s for s in quarterly.sections if s.kind == "risks").risks
    assert any("coverage" in r.text for r in risks)


def test_html_is_self_contained(html: str) -> None:
    assert "<script" not in html
    assert "<link" not in html
    assert "@import" not in html
    without_links = re.sub(r'href="[^"]*"', "", html)
    assert not re.search(r"https?://", without_links)
    assert html.count("data:image/png;base64,") >= 3
    assert 'id="note-1"' in html
    assert "rows behind it" in html


def test_pdf_renders(quarterly: PackDocument, tmp_path: Path) -> None:
    pdf, pages = render_pdf_pages(quarterly)
    assert pdf.startswith(b"%PDF")
    assert pages >= 3
    (tmp_path / "pack.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "pack.pdf"),
             str(tmp_path / "page")], check=True, timeout=60,
        )  # fmt: skip
        assert list(tmp_path.glob("page*.png"))


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
