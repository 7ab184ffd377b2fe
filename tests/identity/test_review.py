"""The review queue on FEBRL 1 as Salesforce contacts: unsure pairs listed, decisions
stored in the warehouse, respected by the next run and used as labels."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from revops import Workspace
from revops.identity.review import MIN_LABELS
from revops.ingest.runner import ingest

from support import run_cli

FEBRL1 = Path(__file__).parents[1] / "fixtures" / "febrl" / "febrl1"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    root = tmp_path / "ws"
    Workspace.create(root)
    ws = Workspace.open(root)
    assert ingest(ws, [str(FEBRL1 / "salesforce")]).failed == []
    ws.identity.run(["person"])
    yield ws
    ws.close()


def _cluster(ws: Workspace, source_id: str) -> str:
    return str(ws.identity.record(source_id)["cluster_id"])


def _true_pairs() -> list[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    with (FEBRL1 / "truth.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            members[row["cluster_id"]].append(row["id"])
    return [(ids[0], ids[1]) for ids in members.values() if len(ids) == 2]


def test_decisions_overrule_the_model_on_the_next_run(workspace: Workspace) -> None:
    ws = workspace
    band = ws.config.identity.review_band
    queue = ws.identity.review("person", 50)
    assert queue
    assert all(band[0] <= row["match_probability"] < band[1] for row in queue)
    assert all(row["left_name"] and row["right_name"] for row in queue)
    linked = next(r for r in queue if r["is_match"])
    apart = next(r for r in queue if not r["is_match"])
    assert _cluster(ws, linked["left"]) == _cluster(ws, linked["right"])
    assert _cluster(ws, apart["left"]) != _cluster(ws, apart["right"])

    ws.identity.decide(linked["left"], linked["right"], "reject")
    ws.identity.decide(apart["left"], apart["right"], "accept")
    listed = {(r["left"], r["right"]) for r in ws.identity.review("person", 50)}
    assert (linked["left"], linked["right"]) not in listed
    assert (apart["left"], apart["right"]) not in listed

    ws.identity.run(["person"])
    assert _cluster(ws, linked["left"]) != _cluster(ws, linked["right"])
    assert _cluster(ws, apart["left"]) == _cluster(ws, apart["right"])


def test_accepted_pairs_train_the_model_once_there_are_enough(workspace: Workspace) -> None:
    ws = workspace
    pairs = _true_pairs()
    for left, right in pairs[: MIN_LABELS - 1]:
        ws.identity.decide(left, right, "accept")
    ws.identity.run(["person"])
    steps = [s.step for s in ws.identity.trainings["person"].steps]
    assert not [s for s in steps if "accepted in review" in s]

    ws.identity.decide(*pairs[MIN_LABELS], "accept")
    ws.identity.run(["person"])
    (step,) = [s for s in ws.identity.trainings["person"].steps if "review" in s.step]
    assert step.step == f"m from {MIN_LABELS} pairs accepted in review"
    assert step.status == "ok", step.message


def test_review_from_the_cli(capsys: pytest.CaptureFixture[str], workspace: Workspace) -> None:
    root = str(workspace.root)
    workspace.close()
    code, out, err = run_cli(capsys, "-w", root, "identity", "review", "list", "-f", "csv")
    assert code == 0, err
    header, first = out.splitlines()[:2]
    assert header.startswith("left_name,right_name,match_probability")
    left, right = first.split(",")[-2:]
    code, _, err = run_cli(capsys, "-w", root, "identity", "review", "reject", left, right)
    assert code == 0, err
    assert "rejected" in err
    code, out, _ = run_cli(capsys, "-w", root, "identity", "review", "list", "-f", "csv")
    assert f"{left},{right}" not in out
    code, _, err = run_cli(capsys, "-w", root, "identity", "review", "accept", left, left)
    assert code == 1
    assert "the same record" in err
