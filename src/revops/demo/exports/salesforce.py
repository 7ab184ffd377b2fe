"""The demo company's CRM, exported as Salesforce's Data Loader / `sf data export bulk` do.

One CSV per object in `salesforce/` (`Account.csv`, `Contact.csv`, `Lead.csv`,
`Opportunity.csv`, `OpportunityHistory.csv`, `Task.csv`, `Event.csv`, `Campaign.csv`,
`CampaignMember.csv`, `User.csv`, `UserRole.csv`), with API field names, 18-character
ids, Salesforce's date, datetime and boolean formats, and rows sorted by id. Ids derive
from the canonical ids, so every reference between files resolves (or dangles exactly
where the world's own reference does).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.exports.files import LazyRows, write_csv
from revops.demo.exports.salesforce_activity import (
    build_campaign_members,
    build_campaigns,
    build_events,
    build_tasks,
)
from revops.demo.exports.salesforce_format import (
    LEAD_SOURCE,
    as_datetime64,
    as_flags,
    by_number,
    frame_of,
    infer_as_of,
    sf_bool,
    sf_date,
    sf_datetime,
    sf_number,
    sf_text,
    shape,
)
from revops.demo.exports.salesforce_people import (
    build_contacts,
    build_leads,
    build_user_roles,
    build_users,
    person_records,
)
from revops.demo.frames import World
from revops.demo.ids import SEQUENCE_START, canonical_number, salesforce_id, salesforce_ids

ACCOUNT_FIELDS = [
    "Id", "IsDeleted", "Name", "Type", "ParentId", "Website", "Industry", "NumberOfEmployees",
    "AnnualRevenue", "BillingCountry", "OwnerId", "CreatedDate", "CreatedById",
    "LastModifiedDate",
]  # fmt: skip
OPPORTUNITY_FIELDS = [
    "Id", "IsDeleted", "AccountId", "ContactId", "Name", "Type", "StageName", "Amount",
    "Probability", "ExpectedRevenue", "CloseDate", "ForecastCategoryName", "IsClosed",
    "IsWon", "LeadSource", "CampaignId", "OwnerId", "NextStep", "Loss_Reason__c",
    "Sales_Play__c",
    "CreatedDate", "CreatedById", "LastModifiedDate",
]  # fmt: skip
NEXT_STEP = {
    "Prospecting": "Book a first call",
    "Qualification": "Confirm budget and timeline",
    "Discovery": "Demo to the buying team",
    "Proposal": "Walk through the proposal",
    "Negotiation": "Agree terms with procurement",
}
"""What an owner writes as the next step of an open deal in each demo stage."""
OPPORTUNITY_HISTORY_FIELDS = [
    "Id", "IsDeleted", "OpportunityId", "StageName", "Amount", "ExpectedRevenue", "CloseDate",
    "Probability", "ForecastCategory", "CreatedDate", "CreatedById",
]  # fmt: skip
OPPORTUNITY_TYPE = {
    "new": "New Business",
    "expansion": "Existing Business - Upgrade",
    "renewal": "Renewal",
}
# Default probability (%) of the standard Salesforce stages and common SaaS ones.
STAGE_PROBABILITY = {
    "Prospecting": 10.0,
    "Qualification": 10.0,
    "Discovery": 20.0,
    "Needs Analysis": 20.0,
    "Demo": 30.0,
    "Solution": 40.0,
    "Value Proposition": 50.0,
    "Id. Decision Makers": 60.0,
    "Proposal": 60.0,
    "Perception Analysis": 70.0,
    "Proposal/Price Quote": 75.0,
    "Negotiation": 80.0,
    "Negotiation/Review": 90.0,
    "Closed Won": 100.0,
    "Closed Lost": 0.0,
}
# For stages missing from the table, the probability their forecast category implies.
CATEGORY_PROBABILITY = {"Omitted": 0.0, "Pipeline": 20.0, "Best Case": 50.0, "Commit": 80.0}
# OpportunityHistory stores the category's API value, the Opportunity its label.
CATEGORY_API_VALUE = {"Best Case": "BestCase", "Commit": "Forecast"}


def salesforce_objects(
    world: World,
    *,
    stages_probability: dict[str, float] | None = None,
    as_of: date | None = None,
) -> dict[str, Callable[[], pd.DataFrame | LazyRows]]:
    """How to build every CRM object's export rows (all values as text): object name →
    a function building them, so each can be built just before it is written. The
    largest objects come as `LazyRows`.

    Args:
        world: the demo company.
        stages_probability: probability of each stage name, in percent (0–100) as
            Salesforce's stage settings hold it, or as fractions (all values ≤ 1).
            Defaults to `STAGE_PROBABILITY`; stages missing from it take the probability
            of their forecast category.
        as_of: the moment of the export (a date means the end of that day); decides
            lead and campaign statuses and which users are active. Defaults to the
            latest moment in the world.
    """
    now = _moment(as_of) if as_of is not None else infer_as_of(world)
    probability = _percent(stages_probability or STAGE_PROBABILITY)
    records = person_records(world)
    return {
        "Account": lambda: build_accounts(world),
        "Contact": lambda: build_contacts(world, records),
        "Lead": lambda: build_leads(world, records, now),
        "Opportunity": lambda: build_opportunities(world, records, probability),
        "OpportunityHistory": lambda: build_opportunity_history(world, probability),
        "Task": lambda: build_tasks(world, records),
        "Event": lambda: build_events(world, records),
        "Campaign": lambda: build_campaigns(world, now),
        "CampaignMember": lambda: build_campaign_members(world, records),
        "User": lambda: build_users(world, now),
        "UserRole": lambda: build_user_roles(world),
    }


def export_salesforce(
    world: World,
    out_dir: Path,
    *,
    stages_probability: dict[str, float] | None = None,
    as_of: date | None = None,
) -> dict[str, int]:
    """Write `out_dir/salesforce/<Object>.csv` for every CRM object; object → rows written.

    The arguments are those of :func:`salesforce_objects`. Each object is written as
    soon as it is built, so only one is held in memory at a time.
    """
    objects = salesforce_objects(world, stages_probability=stages_probability, as_of=as_of)
    return {
        name: write_csv(build(), out_dir, f"salesforce/{name}.csv")
        for name, build in objects.items()
    }


def build_accounts(world: World) -> pd.DataFrame:
    """The Account rows; a company with a won deal is a customer, others prospects."""
    accounts = by_number(frame_of(world, "accounts"), "account_id")
    opportunities = frame_of(world, "opportunities")
    won = opportunities[as_flags(opportunities["is_won"])]
    channel = won.loc[sf_text(won["partner_id"]) != "", "account_id"]
    kind = np.select(
        [accounts["account_id"].isin(channel), accounts["account_id"].isin(won["account_id"])],
        ["Customer - Channel", "Customer - Direct"],
        "Prospect",
    )
    history = frame_of(world, "opportunity_history")
    changed = history["opportunity_id"].map(
        opportunities.drop_duplicates("opportunity_id").set_index("opportunity_id")["account_id"]
    )
    latest = [
        accounts["account_id"].map(frame.groupby(key)[column].max())
        for frame, key, column in [
            (frame_of(world, "activities"), "account_id", "occurred_at"),
            (history.assign(account_id=changed), "account_id", "valid_from"),
        ]
    ]
    created = as_datetime64(accounts["created_at"], "s")
    modified = np.fmax.reduce([created, *(as_datetime64(s, "s") for s in latest)])
    domain = sf_text(accounts["domain"])
    owner = salesforce_ids(accounts["owner_id"], "005")
    return shape(
        {
            "Id": salesforce_ids(accounts["account_id"], "001"),
            "IsDeleted": "false",
            "Name": sf_text(accounts["name"]),
            "Type": pd.Series(kind, dtype=object),
            "ParentId": "",
            "Website": ("www." + domain).where(domain != "", ""),
            "Industry": sf_text(accounts["industry"]),
            "NumberOfEmployees": sf_number(accounts["employees"], 0),
            "AnnualRevenue": sf_number(accounts["annual_revenue"], 0),
            "BillingCountry": sf_text(accounts["country"]),
            "OwnerId": owner,
            "CreatedDate": sf_datetime(accounts["created_at"]),
            "CreatedById": owner,
            "LastModifiedDate": sf_datetime(pd.Series(modified)),
        },
        ACCOUNT_FIELDS,
        len(accounts),
    )


def build_opportunities(
    world: World, records: pd.DataFrame, probability: dict[str, float]
) -> pd.DataFrame:
    """The Opportunity rows as they stand now; the forecast category is the latest one."""
    deals = by_number(frame_of(world, "opportunities"), "opportunity_id")
    history = _history(world)
    latest = history.drop_duplicates("opportunity_id", keep="last").set_index("opportunity_id")
    first = history.drop_duplicates("opportunity_id").set_index("opportunity_id")
    closed, won = (as_flags(deals[c]) for c in ("is_closed", "is_won"))
    category = sf_text(deals["opportunity_id"].map(latest["forecast_category"]))
    implied = np.select([won, closed], ["Closed", "Omitted"], "Pipeline")
    category = category.where(category != "", pd.Series(implied, dtype=object))
    percent = _probability(deals["stage"], category, probability)
    accounts = frame_of(world, "accounts").drop_duplicates("account_id")
    account_name = sf_text(deals["account_id"].map(accounts.set_index("account_id")["name"]))
    kind = sf_text(deals["type"].map(OPPORTUNITY_TYPE))
    contacts = records.drop_duplicates("person_id").set_index("person_id")["contact_sfid"]
    modified = np.fmax.reduce(
        [
            as_datetime64(deals["created_at"], "s"),
            as_datetime64(deals["closed_at"], "s"),
            as_datetime64(deals["opportunity_id"].map(latest["at"]), "s"),
        ]
    )
    creator = sf_text(deals["opportunity_id"].map(first["owner_id"]))
    return shape(
        {
            "Id": salesforce_ids(deals["opportunity_id"], "006"),
            "IsDeleted": "false",
            "AccountId": salesforce_ids(deals["account_id"], "001"),
            "ContactId": sf_text(deals["contact_id"].map(contacts)),
            "Name": (account_name + " - " + kind).str.strip(" -"),
            "Type": kind,
            "StageName": sf_text(deals["stage"]),
            "Amount": sf_number(deals["amount"], 2),
            "Probability": sf_number(pd.Series(percent), 0),
            "ExpectedRevenue": sf_number(deals["amount"] * percent / 100, 2),
            "CloseDate": sf_date(deals["close_date"]),
            "ForecastCategoryName": category,
            "IsClosed": sf_bool(closed),
            "IsWon": sf_bool(won),
            "LeadSource": sf_text(deals["source"].map(LEAD_SOURCE)),
            "CampaignId": salesforce_ids(deals["campaign_id"], "701"),
            "OwnerId": salesforce_ids(deals["owner_id"], "005"),
            "NextStep": sf_text(deals["stage"].map(NEXT_STEP).where(~closed)),
            "Loss_Reason__c": sf_text(deals["lost_reason"]),
            "Sales_Play__c": sf_text(deals["sales_play"]),
            "CreatedDate": sf_datetime(deals["created_at"]),
            "CreatedById": salesforce_ids(creator.where(creator != "", deals["owner_id"]), "005"),
            "LastModifiedDate": sf_datetime(pd.Series(modified)),
        },
        OPPORTUNITY_FIELDS,
        len(deals),
    )


def build_opportunity_history(world: World, probability: dict[str, float]) -> pd.DataFrame:
    """One OpportunityHistory row per version of an opportunity, ids in time order.

    Salesforce does not track the owner here: each row's `CreatedById` is the owner of
    that version, the person who made the change.
    """
    history = _history(world)
    order = np.lexsort((history["order"].to_numpy(), as_datetime64(history["valid_from"], "s")))
    history = history.iloc[order].reset_index(drop=True)
    category = sf_text(history["forecast_category"])
    percent = _probability(history["stage"], category, probability)
    return shape(
        {
            "Id": pd.Series(salesforce_id("008", np.arange(len(history)) + SEQUENCE_START)),
            "IsDeleted": "false",
            "OpportunityId": salesforce_ids(history["opportunity_id"], "006"),
            "StageName": sf_text(history["stage"]),
            "Amount": sf_number(history["amount"], 2),
            "ExpectedRevenue": sf_number(history["amount"] * percent / 100, 2),
            "CloseDate": sf_date(history["close_date"]),
            "Probability": sf_number(pd.Series(percent), 0),
            "ForecastCategory": category.replace(CATEGORY_API_VALUE),
            "CreatedDate": sf_datetime(history["valid_from"]),
            "CreatedById": salesforce_ids(history["owner_id"], "005"),
        },
        OPPORTUNITY_HISTORY_FIELDS,
        len(history),
    )


def _history(world: World) -> pd.DataFrame:
    """Opportunity history sorted by opportunity and time, with its row `order`."""
    history = frame_of(world, "opportunity_history")
    at = as_datetime64(history["valid_from"], "s")
    order = np.lexsort((at, canonical_number(history["opportunity_id"])))
    history = history.assign(at=at).iloc[order].reset_index(drop=True)
    return history.assign(order=np.arange(len(history)))


def _probability(
    stage: pd.Series, category: pd.Series, table: dict[str, float]
) -> npt.NDArray[np.float64]:
    """Percent of each stage: the table's, else its forecast category's (Closed is won)."""
    by_stage = stage.map(table).to_numpy(dtype=float)
    by_category = category.map(CATEGORY_PROBABILITY).to_numpy(dtype=float)
    closed = np.where(category.to_numpy() == "Closed", 100.0, 0.0)
    fallback = np.where(np.isnan(by_category), closed, by_category)
    return np.where(np.isnan(by_stage), fallback, by_stage)


def _percent(table: dict[str, float]) -> dict[str, float]:
    scale = 100.0 if table and max(table.values()) <= 1 else 1.0
    return {stage: value * scale for stage, value in table.items()}


def _moment(as_of: date) -> np.datetime64:
    if isinstance(as_of, datetime):
        if as_of.tzinfo is not None:
            as_of = as_of.astimezone(UTC).replace(tzinfo=None)
        moment: np.datetime64 = np.datetime64(as_of, "s")
        return moment
    end_of_day: np.datetime64 = np.datetime64(as_of, "D") + np.timedelta64(86_399, "s")
    return end_of_day
