"""The forecast process: reps' calls, managers' roll-ups, history, row scope, bad input,
the audit log, and past calls' accuracy against bookings computed by hand."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from app.conftest import AS_OF, MANAGER, OTHER_REP, PASSWORD, QUARTER, REP, Cockpit, role_email
from revops import Workspace
from revops.app import audit, calls, create_app, users
from revops.app.access import ROLES
from revops.app.db import AppDatabase
from revops.app.org import load_org
from revops.metrics import Scope

from support import csrf, run_cli

CLOSED = "FY2027-Q3"
"""The quarter before QUARTER: closed on 2026-10-31, before AS_OF."""


@pytest.fixture(scope="module")
def calling(cockpit: Cockpit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """A second app on the cockpit's warehouse with its own app database (these tests
    write calls), sharing the cockpit's computed results (the model calls)."""
    folder = tmp_path_factory.mktemp("calls-db")
    db = AppDatabase(f"sqlite:///{folder / 'app.db'}", folder)
    state = cockpit.app.state.revops
    app = create_app(state.workspace, db=db, as_of=AS_OF, warm=False)
    app.state.revops.cache = state.cache
    for role in ROLES:
        users.add_user(db, role_email(role), role, PASSWORD)
    users.add_user(db, OTHER_REP, "rep", PASSWORD)
    yield Cockpit(cockpit.root, app, db)
    db.close()


def _post(calling: Cockpit, email: str, **body: object) -> object:
    client = calling.client(email)
    return client.post(
        "/api/v1/forecast/submissions",
        json={"period": QUARTER, **body},
        headers={"X-CSRF-Token": csrf(client)},
    )


def _rows(calling: Cockpit, email: str) -> dict[str, dict[str, object]]:
    view = calling.client(email).get(f"/api/v1/forecast?period={QUARTER}").json()
    return {r["name"]: r for r in view["calls"]["rows"]}


def test_a_rep_submits_a_call_and_sees_it_beside_the_model_and_the_quota(
    calling: Cockpit,
) -> None:
    response = _post(calling, REP, commit=20000, best_case=35000, pipeline=80000, note="Acme")
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    stored = response.json()  # type: ignore[attr-defined]
    assert (stored["owner_name"], stored["kind"], stored["commit"]) == (
        "John Hernandez", "rep", 20000.0,
    )  # fmt: skip
    view = calling.client(REP).get(f"/api/v1/forecast?period={QUARTER}").json()
    rows = view["calls"]["rows"]
    assert [r["name"] for r in rows] == ["John Hernandez"]  # a rep's rows: his own
    row = rows[0]
    assert row["rep_call"] == {"commit": 20000.0, "best_case": 35000.0, "pipeline": 80000.0}
    assert row["note"] == "Acme"
    # The model's call is the rep's own page's recommended call; the target his quota.
    assert row["model_p50"] == view["recommended"]["p50"]
    quota = calling.app.state.revops.workspace.warehouse.table("quota", "core").execute()
    mine = quota[quota.source_id == f"{REP}|{QUARTER}"]
    assert row["target"] == float(mine.amount.astype(float).sum()) == 90000.0
    entries = [e for e in audit.recent(calling.db, 50) if e.action == "forecast.submit"]
    assert entries[0].actor == REP
    assert entries[0].target == f"John Hernandez {QUARTER}"
    assert "commit=20000.00" in entries[0].detail


