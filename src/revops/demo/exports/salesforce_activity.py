"""What marketing and sales did, as Salesforce holds it: Campaign, CampaignMember, Task
and Event.

Calls, emails and to-dos are Tasks; meetings and demos are Events. An activity with a
Lead as its `WhoId` has no `WhatId`, since Salesforce does not let a lead's activity
relate to an account or opportunity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.exports.files import LazyRows
from revops.demo.exports.salesforce_format import (
    LEAD_SOURCE,
    as_datetime64,
    by_number,
    frame_of,
    sf_bool,
    sf_date,
    sf_datetime,
    sf_number,
    sf_text,
    shape,
)
from revops.demo.exports.salesforce_people import person_refs
from revops.demo.frames import World
from revops.demo.ids import SEQUENCE_START, canonical_number, salesforce_id, salesforce_ids

CAMPAIGN_FIELDS = [
    "Id", "IsDeleted", "Name", "Type", "Status", "StartDate", "EndDate", "BudgetedCost",
    "ActualCost", "IsActive", "Channel__c", "OwnerId", "CreatedDate", "LastModifiedDate",
]  # fmt: skip
CAMPAIGN_MEMBER_FIELDS = [
    "Id", "IsDeleted", "CampaignId", "LeadId", "ContactId", "Status", "HasResponded",
    "FirstRespondedDate", "CreatedDate", "LastModifiedDate",
]  # fmt: skip
TASK_FIELDS = [
    "Id", "IsDeleted", "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "Priority",
    "OwnerId", "Type", "TaskSubtype", "IsClosed", "CallDisposition", "CreatedDate",
    "LastModifiedDate",
]  # fmt: skip
EVENT_FIELDS = [
    "Id", "IsDeleted", "WhoId", "WhatId", "Subject", "Type", "ActivityDate",
    "ActivityDateTime", "StartDateTime", "EndDateTime", "DurationInMinutes", "OwnerId",
    "EventSubtype", "Outcome__c", "CreatedDate", "LastModifiedDate",
]  # fmt: skip
CAMPAIGN_TYPE = {
    "webinar": "Webinar",
    "ebook": "Content",
    "paid_ad": "Advertisement",
    "event": "Trade Show",
    "email": "Email",
}
MEMBER_STATUS = np.array(["Sent", "Responded", "Attended"], dtype=object)
# activity type → (Subject, Type, TaskSubtype) of Tasks, (Subject, minutes) of Events.
TASK_KINDS = {
    "call": ("Call", "Call", "Call"),
    "email": ("Email: Follow-up", "Email", "Email"),
    "task": ("Follow up", "Other", "Task"),
}
EVENT_KINDS = {"meeting": ("Meeting", 30), "demo": ("Product Demo", 60)}
CALL_DISPOSITION = {
    "completed": "Connected",
    "no_answer": "No Answer",
    "left_voicemail": "Left Voicemail",
}
EVENT_OUTCOME = {"held": "Held", "no_show": "No Show"}


def build_campaigns(world: World, as_of: np.datetime64) -> pd.DataFrame:
    """The Campaign rows; status and actual cost as they stand on `as_of`.

    Campaigns are owned round-robin by the marketing team and created two weeks before
    they start; a running campaign has spent its budget in proportion to its days gone.
    """
    campaigns = by_number(frame_of(world, "campaigns"), "campaign_id")
    start = as_datetime64(campaigns["start_date"], "D")
    end = as_datetime64(campaigns["end_date"], "D")
    today = as_of.astype("datetime64[D]")
    status = np.select([start > today, end < today], ["Planned", "Completed"], "In Progress")
    with np.errstate(divide="ignore", invalid="ignore"):
        elapsed = np.clip((today - start + 1) / (end - start + 1), 0.0, 1.0)
    budget = pd.to_numeric(campaigns["budget"], errors="coerce").to_numpy(dtype=float)
    spent = np.where(status == "Planned", np.nan, budget * elapsed).round(2)
    users = frame_of(world, "users")
    marketers = np.sort(users.loc[users["role"] == "marketing", "user_id"].to_numpy(dtype=str))
    number = canonical_number(campaigns["campaign_id"])
    owners = marketers[number % marketers.size] if marketers.size else np.full(number.size, "")
    created = start.astype("datetime64[s]") - np.timedelta64(14, "D") + np.timedelta64(15, "h")
    touched = np.minimum(end, today).astype("datetime64[s]") + np.timedelta64(15, "h")
    return shape(
        {
            "Id": salesforce_ids(campaigns["campaign_id"], "701"),
            "IsDeleted": "false",
            "Name": sf_text(campaigns["name"]),
            "Type": sf_text(campaigns["type"].map(CAMPAIGN_TYPE)),
            "Status": pd.Series(status, dtype=object),
            "StartDate": sf_date(campaigns["start_date"]),
            "EndDate": sf_date(campaigns["end_date"]),
            "BudgetedCost": sf_number(campaigns["budget"], 2),
            "ActualCost": sf_number(pd.Series(spent), 2),
            "IsActive": sf_bool(status == "In Progress"),
            "Channel__c": sf_text(campaigns["channel"].map(LEAD_SOURCE)),
            "OwnerId": salesforce_ids(pd.Series(owners, dtype=object), "005"),
            "CreatedDate": sf_datetime(pd.Series(created)),
            "LastModifiedDate": sf_datetime(
                pd.Series(np.where(status == "Planned", created, touched))
            ),
        },
        CAMPAIGN_FIELDS,
        len(campaigns),
    )


def build_campaign_members(world: World, records: pd.DataFrame) -> LazyRows:
    """One CampaignMember per campaign and person touched, at their furthest status.

    Ids follow the order members were added. A converted lead's membership carries both
    its `LeadId` and its `ContactId`, as Salesforce leaves it after conversion.
    """
    touches = frame_of(world, "touches")
    at = as_datetime64(touches["touched_at"], "s")
    rank = touches["status"].map({"sent": 0, "responded": 1, "attended": 2}).fillna(0)
    touches = touches.assign(
        at=at, rank=rank, responded=np.where(rank > 0, at, np.datetime64("NaT", "s"))
    )
    members = (
        touches.groupby(["campaign_id", "person_id"], sort=True)
        .agg(created=("at", "min"), rank=("rank", "max"), responded=("responded", "min"))
        .reset_index()
        .sort_values(["created", "campaign_id", "person_id"], kind="stable")
        .reset_index(drop=True)
    )
    unique = records.drop_duplicates("person_id").set_index("person_id")
    people = unique[["lead_sfid", "contact_sfid"]]

    def rows(part: slice) -> pd.DataFrame:
        return _campaign_members(members.iloc[part], range(len(members))[part], people)

    return LazyRows(len(members), rows)


def _campaign_members(
    members: pd.DataFrame, positions: range, people: pd.DataFrame
) -> pd.DataFrame:
    """The CampaignMember rows of `members`, the members at `positions` in the order
    they were added; `people` holds each known person's `lead_sfid` and `contact_sfid`."""
    person = members["person_id"]
    lead = sf_text(person.map(people["lead_sfid"]))
    # Not `isin`, which would hash every known person again for each slice.
    known = people.index.get_indexer(pd.Index(person)) >= 0
    lead = lead.where(known, salesforce_ids(person, "00Q"))
    created = as_datetime64(members["created"], "s")
    responded = as_datetime64(members["responded"], "s")
    return shape(
        {
            "Id": pd.Series(salesforce_id("00v", np.asarray(positions) + SEQUENCE_START)),
            "IsDeleted": "false",
            "CampaignId": salesforce_ids(members["campaign_id"], "701"),
            "LeadId": lead,
            "ContactId": sf_text(person.map(people["contact_sfid"])),
            "Status": pd.Series(MEMBER_STATUS[members["rank"].to_numpy(dtype=int)]),
            "HasResponded": sf_bool(members["rank"] > 0),
            "FirstRespondedDate": sf_date(pd.Series(responded)),
            "CreatedDate": sf_datetime(pd.Series(created)),
            "LastModifiedDate": sf_datetime(pd.Series(np.fmax(created, responded))),
        },
        CAMPAIGN_MEMBER_FIELDS,
        len(members),
    )


