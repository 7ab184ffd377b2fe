"""The CRM exports: Salesforce objects and HubSpot files built from a small hand-made world."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revops.demo.exports.hubspot import (
    CONTACT_COLUMNS,
    CROSSWALK_COLUMNS,
    PERSONAL_DOMAINS,
    export_hubspot,
    hubspot_crosswalk,
)
from revops.demo.exports.hubspot_events import (
    EMAIL_CAMPAIGN_COLUMNS,
    EMAIL_EVENT_COLUMNS,
    FORM_COLUMNS,
    FORMS_COLUMNS,
    SITE_FORMS,
)
from revops.demo.exports.salesforce import export_salesforce
from revops.demo.frames import FRAMES, World
from revops.demo.ids import (
    BASE62,
    canonical_number,
    hubspot_id,
    random_uuid,
    salesforce_id,
    salesforce_ids,
    stripe_id,
)

AS_OF = pd.Timestamp("2024-04-15")
SALESFORCE_HEADERS = {
    "Account": "Id,IsDeleted,Name,Type,ParentId,Website,Industry,NumberOfEmployees,"
    "AnnualRevenue,BillingCountry,OwnerId,CreatedDate,CreatedById,LastModifiedDate",
    "Contact": "Id,IsDeleted,AccountId,FirstName,LastName,Email,Phone,Title,LeadSource,"
    "OwnerId,CreatedDate,LastModifiedDate,MailingStreet,MailingCity,MailingPostalCode,"
    "MailingState,MailingCountry,Birthdate",
    "Lead": "Id,IsDeleted,FirstName,LastName,Company,Email,Phone,Title,Status,LeadSource,"
    "OwnerId,IsConverted,ConvertedDate,ConvertedAccountId,ConvertedContactId,"
    "ConvertedOpportunityId,CreatedDate,LastModifiedDate,Street,City,PostalCode,State,Country,"
    "pi__score__c",
    "Opportunity": "Id,IsDeleted,AccountId,ContactId,Name,Type,StageName,Amount,Probability,"
    "ExpectedRevenue,CloseDate,ForecastCategoryName,IsClosed,IsWon,LeadSource,CampaignId,"
    "OwnerId,NextStep,Loss_Reason__c,Sales_Play__c,CreatedDate,CreatedById,LastModifiedDate",
    "OpportunityHistory": "Id,IsDeleted,OpportunityId,StageName,Amount,ExpectedRevenue,"
    "CloseDate,Probability,ForecastCategory,CreatedDate,CreatedById",
    "Task": "Id,IsDeleted,WhoId,WhatId,Subject,ActivityDate,Status,Priority,OwnerId,Type,"
    "TaskSubtype,IsClosed,CallDisposition,CreatedDate,LastModifiedDate",
    "Event": "Id,IsDeleted,WhoId,WhatId,Subject,Type,ActivityDate,ActivityDateTime,"
    "StartDateTime,EndDateTime,DurationInMinutes,OwnerId,EventSubtype,Outcome__c,"
    "CreatedDate,LastModifiedDate",
    "Campaign": "Id,IsDeleted,Name,Type,Status,StartDate,EndDate,BudgetedCost,ActualCost,"
    "IsActive,Channel__c,OwnerId,CreatedDate,LastModifiedDate",
    "CampaignMember": "Id,IsDeleted,CampaignId,LeadId,ContactId,Status,HasResponded,"
    "FirstRespondedDate,CreatedDate,LastModifiedDate",
    "User": "Id,Username,FirstName,LastName,Alias,Email,Title,Department,IsActive,UserRoleId,"
    "ManagerId,CreatedDate,LastModifiedDate",
    "UserRole": "Id,Name,DeveloperName,ParentRoleId",
}
SF_ID = re.compile(r"^[0-9A-Za-z]{18}$")
SF_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$")
SF_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
HS_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


# The tiny company, one CSV block per frame (headers are exactly the contract's columns).
USERS = """
user_id,first_name,last_name,email,role,segment,team_id,manager_id,hire_date,ramp_months,termination_date,skill
usr-000001,Dana,Reyes,dana.reyes@revops-demo.com,executive,,team-01,,2020-01-06,0,,0.9
usr-000002,Sam,Okafor,sam.okafor@revops-demo.com,AE,smb,team-02,usr-000001,2022-01-10,3,,0.7
usr-000003,Olive,Grant,olive.grant@revops-demo.com,AE,smb,team-02,usr-000001,2022-02-01,3,2023-06-30,0.4
usr-000004,Mia,Chen,mia.chen@revops-demo.com,marketing,,team-03,usr-000001,2021-05-03,2,,0.5
"""
TEAMS = """
team_id,name,department,manager_id
team-01,Leadership,sales,usr-000001
team-02,SMB Sales,sales,usr-000001
team-03,Demand Gen,marketing,usr-000001
"""
ACCOUNTS = """
account_id,name,domain,industry,employees,annual_revenue,country,region,segment,created_at,owner_id,health
acc-000001,Acme Corp,acme.com,Software,120,25000000,US,NA,smb,2022-11-02 09:30,usr-000002,0.8
acc-000002,Globex,globex.io,Manufacturing,900,300000000,DE,EMEA,mid_market,2023-01-15 12:00,usr-000002,0.5
acc-000003,Initech,initech.com,Financial Services,40,4000000,GB,EMEA,smb,2023-08-01 08:00,usr-000002,0.3
"""  # noqa: E501
PEOPLE = """
person_id,account_id,first_name,last_name,email,phone,title,channel,campaign_id,created_at,mql_at,sql_at,opportunity_at,customer_at,owner_id,quality
per-0000001,acc-000001,Ann,Lee,ann.lee@acme.com,+14155550101,VP Sales,paid_search,cmp-0001,2023-01-20 10:00,2023-02-01 11:00,2023-02-10 09:00,2023-03-01 15:00,2023-05-30 17:00,usr-000002,0.9
per-0000002,acc-000001,Bob,Stone,bob.stone@acme.com,,CFO,referral,,2023-06-01 08:00,,,,,usr-000002,0.5
per-0000003,acc-000002,Cara,Díaz,cara.diaz@globex.io,+4930555012,Head of RevOps,organic,cmp-0002,2023-09-05 14:00,2023-09-20 10:00,2023-10-02 10:00,2023-10-10 16:00,,usr-000003,0.7
per-0000004,,Dev,Patel,dev@patel-consulting.co.uk,,Consultant,organic,,2023-03-01 12:00,,,,,,0.2
per-0000005,acc-000003,Eve,Moss,eve.moss@initech.com,,Analyst,paid_social,cmp-0003,2024-03-20 09:00,2024-04-01 09:00,,,,usr-000002,0.6
per-0000006,,Finn,Ray,finn@ray-labs.com,,Founder,paid_search,,2024-04-10 10:00,,,,,,0.4
per-0000007,acc-000003,Gus,Hill,gus.hill@initech.com,,CTO,outbound,,2024-02-01 10:00,,,,,usr-000002,0.3
per-0000008,,Hana,Sato,hana@sato.jp,,Engineer,organic,,2022-12-01 10:00,,,,,,0.1
"""  # noqa: E501
CAMPAIGNS = """
campaign_id,name,channel,type,start_date,end_date,budget
cmp-0001,Q1 Search Ads,paid_search,paid_ad,2023-01-01,2023-03-31,30000
cmp-0002,Pipeline Webinar,organic,webinar,2023-09-01,2023-09-30,5000
cmp-0003,Spring Newsletter,paid_social,email,2024-04-01,2024-06-30,9100
"""
TOUCHES = """
person_id,campaign_id,touched_at,status
per-0000001,cmp-0001,2023-01-20 10:00,responded
per-0000003,cmp-0002,2023-09-05 14:00,sent
per-0000003,cmp-0002,2023-09-06 09:00,responded
per-0000003,cmp-0002,2023-09-21 17:00,attended
per-0000004,cmp-0002,2023-09-06 12:00,responded
per-0000005,cmp-0003,2024-04-02 08:00,sent
per-0000006,cmp-0003,2024-04-11 08:00,sent
"""
OPPORTUNITIES = """
opportunity_id,account_id,owner_id,contact_id,type,source,campaign_id,partner_id,created_at,close_date,stage,amount,is_closed,is_won,closed_at,lost_reason,sales_play,win_probability
opp-0000001,acc-000001,usr-000002,per-0000001,new,paid_search,cmp-0001,,2023-03-01 15:00,2023-05-30,Closed Won,24000,true,true,2023-05-30 17:00,,MEDDICC,0.5
opp-0000002,acc-000002,usr-000002,per-0000003,new,organic,cmp-0002,,2023-10-10 16:00,2024-06-28,Proposal,51250.5,false,false,,,,0.35
opp-0000003,acc-000001,usr-000002,per-0000002,expansion,referral,,,2023-11-01 10:00,2024-01-31,Closed Lost,12000,true,false,2024-01-31 12:00,Budget,Challenger,0.3
"""  # noqa: E501
OPPORTUNITY_HISTORY = """
opportunity_id,valid_from,stage,amount,close_date,forecast_category,owner_id
opp-0000001,2023-03-01 15:00,Discovery,20000,2023-06-30,Pipeline,usr-000002
opp-0000001,2023-04-10 10:00,Proposal,24000,2023-06-15,Best Case,usr-000002
opp-0000001,2023-05-30 17:00,Closed Won,24000,2023-05-30,Closed,usr-000002
opp-0000002,2023-10-10 16:00,Discovery,40000,2024-03-29,Pipeline,usr-000003
opp-0000002,2024-02-12 09:00,Proposal,51250.5,2024-06-28,Commit,usr-000002
opp-0000003,2023-11-01 10:00,Discovery,12000,2024-01-31,Pipeline,usr-000002
opp-0000003,2024-01-31 12:00,Closed Lost,12000,2024-01-31,Omitted,usr-000002
"""
ACTIVITIES = """
activity_id,type,owner_id,person_id,account_id,opportunity_id,occurred_at,outcome
act-00000001,call,usr-000002,per-0000001,acc-000001,opp-0000001,2023-03-05 16:00,completed
act-00000002,meeting,usr-000002,per-0000003,acc-000002,opp-0000002,2023-10-20 15:00,held
act-00000003,email,usr-000002,per-0000005,acc-000003,,2024-04-03 09:30,completed
act-00000004,demo,usr-000002,per-0000003,acc-000002,opp-0000002,2024-01-09 17:00,no_show
act-00000005,task,usr-000002,,acc-000002,,2024-02-01 09:00,completed
act-00000006,call,usr-000002,per-0000007,acc-000003,,2024-03-11 14:00,left_voicemail
"""
TIMES = ("_at", "_date", "valid_from")
NUMBERS = {"ramp_months", "skill", "employees", "annual_revenue", "health", "quality", "budget",
           "amount", "win_probability"}  # fmt: skip


def frame(name: str, text: str) -> pd.DataFrame:
    """A world frame from a CSV block: timestamps as datetime64[s], numbers, booleans."""
    data = pd.read_csv(io.StringIO(text.strip()), dtype=str, keep_default_na=False)
    assert list(data.columns) == list(FRAMES[name])
    for column in data.columns:
        if column.endswith(TIMES):
            data[column] = pd.to_datetime(data[column].replace("", None)).astype("datetime64[s]")
        elif column in NUMBERS:
            data[column] = data[column].astype(float)
        elif column.startswith("is_"):
            data[column] = data[column] == "true"
    return data


def tiny_world() -> World:
    return World(
        users=frame("users", USERS),
        teams=frame("teams", TEAMS),
        accounts=frame("accounts", ACCOUNTS),
        people=frame("people", PEOPLE),
        campaigns=frame("campaigns", CAMPAIGNS),
        touches=frame("touches", TOUCHES),
        opportunities=frame("opportunities", OPPORTUNITIES),
        opportunity_history=frame("opportunity_history", OPPORTUNITY_HISTORY),
        activities=frame("activities", ACTIVITIES),
    )


@pytest.fixture(scope="module")
def world() -> World:
    return tiny_world()


@pytest.fixture(scope="module")
def salesforce(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("crm")
    export_salesforce(world, out, as_of=AS_OF.date())
    return read_salesforce(out)


def read_salesforce(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(folder / "salesforce" / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in SALESFORCE_HEADERS
    }


# ids


def checksum(id15: str) -> str:
    """The case-safety suffix, straight from Salesforce's description of it."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    out = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        out += alphabet[sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")]
    return out


