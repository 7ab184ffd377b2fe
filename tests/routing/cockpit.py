"""The demo company of the app tests with leads routed, for the routing API and page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.conftest import AS_OF, Cockpit, serving
from revops import Workspace

RULES = """
pools:
  - name: sdrs
    reps: [{reps}]
rules:
  - name: existing_owner
    kind: account_owner
  - name: sdr_pool
    kind: pool
    pool: sdrs
"""
PROPOSED = """
pools:
  - name: sdrs
    method: weighted
    reps: [{reps}]
    weights: {{{first}: 3}}
rules:
  - name: sdr_pool
    kind: pool
    pool: sdrs
"""
NOW = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)


def route_demo(root: Path) -> list[str]:
    """Write current and proposed rules from the company's SDRs, resolve companies, match
    leads to accounts, apply the routing; the SDRs' e-mails."""
    ws = Workspace.open(root)
    try:
        user = ws.warehouse.table("user")
        sdrs = user.filter(user.role.lower() == "sdr").filter(user.is_active)
        emails = sorted(sdrs.select("email").to_pyarrow().column(0).to_pylist())[:3]
        listed = ", ".join(emails)
        (root / "rules" / "routing.yaml").write_text(RULES.format(reps=listed))
        (root / "plans" / "routing.yaml").write_text(PROPOSED.format(reps=listed, first=emails[0]))
        ws.identity.run(["company"])  # golden accounts: what the owner rule reads
        ws.identity.match_leads()
        ws.routing.apply(at=NOW)
    finally:
        ws.close()
    return emails


@pytest.fixture(scope="module")
def routed(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """A copy of the app tests' demo company, routed, served."""
    root = tmp_path_factory.mktemp("routed") / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    route_demo(root)
    with serving(root) as served:
        yield served
