"""Loads are atomic also when the loading process is killed half-way."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from revops.warehouse import connect

from conftest import POSTGRES_URL

CHILD = Path(__file__).with_name("load_child.py")

# The step at which each backend's load has written rows that readers must not see yet:
# inside the open transaction, or before the view swaps to the new version.
CASES = [
    pytest.param("duckdb:///warehouse.duckdb", "deleted", id="duckdb"),
    pytest.param(POSTGRES_URL, "deleted", id="postgres", marks=pytest.mark.postgres),
    # Its child starts a JVM of its own (two minutes): run with REVOPS_TEST_SPARK=all.
    pytest.param(
        "spark://local?dir=spark",
        "staged",
        id="spark",
        marks=[pytest.mark.spark, pytest.mark.spark_scenario],
    ),
]


def child(
    url: str, root: Path, prefix: str, action: str, **kwargs: object
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(CHILD.parent.parent)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), url, str(root), prefix, action],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,  # type: ignore[call-overload]
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, _ = process.communicate(timeout=180)
    assert process.returncode == 0
    return out


@pytest.mark.parametrize(("url", "step"), CASES)
def test_a_load_killed_half_way_leaves_the_previous_content(
    tmp_path: Path, url: str, step: str
) -> None:
    prefix = f"k{secrets.token_hex(4)}_"
    finish(child(url, tmp_path, prefix, "seed"))
    before = json.loads(finish(child(url, tmp_path, prefix, "dump")))
    assert len(before) == 2

    # Its own process group, so Spark's JVM dies with it as in a real crash.
    loader = child(url, tmp_path, prefix, f"hang-at:{step}", start_new_session=True)
    assert loader.stdout is not None
    assert loader.stdout.readline().strip() == "MID-LOAD"
    os.killpg(loader.pid, signal.SIGKILL)
    loader.wait(timeout=60)

    after = json.loads(finish(child(url, tmp_path, prefix, "dump")))
    assert after == before
    if not url.startswith("spark"):
        warehouse = connect(url, tmp_path, schema_prefix=prefix)
        result = warehouse.load("deal", warehouse.table("deal").to_pyarrow())
        assert result.unchanged == 2
        warehouse.drop()
        warehouse.close()
