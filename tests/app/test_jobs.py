"""Jobs: the actions that write the warehouse (ingest an uploaded file, quality run,
identity run, forecast backtest) through the REST API, each a job run in the background
on a copy of the demo company, under the role's permissions and in the audit log."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.conftest import AS_OF, MANAGER, REP, Cockpit, role_email, serving
from revops.app import audit, jobs, uploads, users

from support import csrf, run_cli

ACCOUNTS = (
    "Id,Name,Website,Industry,NumberOfEmployees,CreatedDate,LastModifiedDate\n"
    "001ZZ00000Zyxwv1AA,Zyxwvut Labs,https://zyxwvut.example,Software,40,"
    "2026-01-05T10:00:00.000+0000,2026-01-05T10:00:00.000+0000\n"
    "001ZZ00000Zyxwv2AA,Zyxwvut Freight,zyxfreight.example,Logistics,12,"
    "2026-02-01T10:00:00.000+0000,2026-02-01T10:00:00.000+0000\n"
    ",No Id Inc,noid.example,Retail,3,2026-02-01T10:00:00.000+0000,"
    "2026-02-01T10:00:00.000+0000\n"
)
REVOPS = role_email("revops")


def _copy(demo_root: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    root = tmp_path_factory.mktemp(name) / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    return root


@pytest.fixture(scope="module")
def served(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The app on a copy of the demo company, which its jobs change."""
    with serving(_copy(demo_root, tmp_path_factory, "jobs")) as cockpit:
        yield cockpit


def _csrf(cockpit: Cockpit, email: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf(cockpit.client(email))}


