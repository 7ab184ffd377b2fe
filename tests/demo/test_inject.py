"""Defects land in the CRM and HubSpot exports at the configured rates, and all are logged."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from revops.demo.defects import DefectLog
from revops.demo.ids import hubspot_id, salesforce_id
from revops.demo.inject import inject_crm_defects, inject_hubspot_defects
from revops.demo.params import DemoParams

PARAMS = DemoParams(accounts=500, as_of=date(2026, 11, 22))
SIZE = 1_000


def people(prefix: str, rng: np.random.Generator) -> pd.DataFrame:
    numbers = np.arange(1, SIZE + 1)
    return pd.DataFrame(
        {
            "Id": salesforce_id(prefix, numbers),
            "FirstName": rng.choice(["Robert", "Anna", "William", "Mei"], SIZE),
            "LastName": [f"Smithson{i}" for i in numbers],
            "Email": [f"person{i}@acme{i % 50}.com" for i in numbers],
            "Phone": [f"+1415555{i:04d}" for i in numbers],
        }
    )


def crm_objects(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    numbers = np.arange(1, SIZE + 1)
    accounts = pd.DataFrame(
        {
            "Id": salesforce_id("001", numbers),
            "Name": [f"Company {i} Inc." for i in numbers],
            "Website": [f"company{i}.com" for i in numbers],
            "Industry": rng.choice(["Software", "Financial Services", "Healthcare"], SIZE),
            "BillingCountry": rng.choice(["US", "GB", "DE", "FR"], SIZE),
        }
    )
    deals = pd.DataFrame(
        {
            "Id": salesforce_id("006", numbers),
            "AccountId": accounts["Id"].to_numpy(),
            "Amount": [f"{i * 10}.00" for i in numbers],
        }
    )
    return {
        "Account": accounts,
        "Contact": people("003", rng),
        "Lead": people("00Q", rng),
        "Opportunity": deals,
    }


def test_crm_defects_hit_each_object_at_its_rate_and_are_all_logged() -> None:
    log = DefectLog()
    objects = crm_objects(np.random.default_rng(1))
    out = inject_crm_defects(objects, PARAMS, log, np.random.default_rng(2))
    rates = PARAMS.defects
    assert len(out["Account"]) == SIZE + round(rates.duplicate_account * SIZE)
    assert len(out["Lead"]) == SIZE + round(rates.duplicate_person * SIZE)
    assert out["Contact"]["Id"].is_unique
    defects = log.to_frame()
    counted = defects.groupby(["object", "defect"])["record_id"].nunique()
    assert counted[("Opportunity", "orphan_reference")] == round(rates.orphan_reference * SIZE)
    assert counted[("Account", "inconsistent_country")] > 0
    orphans = defects[defects["defect"] == "orphan_reference"]["injected"]
    assert not orphans.isin(objects["Account"]["Id"]).any()
    clusters = log.clusters()
    assert set(clusters["object"]) == {"Account", "Contact", "Lead"}


def test_hubspot_gets_its_own_duplicates_and_bad_values() -> None:
    log = DefectLog()
    contacts = people("003", np.random.default_rng(3)).rename(
        columns={
            "FirstName": "firstname",
            "LastName": "lastname",
            "Email": "email",
            "Phone": "phone",
        }
    )
    contacts["hs_object_id"] = hubspot_id(np.arange(1, SIZE + 1))
    out = inject_hubspot_defects({"contacts": contacts}, PARAMS, log, np.random.default_rng(4))
    assert len(out["contacts"]) == SIZE + round(PARAMS.defects.duplicate_person * SIZE)
    assert out["contacts"]["hs_object_id"].is_unique
    assert set(log.to_frame()["system"]) == {"hubspot"}
