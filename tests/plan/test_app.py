"""The plan and annotations in the cockpit and the CLI: the page and its JSON twin show the
same months as `revops plan status`; notes added by CLI, API or form show on the charts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.conftest import PASSWORD, Cockpit, role_email, sign_in
from plan.conftest import AS_OF, build
from revops import Workspace
from revops.app import create_app, users
from revops.app.db import AppDatabase

from conftest import POSTGRES_URL
from support import company_on, run_cli

REVOPS = role_email("revops")
REP = "ana@acme.test"
OTHER_REP = "cy@acme.test"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The tiny company and its plan, served as of 15 April 2026 (a revops user, and Ana as
    a rep: she sees her own rows only)."""
    root = tmp_path_factory.mktemp("plan") / "acme"
    with company_on(root, "duckdb", POSTGRES_URL) as company:
        build(company)
    ws = Workspace.open(root, read_only=True)
    db = AppDatabase(ws.config.app_database.url, ws.root)
    app = create_app(ws, db=db, as_of=date.fromisoformat(AS_OF), warm=False)
    users.add_user(db, REVOPS, "revops", PASSWORD)
    users.add_user(db, REP, "rep", PASSWORD)
    users.add_user(db, OTHER_REP, "rep", PASSWORD)
    try:
        yield Cockpit(root, app, db)
    finally:
        ws.close()
        db.close()


def _client(served: Cockpit, email: str) -> Any:
    if email not in served.signed_in:
        from fastapi.testclient import TestClient

        client = TestClient(served.app)
        sign_in(client, email)
        served.signed_in[email] = client
    return served.signed_in[email]


def _csrf(client: Any) -> dict[str, str]:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/plan").text)
    assert found is not None
    return {"X-CSRF-Token": found.group(1)}


