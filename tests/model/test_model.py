"""The canonical model: every entity of DESIGN.md, typed and described by the conventions."""

from __future__ import annotations

import pytest

from revops.errors import ModelError
from revops.model import ENTITIES, FAMILIES, get_entity
from revops.model import base as types
from revops.model.base import Column, Entity
from revops.warehouse import Warehouse

# The entity table of DESIGN.md ("Canonical model (core)"), plus the fx_rate table its text
# names. Written out by hand so that dropping an entity from the code fails here.
DESIGN_ENTITIES = (
    "account",
    "contact",
    "lead",
    "lifecycle_event",
    "opportunity",
    "opportunity_history",
    "activity",
    "campaign",
    "campaign_touch",
    "gtm_cost",
    "product",
    "subscription_line",
    "invoice",
    "order",
    "fx_rate",
    "support_ticket",
    "user",
    "team",
    "territory",
    "quota",
    "partner",
    "tool",
    "tool_usage",
    "content",
    "content_usage",
    "web_session",
    "revops_request",
)

COLUMN_TYPES = {
    types.ID,
    types.TEXT,
    types.INT,
    types.FLOAT,
    types.BOOL,
    types.DATE,
    types.TIMESTAMP,
    types.MONEY,
    types.RATE,
    types.CURRENCY,
}

# Ids named by the role a user plays rather than by the entity.
USER_ROLES = {"owner", "manager", "requester", "assignee", "sdr", "csm"}
# A person is a lead or a contact; the table says which in `person_type`.
PERSON = ("lead", "contact")
# The ingest run id names a run of loads (lineage), like load_id; no entity holds runs.
LINEAGE_IDS = {"source_id", "load_id", "ingest_run_id"}

EVERY_ENTITY = [pytest.param(e, id=e.name) for e in ENTITIES.values()]


def referenced_entities(column: str) -> tuple[str, ...]:
    """The entities an `<x>_id` column points at: the longest tail of `x` naming one."""
    parts = column.removesuffix("_id").split("_")
    for start in range(len(parts)):
        tail = "_".join(parts[start:])
        if tail in ENTITIES:
            return (tail,)
        if tail in USER_ROLES:
            return ("user",)
        if tail == "person":
            return PERSON
    return ()


def foreign_ids(entity: Entity) -> list[Column]:
    own = {entity.id_column, *LINEAGE_IDS}
    return [c for c in entity.columns if c.name.endswith("_id") and c.name not in own]


def test_every_entity_of_the_design_is_in_the_model() -> None:
    assert [name for name in DESIGN_ENTITIES if name not in ENTITIES] == []


def test_entities_are_ordered_by_family_and_each_knows_its_family() -> None:
    assert list(ENTITIES) == [name for names in FAMILIES.values() for name in names]
    for family, names in FAMILIES.items():
        assert {ENTITIES[name].family for name in names} == {family}


def test_families_are_the_modules_of_the_model() -> None:
    assert list(FAMILIES) == [
        "accounts",
        "sales",
        "marketing",
        "billing",
        "success",
        "org",
        "stack",
        "desk",
        "quality",
    ]


def test_the_public_names_of_the_model_are_pinned() -> None:
    import revops.model

    assert sorted(revops.model.__all__) == [
        "Column",
        "ENTITIES",
        "Entity",
        "FAMILIES",
        "get_entity",
        "references_to",
    ]


def test_every_column_naming_another_record_declares_its_ref() -> None:
    import re

    from revops.model import ENTITIES, references_to

    for entity in ENTITIES.values():
        for column in entity.columns:
            named = re.search(r"\((\w+)_id\)", column.description)
            if named and named.group(1) in ENTITIES:
                assert column.ref == (named.group(1),), f"{entity.name}.{column.name}"
            for target in column.ref:
                assert target in ENTITIES, f"{entity.name}.{column.name} -> {target}"
    assert ("lifecycle_event", "person_id") in references_to("contact")
    assert ("lifecycle_event", "person_id") in references_to("lead")


@pytest.mark.parametrize("entity", EVERY_ENTITY)
def test_every_entity_and_column_is_described_and_typed(entity: Entity) -> None:
    assert entity.description.strip().endswith(".")
    for column in entity.all_columns:
        assert column.description.strip().endswith("."), column.name
        assert column.type in COLUMN_TYPES, column.name


@pytest.mark.parametrize("entity", EVERY_ENTITY)
def test_no_entity_repeats_a_column_name(entity: Entity) -> None:
    names = [c.name for c in entity.all_columns]
    assert sorted({n for n in names if names.count(n) > 1}) == []


@pytest.mark.parametrize("entity", EVERY_ENTITY)
def test_column_names_say_their_type(entity: Entity) -> None:
    for column in entity.all_columns:
        name, kind = column.name, column.type
        if name.endswith("_at"):
            assert kind == types.TIMESTAMP, name
        if name.endswith("_date"):
            assert kind == types.DATE, name
        if name.endswith("_id"):
            assert kind == types.ID, name
        if name.startswith(("is_", "has_")):
            assert kind == types.BOOL, name
        if name.endswith("currency"):
            assert kind == types.CURRENCY, name
        if kind == types.BOOL:
            assert name.startswith(("is_", "has_")), name
        if kind == types.TIMESTAMP:
            assert name.endswith("_at") or name in ("valid_from", "valid_to"), name