def test_a_manager_rolls_up_the_team_with_an_adjustment_and_history_is_kept(
    calling: Cockpit,
) -> None:
    _post(calling, REP, commit=20000, best_case=35000, pipeline=80000)
    response = _post(calling, MANAGER, commit_adjustment=-5000, pipeline_adjustment=1000,
                     note="Acme slips")  # fmt: skip
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    rollup = response.json()  # type: ignore[attr-defined]
    assert rollup["kind"] == "manager"
    assert (rollup["team_commit"], rollup["commit"], rollup["adjustment"]) == (
        20000.0, 15000.0, -5000.0,
    )  # fmt: skip
    assert (rollup["best_case"], rollup["pipeline"]) == (35000.0, 81000.0)
    # The rep calls again: the latest is the call, the earlier ones stay as history.
    assert _post(calling, REP, commit=25000, best_case=40000, pipeline=80000).status_code == 201  # type: ignore[attr-defined]
    rows = _rows(calling, MANAGER)
    assert next(iter(rows)) == "Jessica Watson"  # the manager's line, then the team's
    assert {"John Hernandez", "Mei Patel", "Sophia Cook"} <= set(rows)
    assert "Michael Evans" not in rows  # another manager's team
    team = rows["Jessica Watson"]
    assert team["kind"] == "manager"
    assert team["rep_call"]["commit"] == 25000.0  # the team's latest calls summed, now
    assert team["manager_call"]["commit"] == 15000.0  # as the manager submitted it
    assert team["target"] == sum(
        r["target"] for name, r in rows.items() if name != "Jessica Watson" and r["target"]
    )
    assert rows["John Hernandez"]["rep_call"]["commit"] == 25000.0
    # The model's call: the manager's own line on the page's one fit, every line on asking.
    assert team["model_p50"] is not None
    assert rows["John Hernandez"]["model_p50"] is None
    every = (
        calling.client(MANAGER)
        .get("/api/v1/forecast", params={"period": QUARTER, "model_calls": "true"})
        .json()
    )
    assert every["calls"]["all_models"] is True
    fitted = {r["name"]: r["model_p50"] for r in every["calls"]["rows"]}
    assert None not in fitted.values()
    own = calling.client(REP).get(f"/api/v1/forecast?period={QUARTER}").json()
    assert fitted["John Hernandez"] == own["recommended"]["p50"]  # his own page's call
    mine = calling.client(REP).get("/api/v1/forecast/submissions").json()
    assert [s["commit"] for s in mine][:2] == [25000.0, 20000.0]
    assert {s["owner_name"] for s in mine} == {"John Hernandez"}
    theirs = (
        calling.client(MANAGER)
        .get("/api/v1/forecast/submissions", params={"period": QUARTER})
        .json()
    )
    assert {s["owner_name"] for s in theirs} == {"John Hernandez", "Jessica Watson"}
    assert calling.client(OTHER_REP).get("/api/v1/forecast/submissions").json() == []