def _wait(client: TestClient, url: str, seconds: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(url).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish")


def _upload(
    cockpit: Cockpit, email: str, content: bytes, *, name: str = "Account.csv", **form: str
) -> Any:
    data = {"source": "salesforce", "object": "Account", **form}
    return cockpit.client(email).post(
        "/api/v1/ingest", data=data, files={"file": (name, content, "text/csv")},
        headers=_csrf(cockpit, email),
    )  # fmt: skip


def _uploaded(cockpit: Cockpit) -> list[Path]:
    return sorted((cockpit.root / uploads.UPLOADS).glob("*/*"))


def test_an_uploaded_export_is_loaded_by_a_job_and_the_pages_show_it_at_once(
    served: Cockpit,
) -> None:
    client = served.client(REVOPS)
    assert client.get("/api/v1/search?q=Zyxwvut").json()["total"] == 0  # now cached
    response = _upload(served, REVOPS, ACCOUNTS.encode())
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/api/v1/jobs/{response.json()['id']}"
    assert response.json()["status"] in ("queued", "running")
    job = _wait(client, response.headers["location"])
    assert job["status"] == "succeeded", job["error"]
    assert job["requested_by"] == REVOPS
    assert job["started_at"] <= job["finished_at"]
    [load] = job["result"]["loads"]
    assert (load["object"], load["rows_in"], load["loaded"], load["quarantined"]) == (
        "salesforce/Account", 3, 2, 1,
    )  # fmt: skip
    assert job["result"]["quality"]["records"] > 0
    assert job["params"]["file"] == "Account.csv"
    [saved] = _uploaded(served)
    assert saved.name == "Account.csv"
    assert saved.read_bytes() == ACCOUNTS.encode()
    found = client.get("/api/v1/search?q=Zyxwvut").json()
    assert sorted(h["name"] for h in found["hits"]) == ["Zyxwvut Freight", "Zyxwvut Labs"]


@pytest.mark.parametrize(
    ("form", "name", "content", "status", "message"),
    [
        ({"source": "nosuch"}, "Account.csv", b"Id\n1\n", 422, "source: no mapping for 'nosuch'"),
        ({"object": "Nope"}, "Account.csv", b"Id\n1\n", 422, "object: no salesforce mapping"),
        ({}, "../../revops.yaml.csv", b"Id\n1\n", 422, "is not a plain file name"),
        ({}, "..\\evil.csv", b"Id\n1\n", 422, "is not a plain file name"),
        ({}, "Account.xlsx", b"PK\x03\x04", 422, "is not a CSV export"),
        ({}, "Account.csv", b"\x00\x01binary", 422, "binary content"),
        ({}, "Account.csv", b"", 422, "file: empty"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_field_and_nothing_is_written(
    served: Cockpit, form: dict[str, str], name: str, content: bytes, status: int, message: str
) -> None:
    before = (_uploaded(served), served.client(REVOPS).get("/api/v1/jobs").json()["total"])
    response = _upload(served, REVOPS, content, name=name, **form)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    after = (_uploaded(served), served.client(REVOPS).get("/api/v1/jobs").json()["total"])
    assert after == before
    assert list((served.root / uploads.UPLOADS).glob("*/")) == [p.parent for p in before[0]]


def test_an_upload_over_the_limit_is_413(served: Cockpit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_BYTES", 1024)
    before = _uploaded(served)
    response = _upload(served, REVOPS, b"Id,Name\n" + b"001,x\n" * 400)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert _uploaded(served) == before


def test_a_quality_run_job_stores_what_the_cli_run_stores(
    served: Cockpit,
    demo_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    twin = _copy(demo_root, tmp_path_factory, "cli")
    code, out, _ = run_cli(capsys, "--workspace", str(twin), "quality", "run",
                           "--as-of", AS_OF.isoformat(), "--format", "json")  # fmt: skip
    assert code == 0
    cli = {r["entity"]: (r["records"], r["passing"]) for r in json.loads(out)}
    # the served copy has the upload of the test above: compare the entities it left alone
    client = served.client(REVOPS)
    response = client.post("/api/v1/quality/runs", json={"entities": ["opportunity", "contact"]},
                           headers=_csrf(served, REVOPS))  # fmt: skip
    assert response.status_code == 202, response.text
    job = _wait(client, response.headers["location"])
    assert job["status"] == "succeeded", job["error"]
    assert job["result"]["as_of"] == AS_OF.isoformat()
    got = {r["entity"]: (r["records"], r["passing"]) for r in job["result"]["entities"]}
    assert set(got) == {"opportunity", "contact"}
    assert got == {name: cli[name] for name in got}
    assert all(records > 0 for records, _ in got.values())


def test_an_identity_run_job_resolves_and_reports_each_kind(served: Cockpit) -> None:
    client = served.client(REVOPS)
    response = client.post("/api/v1/identity/runs", json={"kinds": ["company"]},
                           headers=_csrf(served, REVOPS))  # fmt: skip
    assert response.status_code == 202, response.text
    job = _wait(client, response.headers["location"])
    assert job["status"] == "succeeded", job["error"]
    [run] = job["result"]["runs"]
    assert run["kind"] == "company"
    assert 0 < run["entities"] <= run["records"]
    assert client.get("/api/v1/identity/review?kind=company").status_code == 200


def test_a_backtest_job_reports_the_methods_errors(served: Cockpit) -> None:
    client = served.client(REVOPS)
    response = client.post("/api/v1/forecast/backtests", json={"periods": 2},
                           headers=_csrf(served, REVOPS))  # fmt: skip
    assert response.status_code == 202, response.text
    job = _wait(client, response.headers["location"])
    assert job["status"] == "succeeded", job["error"]
    assert job["result"]["periods"] == 2
    methods = {row["method"] for row in job["result"]["summary"]}
    assert len(methods) >= 2


def test_a_second_write_job_waits_queued_for_the_first(served: Cockpit) -> None:
    client = served.client(REVOPS)
    headers = _csrf(served, REVOPS)
    first = client.post("/api/v1/quality/runs", json={"entities": ["contact"]}, headers=headers)
    first = first.json()
    second = client.post("/api/v1/quality/runs", json={"entities": ["account"]}, headers=headers)
    assert second.status_code == 202
    assert second.json()["status"] == "queued"
    done = [_wait(client, job["url"]) for job in (first, second.json())]
    assert [d["status"] for d in done] == ["succeeded", "succeeded"]
    assert done[0]["finished_at"] <= done[1]["started_at"]
    listed = client.get("/api/v1/jobs?limit=2").json()
    assert [j["id"] for j in listed["jobs"]] == [done[1]["id"], done[0]["id"]]
    assert listed["total"] > 2
    assert listed["limit"] == 2


@pytest.fixture
def held(served: Cockpit) -> Iterator[tuple[dict[str, Any], threading.Event]]:
    """A job that runs until the test lets it go, so the next ones stay queued."""
    state = served.app.state.revops
    release, running = threading.Event(), threading.Event()

    def hold(_: Any) -> dict[str, Any]:
        running.set()
        release.wait(120)
        return {"entities": []}

    job = jobs.create(served.db, "quality", {"entities": []}, REVOPS)
    state.runner.submit(job, hold)
    assert running.wait(60)
    try:
        yield {"id": job.id, "url": f"/api/v1/jobs/{job.id}"}, release
    finally:
        release.set()


def test_a_queued_job_is_cancelled_and_never_runs_a_running_one_is_not(
    served: Cockpit, held: tuple[dict[str, Any], threading.Event],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    running, release = held
    client = served.client(REVOPS)
    headers = _csrf(served, REVOPS)
    queued = [
        client.post("/api/v1/quality/runs", json={"entities": ["account"]}, headers=headers)
        .json() for _ in range(3)
    ]  # fmt: skip
    assert [q["status"] for q in queued] == ["queued"] * 3
    # By the API, the page's form and the CLI.
    cancelled = client.post(f"{queued[0]['url']}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["error"]) == (
        "cancelled",
        f"cancelled by {REVOPS}",
    )
    form = client.post(f"/jobs/{queued[1]['id']}/cancel", data={"csrf_token":
                       headers["X-CSRF-Token"]}, follow_redirects=False)  # fmt: skip
    assert (form.status_code, form.headers["location"]) == (303, "/jobs")
    code, out, _ = run_cli(capsys, "--workspace", str(served.root), "jobs", "cancel",
                           queued[2]["id"], "--format", "json")  # fmt: skip
    assert (code, json.loads(out)["status"]) == (0, "cancelled")
    # The one running goes on: it writes the warehouse.
    refused = client.post(f"{running['url']}/cancel", headers=headers)
    assert refused.status_code == 409
    assert "running" in refused.json()["detail"]
    assert served.client(REP).post(f"{queued[0]['url']}/cancel", headers=_csrf(served, REP)
                                   ).status_code == 403  # fmt: skip
    assert client.post("/api/v1/jobs/0123456789abcdef/cancel", headers=headers).status_code == 404
    release.set()
    assert _wait(client, running["url"])["status"] == "succeeded"
    # Behind it, a job asked after the cancelled ones runs; they never start.
    after = client.post("/api/v1/quality/runs", json={"entities": ["account"]}, headers=headers)
    assert _wait(client, after.json()["url"])["status"] == "succeeded"
    for job in queued:
        shown = client.get(job["url"]).json()
        assert (shown["status"], shown["started_at"]) == ("cancelled", None)
    again = client.post(f"{queued[0]['url']}/cancel", headers=headers)
    assert again.status_code == 409
    assert "cancelled" in again.json()["detail"]
    code, _, err = run_cli(capsys, "--workspace", str(served.root), "jobs", "cancel",
                           queued[0]["id"])  # fmt: skip
    assert code == 1
    assert "only a queued job can be cancelled" in err
    events = [(e.action, e.target) for e in audit.recent(served.db, 1000)]
    assert all(("job.cancelled", q["id"]) in events for q in queued)
    page = client.get("/jobs").text
    assert f"cancelled by {REVOPS}" in page


def test_a_warehouse_held_by_another_process_fails_the_job_in_one_line(
    served: Cockpit,
) -> None:
    path = served.root / "warehouse.duckdb"
    assert path.is_file()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         f"c = duckdb.connect({str(path)!r}, read_only=True)\nprint('held', flush=True)\n"
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        client = served.client(REVOPS)
        response = client.post(
            "/api/v1/quality/runs", json={"entities": ["account"]}, headers=_csrf(served, REVOPS)
        )
        job = _wait(client, response.headers["location"])
    finally:
        holder.communicate("")
    assert job["status"] == "failed"
    assert f"in use by process {holder.pid}" in job["error"]
    assert "\n" not in job["error"]
    assert "Traceback" not in job["error"]
    # the cockpit reads on, and the next job writes
    assert client.get("/api/v1/search?q=Zyxwvut").status_code == 200
    again = client.post("/api/v1/quality/runs", json={"entities": ["account"]},
                        headers=_csrf(served, REVOPS))  # fmt: skip
    assert _wait(client, again.headers["location"])["status"] == "succeeded"


ACTIONS = [
    ("/api/v1/quality/runs", {}),
    ("/api/v1/identity/runs", {}),
    ("/api/v1/forecast/backtests", {}),
]


@pytest.mark.parametrize("email", [REP, MANAGER, role_email("finance")])
def test_roles_without_the_permission_may_start_no_job_nor_list_them(
    served: Cockpit, email: str
) -> None:
    client = served.client(email)
    before = served.client(REVOPS).get("/api/v1/jobs").json()["total"]
    for url, body in ACTIONS:
        assert client.post(url, json=body, headers=_csrf(served, email)).status_code == 403
    assert _upload(served, email, ACCOUNTS.encode()).status_code == 403
    assert client.get("/api/v1/jobs").status_code == 403
    assert served.client(REVOPS).get("/api/v1/jobs").json()["total"] == before


def test_a_token_needs_the_jobs_scope(served: Cockpit) -> None:
    account = next(u for u in users.list_users(served.db) if u.email == REVOPS)
    read, _ = users.create_token(served.db, account.id, "read", ("read",), actor=REVOPS)
    jobs, _ = users.create_token(served.db, account.id, "jobs", ("jobs",), actor=REVOPS)
    client = TestClient(served.app)
    url, body = ACTIONS[0]
    refused = client.post(url, json=body, headers={"Authorization": f"Bearer {read}"})
    assert refused.status_code == 403
    made = client.post(url, json={"entities": ["account"]},
                       headers={"Authorization": f"Bearer {jobs}"})  # fmt: skip
    assert made.status_code == 202, made.text
    got = client.get(made.headers["location"], headers={"Authorization": f"Bearer {jobs}"})
    assert got.status_code == 200
    _wait(served.client(REVOPS), made.headers["location"])


def test_a_cookie_session_needs_the_csrf_token(served: Cockpit) -> None:
    response = served.client(REVOPS).post("/api/v1/quality/runs", json={})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_unknown_and_malformed_job_ids(served: Cockpit) -> None:
    client = served.client(REVOPS)
    assert client.get("/api/v1/jobs/0123456789abcdef").status_code == 404
    assert client.get("/api/v1/jobs/..%2F..").status_code in (404, 422)
    assert client.get("/api/v1/jobs?limit=0").status_code == 422


def test_every_job_is_in_the_audit_log_with_who_and_its_id(served: Cockpit) -> None:
    client = served.client(REVOPS)
    ids = {j["id"]: j for j in client.get("/api/v1/jobs?limit=200").json()["jobs"]}
    assert ids
    events = audit.recent(served.db, 1000)
    for job_id, job in ids.items():
        asked = [e for e in events if e.target == job_id and e.action == f"job.{job['kind']}"]
        assert [e.actor for e in asked] == [job["requested_by"]]
        if job["status"] in ("succeeded", "failed"):
            assert any(e.action == f"job.{job['status']}" and e.target == job_id for e in events)


def test_the_jobs_page_lists_jobs_and_its_forms_start_them(served: Cockpit) -> None:
    client = served.client(REVOPS)
    page = client.get("/jobs")
    assert page.status_code == 200
    assert 'action="/jobs/ingest"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    before = client.get("/api/v1/jobs").json()["total"]
    token = _csrf(served, REVOPS)["X-CSRF-Token"]
    made = client.post("/jobs/backtest", data={"csrf_token": token, "periods": "1"},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    assert made.headers["location"] == "/jobs"
    listed = client.get("/api/v1/jobs").json()
    assert listed["total"] == before + 1
    job = _wait(client, listed["jobs"][0]["url"])
    assert (job["kind"], job["params"]["periods"]) == ("backtest", 1)
    assert job["status"] == "succeeded", job["error"]
    assert "1 period(s), methods" in client.get("/jobs").text
    rep = served.client(REP)
    assert rep.get("/jobs").status_code == 403
    refused = rep.post("/jobs/quality", data={"csrf_token": _csrf(served, REP)["X-CSRF-Token"]})
    assert refused.status_code == 403


def test_the_cli_lists_and_shows_the_jobs(
    served: Cockpit, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = served.client(REVOPS).get("/api/v1/jobs?limit=5").json()["jobs"]
    code, out, _ = run_cli(capsys, "--workspace", str(served.root), "jobs", "list",
                           "--limit", "5", "--format", "json")  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert [(r["id"], r["kind"], r["status"]) for r in rows] == [
        (j["id"], j["kind"], j["status"]) for j in listed
    ]
    code, out, _ = run_cli(capsys, "--workspace", str(served.root), "jobs", "show",
                           listed[0]["id"], "--format", "json")  # fmt: skip
    assert code == 0
    shown = json.loads(out)
    assert shown["requested_by"] == listed[0]["requested_by"]
    assert shown["result"] == listed[0]["result"]
    code, _, err = run_cli(capsys, "--workspace", str(served.root), "jobs", "show", "nosuch")
    assert code == 1
    assert "no job nosuch" in err


def test_a_job_opens_the_warehouse_once_the_running_queries_end(served: Cockpit) -> None:
    import threading

    state = served.app.state.revops
    events: list[str] = []
    inside = threading.Event()

    def query() -> None:
        with state.reading():
            inside.set()
            time.sleep(0.5)
            events.append("query ended")

    reader = threading.Thread(target=query)
    reader.start()
    inside.wait(10)
    state._switch(lambda: events.append("switched"))
    reader.join()
    assert events == ["query ended", "switched"]


def test_failing_records_are_assigned_to_their_owners_by_a_job(served: Cockpit) -> None:
    client = served.client(REVOPS)
    rule = next(r for r in client.get("/api/v1/quality").json()["rules"] if r["failures"] > 1)
    failing = client.get(f"/api/v1{rule['url']}&limit=500").json()["records"]
    owned = [r for r in failing if r["owner_id"]]
    page = client.get(rule["url"]).text
    assert 'action="/quality/failures/assign"' in page
    made = client.post("/api/v1/quality/assignments", headers=_csrf(served, REVOPS),
                       json={"entity": rule["entity"], "rule": rule["rule"]})  # fmt: skip
    assert made.status_code == 202, made.text
    job = _wait(client, made.headers["location"])
    assert job["status"] == "succeeded", job["error"]
    assert (job["result"]["records"], job["result"]["tasks"]) == (len(failing), len(owned))
    ws = served.app.state.revops.workspace
    with served.app.state.revops.reading():
        tasks = ws.automate.tasks(limit=100_000)
    mine = {
        (t["user_id"], t["record_id"]) for t in tasks if t["workflow"] == f"quality:{rule['rule']}"
    }
    assert mine == {(r["owner_id"], r["record_id"]) for r in owned}
    # The page's form does the same (nothing new: each record has its task); a rep may not.
    token = _csrf(served, REVOPS)["X-CSRF-Token"]
    fields = {"csrf_token": token, "entity": rule["entity"], "rule": rule["rule"]}
    form = client.post("/quality/failures/assign", data=fields, follow_redirects=False)
    assert (form.status_code, form.headers["location"]) == (303, "/jobs")
    second = _wait(client, client.get("/api/v1/jobs?limit=1").json()["jobs"][0]["url"])
    assert (second["kind"], second["result"]["tasks"]) == ("assign", 0)
    rep = served.client(REP)
    assert 'action="/quality/failures/assign"' not in rep.get(rule["url"]).text
    refused = rep.post("/api/v1/quality/assignments", headers=_csrf(served, REP),
                       json={"entity": rule["entity"], "rule": rule["rule"]})  # fmt: skip
    assert refused.status_code == 403