def build_tasks(world: World, records: pd.DataFrame) -> LazyRows:
    """Calls, emails and to-dos, logged completed when they happened."""
    tasks = _activities(world, records, list(TASK_KINDS))
    return LazyRows(len(tasks), lambda part: _tasks(tasks.iloc[part]))


def _tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    kind = tasks["type"]
    stamp = sf_datetime(tasks["occurred_at"])
    return shape(
        {
            "Id": salesforce_ids(tasks["activity_id"], "00T"),
            "IsDeleted": "false",
            "WhoId": tasks["who"],
            "WhatId": tasks["what"],
            "Subject": kind.map({k: v[0] for k, v in TASK_KINDS.items()}),
            "ActivityDate": sf_date(tasks["occurred_at"]),
            "Status": "Completed",
            "Priority": "Normal",
            "OwnerId": salesforce_ids(tasks["owner_id"], "005"),
            "Type": kind.map({k: v[1] for k, v in TASK_KINDS.items()}),
            "TaskSubtype": kind.map({k: v[2] for k, v in TASK_KINDS.items()}),
            "IsClosed": "true",
            "CallDisposition": sf_text(
                tasks["outcome"].map(CALL_DISPOSITION).where(kind == "call")
            ),
            "CreatedDate": stamp,
            "LastModifiedDate": stamp,
        },
        TASK_FIELDS,
        len(tasks),
    )


