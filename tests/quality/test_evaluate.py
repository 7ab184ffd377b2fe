"""Each kind of rule on hand-built records, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from quality.conftest import AS_OF, QualityWorld
from revops.errors import QualityError

OLD = "2026-01-10T09:00:00"


def _opportunity(oid: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "opportunity_id": oid,
        "account_id": "acc",
        "owner_id": "u1",
        "stage": "Prospecting",
        "amount": 1000,
        "currency": "USD",
        "close_date": "2026-09-30",
        "is_closed": False,
        "is_won": False,
        "created_at": OLD,
    }
    return {**row, **fields}


def test_amount_rules_scope_deals_by_stage_category_never_by_name(world: QualityWorld) -> None:
    world.add(
        "opportunity",
        _opportunity("early", stage="Prospecting", amount=None),
        _opportunity("proposal_ok", stage="Proposal"),
        _opportunity("won_no_amount", stage="Closed Won", amount=None, is_closed=True),
        _opportunity("won_ok", stage="Closed Won", is_closed=True, is_won=True),
        _opportunity("lost_no_amount", stage="Closed Lost", amount=None, is_closed=True),
        _opportunity("no_date", stage="Proposal", close_date=None),
    )
    open_or_lost = "opportunity_amount_missing"
    assert world.applying("opportunity", open_or_lost) == {
        "early", "proposal_ok", "lost_no_amount", "no_date"
    }  # fmt: skip
    assert world.failing("opportunity", open_or_lost) == {"early", "lost_no_amount"}
    assert world.applying("opportunity", "opportunity_won_amount_missing") == {
        "won_no_amount", "won_ok"
    }  # fmt: skip
    assert world.failing("opportunity", "opportunity_won_amount_missing") == {"won_no_amount"}
    assert world.failing("opportunity", "opportunity_close_date_required") == {"no_date"}


def test_stage_category_scopes_follow_the_workspace_stages(duckdb_world: QualityWorld) -> None:
    world = duckdb_world
    world.config = {
        "opportunity_stages": [
            {"name": "Lead", "probability": 10, "category": "open"},
            {"name": "Signed", "probability": 100, "category": "won"},
            {"name": "Dead", "probability": 0, "category": "lost"},
        ]
    }
    world.add(
        "opportunity",
        _opportunity("lead", stage="Lead", amount=None),
        _opportunity("signed", stage="Signed", amount=None, is_closed=True, is_won=True),
    )
    assert world.failing("opportunity", "opportunity_amount_missing") == {"lead"}
    assert world.failing("opportunity", "opportunity_won_amount_missing") == {"signed"}


def test_stage_scopes_follow_the_workspace_stages(duckdb_world: QualityWorld) -> None:
    world = duckdb_world
    world.config = {
        "opportunity_stages": [
            {"name": "Lead", "probability": 10, "category": "open"},
            {"name": "Scoping", "probability": 30, "category": "open"},
            {"name": "Contract", "probability": 80, "category": "open"},
            {"name": "Won", "probability": 100, "category": "won"},
            {"name": "Lost", "probability": 0, "category": "lost"},
        ]
    }
    world.rules(
        "rules:\n"
        "  - name: opportunity_amount_past_discovery\n"
        "    entity: opportunity\n    kind: completeness\n    severity: error\n"
        "    team: sales\n    description: d\n    fix: f\n    stage_after: Scoping\n"
        "    check: {type: required, columns: [amount]}\n"
    )
    world.add(
        "opportunity",
        _opportunity("scoping", stage="Scoping", amount=None),
        _opportunity("contract", stage="Contract", amount=None),
    )
    assert world.failing("opportunity", "opportunity_amount_past_discovery") == {"contract"}


def test_validity_of_emails_phones_countries_and_picklists(world: QualityWorld) -> None:
    world.add(
        "contact",
        {"contact_id": "good", "email": "ann@acme.com", "phone": "+1 415 555 0100"},
        {"contact_id": "no_tld", "email": "bob@acme", "phone": "N/A"},
        {"contact_id": "space", "email": "cy @acme.com", "phone": "+4930123456"},
        {"contact_id": "empty", "email": None, "phone": None},
    )
    assert world.failing("contact", "contact_email_valid") == {"no_tld", "space"}
    assert world.failing("contact", "contact_email_required") == {"empty"}
    assert world.failing("contact", "contact_phone_valid") == {"no_tld"}
    world.add(
        "account",
        {"account_id": "a1", "name": "A", "country": "US", "industry": "Software"},
        {"account_id": "a2", "name": "B", "country": "USA", "industry": "software"},
        {"account_id": "a3", "name": "C", "country": None, "industry": "Retail"},
    )
    assert world.failing("account", "account_country_iso") == {"a2"}
    assert world.failing("account", "account_country_required") == {"a3"}
    assert world.failing("account", "account_industry_picklist") == {"a2"}


def test_consistency_between_columns_and_with_other_entities(world: QualityWorld) -> None:
    world.add("account", {"account_id": "acc", "name": "Acme"})
    world.add(
        "contact",
        {"contact_id": "linked", "email": "a@acme.com", "account_id": "acc"},
        {"contact_id": "orphan", "email": "b@acme.com", "account_id": "gone"},
        {"contact_id": "unlinked", "email": "c@acme.com", "account_id": None},
    )
    assert world.failing("contact", "contact_account_exists") == {"orphan"}
    world.add(
        "opportunity",
        _opportunity("won_zero", stage="Closed Won", is_won=True, is_closed=True, amount=0),
        _opportunity("won_paid", stage="Closed Won", is_won=True, is_closed=True),
        _opportunity("lost_zero", stage="Closed Lost", is_closed=True, amount=0),
        _opportunity("backdated", close_date="2025-12-31"),
        _opportunity("no_account", account_id="gone"),
    )
    assert world.failing("opportunity", "opportunity_won_with_amount") == {"won_zero"}
    assert world.failing("opportunity", "opportunity_close_after_created") == {"backdated"}
    assert world.failing("opportunity", "opportunity_account_exists") == {"no_account"}


def test_freshness_counts_back_from_the_as_of_day(world: QualityWorld) -> None:
    world.add(
        "opportunity",
        _opportunity("overdue", close_date="2026-06-29"),
        _opportunity("due_today", close_date="2026-06-30"),
        _opportunity("closed_overdue", close_date="2026-05-01", is_closed=True),
        _opportunity("touched", close_date="2026-08-01"),
        _opportunity("stale", close_date="2026-08-01"),
        _opportunity("new", close_date="2026-08-01", created_at="2026-06-20T00:00:00"),
    )
    world.add(
        "activity",
        {"activity_id": "t1", "opportunity_id": "touched", "occurred_at": "2026-06-20T10:00:00"},
        {"activity_id": "t2", "opportunity_id": "stale", "occurred_at": "2026-05-01T10:00:00"},
        # After the as-of day: not known then, so it cannot make the deal fresh.
        {"activity_id": "t3", "opportunity_id": "stale", "occurred_at": "2026-07-05T10:00:00"},
    )
    assert world.failing("opportunity", "opportunity_close_date_passed") == {"overdue"}
    untouched = world.failing("opportunity", "opportunity_untouched")
    # Every deal without a touch in 30 days fails, but for the one created 10 days ago.
    assert untouched == {"overdue", "due_today", "stale"}
    assert "stale" not in world.failing("opportunity", "opportunity_untouched", date(2026, 7, 6))


def test_uniqueness_compares_normalised_keys_within_a_system(world: QualityWorld) -> None:
    world.add(
        "contact",
        {"contact_id": "c1", "email": "Ann@Acme.com", "source_system": "crm"},
        {"contact_id": "c2", "email": " ann@acme.com", "source_system": "crm"},
        {"contact_id": "c3", "email": "ann@acme.com", "source_system": "marketing"},
        {"contact_id": "c4", "email": "bob@acme.com", "source_system": "crm"},
    )
    assert world.failing("contact", "contact_email_unique") == {"c1", "c2"}


def test_records_created_after_the_as_of_day_are_not_scored(world: QualityWorld) -> None:
    world.add(
        "contact",
        {"contact_id": "before", "email": "bad", "created_at": "2026-06-30T23:00:00"},
        {"contact_id": "after", "email": "bad", "created_at": "2026-07-01T00:00:00"},
    )
    assert world.failing("contact", "contact_email_valid") == {"before"}
    run = world.quality().run(AS_OF, entities=["contact"], save=False)
    assert run.by_entity() == {"contact": (1, 0)}


def test_check_of_one_record_names_the_rules_it_fails(duckdb_world: QualityWorld) -> None:
    duckdb_world.add("contact", {"contact_id": "c1", "email": "x@y", "phone": "TBD"})
    outcomes = duckdb_world.quality().check("contact", "c1", AS_OF)
    failed = {o.rule.name for o in outcomes if not o.passed}
    assert failed == {"contact_email_valid", "contact_phone_valid", "contact_name_required"}
    duckdb_world.add("contact", {"contact_id": "c2", "email": "x@y", "first_name": "A",
                                 "last_name": "B"})  # fmt: skip
    worst = duckdb_world.quality().failing("contact", AS_OF)
    # Both now also share an email: c1 fails 3 + 1 rules, c2 its email format + 1.
    assert [(r["record_id"], r["failures"], r["checks"]) for r in worst] == [
        ("c1", 4, 9), ("c2", 2, 9)
    ]  # fmt: skip
    with pytest.raises(QualityError, match="no contact 'nobody'"):
        duckdb_world.quality().check("contact", "nobody", AS_OF)
