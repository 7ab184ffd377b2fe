"""Deliveries and alerts reach their users through a real SMTP server and a real HTTP
receiver, with the numbers the cockpit's metric API shows each of them."""

from __future__ import annotations

import re
import struct
from datetime import timedelta

import pytest

from app.conftest import PASSWORD, sign_in
from automate.conftest import NOW, Company, Mailbox, Receiver, smtp_settings
from revops import Workspace
from revops.app import users
from revops.app.db import AppDatabase
from revops.app.delivery import scope_resolver

SUBSCRIPTIONS = """
subscriptions:
  - {name: ann-weekly, user: ann@acme.test, metrics: [bookings, won_deals], window: FY2026-Q1,
     cron: "0 8 * * 1", channel: email}
  - {name: mia-alert, user: mia@acme.test, metrics: [bookings], window: FY2026-Q1, below: 5000,
     channel: webhook, url_env: MIA_HOOK}
  - {name: exec-slack, user: exec@acme.test, metrics: [bookings], window: FY2026-Q1,
     cron: "0 8 * * 1", channel: slack, url_env: EXEC_SLACK}
"""


def api_value(root: object, email: str, metric: str) -> float | None:
    """The value of `metric` in FY2026-Q1 that the metric API gives `email`."""
    from fastapi.testclient import TestClient

    from revops.app.factory import create_app

    ws = Workspace.open(str(root), read_only=True)
    db = AppDatabase(ws.config.app_database.url, ws.root)
    try:
        client = TestClient(create_app(ws, db=db, as_of=NOW.date(), warm=False))
        sign_in(client, email)
        body = client.get(f"/api/v1/metrics/explore?metric={metric}&window=FY2026-Q1").json()
        [row] = body["rows"]
        value: float | None = row["value"]
        return value
    finally:
        ws.close()
        db.close()