def build_events(world: World, records: pd.DataFrame) -> LazyRows:
    """Meetings and demos, booked one to seven days ahead."""
    events = _activities(world, records, list(EVENT_KINDS))
    return LazyRows(len(events), lambda part: _events(events.iloc[part]))


def _events(events: pd.DataFrame) -> pd.DataFrame:
    kind = events["type"]
    minutes = kind.map({k: v[1] for k, v in EVENT_KINDS.items()}).to_numpy(dtype=np.int64)
    start = as_datetime64(events["occurred_at"], "s")
    end = start + minutes.astype("timedelta64[m]")
    lead_days = canonical_number(events["activity_id"]) % 7 + 1
    start_text = sf_datetime(pd.Series(start))
    return shape(
        {
            "Id": salesforce_ids(events["activity_id"], "00U"),
            "IsDeleted": "false",
            "WhoId": events["who"],
            "WhatId": events["what"],
            "Subject": kind.map({k: v[0] for k, v in EVENT_KINDS.items()}),
            "Type": "Meeting",
            "ActivityDate": sf_date(pd.Series(start)),
            "ActivityDateTime": start_text,
            "StartDateTime": start_text,
            "EndDateTime": sf_datetime(pd.Series(end)),
            "DurationInMinutes": pd.Series(minutes).astype(str),
            "OwnerId": salesforce_ids(events["owner_id"], "005"),
            "EventSubtype": "Event",
            "Outcome__c": sf_text(events["outcome"].map(EVENT_OUTCOME)),
            "CreatedDate": sf_datetime(pd.Series(start - lead_days.astype("timedelta64[D]"))),
            "LastModifiedDate": sf_datetime(pd.Series(end)),
        },
        EVENT_FIELDS,
        len(events),
    )


def _activities(world: World, records: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """The activities of `kinds` sorted by id, with their `who` and `what` references."""
    activities = frame_of(world, "activities")
    activities = by_number(activities[activities["type"].isin(kinds)], "activity_id")
    who = person_refs(activities["person_id"], records)
    who = who.where(sf_text(activities["person_id"]) != "", "")
    what = salesforce_ids(activities["opportunity_id"], "006")
    what = what.where(what != "", salesforce_ids(activities["account_id"], "001"))
    return activities.assign(who=who, what=what.where(~who.str.startswith("00Q"), ""))