def test_the_case_safety_suffix_matches_known_ids() -> None:
    assert checksum("001A0000006Vm9r") == "IAC"
    # by hand: "0038d" → 0 → A, "00000" → A, "B0000" has B at bit 0 → 1 → B
    assert salesforce_id("003", [11 * 62**4]).tolist() == ["0038d00000B0000AAB"]
    # "ZZZAB" sets all five bits: 31 → "5"; a pod "ZZ" sets bits 3 and 4: 24 → "Y"
    assert salesforce_id("ZZZ", [0], pod="AB")[0][15:] == "5AA"
    assert salesforce_id("001", [0], pod="ZZ")[0][15:] == "YAA"
    # lower-case letters set no bit
    assert salesforce_id("001", [62**10 - 1])[0] == "0018dzzzzzzzzzzAAA"
    # the real id 001A0000006Vm9r (pod "A0", sequence 000006Vm9r) round-trips
    sequence = sum(BASE62.index(char) * 62**i for i, char in enumerate(reversed("000006Vm9r")))
    assert salesforce_id("001", [sequence], pod="A0").tolist() == ["001A0000006Vm9rIAC"]


def test_salesforce_ids_are_18_characters_unique_and_carry_their_checksum() -> None:
    numbers = np.random.default_rng(1).choice(62**10, 50_000, replace=False)
    ids = salesforce_id("006", numbers)
    assert len(set(ids.tolist())) == len(ids)
    for value in ids[:2_000]:
        assert SF_ID.match(value)
        assert value[:5] == "0068d"
        assert value[15:] == checksum(value[:15])


