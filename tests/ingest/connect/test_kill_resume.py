"""A sync killed with SIGKILL at random moments, then resumed, leaves exactly the rows of
an uninterrupted sync: the full pass (KILLS_PER_PHASE kills), then, after changes and a
delete on the fake server, the incremental one (as many). Salesforce runs twice: by REST
pages, and with every full read through a Bulk API 2.0 job (a job killed is run again).
The killed sync runs as `revops sync SOURCE` in a child process; the uninterrupted one in
this process, against a second fake server holding the same records."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from revops.ingest.connect.connection import save_connection
from revops.ingest.connect.sync import STAGING, sync
from revops.workspace import Workspace

from connectors import HARNESSES, SALESFORCE_BULK, Harness

KILLS_PER_PHASE = int(os.environ.get("REVOPS_TEST_KILLS", "2"))
"""Kills per pass: each starts a child process (seconds of imports); REVOPS_TEST_KILLS=10
for the long run (`make test-long`)."""
PAGE_SIZE = 2


def child(root: Path, source: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    code = "from revops.cli.app import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "--workspace", str(root), "sync", *args, source],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def committed(root: Path) -> tuple[tuple[str, str | None, bool], ...]:
    """The cursors the warehouse holds now."""
    ws = Workspace.open(root, read_only=True)
    try:
        if not ws.warehouse.has_table("sync_state", "raw"):
            return ()
        rows = ws.warehouse.table("sync_state", "raw").to_pyarrow().to_pylist()
        return tuple(sorted((r["stream"], r["cursor"], r["is_done"]) for r in rows))
    finally:
        ws.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "harness", [*HARNESSES, SALESFORCE_BULK], ids=lambda h: h.label or h.source
)
def test_a_sync_killed_at_random_moments_then_resumed_leaves_the_rows_of_one_uninterrupted_sync(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(harness.key_env, harness.good_key)
    env = {**os.environ}
    rng = random.Random(27)
    progress = []

    def run_killed(root: Path, seconds: float) -> None:
        staging = root / STAGING / harness.source
        for _ in range(KILLS_PER_PHASE):
            shutil.rmtree(staging, ignore_errors=True)  # what the killed child left
            process = child(root, harness.source, env)
            # From the moment the child writes its first page (the imports take seconds),
            # a random moment within the sync's length.
            while process.poll() is None and not (staging.exists() and any(staging.iterdir())):
                time.sleep(0.005)
            time.sleep(rng.uniform(0, seconds * 0.6))
            process.send_signal(signal.SIGKILL)
            process.wait()
            progress.append(committed(root))
        finish = child(root, harness.source, env)
        _, err = finish.communicate(timeout=300)
        assert finish.returncode == 0, err.decode()

    with (
        harness.serving(customers=4) as (reference_fake, reference_url),
        harness.serving(customers=4) as (fake, url),
    ):
        reference = harness.workspace(tmp_path / "reference")
        began = time.perf_counter()
        sync(reference, harness.connector(reference_url, page_size=PAGE_SIZE))
        full_seconds = time.perf_counter() - began

        killed = harness.workspace(tmp_path / "killed")
        killed.close()
        save_connection(killed.root, harness.connection(url, page_size=PAGE_SIZE))
        run_killed(killed.root, full_seconds)

        for server in (reference_fake, fake):
            harness.change(server)
            harness.delete(server)
            harness.add_field(server)
        began = time.perf_counter()
        sync(reference, harness.connector(reference_url, page_size=PAGE_SIZE))
        incremental_seconds = time.perf_counter() - began
        run_killed(killed.root, incremental_seconds)

    expected = harness.snapshot(reference)
    reference.close()
    resumed = Workspace.open(killed.root, read_only=True)
    try:
        assert harness.snapshot(resumed) == expected
    finally:
        resumed.close()
    assert len(progress) == 2 * KILLS_PER_PHASE
    assert len(set(progress)) >= 3, "some kills landed mid-sync (not only after one finished)"
