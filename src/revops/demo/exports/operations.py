"""Exports of the operations tools: SaaS-management inventory and usage, the enablement
platform, the partner portal, the planning sheets and the RevOps request queue.

Each follows the shape its kind of tool exports: a SaaS-management tool's application
list (Zylo, Productiv), an enablement platform's content analytics (Highspot, Seismic),
a partner portal's registrations (PartnerStack, Crossbeam), a planning spreadsheet, and
Jira Service Management's CSV export with its `22/Nov/26 3:05 PM` dates.
"""

from __future__ import annotations

import pandas as pd

from revops.core import FiscalCalendar


def _emails(users: pd.DataFrame) -> pd.Series:
    return users.set_index("user_id")["email"]


def build_tool_inventory(tools: pd.DataFrame) -> pd.DataFrame:
    """`stack/applications.csv`: one row per licensed application."""
    return pd.DataFrame(
        {
            "Application": tools["name"],
            "Category": tools["category"].str.replace("_", " ").str.title(),
            "Owner Team": tools["owner_team"].str.title(),
            "Annual Cost (USD)": tools["annual_cost"].map("{:.2f}".format),
            "Licensed Seats": tools["seats"],
            "Contract End Date": pd.to_datetime(tools["contract_end_date"]).dt.strftime("%Y-%m-%d"),
            "Capabilities": tools["capabilities"],
        }
    )


def build_tool_usage(tools: pd.DataFrame, usage: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """`stack/usage.csv`: active days per seat holder per month."""
    return pd.DataFrame(
        {
            "Application": usage["tool_id"].map(tools.set_index("tool_id")["name"]),
            "User Email": usage["user_id"].map(_emails(users)),
            "Month": pd.to_datetime(usage["month"]).dt.strftime("%Y-%m"),
            "Active Days": usage["active_days"],
        }
    )


def build_content(content: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """`enablement/content.csv`: the asset library."""
    return pd.DataFrame(
        {
            "Content ID": content["content_id"].str.replace("cnt-", "HS-", regex=False),
            "Title": content["title"].str.title(),
            "Content Type": content["type"].str.replace("_", " ").str.title(),
            "Published At": pd.to_datetime(content["created_at"]).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Owner Email": content["owner_id"].map(_emails(users)),
        }
    )


def build_content_usage(
    usage: pd.DataFrame, users: pd.DataFrame, crm_opportunity_ids: pd.Series
) -> pd.DataFrame:
    """`enablement/content_usage.csv`: who used which asset in which CRM opportunity."""
    return pd.DataFrame(
        {
            "Content ID": usage["content_id"].str.replace("cnt-", "HS-", regex=False),
            "User Email": usage["user_id"].map(_emails(users)),
            "Opportunity ID": usage["opportunity_id"].map(crm_opportunity_ids).fillna(""),
            "Action": usage["action"].str.title(),
            "Timestamp": pd.to_datetime(usage["used_at"]).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )


def build_registrations(
    deals: pd.DataFrame,
    partners: pd.DataFrame,
    accounts: pd.DataFrame,
    crm_opportunity_ids: pd.Series,
) -> pd.DataFrame:
    """`partners/registrations.csv`: deal registrations as the partner portal lists them."""
    partner = partners.set_index("partner_id")
    account = accounts.set_index("account_id")
    return pd.DataFrame(
        {
            "Registration ID": deals["registration_id"].str.replace("reg-", "R", regex=False),
            "Partner": deals["partner_id"].map(partner["name"]),
            "Partner Type": deals["partner_id"].map(partner["type"]).str.title(),
            "Partner Tier": deals["partner_id"].map(partner["tier"]).str.title(),
            "Prospect Company": deals["account_id"].map(account["name"]).fillna(""),
            "Prospect Domain": deals["account_id"].map(account["domain"]).fillna(""),
            "Registered At": pd.to_datetime(deals["registered_at"]).dt.strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "Decided At": pd.to_datetime(deals["decided_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "Status": deals["status"].str.title(),
            "CRM Opportunity ID": deals["opportunity_id"].map(crm_opportunity_ids).fillna(""),
        }
    )


def build_territories(territories: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """`planning/territories.csv`."""
    return pd.DataFrame(
        {
            "Territory": territories["name"],
            "Region": territories["region"],
            "Segment": territories["segment"].str.replace("_", "-").str.title(),
            "Manager Email": territories["owner_id"].map(_emails(users)).fillna(""),
        }
    )


def build_quotas(
    quotas: pd.DataFrame, users: pd.DataFrame, calendar: FiscalCalendar
) -> pd.DataFrame:
    """`planning/quotas.csv`: one row per rep and fiscal quarter, labelled `FY2025-Q3`."""
    starts = pd.to_datetime(quotas["period_start_date"])
    labels = {day: calendar.period_of(day.date(), "quarter").label for day in starts.unique()}
    return pd.DataFrame(
        {
            "Rep Email": quotas["user_id"].map(_emails(users)),
            "Fiscal Period": starts.map(labels),
            "Start Date": starts.dt.strftime("%Y-%m-%d"),
            "End Date": pd.to_datetime(quotas["period_end_date"]).dt.strftime("%Y-%m-%d"),
            "Quota (USD)": quotas["amount"].map("{:.0f}".format),
        }
    )


JIRA_STATUS = {"open": "Open", "in_progress": "In Progress", "done": "Done", "wont_do": "Won't Do"}


def build_requests(requests: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """`revops/requests.csv`, as Jira Service Management exports issues."""
    keys = requests["request_id"].str.removeprefix("req-").astype(int)
    return pd.DataFrame(
        {
            "Issue key": "REVOPS-" + keys.astype(str),
            "Summary": requests["summary"],
            "Reporter": requests["requester_id"].map(_emails(users)),
            "Team": requests["team"].str.title(),
            "Request Type": requests["type"].str.replace("_", " ").str.capitalize(),
            "Urgency": requests["stated_urgency"].str.title(),
            "Created": _jira_time(requests["requested_at"]),
            "Resolved": _jira_time(requests["resolved_at"]),
            "Status": requests["status"].map(JIRA_STATUS),
        }
    )


def _jira_time(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    text = stamps.dt.strftime("%d/%b/%y %I:%M %p").str.replace(r" 0(\d):", r" \1:", regex=True)
    return text.fillna("")