def test_nobody_submits_for_someone_outside_their_rows(calling: Cockpit) -> None:
    amounts = {"commit": 1000, "best_case": 2000, "pipeline": 3000}
    refused = _post(calling, REP, owner=OTHER_REP, **amounts)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "Michael Evans is outside your rows" in refused.json()["detail"]  # type: ignore[attr-defined]
    assert _post(calling, REP, owner=MANAGER, commit_adjustment=0).status_code == 403  # type: ignore[attr-defined]
    assert _post(calling, MANAGER, owner=OTHER_REP, **amounts).status_code == 403  # type: ignore[attr-defined]
    # A manager may submit a rep's call for a rep of the team; it says who submitted it.
    on_behalf = _post(calling, MANAGER, owner=REP, **amounts)
    assert on_behalf.status_code == 201  # type: ignore[attr-defined]
    assert on_behalf.json()["submitted_by"] == MANAGER  # type: ignore[attr-defined]
    # Roles without the permission, and anonymous callers.
    finance = calling.client(role_email("finance"))
    response = finance.post(
        "/api/v1/forecast/submissions",
        json={"period": QUARTER, **amounts},
        headers={"X-CSRF-Token": csrf(finance)},
    )
    assert response.status_code == 403
    anonymous = calling.client().post(
        "/api/v1/forecast/submissions", json={}, headers={"Authorization": "Bearer rvo_x"}
    )
    assert anonymous.status_code == 401
    # A cookie without the CSRF token.
    assert (
        calling.client(REP)
        .post("/api/v1/forecast/submissions", json={"period": QUARTER, **amounts})
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"commit": -1, "best_case": 10, "pipeline": 10}, "commit"),
        ({"commit": 50, "best_case": 10, "pipeline": 10}, "commit"),
        ({"commit": 5, "best_case": 10, "pipeline": -3}, "pipeline"),
        ({"commit": 5, "best_case": 10}, "pipeline"),
        ({"period": "2026-Q4", "commit": 5, "best_case": 10, "pipeline": 10}, "period"),
        ({"period": CLOSED, "commit": 5, "best_case": 10, "pipeline": 10}, "period"),
        ({"period": "FY2027", "commit": 5, "best_case": 10, "pipeline": 10}, "period"),
        ({"owner": "nobody@example.com", "commit": 5, "best_case": 10, "pipeline": 10}, "owner"),
        ({"commit": 5, "best_case": 10, "pipeline": 10, "commit_adjustment": 3},
         "commit_adjustment"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_422_naming_the_field(
    calling: Cockpit, body: dict[str, object], field: str
) -> None:
    response = _post(calling, REP, **body)
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert field in response.json()["detail"]  # type: ignore[attr-defined]


def test_a_managers_roll_up_takes_adjustments_not_amounts(calling: Cockpit) -> None:
    sent = _post(calling, MANAGER, commit=100, best_case=200, pipeline=300)
    assert sent.status_code == 422  # type: ignore[attr-defined]
    assert "send commit_adjustment" in sent.json()["detail"]  # type: ignore[attr-defined]
    below = _post(calling, MANAGER, commit_adjustment=-(10**9))
    assert below.status_code == 422  # type: ignore[attr-defined]
    assert below.json()["detail"].startswith("commit_adjustment: takes the team's commit")  # type: ignore[attr-defined]


def test_the_form_submits_a_call_and_refuses_bad_amounts(calling: Cockpit) -> None:
    client = calling.client(REP)
    page = client.get(f"/forecast?period={QUARTER}")
    assert 'id="rep-call-form"' in page.text
    assert 'id="manager-call-form"' not in page.text  # a rep has no team to roll up
    form = {"csrf_token": csrf(client), "period": QUARTER, "commit": "12,000",
            "best_case": "15000", "pipeline": "40000", "note": "from the form"}  # fmt: skip
    sent = client.post("/forecast/submissions", data=form, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/forecast?period={QUARTER}#calls"
    assert _rows(calling, REP)["John Hernandez"]["rep_call"]["commit"] == 12000.0
    bad = client.post("/forecast/submissions", data={**form, "commit": "lots"})
    assert bad.status_code == 422
    assert "commit" in bad.text
    assert client.post("/forecast/submissions", data={**form, "csrf_token": "x"}).status_code == 403
    assert 'id="manager-call-form"' in calling.client(MANAGER).get("/forecast").text


def _bookings(ws: Workspace, owners: set[str], first: date, last: date) -> float:
    """Won amounts closed between `first` and `last` by `owners`, read from the table."""
    deals = ws.warehouse.table("opportunity", "core").execute()
    day = deals.closed_at.dt.date
    won = deals[deals.is_won & deals.owner_id.isin(owners) & (day >= first) & (day <= last)]
    return float(pd.to_numeric(won.amount).sum())


def test_past_calls_accuracy_is_the_commit_against_bookings_by_hand(calling: Cockpit) -> None:
    ws = calling.app.state.revops.workspace
    org = load_org(ws.metrics)
    rep, manager = org.find(REP), org.find(MANAGER)
    assert rep is not None
    assert manager is not None
    everything = Scope.everything()

    def made(who: str, day: date, **amounts: float) -> None:
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        body = calls.CallInput(period=CLOSED, **amounts)  # type: ignore[arg-type]
        calls.submit(calling.db, org, body, period=CLOSED, submitter=who, scope=everything, at=at)

    made(REP, date(2026, 9, 1), commit=10000, best_case=15000, pipeline=50000)
    made(REP, date(2026, 10, 20), commit=20000, best_case=30000, pipeline=50000)
    made(REP, date(2026, 11, 5), commit=19020, best_case=19020, pipeline=0)  # after close
    made(MANAGER, date(2026, 10, 25), commit_adjustment=100000, best_case_adjustment=150000)
    actual = _bookings(ws, {rep.user_id}, date(2026, 8, 1), date(2026, 10, 31))
    team = _bookings(ws, org.members(manager.user_id), date(2026, 8, 1), date(2026, 10, 31))
    assert actual == 19020.0  # John's one won deal of FY2027-Q3
    view = calling.client(MANAGER).get(f"/api/v1/forecast?period={QUARTER}").json()["calls"]
    past = {p["name"]: p for p in view["past"]}
    john = past["John Hernandez"]
    assert (john["period"], john["commit"], john["actual"]) == (CLOSED, 20000.0, actual)
    assert john["error"] == pytest.approx((20000 - 19020) / 19020)  # +5.15 %
    jessica = past["Jessica Watson"]
    assert jessica["commit"] == 20000.0 + 100000.0  # the team's call at the time + adjustment
    assert jessica["actual"] == pytest.approx(team)
    assert jessica["error"] == pytest.approx((120000 - team) / team)
    rows = {r["name"]: r for r in view["rows"]}
    assert rows["John Hernandez"]["accuracy"] == pytest.approx(abs(20000 - 19020) / 19020)
    assert rows["John Hernandez"]["closed_periods"] == 1
    assert "Jessica Watson" not in {p["name"] for p in calling.client(REP).get(
        f"/api/v1/forecast?period={QUARTER}").json()["calls"]["past"]}  # fmt: skip


def test_the_call_history_names_people_not_ids(calling: Cockpit, tmp_path: Path) -> None:
    page = calling.client(MANAGER).get(f"/forecast?period={QUARTER}").text
    assert 'id="calls-table"' in page
    assert "John Hernandez" in page
    assert "Jessica Watson" in page
    assert "team roll-up" in page


def test_the_cli_submits_and_lists_calls(
    demo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    w = ("-w", str(root))
    for email, role in ((REP, "rep"), (MANAGER, "manager"), (OTHER_REP, "rep")):
        assert run_cli(capsys, *w, "users", "add", email, "--role", role)[0] == 0
    day = ("--period", QUARTER, "--as-of", AS_OF.isoformat())
    code, _, err = run_cli(
        capsys, *w, "forecast", "submit", *day, "--commit", "20000", "--best-case", "35000",
        "--pipeline", "80000", "--note", "two deals", "--as", REP,
    )  # fmt: skip
    assert code == 0, err
    assert f"Stored the rep call of {REP} for {QUARTER}: commit 20,000" in err
    code, _, err = run_cli(
        capsys, *w, "forecast", "submit", *day, "--adjust-commit", "-5000", "--as", MANAGER
    )
    assert code == 0, err
    assert "commit 15,000 (the team's 20,000 -5,000)" in err
    refusals = [
        (("--commit", "-1", "--best-case", "5", "--pipeline", "5"), "commit: "),
        (("--commit", "9", "--best-case", "5", "--pipeline", "5"), "commit: commit 9 is above"),
        (("--commit", "1", "--best-case", "5"), "pipeline: a rep's call needs"),
        (("--commit", "1", "--best-case", "5", "--pipeline", "5", "--for", OTHER_REP),
         "owner: Michael Evans is outside your rows"),
    ]  # fmt: skip
    for options, message in refusals:
        code, _, err = run_cli(capsys, *w, "forecast", "submit", *day, *options, "--as", REP)
        assert code == 1
        assert message in err
        assert "Traceback" not in err
    code, _, err = run_cli(
        capsys, *w, "forecast", "submit", "--period", "2026-Q4", "--commit", "1",
        "--best-case", "2", "--pipeline", "3", "--as", REP,
    )  # fmt: skip
    assert (code, err.count("\n")) == (1, 1)
    assert "period: cannot read period label '2026-Q4'" in err
    code, out, err = run_cli(capsys, *w, "forecast", "calls", "--as", REP, "--format", "json")
    assert code == 0, err
    mine = json.loads(out)
    assert [(c["owner_name"], c["commit"], c["note"]) for c in mine] == [
        ("John Hernandez", 20000.0, "two deals")
    ]
    code, out, _ = run_cli(capsys, *w, "forecast", "calls", "--period", QUARTER, "-f", "json")
    every = json.loads(out)
    assert [(c["owner_name"], c["kind"], c["adjustment"]) for c in every] == [
        ("Jessica Watson", "manager", -5000.0), ("John Hernandez", "rep", None),
    ]  # fmt: skip
    db = AppDatabase("sqlite:///app.db", root)
    try:
        assert [e.action for e in audit.recent(db, 10)].count("forecast.submit") == 2
    finally:
        db.close()


@pytest.mark.postgres
def test_calls_and_roll_ups_are_stored_on_postgres() -> None:
    import secrets

    from revops.app.org import Org

    from conftest import POSTGRES_URL

    schema = f"calls_{secrets.token_hex(4)}"
    db = AppDatabase(POSTGRES_URL, Path.cwd(), schema=schema)
    org = Org.of([("m", "Mia", "m@x.io", None), ("a", "Ann", "a@x.io", "m"),
                  ("b", "Bo", "b@x.io", "m")])  # fmt: skip
    every = Scope.everything()
    try:
        db.migrate()

        def call(who: str, day: int, **values: float) -> calls.Submission:
            at = datetime(2026, 11, day, 9, tzinfo=UTC)
            body = calls.CallInput(period=QUARTER, **values)  # type: ignore[arg-type]
            return calls.submit(db, org, body, period=QUARTER, submitter=who, scope=every, at=at)

        call("a@x.io", 1, commit=10, best_case=20, pipeline=30)
        call("b@x.io", 2, commit=5, best_case=5, pipeline=5)
        call("a@x.io", 9, commit=40, best_case=50, pipeline=60)
        early = call("m@x.io", 3, commit_adjustment=-1)  # the team's calls of 3 November
        assert (early.team_commit, early.commit) == (15.0, 14.0)
        late = call("m@x.io", 10, commit_adjustment=-1)
        assert (late.team_commit, late.commit, late.pipeline) == (45.0, 44.0, 65.0)
        assert {o: s.commit for o, s in calls.latest(db, QUARTER).items()} == {
            "a": 40.0, "b": 5.0, "m": 44.0,
        }  # fmt: skip
        assert len(calls.history(db, owners={"a"})) == 2
        with pytest.raises(calls.CallRefusedError, match="Bo is outside your rows"):
            calls.submit(
                db, org,
                calls.CallInput(period=QUARTER, owner="b", commit=1, best_case=1, pipeline=1),
                period=QUARTER, submitter="a@x.io", scope=Scope(frozenset({"a"})),
            )  # fmt: skip
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        db.close()
