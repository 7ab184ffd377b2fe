"""Script injection payloads, and a Salesforce export carrying them in every text field a
source file sets that the cockpit shows: a CRM user's name, an account's name and
industry, a campaign's name, an opportunity's name, type, lead source and loss reason.

Each payload sets ``window.__pwned`` (to its own name) if it ever runs; the browser tests
assert the flag stays unset, no dialog opens, and the text reads literally on the page.
"""

from __future__ import annotations

import csv
from pathlib import Path

PAYLOADS = {
    "script": "</script><script>window.__pwned='script'</script>",
    "attribute": '"><img src=x onerror="window.__pwned=\'attribute\'">',
    "single": "'><svg onload=window.__pwned='single'>",
    "link": "javascript:window.__pwned='link'//",
    "comment": "<!--<script>window.__pwned='comment'</script>-->",
    "separator": "\u2028</script>\u2029<script>alert('separator')</script>",
}
"""One of each way out of a JSON block, an attribute, a tag, a link or a string."""

SF = "0058d00000Z0001AAR"
"""The Salesforce id of the CRM user with a payload for a name."""
MANAGER_SF = "0058d00000B000EAAR"
"""The demo rep's manager (Jessica Watson), so the payload user is in her team."""

CRM_TEXT = {
    "user_first": "Eve" + PAYLOADS["attribute"],
    "user_last": "Evil" + PAYLOADS["script"],
    "account": "Acme " + PAYLOADS["script"],
    "industry": PAYLOADS["single"],
    "campaign": "Campaign " + PAYLOADS["comment"],
    "open_deal": "Deal " + PAYLOADS["attribute"],
    "won_deal": "Won " + PAYLOADS["separator"],
    "lost_deal": "Lost " + PAYLOADS["link"],
    "type": PAYLOADS["link"],
    "lead_source": "Source " + PAYLOADS["script"],
    "loss_reason": "Reason " + PAYLOADS["single"],
}
"""The text each source field carries."""

OWNER_NAME = f"{CRM_TEXT['user_first']} {CRM_TEXT['user_last']}"
APP_USER_NAME = "Mallory " + PAYLOADS["script"]
"""The display name of an app user (set by an admin), shown in every page's header."""
APP_USER_EMAIL = "mallory'\"><svg/onload=window.__pwned='email'>@evil.example"
"""An app user's e-mail: no space and an @, so accepted; shown on the admin page."""
TOKEN_NAME = "Token " + PAYLOADS["attribute"]
"""An API token's name, stored through the admin page's form."""


def write_salesforce_export(folder: Path) -> Path:
    """A Salesforce Data Loader export in `folder`/salesforce with one CRM user, account,
    campaign and three deals (open, won, lost) whose text fields are payloads."""
    out = folder / "salesforce"
    out.mkdir(parents=True, exist_ok=True)
    stamp = "2026-05-01T10:00:00.000+0000"
    _write(out / "User.csv", [{
        "Id": SF, "Username": "evil.owner@revops-demo.com", "FirstName": CRM_TEXT["user_first"],
        "LastName": CRM_TEXT["user_last"], "Alias": "evil", "Email": "evil.owner@revops-demo.com",
        "Title": "Account Executive", "Department": "Sales", "IsActive": "true",
        "UserRoleId": "", "ManagerId": MANAGER_SF, "CreatedDate": stamp,
        "LastModifiedDate": stamp,
    }])  # fmt: skip
    _write(out / "Account.csv", [{
        "Id": "0018d00000Z0001AAB", "IsDeleted": "false", "Name": CRM_TEXT["account"],
        "Type": "Customer", "ParentId": "", "Website": "www.evil-acme.example",
        "Industry": CRM_TEXT["industry"], "NumberOfEmployees": "800",
        "AnnualRevenue": "90000000", "BillingCountry": "US", "OwnerId": SF,
        "CreatedDate": stamp, "CreatedById": SF, "LastModifiedDate": stamp,
    }])  # fmt: skip
    _write(out / "Campaign.csv", [{
        "Id": "7018d00000Z0001AAB", "IsDeleted": "false", "Name": CRM_TEXT["campaign"],
        "Type": "Webinar", "Status": "Completed", "StartDate": "2026-04-01",
        "EndDate": "2026-04-30", "BudgetedCost": "1000.00", "ActualCost": "1000.00",
        "IsActive": "false", "Channel__c": "Events", "OwnerId": SF, "CreatedDate": stamp,
        "LastModifiedDate": stamp,
    }])  # fmt: skip
    deal = {
        "IsDeleted": "false", "AccountId": "0018d00000Z0001AAB", "ContactId": "",
        "Type": CRM_TEXT["type"], "Probability": "60", "ExpectedRevenue": "",
        "ForecastCategoryName": "Commit", "LeadSource": CRM_TEXT["lead_source"],
        "CampaignId": "7018d00000Z0001AAB", "OwnerId": SF, "Loss_Reason__c": "",
        "CreatedDate": stamp, "CreatedById": SF, "LastModifiedDate": stamp,
    }  # fmt: skip
    _write(out / "Opportunity.csv", [
        {**deal, "Id": "0068d00000Z0001AAB", "Name": CRM_TEXT["open_deal"],
         "StageName": "Proposal", "Amount": "9900000.00", "CloseDate": "2026-12-15",
         "IsClosed": "false", "IsWon": "false"},
        {**deal, "Id": "0068d00000Z0002AAB", "Name": CRM_TEXT["won_deal"],
         "StageName": "Closed Won", "Amount": "880000.00", "CloseDate": "2026-09-10",
         "ForecastCategoryName": "Closed", "IsClosed": "true", "IsWon": "true"},
        {**deal, "Id": "0068d00000Z0003AAB", "Name": CRM_TEXT["lost_deal"],
         "StageName": "Closed Lost", "Amount": "770000.00", "CloseDate": "2026-09-20",
         "ForecastCategoryName": "Omitted", "IsClosed": "true", "IsWon": "false",
         "Loss_Reason__c": CRM_TEXT["loss_reason"]},
    ])  # fmt: skip
    return out


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
