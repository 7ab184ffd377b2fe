"""The records behind a failing rule: named, by owner, cut to a scope, paged, as of the
latest stored run by default."""

from __future__ import annotations

from datetime import date

import pytest

from quality.conftest import AS_OF, QualityWorld
from quality.test_scores import _company
from revops.errors import QualityError
from revops.metrics import Scope
from revops.quality.failures import FailurePage

RULE = "contact_email_valid"


def _more(world: QualityWorld) -> None:
    _company(world)  # Ann's c2 has a bad e-mail
    world.add(
        "contact",
        {"contact_id": "c6", "owner_id": "u2", "account_id": "acc", "email": "zoe@quinn",
         "first_name": "Zoe", "last_name": "Quinn"},
        # No owner, no name: the e-mail names it; entered in March.
        {"contact_id": "c7", "account_id": "acc", "email": "x@bad",
         "created_at": "2026-03-01T09:00:00+00:00"},
    )  # fmt: skip


def _rows(page: FailurePage) -> list[tuple[object, ...]]:
    return [(r["record_id"], r["name"], r["owner_name"]) for r in page.rows]


def test_the_failing_records_of_a_rule_are_named_by_owner_and_paged(
    world: QualityWorld,
) -> None:
    _more(world)
    quality = world.quality()
    found = quality.failures("contact", RULE, as_of=AS_OF)
    assert _rows(found) == [("c2", "F L", "Ann"), ("c6", "Zoe Quinn", "Bob"), ("c7", "x@bad", None)]
    assert found.total == 3
    assert found.rule.fix == quality.rules.rule(RULE).fix
    second = quality.failures("contact", RULE, as_of=AS_OF, limit=1, offset=1)
    assert (_rows(second), second.total) == ([("c6", "Zoe Quinn", "Bob")], 3)
    assert _rows(quality.failures("contact", RULE, as_of=AS_OF, owner="Ann")) == [
        ("c2", "F L", "Ann")
    ]
    assert quality.failures("contact", RULE, as_of=AS_OF, owner="u2").total == 1


def test_a_scope_sees_only_its_own_failing_records(duckdb_world: QualityWorld) -> None:
    _more(duckdb_world)
    quality = duckdb_world.quality()
    scope = Scope(frozenset({"u2", "email:bob@acme.com"}), "Bob's rows")
    bob = quality.failures("contact", RULE, as_of=AS_OF, scope=scope)
    assert (_rows(bob), bob.total) == ([("c6", "Zoe Quinn", "Bob")], 1)
    nobody = quality.failures("contact", RULE, as_of=AS_OF, scope=Scope(frozenset(), "nobody"))
    assert (nobody.rows, nobody.total) == ([], 0)


def test_by_default_the_list_is_of_the_latest_runs_day(duckdb_world: QualityWorld) -> None:
    _more(duckdb_world)
    quality = duckdb_world.quality()
    quality.run(date(2026, 2, 1), entities=["contact"])
    # c7 was entered after the run's day: the run did not count it, nor does the list.
    assert [r["record_id"] for r in quality.failures("contact", RULE).rows] == ["c2", "c6"]
    report = quality.report()
    assert sum(r["failures"] for r in report.rules if r["rule_name"] == RULE) == 2


def test_an_unknown_rule_or_owner_is_named_with_what_there_is(
    duckdb_world: QualityWorld,
) -> None:
    _more(duckdb_world)
    quality = duckdb_world.quality()
    with pytest.raises(QualityError, match=rf"no rule 'contact_emial' checks contact; .*{RULE}"):
        quality.failures("contact", "contact_emial", as_of=AS_OF)
    with pytest.raises(QualityError, match="no user 'Carl'"):
        quality.failures("contact", RULE, as_of=AS_OF, owner="Carl")
    with pytest.raises(QualityError, match="no entity 'contcat'"):
        quality.failures("contcat", RULE, as_of=AS_OF)
