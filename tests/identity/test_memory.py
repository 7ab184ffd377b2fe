"""An identity run held to a tiny memory limit stops with one line naming the settings
that bound it, never a traceback; pairs reach the warehouse in batches."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from revops import Workspace
from revops.ingest.runner import ingest

from support import run_cli

FEBRL1 = Path(__file__).parents[1] / "fixtures" / "febrl" / "febrl1"


def _workspace(root: Path, identity: dict[str, object]) -> Workspace:
    Workspace.create(root)
    config = root / "revops.yaml"
    data = yaml.safe_load(config.read_text())
    data["identity"] = {**(data.get("identity") or {}), **identity}
    config.write_text(yaml.safe_dump(data))
    ws = Workspace.open(root)
    assert ingest(ws, [str(FEBRL1 / "salesforce")]).failed == []
    return ws


def test_a_run_out_of_memory_is_one_line_naming_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    _workspace(root, {"memory_limit": "1MB"}).close()
    code, out, err = run_cli(capsys, "-w", str(root), "identity", "run", "--kind", "person")
    assert code == 1
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "ran out of memory" in lines[0]
    assert "identity.memory_limit" in lines[0]
    assert "identity.max_pairs_per_record" in lines[0]
    assert "identity.predict_chunk_records" in lines[0]


def test_pairs_go_through_the_stage_and_none_stay_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revops.identity import crosswalk
    from revops.identity.engines import SplinkEngine

    def whole(self: SplinkEngine, table: object) -> None:
        raise AssertionError("a run read Splink's predictions back whole")

    # The pairs go to the stage batch by batch; reading the predictions whole (as a run
    # once did, to make an empty table) held every candidate pair in memory at once.
    monkeypatch.setattr(SplinkEngine, "frame", whole)
    ws = _workspace(tmp_path / "ws", {})
    sizes: list[int] = []
    write = crosswalk.PairWriter.write

    def counted(self: crosswalk.PairWriter, pairs: object) -> None:
        sizes.append(pairs.num_rows)  # type: ignore[attr-defined]
        write(self, pairs)  # type: ignore[arg-type]

    monkeypatch.setattr(crosswalk.PairWriter, "write", counted)
    (summary,) = ws.identity.run(["person"])
    pairs = ws.warehouse.table("pair", "identity")
    assert summary.pairs == sum(sizes) == pairs.count().execute() > 0
    assert ws.warehouse.table("pair_stage", "identity").count().execute() == 0
    linked = pairs.filter(pairs.is_match).count().execute()
    assert linked == pairs.filter(pairs.match_probability >= summary.threshold).count().execute()
    ws.close()


def test_scoring_in_chunks_of_records_gives_the_same_pairs(tmp_path: Path) -> None:
    from revops.identity.splinkmodel import predict_chunks

    def pairs(ws: Workspace) -> set[tuple[str, str, float]]:
        (summary,) = ws.identity.run(["person"])
        table = ws.warehouse.table("pair", "identity").to_pyarrow().to_pylist()
        ws.close()
        assert summary.pairs == len(table) > 0
        return {
            (*sorted((r["unique_id_l"], r["unique_id_r"])), round(r["match_probability"], 9))
            for r in table
        }

    whole = pairs(_workspace(tmp_path / "whole", {}))
    chunked = _workspace(tmp_path / "chunked", {"predict_chunk_records": 300})
    assert predict_chunks(chunked.warehouse.table("contact").count().execute(), 300) > 2
    assert pairs(chunked) == whole
