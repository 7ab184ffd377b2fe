"""The records identity resolution compares: people and companies, read from the warehouse
and normalised into one flat table each.

Each record's `unique_id` is `<entity>:<canonical id>` (``lead:salesforce:00Q…``), so a
lead and a contact never collide and a crosswalk row names the table it points to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

from revops.identity.normalise import (
    canonical_first_name,
    company_key,
    email_domain,
    email_local,
    email_number,
    first_name_forms,
    free_provider_none,
    mailbox_named,
    normal_company_name,
    normal_domain,
    normal_email,
    normal_name,
    normal_phone,
    normal_postcode,
    normal_text,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

EntityKind = Literal["person", "company"]
PERSON_TABLES = ("lead", "contact")
# Where a person lives or works and when they were born (optional, often empty).
POSTAL = ("address_line1", "address_line2", "city", "postcode", "state", "country", "birth_date")
COMPANY_TABLES = ("account",)


def person_source(warehouse: Warehouse) -> ir.Table:
    """Leads and contacts as one expression: who they are and the company they are at.

    A contact's company domain is its account's; a lead's is the domain it gave.
    """
    import ibis

    lead = warehouse.table("lead")
    leads = lead.select(
        unique_id=ibis.literal("lead:") + lead.lead_id,
        entity=ibis.literal("lead"),
        record_id=lead.lead_id,
        source_system=lead.source_system,
        source_id=lead.source_id,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        phone=lead.phone,
        company=lead.company,
        company_domain=lead.domain,
        **_postal(lead, POSTAL, lead.columns),
        updated_at=lead.updated_at,
    )
    contact = warehouse.table("contact")
    account = warehouse.table("account")
    joined = contact.left_join(account, contact.account_id == account.account_id)
    contacts = joined.select(
        unique_id=ibis.literal("contact:") + joined.contact_id,
        entity=ibis.literal("contact"),
        record_id=joined.contact_id,
        source_system=joined.source_system,
        source_id=joined.source_id,
        first_name=joined.first_name,
        last_name=joined.last_name,
        email=joined.email,
        phone=joined.phone,
        company=joined.name,
        company_domain=joined.domain,
        # The contact's own (the account's country is `country_right` in the join).
        **_postal(joined, POSTAL, contact.columns),
        updated_at=joined.updated_at,
    )
    return leads.union(contacts)


def _postal(table: ir.Table, columns: Sequence[str], present: Sequence[str]) -> dict[str, ir.Value]:
    """The address and birth-date columns, as strings; empty where the person table
    (`present`: its columns) lacks them, as a warehouse made before they were in the
    model does until its next load."""
    return {
        column: table[column].cast("string") if column in present else _null("string")
        for column in columns
    }


def _null(kind: str) -> ir.Value:
    import ibis

    return ibis.null().cast(kind)


def company_source(warehouse: Warehouse) -> ir.Table:
    """Accounts of every system (CRM, billing customers, support organisations)."""
    import ibis

    account = warehouse.table("account")
    return account.select(
        unique_id=ibis.literal("account:") + account.account_id,
        entity=ibis.literal("account"),
        record_id=account.account_id,
        source_system=account.source_system,
        source_id=account.source_id,
        name=account.name,
        domain=account.domain,
        country=account.country,
        updated_at=account.updated_at,
    )


def person_records(raw: pa.Table) -> pa.Table:
    """`raw` person rows (see :func:`person_source`) with the normal forms Splink compares.

    Examples:
        >>> raw = pa.table({"unique_id": ["lead:1"], "entity": ["lead"], "record_id": ["1"],
        ...     "source_system": ["crm"], "source_id": ["1"], "first_name": ["Bob"],
        ...     "last_name": ["Lee"],
        ...     "email": ["Bob.Lee@Acme.com"], "phone": [None], "company": ["Acme Inc"],
        ...     "company_domain": [None]})
        >>> row = person_records(raw).to_pylist()[0]
        >>> row["first_key"], row["email_local"], row["company_domain"], row["company_key"]
        ('robert', 'boblee', 'acme.com', 'acme')
    """
    col = {name: raw.column(name).to_pylist() for name in raw.column_names}
    for column in POSTAL:  # optional: a caller's frame may lack them
        col.setdefault(column, [None] * raw.num_rows)
    emails = [normal_email(e) for e in col["email"]]
    work_domains = [email_domain(e) for e in emails]
    locals_ = [email_local(e) for e in emails]
    forms = [first_name_forms(v) for v in col["first_name"]]
    # A lead's domain is often its address's: a free provider's is nobody's company.
    given = [free_provider_none(normal_domain(d)) for d in col["company_domain"]]
    return pa.table(
        {
            "unique_id": col["unique_id"],
            "entity": col["entity"],
            "record_id": col["record_id"],
            "source_system": col["source_system"],
            "source_id": col["source_id"],
            "first_name": [normal_name(v) for v in col["first_name"]],
            "first_forms": pa.array([list(f) or None for f in forms], pa.list_(pa.string())),
            "first_key": [canonical_first_name(v) for v in col["first_name"]],
            "last_name": [normal_name(v) for v in col["last_name"]],
            "email": emails,
            "email_local": locals_,
            "email_number": [email_number(e) for e in emails],
            "mailbox_named": [
                mailbox_named(local, first, normal_name(last))
                for local, first, last in zip(locals_, forms, col["last_name"], strict=True)
            ],
            "mailbox_domain": [e.rpartition("@")[2] if e else None for e in emails],
            "email_domain": work_domains,
            "phone": [normal_phone(v) for v in col["phone"]],
            # Where the person works: the company's own domain when known, else their
            # work address's.
            "company_domain": [g or w for g, w in zip(given, work_domains, strict=True)],
            "company_key": [company_key(v) for v in col["company"]],
            **{
                column: [normal_text(v) for v in col[column]]
                for column in ("address_line1", "address_line2", "city", "state")
            },
            "postcode": [normal_postcode(v) for v in col["postcode"]],
            "country": [v.strip().upper() if v else None for v in col["country"]],
            "birth_date": [_iso_date(v) for v in col["birth_date"]],
        }
    )


def _iso_date(value: object) -> str | None:
    """A birth date as YYYY-MM-DD (dates arrive as dates or as their text)."""
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:10] or None


def company_records(raw: pa.Table) -> pa.Table:
    """`raw` account rows (see :func:`company_source`) with their normal forms.

    Examples:
        >>> raw = pa.table({"unique_id": ["account:1"], "entity": ["account"],
        ...     "record_id": ["1"], "source_system": ["crm"], "source_id": ["1"],
        ...     "name": ["ACME, Incorporated"],
        ...     "domain": ["https://www.acme.com/"], "country": ["US"]})
        >>> row = company_records(raw).to_pylist()[0]
        >>> row["name"], row["name_key"], row["domain"]
        ('acme', 'acme', 'acme.com')
    """
    col = {name: raw.column(name).to_pylist() for name in raw.column_names}
    names = [normal_company_name(v) for v in col["name"]]
    return pa.table(
        {
            "unique_id": col["unique_id"],
            "entity": col["entity"],
            "record_id": col["record_id"],
            "source_system": col["source_system"],
            "source_id": col["source_id"],
            "name": names,
            "name_key": [n.replace(" ", "") if n else None for n in names],
            "domain": [normal_domain(v) for v in col["domain"]],
            "country": [v.strip().upper() if v else None for v in col["country"]],
        }
    )
