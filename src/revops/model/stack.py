"""The go-to-market tech stack and enablement content, and who uses them."""

from __future__ import annotations

from revops.model.base import (
    BOOL,
    CURRENCY,
    DATE,
    ID,
    INT,
    MONEY,
    TEXT,
    TIMESTAMP,
    Column,
    Entity,
)

FAMILY = "stack"

TOOL = Entity(
    "tool",
    FAMILY,
    "A piece of go-to-market software the company pays for (CRM, dialer, CPQ, ...).",
    (
        Column("name", TEXT, "Product name of the tool.", required=True),
        Column("vendor", TEXT, "Company that sells it."),
        Column(
            "category",
            TEXT,
            "crm, marketing_automation, sales_engagement, conversation_intelligence, cpq, "
            "billing, data_enrichment, analytics, enablement, support, customer_success or other.",
        ),
        Column(
            "capabilities",
            TEXT,
            'What it can do, as a JSON list (["dialer", "email_sequences"]); overlaps show '
            "redundant tools.",
        ),
        Column(
            "owner_team_id", ID, "Team (team_id) that owns the tool and its budget.", ref=("team",)
        ),
        Column("annual_cost", MONEY, "Yearly cost of the contract, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of annual_cost."),
        Column("seats", INT, "Licensed seats."),
        Column("intended_users", INT, "People meant to use it (adoption is also measured on it)."),
        Column("renewal_date", DATE, "Next contract renewal date."),
        Column("is_active", BOOL, "Whether the company still has the tool."),
    ),
)

TOOL_USAGE = Entity(
    "tool_usage",
    FAMILY,
    "A user using a tool at a moment (a login or an action), or a day's use of it.",
    (
        Column("tool_id", ID, "Tool (tool_id) used.", required=True, ref=("tool",)),
        Column("user_id", ID, "User (user_id) who used it.", required=True, ref=("user",)),
        Column(
            "used_at",
            TIMESTAMP,
            "When it was used (daily sources give midnight UTC of the day).",
            required=True,
        ),
        Column("action", TEXT, "What was done (login, call, sequence_sent, ...), when known."),
        Column("event_count", INT, "Actions the row stands for: 1, or more for a daily total."),
    ),
)

CONTENT = Entity(
    "content",
    FAMILY,
    "A sales enablement asset: a deck, case study, battlecard, video, ...",
    (
        Column("title", TEXT, "Title of the asset.", required=True),
        Column(
            "type",
            TEXT,
            "deck, case_study, battlecard, one_pager, whitepaper, video, demo_script, "
            "playbook or other.",
        ),
        Column(
            "funnel_stage",
            TEXT,
            "Buying stage it is for: awareness, consideration, decision, onboarding or expansion.",
        ),
        Column("url", TEXT, "Where the asset lives."),
        Column("owner_id", ID, "User (user_id) who maintains it.", ref=("user",)),
        Column("published_date", DATE, "Date it was published."),
        Column("is_archived", BOOL, "Whether it has been retired."),
    ),
)

CONTENT_USAGE = Entity(
    "content_usage",
    FAMILY,
    "A use of an enablement asset: a rep viewing, sharing or presenting it, ideally in a deal.",
    (
        Column("content_id", ID, "Content (content_id) used.", required=True, ref=("content",)),
        Column("user_id", ID, "User (user_id) who used it.", ref=("user",)),
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) it was used in.",
            ref=("opportunity",),
        ),
        Column("account_id", ID, "Account (account_id) it was used with.", ref=("account",)),
        Column("contact_id", ID, "Contact (contact_id) it was shared with.", ref=("contact",)),
        Column("used_at", TIMESTAMP, "When it was used.", required=True),
        Column("usage_type", TEXT, "viewed, shared, presented or downloaded."),
    ),
)

ENTITIES = (TOOL, TOOL_USAGE, CONTENT, CONTENT_USAGE)
