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
from revops.demo.params import DefectRates, DemoParams

# Record numbers of records the defects invent start far above the simulated ones.
INVENTED = 900_000_000
# Ids of deleted records that orphans point at: a range of their own, so an orphan never
# names a duplicate the defects created.
DELETED = 2 * INVENTED
# The Salesforce objects `inject_crm_defects` changes, in the order it draws their defects.
CRM_DEFECT_OBJECTS = ("Account", "Contact", "Lead", "Opportunity")
PERSON_PREFIX = {"Contact": "003", "Lead": "00Q"}


class _Where(TypedDict):
    rng: np.random.Generator
    log: DefectLog
    system: str
    id_column: str


def _salesforce_ids(prefix: str, start: int = INVENTED) -> Callable[[int], Sequence[str]]:
    return _allocator(lambda numbers: salesforce_id(prefix, numbers), start)


def _allocator(
    make: Callable[[np.ndarray], np.ndarray], start: int = INVENTED
) -> Callable[[int], Sequence[str]]:
    """New ids on demand, never repeating, from `make(record numbers)`."""
    used = [start]

    def allocate(count: int) -> Sequence[str]:
        numbers = np.arange(used[0], used[0] + count)
        used[0] += count
        return [str(i) for i in make(numbers)]

    return allocate


def inject_crm_defects(
    objects: dict[str, pd.DataFrame], params: DemoParams, log: DefectLog, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Duplicates, blanks, malformed values, respellings and orphans in the CRM export."""
    out = dict(objects)
    for name in CRM_DEFECT_OBJECTS:
        out[name] = inject_crm_object_defects(name, objects[name], params, log, rng)
    return out


def inject_crm_object_defects(
    name: str, rows: pd.DataFrame, params: DemoParams, log: DefectLog, rng: np.random.Generator
) -> pd.DataFrame:
    """The defects of one CRM object, `rows` unchanged for an object without any.

    Called for each of `CRM_DEFECT_OBJECTS` in turn, with one generator, it makes the
    changes :func:`inject_crm_defects` makes, without holding every object at once.
    """
    rates = params.defects
    where = _Where(rng=rng, log=log, system="salesforce", id_column="Id")
    if name == "Account":
        return _account_defects(rows, rates, where)
    if name in ("Contact", "Lead"):
        return _person_defects(name, rows, rates, where)
    if name == "Opportunity":
        return _opportunity_defects(rows, rates, where)
    return rows


def _account_defects(accounts: pd.DataFrame, rates: DefectRates, where: _Where) -> pd.DataFrame:
    accounts = duplicate_accounts(
        accounts,
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
    return respell_industries(
        accounts, "Industry", rate=rates.inconsistent_industry, object="Account", **where
    )


def _person_defects(
    name: str, people: pd.DataFrame, rates: DefectRates, where: _Where
) -> pd.DataFrame:
    people = duplicate_people(
        people,
        new_ids=_salesforce_ids(PERSON_PREFIX[name]),
        first="FirstName",
        last="LastName",
        email="Email",
        phone="Phone",
        rate=rates.duplicate_person,
        object=name,
        **where,
    )
    # A person without an e-mail loads (a CRM does not require one): the quality rules
    # flag it.
    people = blank_required(
        people, ["Email"], rate=rates.missing_required, object=name, defect="missing_email", **where
    )
    people = corrupt_emails(people, "Email", rate=rates.invalid_email, object=name, **where)
    return corrupt_phones(people, "Phone", rate=rates.invalid_phone, object=name, **where)


def _opportunity_defects(deals: pd.DataFrame, rates: DefectRates, where: _Where) -> pd.DataFrame:
    # A deal without an amount loads (early stages often have none): the quality
    # rules flag it.
    deals = blank_required(
        deals,
        ["Amount"],
        rate=rates.missing_required,
        object="Opportunity",
        defect="missing_amount",
        **where,
    )
    return orphan_references(
        deals,
        "AccountId",
        new_ids=_salesforce_ids("001", start=DELETED),
        rate=rates.orphan_reference,
        object="Opportunity",
        **where,
    )


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