@pytest.mark.parametrize("entity", EVERY_ENTITY)
def test_every_table_with_money_has_a_currency(entity: Entity) -> None:
    money = [c for c in entity.columns if c.type == types.MONEY]
    if money:
        currency = entity.column("currency")
        assert currency.type == types.CURRENCY
        assert currency.required or not any(c.required for c in money)


@pytest.mark.parametrize("entity", EVERY_ENTITY)
def test_every_id_column_points_at_an_existing_entity(entity: Entity) -> None:
    for column in foreign_ids(entity):
        targets = referenced_entities(column.name)
        assert targets, f"{entity.name}.{column.name} names no entity"
        assert all(t in ENTITIES for t in targets), column.name


@pytest.mark.parametrize("entity", EVERY_ENTITY)
def test_a_person_id_says_whether_it_is_a_lead_or_a_contact(entity: Entity) -> None:
    if any(c.name == "person_id" for c in entity.columns):
        person_type = entity.column("person_type")
        assert "lead or contact" in person_type.description
        assert person_type.required == entity.column("person_id").required


def test_the_reference_rule_understands_roles_and_prefixes_and_nothing_else() -> None:
    assert referenced_entities("owner_id") == ("user",)
    assert referenced_entities("success_owner_id") == ("user",)
    assert referenced_entities("parent_account_id") == ("account",)
    assert referenced_entities("converted_opportunity_id") == ("opportunity",)
    assert referenced_entities("owner_team_id") == ("team",)
    assert referenced_entities("person_id") == PERSON
    assert referenced_entities("visitor_id") == ()


def test_history_tables_are_versions_of_a_core_entity() -> None:
    history = [e for e in ENTITIES.values() if e.namespace == "history"]
    assert [e.name for e in history] == [
        "opportunity_history", "deal_line_history", "campaign_history", "budget_line_history"
    ]  # fmt: skip
    for entity in history:
        assert entity.history_key is not None
        key = entity.column(entity.history_key)
        assert key.required
        assert ENTITIES[key.name.removesuffix("_id")].namespace == "core"
        valid_from = entity.column("valid_from")
        assert (valid_from.type, valid_from.required) == (types.TIMESTAMP, True)


def test_a_version_carries_the_core_columns_it_replaces_with_their_types() -> None:
    from revops.metrics.versions import VERSIONED

    for name, (history_name, replaced) in VERSIONED.items():
        history, current = get_entity(history_name), get_entity(name)
        assert history.history_key == current.id_column
        for column in replaced:
            assert history.column(column).type == current.column(column).type, (name, column)


def test_opportunity_history_tracks_every_forecast_field_of_the_opportunity() -> None:
    tracked = {"stage", "amount", "currency", "close_date", "forecast_category", "probability"}
    history, current = get_entity("opportunity_history"), get_entity("opportunity")
    for name in [*tracked, "owner_id"]:
        assert history.column(name).type == current.column(name).type


def test_lifecycle_events_need_a_person_a_stage_and_a_time() -> None:
    event = get_entity("lifecycle_event")
    required = {c.name for c in event.all_columns if c.required}
    assert {"person_id", "person_type", "stage", "entered_at"} <= required


def test_fx_rates_convert_a_dated_currency_at_a_precise_rate() -> None:
    rate = get_entity("fx_rate")
    assert rate.column("rate").type == types.RATE
    assert rate.column("valid_from").type == types.DATE
    assert all(rate.column(n).required for n in ("currency", "valid_from", "rate"))


@pytest.mark.parametrize("entity", EVERY_ENTITY)
def test_every_entity_builds_an_ibis_schema(entity: Entity) -> None:
    schema = entity.schema()
    assert list(schema.names) == [c.name for c in entity.all_columns]


def test_get_entity_finds_an_entity_by_name() -> None:
    assert get_entity("opportunity") is ENTITIES["opportunity"]


def test_an_unknown_entity_suggests_the_closest_name() -> None:
    with pytest.raises(ModelError) as caught:
        get_entity("oportunity")
    assert str(caught.value) == "unknown entity 'oportunity'; did you mean 'opportunity'?"


def test_an_unknown_entity_without_a_close_name_lists_the_entities() -> None:
    with pytest.raises(ModelError, match=r"unknown entity 'zzz'; one of account, contact, "):
        get_entity("zzz")


def test_every_entity_creates_its_table_on_each_backend(warehouse: Warehouse) -> None:
    created, present = warehouse.init(ENTITIES.values())
    assert (len(created), present) == (len(ENTITIES), [])
    for entity in ENTITIES.values():
        table = warehouse.table(entity.name, entity.namespace)
        assert list(table.columns) == [c.name for c in entity.all_columns]
