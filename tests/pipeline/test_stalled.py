"""Stalled deals against thresholds learned from the stays of a hand-built history."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld
from pipeline.conftest import NOT_ON_SPARK, accounts, deal, pipeline_of, version

AS_OF = date(2025, 6, 30)  # days run to the end of 30 June (1 July, midnight)
SETTINGS = {"stalled_percentile": 0.5, "min_stays": 3}


def _stay(name: str, entered: str, left: str) -> list[dict[str, object]]:
    """A deal's history: `entered`..`left` in Prospecting, then lost."""
    return [
        version(name, entered, "Prospecting", 10, "2025-12-31"),
        version(name, left, "Closed Lost", 10, left[:10]),
    ]


def stalled_world(world: MetricWorld, owners: dict[str, str] | None = None) -> None:
    """Finished Prospecting stays of 10, 20, 30 days (smb), 40, 50, 60 (enterprise) and 100
    (mid-market), and open deals idle for longer or shorter than those; every deal owned
    by u1 unless `owners` names another owner."""
    owner = owners or {}
    accounts(world)
    history, deals = [], []
    finished = [("P1", "acc-smb", "2025-01-11"), ("P2", "acc-smb", "2025-01-21"),
                ("P3", "acc-smb", "2025-01-31"), ("P4", "acc-ent", "2025-02-10"),
                ("P5", "acc-ent", "2025-02-20"), ("P6", "acc-ent", "2025-03-02"),
                ("P7", "acc-mid", "2025-04-11")]  # fmt: skip
    for name, account, left in finished:
        history += _stay(name, "2025-01-01", left)
        deals.append(deal(name, account, owner_id=owner.get(name, "u1")))
    opens = [
        ("S1", "acc-smb", "2025-06-01", 500),  # 30 days in stage, 26 idle: stalled
        ("S2", "acc-smb", "2025-05-01", 400),  # 61 days, but touched 6 days ago
        ("S3", "acc-smb", "2025-06-20", 800),  # 11 days only
        ("S4", "acc-smb", "2025-04-01", 900),  # 91 days, never touched: stalled
        ("S5", "acc-smb", "2025-05-01", 100),  # 61 days; its July call is not known yet
        ("S7", "acc-ent", "2025-05-10", 300),  # 52 days against enterprise's 50
        ("S8", "acc-mid", "2025-05-20", 200),  # 42 days against the stage's 40
        ("S9", "acc-ent", "2025-05-22", 700),  # 40 days, under enterprise's 50
    ]
    for name, account, entered, amount in opens:
        history.append(version(name, entered, "Prospecting", amount, "2025-09-30"))
        deals.append(deal(name, account, owner_id=owner.get(name, "u1")))
    # S6 sits in Qualification, where no deal has finished a stay: no threshold.
    history.append(version("S6", "2025-01-15", "Qualification", 999, "2025-09-30"))
    deals.append(deal("S6"))
    world.add("opportunity_history", *history)
    world.add("opportunity", *deals)
    world.add(
        "activity",
        {"type": "call", "opportunity_id": "S1", "occurred_at": "2025-06-05"},
        {"type": "email", "opportunity_id": "S2", "occurred_at": "2025-06-25"},
        {"type": "call", "opportunity_id": "S5", "occurred_at": "2025-05-02"},
        {"type": "call", "opportunity_id": "S5", "occurred_at": "2025-07-10"},
    )


@NOT_ON_SPARK
def test_thresholds_are_the_percentile_of_finished_stays(world: MetricWorld) -> None:
    stalled_world(world)
    limits = pipeline_of(world, **SETTINGS).thresholds(AS_OF).execute()
    found = {
        (r["stage"], r["segment"]): (pytest.approx(r["threshold_days"]), r["threshold_from"])
        for r in limits.to_dict(orient="records")
    }
    assert found[("Prospecting", "smb")] == (20, "segment")
    assert found[("Prospecting", "enterprise")] == (50, "segment")
    # One mid-market stay is too few: the stage's median over all seven stays.
    assert found[("Prospecting", "mid_market")] == (40, "stage")
    assert found[("Prospecting", None)] == (40, "stage")
    assert not any(stage == "Qualification" for stage, _ in found)


def test_stalled_deals_pass_both_thresholds_largest_first(world: MetricWorld) -> None:
    stalled_world(world)
    result = pipeline_of(world, **SETTINGS).stalled(AS_OF)
    rows = result.rows
    assert [r["opportunity_id"] for r in rows] == ["S4", "S1", "S7", "S8", "S5"]
    by_deal = {r["opportunity_id"]: r for r in rows}
    assert by_deal["S1"]["days_in_stage"] == pytest.approx(30)
    assert by_deal["S1"]["days_since_activity"] == pytest.approx(26)
    assert by_deal["S1"]["threshold_days"] == pytest.approx(20)
    assert by_deal["S5"]["days_since_activity"] == pytest.approx(60)
    assert (by_deal["S8"]["threshold_days"], by_deal["S8"]["threshold_from"]) == (
        pytest.approx(40),
        "stage",
    )
    assert by_deal["S4"]["amount"] == 900
    assert result.to_dict()["parameters"] == {"percentile": 0.5, "min_stays": 3}


def test_a_higher_percentile_flags_fewer_deals(duckdb_world: MetricWorld) -> None:
    stalled_world(duckdb_world)
    strict = pipeline_of(duckdb_world, stalled_percentile=0.99, min_stays=3).stalled(AS_OF)
    # The 99th percentiles are about 30 (smb), 60 (enterprise) and 98 days (the stage).
    assert [r["opportunity_id"] for r in strict.rows] == ["S4", "S5"]


def test_a_scopes_stalled_deals_are_judged_by_the_companys_norm(duckdb_world: MetricWorld) -> None:
    """u1 owns no finished stay, so u1's own history makes no threshold; judged against the
    company's, u1's stalled deals are the company's list without u2's S4. Account segments
    are lookups: S7 keeps enterprise's threshold though u1 owns no account."""
    from revops.metrics import Scope

    finished = {f"P{i}": "u9" for i in range(1, 8)}
    stalled_world(duckdb_world, {**finished, "S4": "u2"})
    pipeline = pipeline_of(duckdb_world, **SETTINGS)
    assert [r["opportunity_id"] for r in pipeline.stalled(AS_OF).rows] == [
        "S4", "S1", "S7", "S8", "S5"
    ]  # fmt: skip
    mine = pipeline.stalled(AS_OF, scope=Scope(frozenset({"u1"}), "u1")).rows
    assert [r["opportunity_id"] for r in mine] == ["S1", "S7", "S8", "S5"]
    by_deal = {r["opportunity_id"]: r for r in mine}
    assert (by_deal["S7"]["segment"], by_deal["S7"]["threshold_days"]) == (
        "enterprise",
        pytest.approx(50),
    )
    assert pipeline.stalled(AS_OF, scope=Scope(frozenset({"u9"}), "u9")).rows == []
