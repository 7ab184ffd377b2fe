"""Merges: plan, apply, undo on a demo company; undo restores the tables exactly, and the
pipeline counts each deal once after merging."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from revops import Workspace
from revops.errors import IdentityError
from revops.identity import RunSummary
from revops.identity.merge import MergePlan, Proposal
from revops.model import ENTITIES

from support import rows

CORE = [e.name for e in ENTITIES.values() if e.namespace == "core"]
AS_OF = date(2026, 11, 22)


def snapshot(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every core table's rows, load ids included."""
    return {name: rows(ws.warehouse.table(name), drop=()) for name in CORE}


def pipeline(ws: Workspace) -> dict[str, float]:
    frame = ws.metrics.compute(
        ["open_pipeline", "bookings"], "FY2027", by=["segment"], as_of=AS_OF
    ).frame
    return {f"{r.metric}/{r.segment}": r.value for r in frame.itertuples()}


def _kind(proposals: list[Proposal], entity: str) -> list[Proposal]:
    return [p for p in proposals if p.entity == entity]


def add_open_deal(ws: Workspace, account_id: str) -> None:
    """A copy of an open deal, on `account_id`."""
    table = ws.warehouse.table("opportunity")
    deal = table.filter(~table.is_closed).limit(1).to_pyarrow().to_pylist()[0]
    deal.update(
        opportunity_id="test:deal-on-a-copy", source_system="test", source_id="deal-on-a-copy"
    )
    deal["account_id"] = account_id
    ws.warehouse.load("opportunity", [deal], mode="append")


def test_apply_merges_and_undo_restores_every_table_exactly(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    proposals = demo.identity.plan().proposals
    by_entity = {p.entity for p in proposals}
    assert by_entity == {"account", "contact", "lead"}
    # Three merges of each kind: each undo is a load of its own.
    plan = MergePlan([p for e in sorted(by_entity) for p in _kind(proposals, e)[:3]])
    # The demo's copies have no deals of their own: give one copy an open deal, as a rep
    # working the wrong record would.
    copy = next(p for p in plan.proposals if p.entity == "account").merged_ids[0]
    add_open_deal(demo, copy)
    before = snapshot(demo)
    kpis_before = pipeline(demo)
    # The plan survives its JSON file.
    plan = MergePlan.from_json(plan.to_json())
    merged = {i for p in plan.proposals for i in p.merged_ids}

    demo.identity.apply(plan)
    after = snapshot(demo)
    account_ids = {r[0] for r in after["account"]}
    assert not merged & account_ids
    opportunity = ENTITIES["opportunity"]
    account_at = [c.name for c in opportunity.all_columns].index("account_id")
    assert len(after["opportunity"]) == len(before["opportunity"])
    assert not merged & {r[account_at] for r in after["opportunity"]}
    # Each deal is counted once, and nothing moved between segments: copies share them.
    assert pipeline(demo) == pytest.approx(kpis_before)
    changed = set(before["opportunity"]) - set(after["opportunity"])
    assert [r[account_at] for r in changed] == [copy]

    for merge in demo.identity.merges():
        demo.identity.undo(merge["merge_id"])
    assert snapshot(demo) == before
    assert {m["status"] for m in demo.identity.merges()} == {"undone"}


def test_undo_of_an_unknown_or_undone_merge_is_refused(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    with pytest.raises(IdentityError, match="no merge 'm-nope'"):
        demo.identity.undo("m-nope")
    undone = [m for m in demo.identity.merges() if m["status"] == "undone"]
    if undone:
        with pytest.raises(IdentityError, match="already undone"):
            demo.identity.undo(undone[0]["merge_id"])


def test_a_plan_file_that_is_not_a_plan_names_itself() -> None:
    with pytest.raises(IdentityError, match=r"plan.json: not a merge plan"):
        MergePlan.from_json('{"merges": []}', "plan.json")