def test_the_cli_and_the_api_give_the_same_months(
    served: Cockpit, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # the table's cells on one line each
    code, out, _ = run_cli(capsys, "-w", str(served.root), "plan", "status", "--as-of", AS_OF,
                           "-f", "json")  # fmt: skip
    assert code == 0
    cli = [(r["initiative"], r["metric"], r["month"], r["target"], r["measured"], r["result"],
            r["status"], r["owner"]) for r in json.loads(out)]  # fmt: skip
    view = _client(served, REVOPS).get("/api/v1/plan/status").json()
    api = [(t["initiative"], t["metric"], m["month"], m["target"], m["measured"], m["result"],
            t["status"], f"{t['owner_name']} ({t['owner']})")
           for t in view["targets"] for m in t["months"]]  # fmt: skip
    assert cli == api
    assert view["counts"] == {"on_track": 1, "at_risk": 1, "missed": 1}
    code, out, err = run_cli(capsys, "-w", str(served.root), "plan", "status", "--as-of", AS_OF)
    assert code == 0
    assert "Mia Lund (mia@acme.test)" in out
    assert "on track" in out
    assert "3 targets: 1 at risk, 1 missed, 1 on track" in err


def test_the_plan_page_shows_each_target_by_month_with_names(served: Cockpit) -> None:
    page = _client(served, REVOPS).get("/plan")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/plan" aria-current="page">Plan</a>' in text
    assert 'href="/reps/mia">Mia Lund</a>' in text
    assert text.count("data-plan-chart=") == 3
    for shown in ("on track", "at risk", "missed", "Bookings", "Win rate", "$300"):
        assert shown in text
    earlier = _client(served, REVOPS).get("/api/v1/plan/status?as_of=2026-02-10").json()
    assert earlier["plan_as_of"] == "2026-02-10"
    bookings = earlier["targets"][0]["months"]
    assert [m["result"] for m in bookings[3:5]] == ["met", "running"]


def test_a_rep_sees_the_plan_from_her_own_rows(served: Cockpit) -> None:
    # Every deal is Ana's: her figures are the company's; Cy's are zeros.
    ana = _client(served, REP).get("/api/v1/plan/status").json()
    assert ana["counts"] == {"on_track": 1, "at_risk": 1, "missed": 1}
    cy = _client(served, OTHER_REP).get("/api/v1/plan/status").json()
    bookings = cy["targets"][0]
    assert [m["measured"] for m in bookings["months"][:7]] == [0.0] * 7
    assert bookings["status"] == "missed"


def test_annotations_round_trip_through_cli_api_and_pages(
    served: Cockpit, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(served.root)
    code, out, _ = run_cli(capsys, "-w", root, "annotate", "add", "--metric", "bookings",
                           "--date", "2026-03-01", "--text", "Pricing change", "--by", "bo",
                           "-f", "json")  # fmt: skip
    assert code == 0
    added = json.loads(out)[0]
    client = _client(served, REVOPS)
    listed = client.get("/api/v1/annotations?metric=bookings").json()
    assert [(n["id"], n["date"], n["text"], n["author"]) for n in listed] == [
        (added["id"], "2026-03-01", "Pricing change", "bo")
    ]
    explorer = client.get("/api/v1/metrics/explore?metric=bookings&grain=month&window=FY2026")
    assert [(n["text"], n["period"]) for n in explorer.json()["annotations"]] == [
        ("Pricing change", "FY2026-M03")
    ]
    assert "Pricing change" in client.get("/metrics?metric=bookings&grain=month").text
    plan = client.get("/api/v1/plan/status").json()
    assert [n["text"] for n in plan["targets"][0]["annotations"]] == ["Pricing change"]

    note = {"date": "2026-02-01", "text": "New SDR team", "page": "/plan"}
    posted = client.post("/api/v1/annotations", headers=_csrf(client), json=note)
    assert posted.status_code == 201, posted.text
    code, out, _ = run_cli(capsys, "-w", root, "annotate", "list", "--page", "/plan", "-f", "csv")
    assert code == 0
    assert "New SDR team" in out
    assert "New SDR team" in client.get("/plan").text  # a note on the page, shown on it
    gone = client.delete(f"/api/v1/annotations/{posted.json()['id']}", headers=_csrf(client))
    assert gone.status_code == 200
    assert client.get("/api/v1/annotations?page=/plan").json() == []
    assert REVOPS in out
    form = client.post("/annotations", data={"date": "2026-04-02", "text": "Q2 kickoff",
                       "metric": "win_rate", "csrf_token": _csrf(client)["X-CSRF-Token"]},
                       follow_redirects=False)  # fmt: skip
    assert form.status_code == 303
    assert "Q2 kickoff" in client.get(form.headers["location"]).text
    assert any(e.action == "annotation.add" for e in _audit(served))

    typo = {"date": "2026-02-01", "text": "x", "metric": "bookingz"}
    unknown = client.post("/api/v1/annotations", headers=_csrf(client), json=typo)
    assert unknown.status_code == 400
    assert "bookings" in unknown.json()["detail"]
    rep = _client(served, REP)
    refused = rep.post("/api/v1/annotations", headers=_csrf(rep),
                       json={"date": "2026-02-01", "text": "x", "metric": "bookings"})  # fmt: skip
    assert refused.status_code == 403
    code, _, err = run_cli(capsys, "-w", root, "annotate", "add", "--metric", "nope",
                           "--date", "2026-03-01", "--text", "x")  # fmt: skip
    assert code == 1
    assert "no metric 'nope'" in err


def _audit(served: Cockpit) -> list[Any]:
    from revops.app import audit

    return audit.recent(served.db)


def test_an_invalid_annotations_file_names_its_key(served: Cockpit, tmp_path: Path) -> None:
    from revops.errors import ConfigError
    from revops.plan import Annotations

    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "annotations.yaml").write_text(
        "annotations:\n  - {id: a1, date: 2026-03-01, text: hi}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        Annotations(tmp_path, lambda: None).all()  # type: ignore[arg-type, return-value]
    assert caught.value.key == "annotations[0]"
    assert "name a metric or a page" in caught.value.problem


def test_a_workspace_without_a_plan_says_so_on_the_page_and_the_api(served: Cockpit) -> None:
    plan = served.root / "plans" / "activation.yaml"
    aside = plan.with_suffix(".aside")
    plan.rename(aside)
    try:
        client = _client(served, REVOPS)
        body = client.get("/api/v1/plan/status").json()
        page = client.get("/plan")
    finally:
        aside.rename(plan)
    assert body["targets"] == []
    assert body["counts"] == {}
    assert "write plans/activation.yaml" in body["problem"]
    assert page.status_code == 200
    assert "No activation plan yet" in page.text
