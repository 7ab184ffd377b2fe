"""The conformance suite every connector passes, against a fake of its API over real
HTTP: full and incremental syncs, deletes, new fields, rate limits, server errors, bad
credentials, and resuming after a failure without loss or duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revops.errors import ConnectorError
from revops.ingest.connect import status
from revops.ingest.connect.state import read_states
from revops.ingest.connect.sync import sync
from revops.workspace import Workspace

from conftest import POSTGRES_URL
from connectors import HARNESSES, Harness, Sleeps, table_of
from support import company_on


@pytest.fixture(params=HARNESSES, ids=lambda h: h.source)
def harness(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Harness:
    h: Harness = request.param
    monkeypatch.setenv(h.key_env, h.good_key)
    return h


@pytest.fixture
def ws(harness: Harness, tmp_path: Path) -> Iterator[Workspace]:
    workspace = harness.workspace(tmp_path / "ws")
    yield workspace
    workspace.close()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_ws(harness: Harness, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """A workspace on each transactional backend."""
    root = tmp_path / "ws"
    with company_on(root, request.param, POSTGRES_URL, configure=harness.configure) as company:
        yield company.ws


def by_id(snapshot: list[tuple[Any, ...]], ws: Workspace, table: str) -> dict[str, tuple[Any, ...]]:
    columns = [c for c in table_of(ws, table).columns if c != "load_id"]
    at = columns.index("source_id")
    return {row[at]: row for row in snapshot}


def test_a_full_sync_loads_every_record_and_records_its_state(
    harness: Harness, ws: Workspace
) -> None:
    with harness.serving() as (fake, url):
        result = sync(ws, harness.connector(url))
        expected = harness.counts(fake)
    snapshot = harness.snapshot(ws)
    assert {t: len(snapshot[t]) for t in harness.tables} == expected
    assert result.is_full
    assert result.error == ""
    assert result.quarantined == 0
    assert result.changed == sum(expected.values())
    assert result.pages > len(harness.tables)  # pages of 3: every list has several
    [state] = status(ws)
    assert state.source == harness.source
    assert state.status == "ok"
    assert state.cursor
    assert state.rows == result.records
    assert state.seconds > 0
    assert set(state.streams) >= {harness.first_stream}


def test_a_sync_with_nothing_changed_moves_nothing(harness: Harness, ws: Workspace) -> None:
    with harness.serving() as (_, url):
        sync(ws, harness.connector(url))
        before = harness.snapshot(ws)
        again = sync(ws, harness.connector(url))
    assert not again.is_full
    assert again.changed == 0
    assert again.quarantined == 0
    assert harness.snapshot(ws) == before


def test_an_incremental_sync_moves_exactly_the_changed_rows_and_records_deletes(
    harness: Harness, any_ws: Workspace
) -> None:
    ws = any_ws
    with harness.serving() as (fake, url):
        sync(ws, harness.connector(url))
        before = harness.snapshot(ws)
        changed = harness.change(fake)
        deleted_object, deleted_id, deleted_table = harness.delete(fake)
        result = sync(ws, harness.connector(url))
    after = harness.snapshot(ws)
    assert not result.is_full
    for table in harness.tables:
        old, new = by_id(before[table], ws, table), by_id(after[table], ws, table)
        moved = {k for k in new if old.get(k) != new[k]}
        assert moved == changed.get(table, set()), table
        assert set(old) <= set(new), f"{table}: nothing is dropped"
    assert result.changed == sum(len(ids) for ids in changed.values())
    assert result.deletions == 1
    deletes = ws.warehouse.table("source_deletion", "raw").to_pyarrow().to_pylist()
    assert [(d["object"], d["source_id"], d["record_id"]) for d in deletes] == [
        (deleted_object, deleted_id, f"{harness.source}:{deleted_id}")
    ]
    assert deletes[0]["deleted_at"] is not None
    assert deleted_id in by_id(after[deleted_table], ws, deleted_table)  # soft: the row stays


def test_new_fields_in_the_source_are_reported(harness: Harness, ws: Workspace) -> None:
    with harness.serving() as (fake, url):
        first = sync(ws, harness.connector(url))
        obj, name = harness.add_field(fake)
        second = sync(ws, harness.connector(url))
    assert first.new_fields == {}  # a first sync has nothing to compare with
    assert name in second.new_fields[obj]
    runs = ws.warehouse.table("sync_run", "raw").to_pyarrow().to_pylist()
    assert name in max(runs, key=lambda r: r["started_at"])["new_fields"]


def test_a_rate_limit_is_waited_out_as_retry_after_says(harness: Harness, ws: Workspace) -> None:
    sleeps = Sleeps()
    with harness.serving() as (fake, url):
        fake.fail(harness.first_list_path, 429, times=2, retry_after="7")
        fake.fail(harness.change_path, 503)
        result = sync(ws, harness.connector(url, sleeps))
        expected = harness.counts(fake)
    short, *rate_limited = sorted(sleeps.waits)
    assert rate_limited == [7.0, 7.0]
    assert short <= 1.0  # the 503's first wait: one second at most, with jitter
    assert {t: len(r) for t, r in harness.snapshot(ws).items() if t in harness.tables} == expected
    assert result.error == ""


@pytest.mark.parametrize("key", ["bad", "revoked"])
def test_bad_credentials_are_one_line_naming_the_source_and_object(
    harness: Harness, ws: Workspace, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv(harness.key_env, getattr(harness, f"{key}_key"))
    says = getattr(harness, f"{key}_says")
    with harness.serving() as (_, url), pytest.raises(ConnectorError) as caught:
        sync(ws, harness.connector(url))
    message = str(caught.value)
    assert message.startswith(f"{harness.source} ")
    assert says in message
    assert harness.key_env in message
    assert "\n" not in message
    [state] = status(ws)
    assert state.status == "failed"
    assert says in state.error


def test_a_missing_permission_names_the_object(
    harness: Harness, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(harness.key_env, harness.no_permission_key)
    with harness.serving() as (_, url), pytest.raises(ConnectorError) as caught:
        sync(ws, harness.connector(url))
    message = str(caught.value)
    assert message.startswith(f"{harness.source} {harness.forbidden_object}: ")
    assert f"may not read {harness.forbidden_object} (403)" in message
    assert "\n" not in message


def test_a_missing_key_is_one_line(
    harness: Harness, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(harness.key_env)
    with harness.serving() as (_, url), pytest.raises(ConnectorError) as caught:
        sync(ws, harness.connector(url))
    assert str(caught.value) == (
        f"{harness.source}: no API key: the environment variable {harness.key_env} is unset"
    )


def test_a_sync_that_gives_up_resumes_from_the_last_page_loaded(
    harness: Harness, ws: Workspace, tmp_path: Path
) -> None:
    with harness.serving() as (fake, url):
        reference = harness.workspace(tmp_path / "reference")
        sync(reference, harness.connector(url))
        expected = harness.snapshot(reference)
        reference.close()
        # The second page of the first list keeps failing: the first page stays loaded.
        failing = FailAfter(fake, harness.first_list_path, after=1)
        with pytest.raises(ConnectorError) as caught:
            sync(ws, harness.connector(url))
        assert "gave up after 4 attempts: server error (500)" in str(caught.value)
        states = read_states(ws.warehouse, harness.source)
        assert states[harness.first_stream].cursor is not None
        assert not states[harness.first_stream].done
        failing.stop()
        resumed = sync(ws, harness.connector(url))
    assert not resumed.is_full
    assert harness.snapshot(ws) == expected


class FailAfter:
    """Make every request to `path` after the first `after` ones answer 500."""

    def __init__(self, fake: Any, path: str, after: int) -> None:
        self.fake, self.path, self.seen, self.after = fake, path, 0, after
        self.original = fake.answer
        fake.answer = self.answer

    def answer(self, path: str, query: dict[str, str], key: str) -> Any:
        if path == self.path:
            self.seen += 1
            if self.seen > self.after:
                return 500, {"error": {"type": "api_error", "message": "fake 500"}}, {}
        return self.original(path, query, key)

    def stop(self) -> None:
        self.fake.answer = self.original
