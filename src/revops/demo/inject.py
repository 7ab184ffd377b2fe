"""Which realistic defects land in which export, at the rates of `DemoParams.defects`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypedDict

import numpy as np
import pandas as pd

from revops.demo.defects import (
    DefectLog,
    blank_required,
    corrupt_emails,
    corrupt_phones,
    duplicate_accounts,
    duplicate_people,
    orphan_references,
    respell_countries,
    respell_industries,
)
from revops.demo.ids import hubspot_id, salesforce_id
from revops.demo.params import DemoParams

# Record numbers of records the defects invent start far above the simulated ones.
INVENTED = 900_000_000


class _Where(TypedDict):
    rng: np.random.Generator
    log: DefectLog
    system: str
    id_column: str


def _salesforce_ids(prefix: str) -> Callable[[int], Sequence[str]]:
    return _allocator(lambda numbers: salesforce_id(prefix, numbers))


def _allocator(make: Callable[[np.ndarray], np.ndarray]) -> Callable[[int], Sequence[str]]:
    """New ids on demand, never repeating, from `make(record numbers)`."""
    used = [INVENTED]

    def allocate(count: int) -> Sequence[str]:
        numbers = np.arange(used[0], used[0] + count)
        used[0] += count
        return [str(i) for i in make(numbers)]

    return allocate


def inject_crm_defects(
    objects: dict[str, pd.DataFrame], params: DemoParams, log: DefectLog, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Duplicates, blanks, malformed values, respellings and orphans in the CRM export."""
    rates = params.defects
    where = _Where(rng=rng, log=log, system="salesforce", id_column="Id")
    out = dict(objects)
    accounts = duplicate_accounts(
        objects["Account"],
        new_ids=_salesforce_ids("001"),
        name="Name",
        domain="Website",
        rate=rates.duplicate_account,
        object="Account",
        **where,
    )
    accounts = respell_countries(
        accounts, "BillingCountry", rate=rates.inconsistent_country, object="Account", **where
    )
    out["Account"] = respell_industries(
        accounts, "Industry", rate=rates.inconsistent_industry, object="Account", **where
    )
    for name, prefix in (("Contact", "003"), ("Lead", "00Q")):
        people = duplicate_people(
            objects[name],
            new_ids=_salesforce_ids(prefix),
            first="FirstName",
            last="LastName",
            email="Email",
            phone="Phone",
            rate=rates.duplicate_person,
            object=name,
            **where,
        )
        people = blank_required(
            people, ["Email"], rate=rates.missing_required, object=name, **where
        )
        people = corrupt_emails(people, "Email", rate=rates.invalid_email, object=name, **where)
        out[name] = corrupt_phones(people, "Phone", rate=rates.invalid_phone, object=name, **where)
    deals = blank_required(
        objects["Opportunity"],
        ["Amount"],
        rate=rates.missing_required,
        object="Opportunity",
        **where,
    )
    out["Opportunity"] = orphan_references(
        deals,
        "AccountId",
        new_ids=_salesforce_ids("001"),
        rate=rates.orphan_reference,
        object="Opportunity",
        **where,
    )
    return out


def inject_hubspot_defects(
    files: dict[str, pd.DataFrame], params: DemoParams, log: DefectLog, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Duplicate contacts and malformed values inside HubSpot itself."""
    rates = params.defects
    where = _Where(rng=rng, log=log, system="hubspot", id_column="hs_object_id")
    contacts = duplicate_people(
        files["contacts"],
        new_ids=_allocator(lambda n: hubspot_id(n % 10**9)),
        first="firstname",
        last="lastname",
        email="email",
        phone="phone",
        rate=rates.duplicate_person,
        object="contacts",
        **where,
    )
    contacts = corrupt_emails(
        contacts, "email", rate=rates.invalid_email, object="contacts", **where
    )
    contacts = corrupt_phones(
        contacts, "phone", rate=rates.invalid_phone, object="contacts", **where
    )
    return {**files, "contacts": contacts}
