"""The operations tools' exports: inventory, usage, enablement, partners, planning, requests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar
from revops.demo.exports.operations import (
    build_content_usage,
    build_quotas,
    build_registrations,
    build_requests,
    build_tool_inventory,
    build_tool_usage,
)
from revops.demo.world.desk import simulate_requests
from revops.demo.world.stack import simulate_stack

USERS = pd.DataFrame(
    {
        "user_id": ["usr-000001", "usr-000002"],
        "email": ["ana.ruiz@acme.io", "bo.chen@acme.io"],
        "role": ["AE", "marketing"],
        "hire_date": pd.to_datetime(["2023-01-01", "2023-05-01"]),
        "termination_date": pd.to_datetime([None, None]),
    }
)


def test_the_inventory_and_usage_name_applications_and_people() -> None:
    tools, usage = simulate_stack(USERS, np.datetime64("2026-11-22"), np.random.default_rng(1))
    inventory = build_tool_inventory(tools)
    assert inventory["Application"].is_unique
    assert inventory["Contract End Date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    rows = build_tool_usage(tools, usage, USERS)
    assert set(rows["User Email"]) <= set(USERS["email"])
    assert rows["Month"].str.match(r"^\d{4}-\d{2}$").all()


def test_enablement_and_partner_rows_carry_the_crm_opportunity_id() -> None:
    crm = pd.Series({"opp-0000001": "0065g00000AbCdEAAV"})
    usage = pd.DataFrame(
        {
            "content_id": ["cnt-0001"],
            "user_id": ["usr-000001"],
            "opportunity_id": ["opp-0000001"],
            "action": ["presented"],
            "used_at": pd.to_datetime(["2024-05-01 10:00"]),
        }
    )
    assert build_content_usage(usage, USERS, crm).iloc[0].to_dict() == {
        "Content ID": "HS-0001",
        "User Email": "ana.ruiz@acme.io",
        "Opportunity ID": "0065g00000AbCdEAAV",
        "Action": "Presented",
        "Timestamp": "2024-05-01T10:00:00Z",
    }
    deals = pd.DataFrame(
        {
            "registration_id": ["reg-000001", "reg-000002"],
            "partner_id": ["prt-001", "prt-001"],
            "account_id": ["acc-000001", "acc-000002"],
            "opportunity_id": ["opp-0000001", ""],
            "registered_at": pd.to_datetime(["2024-04-20 09:30", "2024-06-01 12:00"]),
            "decided_at": pd.to_datetime(["2024-04-21 15:00", None]),
            "status": ["converted", "expired"],
        }
    )
    partners = pd.DataFrame(
        {
            "partner_id": ["prt-001"],
            "name": ["Contoso Partners"],
            "type": ["reseller"],
            "tier": ["gold"],
        }
    )
    accounts = pd.DataFrame(
        {"account_id": ["acc-000001"], "name": ["Initech"], "domain": ["initech.com"]}
    )
    rows = build_registrations(deals, partners, accounts, crm)
    assert rows["CRM Opportunity ID"].tolist() == ["0065g00000AbCdEAAV", ""]
    assert rows["Prospect Company"].tolist() == ["Initech", ""]
    assert rows["Decided At"].fillna("").tolist() == ["2024-04-21 15:00:00", ""]


def test_quotas_are_labelled_with_fiscal_quarters() -> None:
    quotas = pd.DataFrame(
        {
            "user_id": ["usr-000001"],
            "period_start_date": pd.to_datetime(["2024-08-01"]),
            "period_end_date": pd.to_datetime(["2024-10-31"]),
            "amount": [90_000.0],
        }
    )
    row = build_quotas(quotas, USERS, FiscalCalendar(2)).iloc[0]
    assert (row["Fiscal Period"], row["Quota (USD)"]) == ("FY2025-Q3", "90000")


def test_requests_look_like_a_jira_export() -> None:
    users = USERS.assign(role=["AE", "revops"])
    requests = simulate_requests(
        users, np.datetime64("2025-01-01"), np.datetime64("2026-11-22"), np.random.default_rng(2)
    )
    rows = build_requests(requests, users)
    assert rows["Issue key"].str.match(r"^REVOPS-\d+$").all()
    assert rows["Created"].str.match(r"^\d{2}/[A-Z][a-z]{2}/\d{2} \d{1,2}:\d{2} (AM|PM)$").all()
    resolved = rows["Resolved"] != ""
    assert resolved.sum() == requests["resolved_at"].notna().sum()
    assert set(rows["Status"]) <= {"Open", "In Progress", "Done", "Won't Do"}
