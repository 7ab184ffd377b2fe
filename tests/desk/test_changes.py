"""Definitions and change management: diff against git or a snapshot, naming the changed
definitions; impact lists (a metric built on another is affected); the pages map."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from revops import Workspace
from revops.errors import DeskError

EXTRA = """metrics:
  - name: big_bookings
    label: Big bookings
    description: Twice the bookings, for the test.
    team: finance
    signal: lagging
    unit: money
    kind: formula
    formula: bookings * 2
  - name: big_bookings_share
    label: Big bookings share
    description: Built on a metric built on bookings.
    team: executive
    signal: lagging
    unit: ratio
    kind: ratio
    numerator: big_bookings
    denominator: bookings
"""


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "acme"
    Workspace.create(root)
    return Workspace.open(root)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.email=ana@acme.io", "-c",
                    "user.name=Ana", *args], check=True, capture_output=True)  # fmt: skip


def test_a_metric_built_on_another_is_affected(ws: Workspace) -> None:
    (ws.root / "metrics" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    found = ws.desk.changes.impact("bookings")
    why = {m["name"]: m["why"] for m in found.metrics}
    assert why["bookings"] == "the definition itself"
    assert why["big_bookings"] == "built on bookings"
    # Two levels up: the share is built on big_bookings (and on bookings itself).
    assert why["big_bookings_share"] in ("built on big_bookings", "built on bookings")
    assert why["average_deal_size"] == "built on bookings"
    assert "win_rate" not in why  # counts deals, not bookings
    assert {"finance", "executive", "sales"} <= set(found.teams)
    assert "/" in found.pages  # the home page shows bookings
    assert found.files == ["metrics/extra.yaml:9,18"]  # the formula and the denominator


def test_a_lifecycle_stage_affects_the_metrics_over_its_entries(ws: Workspace) -> None:
    found = ws.desk.changes.impact("mql")
    names = {m["name"] for m in found.metrics}
    assert found.kind == "lifecycle stage"
    assert {"mqls_created", "lifecycle_conversion", "lifecycle_entries"} <= names
    assert "sqls_created" not in names  # its filter names another stage
    assert "bookings" not in names
    assert "/funnel" in found.pages
    assert any(f.startswith("revops.yaml:") for f in found.files)


def test_an_unknown_name_is_refused(ws: Workspace) -> None:
    with pytest.raises(DeskError, match="no metric, lifecycle stage or definition named"):
        ws.desk.changes.impact("no_such_thing")


def test_diff_against_git_names_the_changed_definitions(ws: Workspace) -> None:
    _git(ws.root, "init", "-q")
    _git(ws.root, "add", "-A")
    _git(ws.root, "commit", "-qm", "definitions")
    (ws.root / "metrics" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    config = ws.root / "revops.yaml"
    config.write_text(config.read_text().replace("sla_hours: 4.0", "sla_hours: 8.0"))
    against, changes = ws.desk.changes.diff()
    assert against == "git HEAD"
    rows = {c.path: (c.status, c.definitions) for c in changes}
    assert rows["metrics/extra.yaml"] == (
        "added", ("metrics.big_bookings", "metrics.big_bookings_share"))  # fmt: skip
    assert rows["revops.yaml"] == ("modified", ("lifecycle_stages.mql",))
    log = ws.desk.changes.log()
    assert [(e["who"], e["note"]) for e in log] == [("Ana <ana@acme.io>", "definitions")]
    with pytest.raises(DeskError, match="no git revision 'nope'"):
        ws.desk.changes.diff("nope")


def test_diff_against_a_snapshot_outside_git(ws: Workspace) -> None:
    if ws.desk.changes.git_root() is not None:
        pytest.skip("the temporary folder is inside a git repository")
    with pytest.raises(DeskError, match="no snapshot"):
        ws.desk.changes.diff()
    first = ws.desk.changes.snapshot("before", "bo")
    assert ws.desk.changes.diff() == (f"snapshot {first}", [])
    (ws.root / "metrics" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    _, changes = ws.desk.changes.diff()
    assert [(c.path, c.status) for c in changes] == [("metrics/extra.yaml", "added")]
    assert ws.desk.changes.log()[0]["note"] == "before"


def test_the_pages_map_follows_the_app() -> None:
    from revops.app.views.funnel import FUNNEL_METRICS
    from revops.app.views.home import HEADLINE
    from revops.app.views.pipeline import PIPELINE_KPIS
    from revops.desk.config import read_desk

    pages = read_desk(None).pages
    assert set(pages["/"]) == set(HEADLINE)
    assert set(pages["/funnel"]) == set(FUNNEL_METRICS)
    assert set(pages["/pipeline"]) == set(PIPELINE_KPIS)
