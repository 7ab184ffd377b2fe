"""The RevOps desk: the team's intake queue of requests."""

from __future__ import annotations

from revops.model.base import DATE, FLOAT, ID, TEXT, TIMESTAMP, Column, Entity

FAMILY = "desk"

REVOPS_REQUEST = Entity(
    "revops_request",
    FAMILY,
    "A request to the RevOps team (a report, a fix, a change), with its RICE inputs and status.",
    (
        Column("title", TEXT, "Short summary of the request.", required=True),
        Column("details", TEXT, "What is asked and why, as the requester wrote it."),
        Column(
            "type",
            TEXT,
            "report, data_fix, access, automation, integration, process_change, territory, "
            "comp, enablement or other.",
        ),
        Column("requester_id", ID, "User (user_id) who asked.", ref=("user",)),
        Column(
            "requester_team_id", ID, "Team (team_id) of the requester when asking.", ref=("team",)
        ),
        Column("assignee_id", ID, "User (user_id) in RevOps working on it.", ref=("user",)),
        Column(
            "stated_urgency", TEXT, "Urgency the requester gave: low, medium, high or critical."
        ),
        Column(
            "reach",
            FLOAT,
            "RICE reach: people (or deals) affected per quarter.",
        ),
        Column(
            "impact",
            FLOAT,
            "RICE impact per person reached: 0.25 (minimal), 0.5, 1, 2 or 3 (massive).",
        ),
        Column("confidence", FLOAT, "RICE confidence in the estimates, percent 0-100."),
        Column("effort", FLOAT, "RICE effort: estimated work in person-days."),
        Column(
            "priority",
            TEXT,
            "Priority RevOps set at triage: low, medium, high or critical (SLAs key on it).",
        ),
        Column("status", TEXT, "new, triaged, in_progress, waiting, done or declined."),
        Column("requested_at", TIMESTAMP, "When the request was made.", required=True),
        Column("due_date", DATE, "Date the requester needs it by."),
        Column("resolved_at", TIMESTAMP, "When it was done or declined; null while open."),
    ),
)

ENTITIES = (REVOPS_REQUEST,)
