"""The Salesforce connector's own cases, beyond the conformance suite: a query page and a
Data Loader CSV of the same records load the same rows; OAuth flows; the daily limit; a
page boundary inside one second; an object the org does not have."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff
from revops.ingest.connect.connection import Connection
from revops.ingest.connect.protocol import StreamState
from revops.ingest.connect.salesforce import ENTITIES, SalesforceConnector
from revops.ingest.connect.salesforce_bulk import typed
from revops.ingest.connect.state import read_states
from revops.ingest.connect.sync import sync
from revops.ingest.mapping import shipped_mappings
from revops.ingest.runner import ingest
from revops.model import get_entity
from revops.workspace import Workspace

import fake_salesforce
from connectors import SALESFORCE, Sleeps
from fake_salesforce import FakeSalesforce, sf_id, sf_time
from support import rows, run_cli


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv(SALESFORCE.key_env, SALESFORCE.good_key)
    workspace = Workspace.create(tmp_path / "ws")
    yield workspace
    workspace.close()


def oauth(url: str, flow: str) -> Connection:
    return Connection.model_validate(
        {"source": "salesforce", "base_url": url, "user": fake_salesforce.CLIENT_ID, "oauth": flow}
    )


def data_loader_csv(fake: FakeSalesforce, folder: Path) -> None:
    """The fake's live records as Data Loader writes them: one CSV per object, API field
    names, `true`/`false`, empty cells for nulls."""
    for obj, records in fake.store.items():
        names = [n for n, kind in fake.fields[obj] if kind != "address"]
        with (folder / f"{obj}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL)
            writer.writerow(names)
            for record in records.values():
                if not record.get("IsDeleted"):
                    writer.writerow([_cell(record[n]) for n in names])


def canonical_rows(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """The Salesforce rows of every table a sync writes, without load ids."""
    found = {}
    for name in SALESFORCE.tables:
        table = ws.warehouse.table(name, get_entity(name).namespace)
        found[name] = rows(table.filter(table.source_system == "salesforce"))
    return found


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


FILE_ONLY = {
    ("OpportunityLineItem", "deal_line"),
    ("Product2", "product"),
    ("OpportunityTeamMember", "opportunity_team_member"),
}
"""Objects the shipped mappings read from file exports that the API sync does not read
yet, as docs/ingest.md says."""


def test_the_connector_reads_every_object_a_shipped_salesforce_mapping_reads() -> None:
    shipped = {
        (m.object, m.entity)
        for m in shipped_mappings()
        if m.source == "salesforce" and not m.object.startswith("report_")
    }
    assert shipped >= FILE_ONLY
    assert shipped - FILE_ONLY == set(ENTITIES.items())
    docs = (Path(__file__).parents[3] / "docs" / "ingest.md").read_text(encoding="utf-8")
    said = re.search(r"file exports only: the API sync does not read ([^.)]*)", docs)
    assert said is not None
    assert {o for o, _ in FILE_ONLY} == set(re.findall(r"`(\w+)`", said.group(1)))


def test_a_query_page_and_a_data_loader_csv_of_the_same_records_load_the_same_rows(
    ws: Workspace, tmp_path: Path
) -> None:
    fake = FakeSalesforce(customers=3)
    fake.delete("Contact", sf_id("Contact", 2))
    with fake.serving() as url:
        synced = sync(ws, SALESFORCE.connector(url, page_size=100))
        # The same pages, saved by hand from the API, are a file ingest of their own.
        pages = tmp_path / "pages" / "salesforce"
        pages.mkdir(parents=True)
        headers = {"Sforce-Query-Options": "batchSize=2000"}
        for obj in fake.store:
            fields = [n for n, kind in fake.fields[obj] if kind != "address"]
            soql = f"SELECT {', '.join(fields)} FROM {obj}"
            status, body, _ = fake.run_query(soql, False, {**headers}, fake_salesforce.TOKEN)
            assert status == 200
            (pages / f"{obj}-page-1.json").write_text(json.dumps(body), encoding="utf-8")
    files = tmp_path / "csv" / "salesforce"
    files.mkdir(parents=True)
    data_loader_csv(fake, files)
    assert synced.error == ""
    assert synced.quarantined == 0
    assert synced.deletions == 1
    for folder in (files, pages):
        other = Workspace.create(tmp_path / f"ws-{folder.parent.name}")
        try:
            report = ingest(other, [folder], quality=False)
            assert report.ok, [(n.file, n.message) for n in report.notes]
            assert canonical_rows(other) == canonical_rows(ws), folder.parent.name
        finally:
            other.close()


@pytest.mark.parametrize("flow", ["refresh_token", "client_credentials"])
def test_an_oauth_flow_gets_a_token_and_a_new_one_when_it_expires(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, flow: str
) -> None:
    monkeypatch.setenv("SALESFORCE_REFRESH_TOKEN", fake_salesforce.REFRESH_TOKEN)
    monkeypatch.setenv("SALESFORCE_CLIENT_SECRET", fake_salesforce.CLIENT_SECRET)
    fake = FakeSalesforce(customers=2)
    with fake.serving() as url:
        connector = SalesforceConnector(oauth(url, flow), Backoff(sleep=Sleeps()))
        first = sync(ws, connector)
        fake.expire_tokens()
        fake.update("Account", sf_id("Account", 1), Name="Renamed")
        second = sync(ws, connector)
    assert first.error == second.error == ""
    assert second.changed == 1
    assert next(fake.issued) == 3  # two tokens were issued: the first, then its renewal


def test_a_refused_oauth_flow_is_one_line(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESFORCE_CLIENT_SECRET", "wrong")
    fake = FakeSalesforce(customers=1)
    with fake.serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, SalesforceConnector(oauth(url, "client_credentials"), Backoff(sleep=Sleeps())))
    assert str(caught.value) == (
        "salesforce: the OAuth client_credentials flow was refused (400): invalid client "
        "credentials; check the client id, its secret and the refresh token"
    )


def test_the_daily_request_limit_is_one_line_and_not_retried(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SALESFORCE.key_env, fake_salesforce.LIMITED)
    sleeps = Sleeps()
    fake = FakeSalesforce(customers=1)
    with fake.serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, SALESFORCE.connector(url, sleeps))
    assert str(caught.value) == (
        "salesforce UserRole: the org's daily API request limit is used up "
        "(REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.); sync again once it frees "
        "up (Setup → Company Information shows the limit)"
    )
    assert sleeps.waits == []


def test_a_concurrent_request_limit_is_waited_out(ws: Workspace) -> None:
    sleeps = Sleeps()
    fake = FakeSalesforce(customers=1)
    limit = ("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
    fake.fail(fake_salesforce.QUERY_ALL_PATH, 403, times=2, retry_after="3", error=limit)
    with fake.serving() as url:
        result = sync(ws, SALESFORCE.connector(url, sleeps))
    assert result.error == ""
    assert sleeps.waits == [3.0, 3.0]
    assert ws.warehouse.table("account").count().execute() == 1


def test_records_of_one_second_split_by_a_page_are_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SALESFORCE.key_env, SALESFORCE.good_key)
    fake = FakeSalesforce(customers=3)
    same = sf_time(fake.clock.replace(microsecond=0))
    for n in (1, 2, 3):
        fake.store["Account"][sf_id("Account", n)]["SystemModstamp"] = same
    with fake.serving() as url:
        connector = SALESFORCE.connector(url, page_size=1)
        first = next(iter(connector.pages("Account", StreamState())))
        assert first.records == 1
        # A sync stopped after the first page resumes from its cursor.
        rest = list(SALESFORCE.connector(url, page_size=1).pages("Account", first.state))
    ids = [json.loads(p.files["Account.json"])["records"][0]["Id"] for p in rest if p.files]
    assert ids == [sf_id("Account", 2), sf_id("Account", 3)]
    assert first.state.cursor == f"{same}|{sf_id('Account', 1)}"


def test_an_object_the_org_does_not_have_is_left_out(ws: Workspace) -> None:
    fake = FakeSalesforce(customers=2)
    del fake.fields["OpportunityFieldHistory"]
    with fake.serving() as url:
        result = sync(ws, SALESFORCE.connector(url))
    assert result.error == ""
    assert ws.warehouse.table("opportunity_field_change").count().execute() == 0
    assert ws.warehouse.table("opportunity").count().execute() == 2


def test_connect_with_an_oauth_flow_stores_no_secret_and_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    Workspace.create(root).close()
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(
        f"salesforce: {{client_secret: {fake_salesforce.CLIENT_SECRET}, "
        f"refresh_token: {fake_salesforce.REFRESH_TOKEN}}}\n"
    )
    monkeypatch.delenv("SALESFORCE_CLIENT_SECRET", raising=False)
    monkeypatch.delenv("SALESFORCE_REFRESH_TOKEN", raising=False)
    fake = FakeSalesforce(customers=1)
    with fake.serving() as url:
        code, _, err = run_cli(
            capsys, "-w", str(root), "connect", "salesforce", "--base-url", url,
            "--oauth", "refresh_token", "--user", fake_salesforce.CLIENT_ID,
            "--secrets-file", str(secrets),
        )  # fmt: skip
        assert code == 0, err
        assert "Connected salesforce (key from " in err
        stored = (root / "connections.yaml").read_text()
        assert "oauth: refresh_token" in stored
        assert fake_salesforce.REFRESH_TOKEN not in stored
        code, _, err = run_cli(capsys, "-w", str(root), "sync", "salesforce")
    assert code == 0, err
    assert "salesforce: full sync, 13 records" in err


def test_compound_fields_are_not_asked_for_and_deletable_objects_read_the_recycle_bin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SALESFORCE.key_env, SALESFORCE.good_key)
    with FakeSalesforce(customers=1).serving() as url:
        connector = SalesforceConnector(SALESFORCE.connection(url), Backoff(sleep=Sleeps()))
        account = connector.describe("Account")
        role = connector.describe("UserRole")
        history = connector.describe("OpportunityFieldHistory")
    assert account is not None
    assert role is not None
    assert history is not None
    fields, stamp, deletable = account
    assert "BillingAddress" not in fields
    assert {"Id", "Name", "BillingCountry", "IsDeleted"} <= set(fields)
    assert (stamp, deletable) == ("SystemModstamp", True)
    assert role[1:] == ("SystemModstamp", False)
    assert history[1:] == ("CreatedDate", True)


def _bulk_connector(url: str, sleeps: Sleeps, threshold: int = 5) -> SalesforceConnector:
    connection = SALESFORCE.connection(url).model_copy(update={"bulk_threshold": threshold})
    connector = SalesforceConnector(connection, Backoff(sleep=sleeps))
    connector.bulk_max_records = 3
    return connector


def test_a_bulk_api_job_loads_exactly_the_rows_of_rest_query_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SALESFORCE.key_env, SALESFORCE.good_key)
    fake = FakeSalesforce(customers=7)
    fake.delete("Contact", sf_id("Contact", 2))  # in the recycle bin: queryAll reads it
    rest, bulk = (Workspace.create(tmp_path / name) for name in ("rest", "bulk"))
    sleeps = Sleeps()
    try:
        with fake.serving() as url:
            sync(rest, SALESFORCE.connector(url))
            assert not [r for r in fake.requests if r[0] == "POST"]  # 7 rows: under 50,000
            fake.requests.clear()
            result = sync(bulk, _bulk_connector(url, sleeps))
            jobs = [r for r in fake.requests if r == ("POST", fake_salesforce.JOBS_PATH)]
            results = [r for r in fake.requests if r[1].endswith("/results")]
            bulk_state = read_states(bulk.warehouse, "salesforce")
            newest = max((r["SystemModstamp"], r["Id"]) for r in fake.store["Account"].values())
            # Changes after a bulk full sync are read by REST from the bulk job's cursor.
            fake.update("Account", sf_id("Account", 3), Name="Renamed Co")
            fake.requests.clear()
            sync(rest, SALESFORCE.connector(url))
            sync(bulk, _bulk_connector(url, sleeps))
            assert not [r for r in fake.requests if r[0] == "POST"]
        assert SALESFORCE.snapshot(bulk) == SALESFORCE.snapshot(rest)
    finally:
        rest.close()
        bulk.close()
    # 7 customers: the nine objects with a row per customer (7 >= 5) go through a job,
    # UserRole (2 rows), User (1) and Campaign (1) through REST; 7 rows in sets of 3 are
    # three result sets a job; each job is polled three times (two waits).
    assert len(jobs) == 9
    assert len(results) == 9 * 3
    assert sleeps.waits == [0.5, 1.0] * 9
    assert result.deletions == 1
    assert bulk_state["Account"].cursor == f"{newest[0]}|{newest[1]}"


def test_a_failed_bulk_api_job_is_one_line_naming_the_object(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeSalesforce(customers=2)
    fake.failing_jobs.add("Account")
    with fake.serving() as url, pytest.raises(ConnectorError) as caught:
        sync(ws, _bulk_connector(url, Sleeps(), threshold=0))
    message = str(caught.value)
    assert "Account" in message
    assert "ended Failed" in message
    assert "QUERY_TIMEOUT" in message
    assert "\n" not in message
    states = read_states(ws.warehouse, "salesforce")
    assert states["Account"].cursor is None  # the next sync runs a new job
    assert states["Campaign"].cursor is not None  # objects before it stay synced


@pytest.mark.parametrize(
    ("cell", "kind", "value"),
    [("true", "boolean", True), ("false", "boolean", False), ("", "boolean", None),
     ("7", "int", 7), ("0.5", "percent", 0.5), ("abc", "currency", "abc"),
     ("2024-05-01T00:01:00.000Z", "datetime", "2024-05-01T00:01:00.000+0000"),
     ("2024-05-01", "date", "2024-05-01"), ("", "string", None)],
)  # fmt: skip
def test_a_bulk_csv_cell_is_typed_as_the_rest_api_writes_it(
    cell: str, kind: str, value: object
) -> None:
    assert typed(cell, kind) == value


def test_connect_with_a_bulk_threshold_stores_it_and_full_syncs_by_bulk_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    Workspace.create(root).close()
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", fake_salesforce.TOKEN)
    fake = FakeSalesforce(customers=1)
    fake.bulk_polls = 0
    with fake.serving() as url:
        code, _, err = run_cli(
            capsys, "-w", str(root), "connect", "stripe", "--bulk-threshold", "0"
        )  # fmt: skip
        assert code == 1
        assert "--bulk-threshold is for salesforce" in err
        code, _, err = run_cli(
            capsys, "-w", str(root), "connect", "salesforce", "--base-url", url,
            "--bulk-threshold", "0",
        )  # fmt: skip
        assert code == 0, err
        assert "bulk_threshold: 0" in (root / "connections.yaml").read_text()
        code, _, err = run_cli(capsys, "-w", str(root), "sync", "salesforce")
    assert code == 0, err
    assert "salesforce: full sync, 13 records" in err  # as by REST (the OAuth test above)
    assert len([r for r in fake.requests if r[0] == "POST"]) == len(ENTITIES)
