"""Scores per owner and team, stored runs, and the data-quality KPI of the catalog."""

from __future__ import annotations

from datetime import date

from quality.conftest import AS_OF, QualityWorld
from revops.config import RevOpsConfig
from revops.core import FiscalCalendar
from revops.metrics import Metrics


def _company(world: QualityWorld) -> None:
    world.add(
        "user",
        {"user_id": "u1", "name": "Ann", "team_id": "t1"},
        {"user_id": "u2", "name": "Bob", "team_id": "t2"},
    )
    world.add("team", {"team_id": "t1", "name": "East"}, {"team_id": "t2", "name": "West"})
    world.add("account", {"account_id": "acc", "name": "Acme", "owner_id": "u1", "country": "US",
                          "industry": "Software", "currency": "USD"})  # fmt: skip
    # Ann: 3 contacts, one with a bad email, one with a bad phone; Bob: 2 good ones.
    world.add(
        "contact",
        *[
            {
                "contact_id": cid,
                "owner_id": owner,
                "account_id": "acc",
                "email": email,
                "phone": phone,
                "first_name": "F",
                "last_name": "L",
            }
            for cid, owner, email, phone in [
                ("c1", "u1", "a@acme.com", None),
                ("c2", "u1", "b@acme", None),
                ("c3", "u1", "c@acme.com", "TBD"),
                ("c4", "u2", "d@acme.com", None),
                ("c5", "u2", "e@acme.com", "+14155550100"),
            ]
        ],
    )


def _metrics(world: QualityWorld) -> Metrics:
    config = RevOpsConfig()
    return Metrics(world.root, config, FiscalCalendar(), lambda: world.warehouse)


def test_scores_per_owner_count_records_passing_every_rule(world: QualityWorld) -> None:
    _company(world)
    run = world.quality().run(AS_OF, entities=["contact", "account"])
    contacts = {s.owner_id: s for s in run.scores if s.entity == "contact"}
    assert (contacts["u1"].records, contacts["u1"].passing) == (3, 1)
    assert (contacts["u2"].records, contacts["u2"].passing) == (2, 2)
    assert contacts["u1"].failures["contact_email_valid"] == (3, 1)
    assert contacts["u1"].failures["contact_phone_valid"] == (3, 1)
    assert run.by_entity() == {"account": (1, 1), "contact": (5, 3)}

    metrics = _metrics(world)
    frame = metrics.compute(["data_quality_score"], "2026-06-01..2026-06-30", by=["owner"],
                            as_of=AS_OF).frame  # fmt: skip
    by_owner = dict(zip(frame["owner"], frame["value"], strict=True))
    assert by_owner == {"u1": 2 / 4, "u2": 1.0}
    frame = metrics.compute(["data_quality_score"], "2026-06-01..2026-06-30", by=["team", "object"],
                            as_of=AS_OF).frame  # fmt: skip
    values = {
        (t, o): v for t, o, v in zip(frame["team"], frame["object"], frame["value"], strict=True)
    }
    assert values == {("t1", "account"): 1.0, ("t1", "contact"): 1 / 3, ("t2", "contact"): 1.0}


def test_the_kpi_uses_the_latest_run_known_at_the_window_end(world: QualityWorld) -> None:
    _company(world)
    quality = world.quality()
    quality.run(date(2026, 5, 31), entities=["contact"])
    world.add("contact", {"contact_id": "c6", "owner_id": "u2", "email": "bad", "created_at":
                          "2026-06-15T00:00:00"})  # fmt: skip
    quality.run(date(2026, 6, 30), entities=["contact"])
    metrics = _metrics(world)
    may = metrics.compute(["data_quality_score"], "2026-05-01..2026-05-31", as_of=AS_OF)
    june = metrics.compute(["data_quality_score"], "2026-06-01..2026-06-30", as_of=AS_OF)
    # c6 was created in June: the May run (as of May 31) did not see it.
    assert may.value("data_quality_score") == 3 / 5
    assert june.value("data_quality_score") == 3 / 6
    # As of a day in May, the run evaluated as of June 30 does not exist yet.
    cut = metrics.compute(["data_quality_score"], "2026-06-01..2026-06-30", as_of=date(2026, 6, 10))
    assert cut.value("data_quality_score") == 3 / 5


def test_the_report_lists_offenders_by_owner_with_the_fix(duckdb_world: QualityWorld) -> None:
    _company(duckdb_world)
    quality = duckdb_world.quality()
    quality.run(AS_OF, entities=["contact"])
    quality.run(AS_OF, entities=["contact"])
    report = quality.report()
    assert [(r["entity_name"], r["records"], r["passing"]) for r in report.entities] == [
        ("contact", 5, 3)
    ]
    top = report.offenders[0]
    assert (top["owner_name"], top["rule_name"], top["failures"]) == (
        "Ann",
        "contact_email_valid",
        1,
    )
    assert top["fix"] == quality.rules.rule("contact_email_valid").fix
    assert [r["severity"] for r in report.severities] == ["error", "warning", "info"]
    assert [r["failures"] for r in report.severities] == [1, 1, 0]
    assert [(o["owner_name"], o["team_name"], o["score"]) for o in report.owners] == [
        ("Ann", "East", round(1 / 3, 4)), ("Bob", "West", 1.0)
    ]  # fmt: skip
    assert len(report.trend) == 2
    only_bob = quality.report(owner="Bob")
    assert only_bob.offenders == []
    assert only_bob.entities[0]["records"] == 2


def test_a_scoped_report_holds_only_the_scopes_records(duckdb_world: QualityWorld) -> None:
    from revops.metrics import Scope

    _company(duckdb_world)
    quality = duckdb_world.quality()
    quality.run(AS_OF, entities=["contact"])
    bob = quality.report(scope=Scope(frozenset({"u2", "email:bob@acme.com"}), "Bob's rows"))
    assert [(r["entity_name"], r["records"], r["passing"]) for r in bob.entities] == [
        ("contact", 2, 2)
    ]
    assert bob.offenders == []
    assert bob.rules == []
    assert [o["owner_name"] for o in bob.owners] == ["Bob"]
    assert [t["records"] for t in bob.trend] == [2]
    ann = quality.report(scope=Scope(frozenset({"u1"}), "Ann's rows"))
    assert {o["owner_name"] for o in ann.offenders} == {"Ann"}
    assert sum(r["failures"] for r in ann.rules) == 2
    assert quality.report(scope=Scope.everything()).entities[0]["records"] == 5