def test_canonical_ids_map_to_salesforce_ids_by_their_number() -> None:
    canonical = pd.Series(["acc-000002", "", None, "acc-000010"])
    ids = salesforce_ids(canonical, "001")
    assert ids.tolist()[1:3] == ["", ""]
    assert canonical_number(canonical).tolist() == [2, -1, -1, 10]
    assert ids[0] < ids[3]
    with pytest.raises(ValueError, match="acc-000123"):
        canonical_number(pd.Series(["acc-12x"]))


def test_hubspot_stripe_and_uuid_ids_have_their_tools_shapes() -> None:
    assert hubspot_id([5]).tolist() == ["51000000005"]
    ids = stripe_id("cus", np.arange(10_000), np.random.default_rng(3))
    assert all(re.fullmatch(r"cus_[0-9A-Za-z]{14}", value) for value in ids)
    assert len(set(ids.tolist())) == len(ids)
    again = stripe_id("cus", np.arange(10_000), np.random.default_rng(3))
    assert (ids == again).all()
    uuid = random_uuid(np.random.default_rng(0), 3)
    version_4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(version_4.fullmatch(value) for value in uuid)


# Salesforce


def row_of(rows: pd.DataFrame, column: str, value: str) -> pd.Series:
    match = rows[rows[column] == value]
    assert len(match) == 1, f"{value!r} in {column}: {len(match)} rows"
    return match.iloc[0]


