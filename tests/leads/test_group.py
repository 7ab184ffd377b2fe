"""Scoring and routing are one `leads` component and one `leads` command group."""

from __future__ import annotations

from pathlib import Path

import pytest

from revops import Workspace

from support import run_cli


def test_the_workspace_leads_route_through_the_workspace_routing(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws")
    try:
        assert ws.leads.routing is ws.routing
    finally:
        ws.close()


def test_one_leads_group_holds_scoring_and_routing_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "leads", "--help")
    assert code == 0
    for command in ("score", "evaluate", "qualify", "accept", "route", "why", "sla"):
        assert f" {command} " in out, command


def test_every_leads_and_routing_table_declares_who_sees_its_rows() -> None:
    from revops.leads import store as lead_store
    from revops.metrics.scope import rule_of
    from revops.routing import store as routing_store

    for name in lead_store.schemas():
        rule_of(name, lead_store.NAMESPACE)
    for name in (routing_store.ASSIGNMENT, routing_store.POOL_STATE):
        rule_of(name, routing_store.NAMESPACE)
