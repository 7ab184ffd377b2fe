"""People as Salesforce holds them: Lead, Contact, and the org's own User and UserRole.

A person is a Contact once they are at an account and sales took them on (SQL, an
opportunity, a customer), or are the contact of a deal, or work at a customer; everyone
else is a Lead. A Contact who came through the funnel keeps a converted Lead row, as
Salesforce does, pointing at the Contact, Account and Opportunity it became; the Contact
itself is created at conversion.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.exports.salesforce_format import (
    LEAD_SOURCE,
    as_datetime64,
    as_flags,
    by_number,
    frame_of,
    sf_bool,
    sf_date,
    sf_datetime,
    sf_text,
    shape,
)
from revops.demo.frames import World
from revops.demo.ids import canonical_number, salesforce_ids

# Address and birth date fields a real export has; the demo company leaves them blank.
CONTACT_POSTAL = [
    "MailingStreet", "MailingCity", "MailingPostalCode", "MailingState", "MailingCountry",
    "Birthdate",
]  # fmt: skip
LEAD_POSTAL = ["Street", "City", "PostalCode", "State", "Country"]
CONTACT_FIELDS = [
    "Id", "IsDeleted", "AccountId", "FirstName", "LastName", "Email", "Phone", "Title",
    "LeadSource", "OwnerId", "CreatedDate", "LastModifiedDate", *CONTACT_POSTAL,
]  # fmt: skip
LEAD_FIELDS = [
    "Id", "IsDeleted", "FirstName", "LastName", "Company", "Email", "Phone", "Title", "Status",
    "LeadSource", "OwnerId", "IsConverted", "ConvertedDate", "ConvertedAccountId",
    "ConvertedContactId", "ConvertedOpportunityId", "CreatedDate", "LastModifiedDate",
    *LEAD_POSTAL, "pi__score__c",
]  # fmt: skip
# Account Engagement (Pardot) scoring points, as its default scoring rules give them: the
# score the org's marketing automation writes on the Lead (`pi__score__c`).
TOUCH_POINTS = {"sent": 0, "responded": 5, "attended": 20}
PAGEVIEW_POINTS = 1
FORM_POINTS = 50
USER_FIELDS = [
    "Id", "Username", "FirstName", "LastName", "Alias", "Email", "Title", "Department",
    "IsActive", "UserRoleId", "ManagerId", "CreatedDate", "LastModifiedDate",
]  # fmt: skip
USER_ROLE_FIELDS = ["Id", "Name", "DeveloperName", "ParentRoleId"]
DEPARTMENT = {
    "sales": "Sales",
    "marketing": "Marketing",
    "success": "Customer Success",
    "revops": "Revenue Operations",
}
USER_TITLE = {
    "AE": "Account Executive",
    "SDR": "Sales Development Representative",
    "CSM": "Customer Success Manager",
    "marketing": "Marketing Manager",
    "revops": "Revenue Operations Analyst",
}
# A lead nobody has worked on for this long is closed as not converted.
STALE_LEAD = np.timedelta64(120, "D")


def person_records(world: World) -> pd.DataFrame:
    """`world.people` sorted by id, with the Salesforce records each person has.

    Adds `is_contact`, `is_converted`, `converted_at`, `converted_opportunity_id`
    (canonical), `contact_sfid`, `lead_sfid` (`""` when the person has no such record),
    `sfid` (the Contact id of a contact, else the Lead id) and `last_activity_at`.
    """
    people = frame_of(world, "people")
    people = people.iloc[np.argsort(canonical_number(people["person_id"]), kind="stable")]
    people = people.reset_index(drop=True)
    opportunities = frame_of(world, "opportunities")
    account = sf_text(people["account_id"])
    sql, opportunity, customer = (
        as_datetime64(people[name], "s") for name in ("sql_at", "opportunity_at", "customer_at")
    )
    won_accounts = opportunities.loc[as_flags(opportunities["is_won"]), "account_id"]
    at_customer = account.isin(won_accounts) | account.isin(account[~np.isnat(customer)])
    reached = ~np.isnat(sql) | ~np.isnat(opportunity) | ~np.isnat(customer)
    deal_contact = people["person_id"].isin(opportunities["contact_id"])
    is_contact = (account != "") & (reached | deal_contact | at_customer)
    is_converted = is_contact & (~np.isnat(sql) | ~np.isnat(opportunity))
    first_deal = (
        opportunities.sort_values(["created_at", "opportunity_id"], kind="stable")
        .drop_duplicates("contact_id")
        .set_index("contact_id")["opportunity_id"]
    )
    contact = salesforce_ids(people["person_id"], "003").where(is_contact, "")
    lead = salesforce_ids(people["person_id"], "00Q").where(~is_contact | is_converted, "")
    activities = frame_of(world, "activities")
    last_activity = activities.groupby("person_id")["occurred_at"].max()
    converted_at = np.where(np.isnat(sql), opportunity, sql)
    converted_at[~is_converted.to_numpy()] = np.datetime64("NaT")
    return people.assign(
        is_contact=is_contact,
        is_converted=is_converted,
        converted_at=converted_at,
        converted_opportunity_id=sf_text(people["person_id"].map(first_deal)).where(
            is_converted, ""
        ),
        contact_sfid=contact,
        lead_sfid=lead,
        sfid=contact.where(is_contact, lead),
        last_activity_at=as_datetime64(people["person_id"].map(last_activity), "s"),
    )


def person_refs(person_ids: pd.Series, records: pd.DataFrame) -> pd.Series:
    """The Contact or Lead id of each person; unknown people keep a (dangling) Lead id."""
    known = person_ids.map(records.drop_duplicates("person_id").set_index("person_id")["sfid"])
    return known.where(known.notna(), salesforce_ids(person_ids, "00Q")).astype(object)


def build_contacts(world: World, records: pd.DataFrame) -> pd.DataFrame:
    """The Contact rows."""
    people = records[records["is_contact"]].reset_index(drop=True)
    converted = people["is_converted"].to_numpy()
    created = np.where(
        converted, as_datetime64(people["converted_at"], "s"), _stamps(people, "created_at")
    )
    modified = np.fmax.reduce(
        [created, *(_stamps(people, c) for c in ("customer_at", "last_activity_at"))]
    )
    return shape(
        {
            "Id": people["contact_sfid"],
            "IsDeleted": "false",
            "AccountId": salesforce_ids(people["account_id"], "001"),
            "FirstName": sf_text(people["first_name"]),
            "LastName": sf_text(people["last_name"]),
            "Email": sf_text(people["email"]),
            "Phone": sf_text(people["phone"]),
            "Title": sf_text(people["title"]),
            "LeadSource": sf_text(people["channel"].map(LEAD_SOURCE)),
            "OwnerId": salesforce_ids(people["owner_id"], "005"),
            "CreatedDate": sf_datetime(pd.Series(created)),
            "LastModifiedDate": sf_datetime(pd.Series(modified)),
            **dict.fromkeys(CONTACT_POSTAL, ""),
        },
        CONTACT_FIELDS,
        len(people),
    )


def build_leads(world: World, records: pd.DataFrame, as_of: np.datetime64) -> pd.DataFrame:
    """The Lead rows: open, worked, closed and converted leads."""
    people = records[records["lead_sfid"] != ""].reset_index(drop=True)
    accounts = frame_of(world, "accounts").drop_duplicates("account_id")
    company = sf_text(people["account_id"].map(accounts.set_index("account_id")["name"]))
    domain = sf_text(people["email"]).str.extract(r"@([^.@]+)", expand=False).fillna("")
    from_domain = domain.str.replace(r"[-_]", " ", regex=True).str.title()
    company = company.where(company != "", from_domain).replace("", "[not provided]")
    converted = people["is_converted"].to_numpy()
    converted_at = as_datetime64(people["converted_at"], "s")
    progress = np.fmax.reduce(
        [_stamps(people, c) for c in ("created_at", "mql_at", "sql_at", "last_activity_at")]
    )
    worked = ~np.isnat(_stamps(people, "mql_at")) | ~np.isnat(_stamps(people, "sql_at"))
    worked |= ~np.isnat(_stamps(people, "last_activity_at"))
    status = np.select(
        [converted, (as_of - progress) > STALE_LEAD, worked],
        ["Closed - Converted", "Closed - Not Converted", "Working - Contacted"],
        "Open - Not Contacted",
    )
    return shape(
        {
            "Id": people["lead_sfid"],
            "IsDeleted": "false",
            "FirstName": sf_text(people["first_name"]),
            "LastName": sf_text(people["last_name"]),
            "Company": company,
            "Email": sf_text(people["email"]),
            "Phone": sf_text(people["phone"]),
            "Title": sf_text(people["title"]),
            "Status": pd.Series(status, dtype=object),
            "LeadSource": sf_text(people["channel"].map(LEAD_SOURCE)),
            "OwnerId": salesforce_ids(people["owner_id"], "005"),
            "IsConverted": sf_bool(converted),
            "ConvertedDate": sf_date(pd.Series(converted_at)),
            "ConvertedAccountId": salesforce_ids(people["account_id"], "001").where(converted, ""),
            "ConvertedContactId": people["contact_sfid"].where(converted, ""),
            "ConvertedOpportunityId": salesforce_ids(people["converted_opportunity_id"], "006"),
            "CreatedDate": sf_datetime(people["created_at"]),
            "LastModifiedDate": sf_datetime(pd.Series(np.where(converted, converted_at, progress))),
            **dict.fromkeys(LEAD_POSTAL, ""),
            "pi__score__c": engagement_points(world, people["person_id"]).astype(str),
        },
        LEAD_FIELDS,
        len(people),
    )


def engagement_points(world: World, person_ids: pd.Series) -> pd.Series:
    """Each person's marketing automation score at export: points for every campaign
    response and event attended, page viewed and form submitted, never decayed (as
    Account Engagement's default scoring keeps them)."""
    touches = frame_of(world, "touches")
    touch = touches["status"].map(TOUCH_POINTS).fillna(0).groupby(touches["person_id"]).sum()
    sessions = frame_of(world, "web_sessions")
    known = sessions[sessions["person_id"].fillna("") != ""]
    views = pd.to_numeric(known["pageviews"], errors="coerce").fillna(0) * PAGEVIEW_POINTS
    forms = known["converted"].astype(bool) * FORM_POINTS
    web = (views + forms).groupby(known["person_id"]).sum()
    total = touch.add(web, fill_value=0)
    return person_ids.map(total).fillna(0).astype(np.int64)


def build_users(world: World, as_of: np.datetime64) -> pd.DataFrame:
    """The User rows: created a few days before the hire date, inactive once they left."""
    users = by_number(frame_of(world, "users"), "user_id")
    teams = frame_of(world, "teams").drop_duplicates("team_id").set_index("team_id")
    department = sf_text(users["team_id"].map(teams["department"]).map(DEPARTMENT))
    role = sf_text(users["role"])
    title = sf_text(role.map(USER_TITLE))
    title = title.where(role != "manager", (department + " Manager").str.strip())
    title = title.where(role != "executive", ("VP " + department).str.strip())
    first, last = sf_text(users["first_name"]), sf_text(users["last_name"])
    alias = (first.str[:1] + last.str.replace(r"[^A-Za-z]", "", regex=True).str[:4]).str.lower()
    hired = as_datetime64(users["hire_date"], "D").astype("datetime64[s]")
    created = hired - np.timedelta64(3, "D") + np.timedelta64(16, "h")
    left = as_datetime64(users["termination_date"], "D").astype("datetime64[s]")
    gone = ~np.isnat(left) & (left <= as_of)
    return shape(
        {
            "Id": salesforce_ids(users["user_id"], "005"),
            "Username": sf_text(users["email"]),
            "FirstName": first,
            "LastName": last,
            "Alias": alias,
            "Email": sf_text(users["email"]),
            "Title": title,
            "Department": department,
            "IsActive": sf_bool(~gone),
            "UserRoleId": salesforce_ids(users["team_id"], "00E"),
            "ManagerId": salesforce_ids(users["manager_id"], "005"),
            "CreatedDate": sf_datetime(pd.Series(created)),
            "LastModifiedDate": sf_datetime(
                pd.Series(np.where(gone, left + np.timedelta64(17, "h"), created))
            ),
        },
        USER_FIELDS,
        len(users),
    )


def build_user_roles(world: World) -> pd.DataFrame:
    """One UserRole per team, under the role of the team its manager belongs to."""
    teams = by_number(frame_of(world, "teams"), "team_id")
    users = frame_of(world, "users").drop_duplicates("user_id").set_index("user_id")
    parent = sf_text(teams["manager_id"].map(users["team_id"]))
    parent = parent.where(parent != teams["team_id"], "")
    name = sf_text(teams["name"])
    developer_name = name.str.replace(r"[^A-Za-z0-9]+", "_", regex=True).str.strip("_")
    return shape(
        {
            "Id": salesforce_ids(teams["team_id"], "00E"),
            "Name": name,
            "DeveloperName": developer_name,
            "ParentRoleId": salesforce_ids(parent, "00E"),
        },
        USER_ROLE_FIELDS,
        len(teams),
    )


def _stamps(frame: pd.DataFrame, column: str) -> npt.NDArray[np.datetime64]:
    return as_datetime64(frame[column], "s")