def test_each_salesforce_file_has_exactly_its_documented_header(tmp_path: Path) -> None:
    written = export_salesforce(tiny_world(), tmp_path, as_of=AS_OF.date())
    assert set(written) == set(SALESFORCE_HEADERS)
    for name, header in SALESFORCE_HEADERS.items():
        lines = (tmp_path / "salesforce" / f"{name}.csv").read_text("utf-8").split("\n")
        assert lines[0] == header
        assert written[name] == len(lines) - 2  # header, rows, then the final line end


def test_salesforce_ids_are_unique_checksummed_and_prefixed_by_object(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    prefixes = {"Account": "001", "Contact": "003", "Lead": "00Q", "Opportunity": "006",
                "OpportunityHistory": "008", "Task": "00T", "Event": "00U", "Campaign": "701",
                "CampaignMember": "00v", "User": "005", "UserRole": "00E"}  # fmt: skip
    for name, rows in salesforce.items():
        ids = rows["Id"]
        assert ids.is_unique, name
        assert ids.tolist() == sorted(ids), f"{name} is sorted by id"
        for value in ids:
            assert SF_ID.match(value), value
            assert value[:3] == prefixes[name]
            assert value[15:] == checksum(value[:15])


def test_dates_datetimes_and_booleans_are_written_as_salesforce_writes_them(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    checked = 0
    for name, rows in salesforce.items():
        for column in rows.columns:
            values = rows[column][rows[column] != ""]
            if column.endswith(("DateTime", "CreatedDate", "ModifiedDate")):
                pattern = SF_DATETIME
            elif column.endswith("Date"):
                pattern = SF_DATE
            elif column.startswith(("Is", "Has")):
                assert set(values) <= {"true", "false"}, (name, column)
                continue
            else:
                continue
            checked += 1
            assert values.map(lambda v, p=pattern: bool(p.match(v))).all(), (name, column)
    assert checked > 20
    lead = row_of(salesforce["Lead"], "Email", "ann.lee@acme.com")
    assert lead["CreatedDate"] == "2023-01-20T10:00:00.000+0000"
    assert lead["ConvertedDate"] == "2023-02-10"


def test_every_reference_between_salesforce_files_resolves(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    ids = {name: set(rows["Id"]) for name, rows in salesforce.items()}
    references = [
        ("Contact", "AccountId", "Account"), ("Contact", "OwnerId", "User"),
        ("Lead", "OwnerId", "User"), ("Lead", "ConvertedAccountId", "Account"),
        ("Lead", "ConvertedContactId", "Contact"),
        ("Lead", "ConvertedOpportunityId", "Opportunity"),
        ("Opportunity", "AccountId", "Account"), ("Opportunity", "ContactId", "Contact"),
        ("Opportunity", "CampaignId", "Campaign"), ("Opportunity", "OwnerId", "User"),
        ("OpportunityHistory", "OpportunityId", "Opportunity"),
        ("OpportunityHistory", "CreatedById", "User"), ("Task", "OwnerId", "User"),
        ("Event", "OwnerId", "User"), ("CampaignMember", "CampaignId", "Campaign"),
        ("CampaignMember", "LeadId", "Lead"), ("CampaignMember", "ContactId", "Contact"),
        ("Campaign", "OwnerId", "User"), ("User", "UserRoleId", "UserRole"),
        ("User", "ManagerId", "User"), ("UserRole", "ParentRoleId", "UserRole"),
        ("Account", "OwnerId", "User"),
    ]  # fmt: skip
    for source, column, target in references:
        values = set(salesforce[source][column]) - {""}
        assert values, (source, column)
        assert values <= ids[target], (source, column)
    for name in ("Task", "Event"):
        who = set(salesforce[name]["WhoId"]) - {""}
        what = set(salesforce[name]["WhatId"]) - {""}
        assert who <= ids["Contact"] | ids["Lead"]
        assert what <= ids["Account"] | ids["Opportunity"]


def test_people_at_an_account_whom_sales_took_on_are_contacts_and_the_rest_leads(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    contacts, leads = salesforce["Contact"], salesforce["Lead"]
    assert set(contacts["FirstName"]) == {"Ann", "Bob", "Cara"}
    status = dict(zip(leads["FirstName"], leads["Status"], strict=True))
    assert status == {
        "Ann": "Closed - Converted",
        "Cara": "Closed - Converted",
        "Dev": "Closed - Not Converted",  # untouched for over 120 days
        "Eve": "Working - Contacted",  # an MQL
        "Finn": "Open - Not Contacted",
        "Gus": "Working - Contacted",  # an SDR called him
        "Hana": "Closed - Not Converted",
    }
    assert row_of(leads, "FirstName", "Finn")["Company"] == "Ray Labs"
    assert row_of(leads, "FirstName", "Gus")["Company"] == "Initech"


def test_a_leads_marketing_automation_score_adds_up_its_responses_and_visits(
    world: World, tmp_path: Path
) -> None:
    # Cara: a webinar invitation (0), a response (5) and the webinar attended (20); Ann
    # answered the search ad (5); Eve was sent a newsletter (0). Then Eve visits twice,
    # viewing 3 and 2 pages, and fills a form the second time (50).
    sessions = frame(
        "web_sessions",
        "session_id,visitor_id,person_id,account_id,started_at,landing_page,source,medium,"
        "channel,device,pageviews,converted\n"
        "ses-1,v1,per-0000005,,2024-04-02 09:00,/,google,cpc,paid_search,desktop,3,false\n"
        "ses-2,v1,per-0000005,,2024-04-03 09:00,/demo,google,cpc,paid_search,desktop,2,true\n"
        "ses-3,v2,,,2024-04-03 10:00,/,google,cpc,paid_search,desktop,9,true\n",
    ).assign(converted=lambda f: f["converted"] == "true")
    visited = World(**{**vars(world), "web_sessions": sessions})
    export_salesforce(visited, tmp_path, as_of=AS_OF.date())
    leads = read_salesforce(tmp_path)["Lead"]
    score = dict(zip(leads["FirstName"], leads["pi__score__c"], strict=True))
    assert score == {"Ann": "5", "Cara": "25", "Dev": "5", "Eve": "55", "Finn": "0",
                     "Gus": "0", "Hana": "0"}  # fmt: skip


def test_converted_leads_point_at_their_contact_account_and_opportunity(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    leads, contacts = salesforce["Lead"], salesforce["Contact"]
    accounts, deals = salesforce["Account"], salesforce["Opportunity"]
    for email, company, stage in [
        ("ann.lee@acme.com", "Acme Corp", "Closed Won"),
        ("cara.diaz@globex.io", "Globex", "Proposal"),
    ]:
        lead = row_of(leads, "Email", email)
        contact = row_of(contacts, "Email", email)
        assert lead["IsConverted"] == "true"
        assert lead["ConvertedContactId"] == contact["Id"]
        assert lead["ConvertedAccountId"] == contact["AccountId"]
        assert row_of(accounts, "Id", lead["ConvertedAccountId"])["Name"] == company
        deal = row_of(deals, "Id", lead["ConvertedOpportunityId"])
        assert (deal["ContactId"], deal["StageName"]) == (contact["Id"], stage)
        # Salesforce creates the contact when it converts the lead.
        assert contact["CreatedDate"][:10] == lead["ConvertedDate"]
    open_leads = leads[leads["IsConverted"] == "false"]
    converted = ["ConvertedDate", "ConvertedAccountId", "ConvertedContactId",
                 "ConvertedOpportunityId"]  # fmt: skip
    assert (open_leads[converted] == "").all().all()


def test_opportunity_history_has_a_row_per_version_in_time_order(
    world: World, salesforce: dict[str, pd.DataFrame]
) -> None:
    history, deals = salesforce["OpportunityHistory"], salesforce["Opportunity"]
    expected = world.opportunity_history.groupby("opportunity_id").size()
    canonical = world.opportunities["opportunity_id"]
    to_world = dict(zip(salesforce_ids(canonical, "006"), canonical, strict=True))
    assert len(history) == len(world.opportunity_history)
    assert set(history["OpportunityId"]) == set(deals["Id"])
    for deal_id, count in history.groupby("OpportunityId").size().items():
        assert count == expected[to_world[deal_id]]
    assert history["CreatedDate"].tolist() == sorted(history["CreatedDate"])
    assert set(history["ForecastCategory"]) == {"Pipeline", "BestCase", "Forecast", "Closed",
                                                "Omitted"}  # fmt: skip


def test_opportunities_show_their_latest_version_and_first_owner(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    deal = row_of(salesforce["Opportunity"], "StageName", "Proposal")
    users = salesforce["User"].set_index("Id")
    assert deal["ForecastCategoryName"] == "Commit"
    assert (deal["Amount"], deal["Probability"], deal["ExpectedRevenue"]) == (
        "51250.50", "60", "30750.30")  # fmt: skip
    assert users.loc[deal["CreatedById"], "FirstName"] == "Olive"
    assert users.loc[deal["OwnerId"], "FirstName"] == "Sam"
    assert (deal["IsClosed"], deal["IsWon"], deal["Type"]) == ("false", "false", "New Business")
    lost = row_of(salesforce["Opportunity"], "StageName", "Closed Lost")
    assert (lost["Probability"], lost["Loss_Reason__c"]) == ("0", "Budget")
    assert (lost["Sales_Play__c"], deal["Sales_Play__c"]) == ("Challenger", "")
    assert lost["Type"] == "Existing Business - Upgrade"


def test_opportunity_amounts_read_back_with_pandas_sum_to_the_worlds(
    world: World, tmp_path: Path
) -> None:
    export_salesforce(world, tmp_path, as_of=AS_OF.date())
    deals = pd.read_csv(tmp_path / "salesforce" / "Opportunity.csv")
    assert deals["Amount"].dtype == np.float64
    assert deals["Amount"].sum() == pytest.approx(world.opportunities["amount"].sum(), abs=0.005)
    assert len(deals) == len(world.opportunities)


def test_stage_probabilities_may_be_given_in_percent_or_as_fractions(
    world: World, tmp_path: Path
) -> None:
    for table in ({"Proposal": 55.0}, {"Proposal": 0.55, "Closed Won": 1.0}):
        export_salesforce(world, tmp_path, stages_probability=table, as_of=AS_OF.date())
        deals = read_salesforce(tmp_path)["Opportunity"]
        assert row_of(deals, "StageName", "Proposal")["Probability"] == "55"


def test_calls_emails_and_todos_are_tasks_and_meetings_and_demos_events(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    tasks, events = salesforce["Task"], salesforce["Event"]
    assert sorted(tasks["TaskSubtype"]) == ["Call", "Call", "Email", "Task"]
    assert sorted(events["Subject"]) == ["Meeting", "Product Demo"]
    # A lead's activity cannot relate to an account or opportunity.
    on_leads = tasks[tasks["WhoId"].str.startswith("00Q")]
    assert len(on_leads) == 2
    assert (on_leads["WhatId"] == "").all()
    demo = row_of(events, "Subject", "Product Demo")
    assert (demo["StartDateTime"], demo["EndDateTime"], demo["DurationInMinutes"]) == (
        "2024-01-09T17:00:00.000+0000", "2024-01-09T18:00:00.000+0000", "60")  # fmt: skip
    assert demo["Outcome__c"] == "No Show"
    assert row_of(tasks, "CallDisposition", "Left Voicemail")["ActivityDate"] == "2024-03-11"


def test_campaign_members_hold_the_furthest_status_and_both_ids_after_conversion(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    members, contacts = salesforce["CampaignMember"], salesforce["Contact"]
    cara = row_of(contacts, "FirstName", "Cara")["Id"]
    member = row_of(members, "ContactId", cara)
    assert (member["Status"], member["HasResponded"]) == ("Attended", "true")
    assert member["FirstRespondedDate"] == "2023-09-06"
    assert member["LeadId"].startswith("00Q")
    assert len(members) == 5
    assert (members[members["HasResponded"] == "false"]["Status"] == "Sent").all()


def test_campaigns_users_and_roles_stand_as_they_were_on_the_export_day(
    salesforce: dict[str, pd.DataFrame],
) -> None:
    campaigns = salesforce["Campaign"]
    status = dict(zip(campaigns["Name"], campaigns["Status"], strict=True))
    assert status == {"Q1 Search Ads": "Completed", "Pipeline Webinar": "Completed",
                      "Spring Newsletter": "In Progress"}  # fmt: skip
    newsletter = row_of(salesforce["Campaign"], "Name", "Spring Newsletter")
    assert newsletter["ActualCost"] == "1500.00"  # 15 of its 91 days, of 9,100
    users = salesforce["User"].set_index("FirstName")
    assert users.loc["Olive", "IsActive"] == "false"
    assert users.loc["Sam", "IsActive"] == "true"
    assert users.loc["Sam", "ManagerId"] == users.loc["Dana", "Id"]
    roles = salesforce["UserRole"].set_index("Id")
    parent = roles.loc[users.loc["Sam", "UserRoleId"], "ParentRoleId"]
    assert roles.loc[parent, "Name"] == "Leadership"
    assert roles.loc[parent, "ParentRoleId"] == ""


def test_the_same_world_exports_the_same_bytes(world: World, tmp_path: Path) -> None:
    for run in ("a", "b"):
        export_salesforce(world, tmp_path / run, as_of=AS_OF.date())
        export_hubspot(world, tmp_path / run, np.random.default_rng(11))
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert len(files) == len(SALESFORCE_HEADERS) + 5
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_an_empty_world_exports_headers_only(tmp_path: Path) -> None:
    written = export_salesforce(World(), tmp_path)
    assert set(written.values()) == {0}
    # The portal's own forms (Contact Us, Demo Request, …) exist before anyone fills them.
    assert export_hubspot(World(), tmp_path, np.random.default_rng(0)) == {
        "contacts": 0, "forms": len(SITE_FORMS), "form_submissions": 0, "email_campaigns": 0,
        "email_events": 0}  # fmt: skip
    header = (tmp_path / "salesforce" / "Lead.csv").read_text().strip()
    assert header == SALESFORCE_HEADERS["Lead"]


# HubSpot

STAGE_DATES = [
    ("hs_lifecyclestage_lead_date", "created_at"),
    ("hs_lifecyclestage_marketingqualifiedlead_date", "mql_at"),
    ("hs_lifecyclestage_salesqualifiedlead_date", "sql_at"),
    ("hs_lifecyclestage_opportunity_date", "opportunity_at"),
    ("hs_lifecyclestage_customer_date", "customer_at"),
]


def read_hubspot(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(folder / "hubspot" / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("contacts", "forms", "form_submissions", "email_campaigns", "email_events")
    }


@pytest.fixture(scope="module")
def hubspot(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("hubspot")
    export_hubspot(world, out, np.random.default_rng(7))
    return read_hubspot(out)


def test_hubspot_files_use_hubspot_property_names(hubspot: dict[str, pd.DataFrame]) -> None:
    assert list(hubspot["contacts"].columns) == CONTACT_COLUMNS
    assert {"hs_object_id", "email", "firstname", "lastname", "company", "phone", "jobtitle",
            "lifecyclestage", "hs_analytics_source", "createdate",
            "lastmodifieddate"} <= set(CONTACT_COLUMNS)  # fmt: skip
    assert list(hubspot["form_submissions"].columns) == FORM_COLUMNS
    assert list(hubspot["email_events"].columns) == EMAIL_EVENT_COLUMNS
    contacts = hubspot["contacts"]
    assert contacts["hs_object_id"].str.fullmatch(r"51\d{9}").all()
    stamps = contacts[[c for c in CONTACT_COLUMNS if c.endswith("date")]].to_numpy().ravel()
    assert all(HS_TIME.match(value) for value in stamps if value)


def test_hubspot_knows_everyone_but_outbound_prospects_marketing_never_touched(
    hubspot: dict[str, pd.DataFrame],
) -> None:
    names = set(hubspot["contacts"]["lastname"])
    assert "Hill" not in names
    assert len(hubspot["contacts"]) == 7


def test_hubspot_lifecycle_dates_are_ordered_and_match_the_world(
    world: World, hubspot: dict[str, pd.DataFrame]
) -> None:
    contacts = hubspot["contacts"].set_index("hs_object_id")
    people = world.people.set_index(hubspot_id(canonical_number(world.people["person_id"])))
    people = people.loc[contacts.index]
    seen = 0
    for column, world_column in STAGE_DATES:
        got = pd.to_datetime(contacts[column].replace("", None), format="ISO8601", utc=True)
        want = people[world_column]
        if column.endswith("_lead_date"):
            subscriber = (contacts["lifecyclestage"] == "subscriber").to_numpy()
            want = want.where(~subscriber)
            assert (contacts.loc[subscriber, "hs_lifecyclestage_subscriber_date"] != "").all()
        assert (got.isna().to_numpy() == want.isna().to_numpy()).all(), column
        present = got.notna().to_numpy()
        seconds = got[present].dt.floor("s").dt.tz_localize(None).to_numpy("datetime64[s]")
        assert (seconds == want[present].to_numpy("datetime64[s]")).all(), column
        seen += int(present.sum())
    assert seen > 10
    ordered = contacts[[c for c, _ in STAGE_DATES]].replace("", None)
    for _, row in ordered.iterrows():
        dates = [value for value in row if value is not None]
        assert dates == sorted(dates)
    stage = contacts["lifecyclestage"].to_dict()
    by_name = dict(zip(contacts["firstname"], contacts["lifecyclestage"], strict=True))
    assert by_name["Ann"] == "customer"
    assert by_name["Eve"] == "marketingqualifiedlead"
    assert by_name["Hana"] == "subscriber"
    assert set(stage.values()) <= {"subscriber", "lead", "marketingqualifiedlead",
                                   "salesqualifiedlead", "opportunity", "customer",
                                   "evangelist"}  # fmt: skip


def test_email_events_follow_each_send_in_order(hubspot: dict[str, pd.DataFrame]) -> None:
    events = hubspot["email_events"]
    assert set(events["recipient"]) <= set(hubspot["contacts"]["email"])
    assert events["created"].tolist() == sorted(events["created"])
    order = {"SENT": 0, "DELIVERED": 1, "BOUNCE": 1, "OPEN": 2, "CLICK": 3}
    for _, send in events.groupby(["recipient", "emailCampaignId"]):
        kinds = send["type"].tolist()
        assert kinds[0] == "SENT"
        assert [order[k] for k in kinds] == sorted(order[k] for k in kinds)
        assert len(set(kinds)) == len(kinds)
        assert ("CLICK" in kinds) <= ("OPEN" in kinds)
    clicks = events[events["type"] == "CLICK"]
    assert len(clicks) == 2  # Cara and Dev registered for the webinar
    assert clicks["url"].str.startswith("https://").all()


def test_every_form_and_email_campaign_a_touch_names_is_in_the_export(
    hubspot: dict[str, pd.DataFrame],
) -> None:
    forms, campaigns = hubspot["forms"], hubspot["email_campaigns"]
    assert list(forms.columns) == FORMS_COLUMNS
    assert list(campaigns.columns) == EMAIL_CAMPAIGN_COLUMNS
    assert forms["id"].is_unique
    assert campaigns["id"].is_unique
    submissions, events = hubspot["form_submissions"], hubspot["email_events"]
    assert len(submissions)
    assert len(events)
    assert submissions["formGuid"].isin(forms["id"]).all()
    assert events["emailCampaignId"].isin(campaigns["id"]).all()
    # A submission names its form as the forms export does.
    named = submissions.merge(forms, left_on="formGuid", right_on="id")
    assert (named["formName"] == named["name"]).all()
    assert forms["createdAt"].map(lambda v: bool(HS_TIME.match(v))).all()
    assert campaigns["lastProcessingFinishedAt"].str.fullmatch(r"\d{13}").all()


def test_form_submissions_hold_each_contacts_forms(hubspot: dict[str, pd.DataFrame]) -> None:
    forms, contacts = hubspot["form_submissions"], hubspot["contacts"]
    assert set(forms["contactId"]) <= set(contacts["hs_object_id"])
    created = contacts.set_index("hs_object_id")["createdate"]
    first = forms.drop_duplicates("contactId").set_index("contactId")["submittedAt"]
    site_joined = forms[~forms["formName"].str.contains("Webinar")]["contactId"]
    assert (first[site_joined] == created[site_joined]).all()
    assert forms["formGuid"].str.fullmatch(r"[0-9a-f-]{36}").all()
    webinar = forms[forms["formName"] == "Pipeline Webinar - Registration"]
    assert webinar["formGuid"].nunique() == 1
    assert len(webinar) == 2


def crowd(size: int) -> World:
    """Many people and nothing else: enough to measure the crosswalk's rates."""
    rng = np.random.default_rng(5)
    first = np.array(["Anna", "José", "Li", "Mohammed", "Olga", "Peter", "Siobhan", "Wei"])
    last = np.array(["García", "Lee", "Müller", "Nguyen", "O'Brien", "Smith", "Kowalski"])
    given, family = first[rng.integers(0, 8, size)], last[rng.integers(0, 7, size)]
    number = np.arange(1, size + 1)
    email = [f"person{n}@company{n % 97}.com" for n in number]
    rows = pd.DataFrame(dict.fromkeys(FRAMES["people"], ""), index=range(size))
    rows = rows.assign(person_id=[f"per-{n:07d}" for n in number], first_name=given,
                       last_name=family, email=email, channel="paid_search",
                       created_at=pd.Timestamp("2024-01-01"))  # fmt: skip
    for column in ("mql_at", "sql_at", "opportunity_at", "customer_at"):
        rows[column] = pd.NaT
    return World(people=rows)


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter dropped, added, replaced, or two swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def test_the_crosswalk_draws_typos_and_other_emails_at_their_rates() -> None:
    world = crowd(20_000)
    crosswalk = hubspot_crosswalk(world, np.random.default_rng(1))
    assert list(crosswalk.columns) == CROSSWALK_COLUMNS
    assert crosswalk["hubspot_id"].is_unique
    share = crosswalk["kind_of_difference"].value_counts(normalize=True)
    assert share["name_typo"] == pytest.approx(0.03, abs=0.005)
    assert share["personal_email"] == pytest.approx(0.03, abs=0.005)
    assert share["email_case"] == pytest.approx(0.02, abs=0.005)
    people = world.people.set_index("person_id").loc[crosswalk["person_id"]]
    same_first = crosswalk["hubspot_firstname"].to_numpy() == people["first_name"].to_numpy()
    same_last = crosswalk["hubspot_lastname"].to_numpy() == people["last_name"].to_numpy()
    same_email = crosswalk["hubspot_email"].to_numpy() == people["email"].to_numpy()
    kind = crosswalk["kind_of_difference"].to_numpy()
    assert (same_first & same_last & same_email)[kind == "none"].all()
    typo = kind == "name_typo"
    assert (same_first ^ same_last)[typo].all()
    assert same_email[typo].all()
    for row, person in zip(crosswalk[typo].itertuples(), people[typo].itertuples(), strict=True):
        assert one_edit_apart(person.first_name + " " + person.last_name,
                              f"{row.hubspot_firstname} {row.hubspot_lastname}")  # fmt: skip
    for name in ("personal_email", "email_case"):
        assert (same_first & same_last & ~same_email)[kind == name].all()
    personal = crosswalk.loc[kind == "personal_email", "hubspot_email"]
    assert personal.str.partition("@")[2].isin(PERSONAL_DOMAINS).all()
    cased = crosswalk.loc[kind == "email_case", "hubspot_email"]
    assert (cased.str.lower().to_numpy() == people.loc[kind == "email_case", "email"]).all()


def test_the_crosswalk_names_the_salesforce_record_of_each_contact(
    world: World, salesforce: dict[str, pd.DataFrame]
) -> None:
    crosswalk = hubspot_crosswalk(world, np.random.default_rng(7))
    records = pd.concat([salesforce["Contact"], salesforce["Lead"]]).drop_duplicates("Id")
    emails = records.set_index("Id")["Email"]
    people = world.people.set_index("person_id")
    for row in crosswalk.itertuples():
        assert emails[row.salesforce_id] == people.loc[row.person_id, "email"]
        is_contact = row.salesforce_id.startswith("003")
        assert is_contact == (row.salesforce_id in set(salesforce["Contact"]["Id"]))


def test_a_crosswalk_drawn_beforehand_gives_the_same_files_as_none(
    world: World, tmp_path: Path
) -> None:
    export_hubspot(world, tmp_path / "a", np.random.default_rng(3))
    rng = np.random.default_rng(3)
    crosswalk = hubspot_crosswalk(world, rng)
    export_hubspot(world, tmp_path / "b", rng, crosswalk=crosswalk)
    shuffled = crosswalk.sample(frac=1.0, random_state=0)
    export_hubspot(world, tmp_path / "c", np.random.default_rng(3), crosswalk=shuffled)
    for name in ("contacts", "forms", "form_submissions", "email_campaigns", "email_events"):
        a = (tmp_path / "a" / "hubspot" / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "b" / "hubspot" / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "c" / "hubspot" / f"{name}.csv").read_bytes()
    export_hubspot(world, tmp_path / "d", np.random.default_rng(4))
    events = [(tmp_path / run / "hubspot" / "email_events.csv").read_bytes() for run in "ad"]
    assert events[0] != events[1]
