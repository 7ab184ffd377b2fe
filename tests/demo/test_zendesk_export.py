"""Support exported as Zendesk's incremental-export JSON objects."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from revops.demo.exports.files import write_jsonl
from revops.demo.exports.zendesk import CSAT_FIELD_ID, build_zendesk

AS_OF = pd.Timestamp("2026-11-22")
ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["acc-000001", "acc-000002"],
        "name": ["Initech", "Globex"],
        "domain": ["initech.com", "globex.com"],
        "created_at": pd.to_datetime(["2024-01-05", "2024-02-01"]),
    }
)
PEOPLE = pd.DataFrame(
    {
        "person_id": ["per-0000001", "per-0000002"],
        "account_id": ["acc-000001", "acc-000002"],
        "first_name": ["Ana", "Bo"],
        "last_name": ["Ruiz", "Chen"],
        "email": ["ana@initech.com", "bo@globex.com"],
    }
)
TICKETS = pd.DataFrame(
    {
        "ticket_id": ["tkt-0000001", "tkt-0000002", "tkt-0000003"],
        "account_id": ["acc-000001", "acc-000001", "acc-000002"],
        "person_id": ["per-0000001", "per-0000001", "per-0000002"],
        "opened_at": pd.to_datetime(["2025-01-01 10:00", "2026-11-20 08:00", "2026-11-01 09:00"]),
        "closed_at": pd.to_datetime(["2025-01-02 12:00", "2026-11-21 08:00", None]),
        "priority": ["high", "low", "urgent"],
        "csat": [5.0, 2.0, np.nan],
    }
)


def test_tickets_carry_zendesk_statuses_ratings_and_the_five_point_score(tmp_path: Path) -> None:
    objects = build_zendesk(TICKETS, ACCOUNTS, PEOPLE, AS_OF, np.random.default_rng(1))
    old, recent, open_ticket = objects["tickets"]
    assert (old["status"], recent["status"], open_ticket["status"]) == ("closed", "solved", "open")
    assert [t["satisfaction_rating"] for t in (old, recent, open_ticket)] == [
        {"score": "good"},
        {"score": "bad"},
        {"score": "unoffered"},
    ]
    assert old["custom_fields"] == [{"id": CSAT_FIELD_ID, "value": "5"}]
    assert old["created_at"] == "2025-01-01T10:00:00Z"
    org_ids = {o["id"] for o in objects["organizations"]}
    assert {t["organization_id"] for t in objects["tickets"]} == org_ids
    assert {u["organization_id"] for u in objects["users"]} <= org_ids
    assert write_jsonl(objects["tickets"], tmp_path, "zendesk/tickets.jsonl") == 3
    lines = (tmp_path / "zendesk" / "tickets.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["id"] == old["id"]
