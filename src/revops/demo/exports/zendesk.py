"""Support, shaped like Zendesk's incremental export API: JSON Lines of `organizations`,
`users` and `tickets` objects with Zendesk's integer ids, ISO-8601 `Z` timestamps,
statuses, and satisfaction ratings as `good`/`bad`/`offered`/`unoffered` with the 1-5
score in a custom field (how teams that moved to a five-point CSAT keep it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.ids import canonical_number, salesforce_ids

CSAT_FIELD_ID = 360_004_812_331
ORGANIZATION_BASE = 360_000_000_000
USER_BASE = 361_000_000_000
TICKET_BASE = 1_000


def _iso(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_zendesk(
    tickets: pd.DataFrame,
    accounts: pd.DataFrame,
    people: pd.DataFrame,
    as_of: pd.Timestamp,
    rng: np.random.Generator,
) -> dict[str, list[dict[str, object]]]:
    """Zendesk objects (file stem → records) for the accounts and people with tickets."""
    org_rows = accounts[accounts["account_id"].isin(tickets["account_id"])]
    org_ids = pd.Series(
        ORGANIZATION_BASE + canonical_number(org_rows["account_id"]),
        index=org_rows["account_id"].to_numpy(),
    )
    crm = salesforce_ids(org_rows["account_id"], "001").to_numpy()
    synced = rng.random(len(org_rows)) < 0.7
    organizations = [
        {
            "id": int(org_id),
            "name": name,
            "domain_names": [domain],
            "external_id": external if keep else None,
            "created_at": created,
        }
        for org_id, name, domain, external, keep, created in zip(
            org_ids.to_numpy(),
            org_rows["name"],
            org_rows["domain"],
            crm,
            synced,
            _iso(org_rows["created_at"]),
            strict=True,
        )
    ]
    requesters = people[people["person_id"].isin(tickets["person_id"])]
    user_ids = pd.Series(
        USER_BASE + canonical_number(requesters["person_id"]),
        index=requesters["person_id"].to_numpy(),
    )
    users = [
        {
            "id": int(user_id),
            "name": f"{first} {last}",
            "email": email,
            "role": "end-user",
            "organization_id": int(org_ids.get(account, 0)) or None,
        }
        for user_id, first, last, email, account in zip(
            user_ids.to_numpy(),
            requesters["first_name"],
            requesters["last_name"],
            requesters["email"],
            requesters["account_id"].fillna(""),
            strict=True,
        )
    ]
    return {
        "organizations": organizations,
        "users": users,
        "tickets": _tickets(tickets, org_ids, user_ids, as_of),
    }


def _tickets(
    tickets: pd.DataFrame, org_ids: pd.Series, user_ids: pd.Series, as_of: pd.Timestamp
) -> list[dict[str, object]]:
    closed = pd.to_datetime(tickets["closed_at"])
    # Zendesk closes solved tickets four days after they are solved.
    status = np.where(
        closed.isna(),
        "open",
        np.where(closed + pd.Timedelta(days=4) <= as_of, "closed", "solved"),
    )
    csat = tickets["csat"]
    rating = np.select(
        [csat >= 4, csat <= 2, csat == 3, closed.notna()],
        ["good", "bad", "offered", "offered"],
        "unoffered",
    )
    updated = closed.fillna(pd.to_datetime(tickets["opened_at"]))
    numbers = TICKET_BASE + canonical_number(tickets["ticket_id"])
    return [
        {
            "id": int(number),
            "created_at": created,
            "updated_at": changed,
            "status": state,
            "priority": priority,
            "requester_id": int(user_ids.get(person, 0)) or None,
            "organization_id": int(org_ids.get(account, 0)) or None,
            "satisfaction_rating": {"score": score},
            "custom_fields": [
                {"id": CSAT_FIELD_ID, "value": None if np.isnan(value) else str(int(value))}
            ],
        }
        for number, created, changed, state, priority, person, account, score, value in zip(
            numbers,
            _iso(tickets["opened_at"]),
            _iso(updated),
            status,
            tickets["priority"],
            tickets["person_id"].fillna(""),
            tickets["account_id"],
            rating,
            csat.to_numpy(dtype=float),
            strict=True,
        )
    ]