def test_deliveries_carry_each_users_numbers(
    duck: Company, smtp: Mailbox, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIA_HOOK", f"{receiver.url}/mia")
    monkeypatch.setenv("EXEC_SLACK", f"{receiver.url}/slack")
    ws = duck.reopen(smtp_settings(smtp.port))
    db = AppDatabase(ws.config.app_database.url, ws.root)
    db.migrate()
    users.add_user(db, "ann@acme.test", "rep", PASSWORD)
    users.add_user(db, "mia@acme.test", "manager", PASSWORD)
    users.add_user(db, "exec@acme.test", "executive", PASSWORD)
    duck.deliveries(SUBSCRIPTIONS)
    scope_of = scope_resolver(db, ws.metrics)

    first = ws.automate.deliver(scope_of, at=NOW)
    assert [r.run["status"] for r in first] == ["nothing", "ok", "nothing"]
    [(path, alert)] = receiver.posts  # Mia's team booked 1000 + 3000, under 5000
    assert path == "/mia"
    assert alert["values"][0]["value"] == 4000
    # The series the chart draws adds up to the quarter: 1000 and 3000 booked in it.
    series = alert["values"][0]["series"]
    assert [p["period"] for p in series] == ["FY2026-M01", "FY2026-M02", "FY2026-M03"]
    assert sum(p["value"] or 0 for p in series) == 4000
    assert alert["text"].startswith("Alert: Bookings is 4,000, under 5000.0 (FY2026-Q1)")

    assert [r.run["status"] for r in ws.automate.deliver(scope_of, at=NOW)] == ["nothing"] * 3
    week = ws.automate.deliver(scope_of, at=NOW + timedelta(days=7))  # the next Monday 9:00
    assert [r.run["status"] for r in week] == ["ok", "nothing", "ok"]
    [(rcpts, message)] = smtp.messages
    assert rcpts == ["ann@acme.test"]
    assert message["Subject"] == "ann-weekly: Bookings, Deals won (FY2026-Q1)"
    html = (
        next(p for p in message.walk() if p.get_content_type() == "text/html")
        .get_payload(decode=True)
        .decode()
    )
    shown = dict(re.findall(r'data-metric="(\w+)">([^<]+)<', html))
    assert shown == {"bookings": "1,000", "won_deals": "1"}  # Ann's own deals only
    assert 'href="http://cockpit.test/metrics?metric=bookings&amp;window=FY2026-Q1"' in html
    # A chart per metric, inline: Ann's bookings by month of the quarter, as an image.
    images = {p["Content-ID"]: p.get_payload(decode=True) for p in message.walk()
              if p.get_content_type() == "image/png"}  # fmt: skip
    assert set(images) == {"<chart-bookings@revops>", "<chart-won_deals@revops>"}
    for key, png in images.items():
        assert f'src="cid:{key.strip("<>")}"' in html
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (480, 180)  # IHDR: width, height
    assert receiver.posts[1] == ("/slack", {"text": receiver.posts[1][1]["text"]})
    assert "Bookings: 4,000" in receiver.posts[1][1]["text"]  # the executive sees every row
    ws.close()
    db.close()

    assert api_value(duck.root, "ann@acme.test", "bookings") == 1000
    assert api_value(duck.root, "ann@acme.test", "won_deals") == 1
    assert api_value(duck.root, "mia@acme.test", "bookings") == alert["values"][0]["value"]
    assert api_value(duck.root, "exec@acme.test", "bookings") == 4000


def test_an_unknown_user_gets_nothing_and_the_run_says_why(duck: Company) -> None:
    ws = duck.ws
    db = AppDatabase(ws.config.app_database.url, ws.root)
    db.migrate()
    duck.deliveries(SUBSCRIPTIONS)
    [run] = ws.automate.deliver(scope_resolver(db, ws.metrics), at=NOW, names=["ann-weekly"])
    assert run.run["status"] == "failed"
    assert run.actions[0]["error"] == "no active cockpit user ann@acme.test"
    db.close()


PACKS = """
subscriptions:
  - {name: exec-pack, user: exec@acme.test, pack: brief, window: FY2026-Q1, cron: "0 8 * * 1"}
  - {name: ann-pack, user: ann@acme.test, pack: brief, window: FY2026-Q1, cron: "0 8 * * 1"}
  - {name: exec-nope, user: exec@acme.test, pack: nope, window: FY2026-Q1, cron: "0 8 * * 1"}
"""
BRIEF = """
templates:
  brief:
    title: Brief
    sections:
      - {kind: headline, team: sales, metrics: [bookings, won_deals], compare: [], chart: false}
      - {kind: risks}
"""


def test_a_pack_subscription_mails_the_pack_as_pdf_to_roles_that_read_every_row(
    duck: Company, smtp: Mailbox
) -> None:
    from revops.app.delivery import pack_maker
    from revops.metrics.display import formatted

    ws = duck.reopen(smtp_settings(smtp.port))
    db = AppDatabase(ws.config.app_database.url, ws.root)
    db.migrate()
    users.add_user(db, "ann@acme.test", "rep", PASSWORD)
    users.add_user(db, "exec@acme.test", "executive", PASSWORD)
    (duck.root / "plans" / "pack.yaml").write_text(BRIEF, encoding="utf-8")
    duck.deliveries(PACKS)
    scope_of = scope_resolver(db, ws.metrics)
    maker = pack_maker(ws, db)

    first = ws.automate.deliver(scope_of, at=NOW, pack_of=maker)
    assert [r.run["status"] for r in first] == ["nothing"] * 3  # the ticks recorded
    week = ws.automate.deliver(scope_of, at=NOW + timedelta(days=7), pack_of=maker)
    assert [r.run["status"] for r in week] == ["ok", "failed", "failed"]
    assert "ann@acme.test is a rep user" in week[1].actions[0]["error"]
    assert "templates.nope: no such template" in week[2].actions[0]["error"]
    [(rcpts, message)] = smtp.messages
    assert rcpts == ["exec@acme.test"]
    day = (NOW + timedelta(days=7)).date()
    assert message["Subject"] == f"Brief: FY2026-Q1 (data as of {day})"
    [pdf] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "pack-FY2026-Q1-brief.pdf"
    assert pdf.get_payload(decode=True)[:5] == b"%PDF-"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    # The executive reads every row: the 1,000 and 3,000 booked in the quarter.
    assert f"Bookings {formatted(4000, 'money')}" in body
    assert "template=brief" in body
    ws.close()
    db.close()
    assert api_value(duck.root, "exec@acme.test", "bookings") == 4000


def test_a_pack_subscription_is_a_scheduled_delivery_without_metrics(duck: Company) -> None:
    from revops.errors import ConfigError

    duck.deliveries(
        "subscriptions:\n  - {name: p, user: a@acme.test, pack: brief, metrics: [bookings],"
        ' cron: "0 8 * * 1"}\n'
    )
    with pytest.raises(ConfigError, match="no `metrics`"):
        duck.ws.automate.subscriptions()
    duck.deliveries("subscriptions:\n  - {name: p, user: a@acme.test, pack: brief, below: 3}\n")
    with pytest.raises(ConfigError, match="`cron`"):
        duck.ws.automate.subscriptions()
    duck.deliveries("subscriptions:\n  - {name: p, user: a@acme.test, cron: '0 8 * * 1'}\n")
    with pytest.raises(ConfigError, match="`metrics`"):
        duck.ws.automate.subscriptions()
