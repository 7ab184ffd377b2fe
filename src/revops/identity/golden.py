"""Golden records: one account per company cluster and one person per person cluster,
each field chosen across the cluster's records by survivorship.

- `identity.golden_account`, one row per company cluster: `golden_account_id` (the
  cluster id), name, domain, segment, region, owner, CSM, ... and `crm_account_id`;
- `identity.golden_person`, one row per person cluster: `golden_person_id`, names,
  email, phone, title, owner, `golden_account_id`.

Each field takes the value of :data:`revops.identity.survivorship.GOLDEN_RULES`: `crm`
fields (name, segment, owner, CSM...) come from a CRM record when one has the field, else
the most recently updated record's; every other field is the most recently updated
non-empty value. Ties go to the smallest record id, so every backend picks the same.

The tables are rebuilt in the warehouse (one query each, no rows pulled into Python)
after each `revops identity run` and `revops identity apply`, from the crosswalk and the
records as they are then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.identity.crosswalk import NAMESPACE
from revops.identity.survivorship import CRM_SYSTEMS, GOLDEN_RULES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

ACCOUNT_FIELDS = ("name", "domain", "industry", "employees", "country", "region", "segment",
                  "owner_id", "csm_id", "territory_id")  # fmt: skip
PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "title", "lifecycle_stage",
                 "owner_id", "golden_account_id")  # fmt: skip
GOLDEN_TABLES = {"account": "golden_account", "person": "golden_person"}


def _members(warehouse: Warehouse, kind: str) -> ir.Table:
    """The records of `kind`'s clusters: `_cluster`, `_record`, `_system`, `_updated`,
    `_run` (the crosswalk's run) and the fields golden records choose from."""
    import ibis

    crosswalk = warehouse.table("crosswalk", NAMESPACE)
    if kind == "account":
        accounts = warehouse.table("account")
        links = crosswalk.filter(crosswalk.entity == "account")
        joined = accounts.join(links, accounts.account_id == links.record_id)
        return joined.select(
            _cluster=joined.cluster_id,
            _record=joined.account_id,
            _system=joined.source_system,
            _updated=joined.updated_at,
            _run=joined.run_id,
            **{name: joined[name] for name in ACCOUNT_FIELDS},
        )
    companies = crosswalk.filter(crosswalk.entity == "account").select(
        _company_record=crosswalk.record_id, _company=crosswalk.cluster_id
    )
    people = crosswalk.filter(crosswalk.entity.isin(["contact", "lead"])).select(
        _person_record=crosswalk.record_id, _person=crosswalk.cluster_id, _run=crosswalk.run_id
    )
    contacts = warehouse.table("contact")
    contacts = contacts.select(
        _record=contacts.contact_id,
        _system=contacts.source_system,
        _updated=contacts.updated_at,
        first_name=contacts.first_name,
        last_name=contacts.last_name,
        email=contacts.email,
        phone=contacts.phone,
        title=contacts.title,
        lifecycle_stage=contacts.lifecycle_stage,
        owner_id=contacts.owner_id,
        _account=contacts.account_id,
    )
    leads = warehouse.table("lead")
    leads = leads.select(
        _record=leads.lead_id,
        _system=leads.source_system,
        _updated=leads.updated_at,
        first_name=leads.first_name,
        last_name=leads.last_name,
        email=leads.email,
        phone=leads.phone,
        title=leads.title,
        lifecycle_stage=ibis.null("string"),
        owner_id=leads.owner_id,
        _account=leads.converted_account_id,
    )
    records = contacts.union(leads)
    linked = records.join(people, records._record == people._person_record)
    linked = linked.left_join(companies, linked._account == companies._company_record)
    return linked.select(
        _cluster=linked._person,
        _record=linked._record,
        _system=linked._system,
        _updated=linked._updated,
        _run=linked._run,
        **{name: linked[name] for name in PERSON_FIELDS if name != "golden_account_id"},
        golden_account_id=linked._company,
    )


def golden_expression(warehouse: Warehouse, kind: str) -> ir.Table:
    """The golden records of `kind` (`account` or `person`) as one query; `run_id` names
    the crosswalk run they were built from, so a reader can tell a golden record that a
    later crosswalk has outdated."""
    import ibis

    members = _members(warehouse, kind)
    fields = ACCOUNT_FIELDS if kind == "account" else PERSON_FIELDS
    rules = GOLDEN_RULES[kind]
    key = f"golden_{kind}_id"
    is_crm = members._system.isin(list(CRM_SYSTEMS))
    summary = members.group_by(_cluster=members._cluster).aggregate(
        records=members.count(),
        updated_at=members._updated.max(),
        crm_record_id=members._record.min(where=is_crm),
        run_id=members._run.max(),
    )
    result = summary
    for name in fields:
        value = members[name]
        filled = value.notnull()
        if value.type().is_string():
            filled = filled & (value.strip() != "")
        candidates = members.filter(filled)
        first = ibis.ifelse(candidates._system.isin(list(CRM_SYSTEMS)), 0, 1)
        order = [
            candidates._updated.desc(nulls_first=False),
            candidates._record,
        ]
        if rules.get(name, "most_recent") == "crm":
            order.insert(0, first)
        window = ibis.window(group_by=candidates._cluster, order_by=order)
        best = (
            candidates.mutate(_rank=ibis.row_number().over(window))
            .filter(lambda t: t._rank == 0)
            .select(_best_cluster=candidates._cluster, _best_value=candidates[name])
        )
        joined = result.left_join(best, result._cluster == best._best_cluster)
        result = joined.mutate(**{name: joined._best_value}).drop("_best_cluster", "_best_value")
    crm_column = "crm_account_id" if kind == "account" else "crm_person_id"
    return result.select(
        result._cluster.name(key),
        *fields,
        result.crm_record_id.name(crm_column),
        "records",
        "updated_at",
        "run_id",
    )


def write_golden(warehouse: Warehouse) -> dict[str, int]:
    """Rebuild the golden tables from the crosswalk and the records; rows per table."""
    written: dict[str, int] = {}
    if not warehouse.has_table("crosswalk", NAMESPACE):
        return written
    for kind, table in GOLDEN_TABLES.items():
        warehouse.rewrite_table(table, NAMESPACE, golden_expression(warehouse, kind))
        written[table] = int(warehouse.table(table, NAMESPACE).count().execute())
    return written


def golden_table(warehouse: Warehouse, kind: str) -> ir.Table | None:
    """`identity.golden_<kind>`, or None before the first resolution run."""
    name = GOLDEN_TABLES[kind]
    return warehouse.table(name, NAMESPACE) if warehouse.has_table(name, NAMESPACE) else None
