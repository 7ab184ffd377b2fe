"""Marketing: campaigns and the touches they get, web sessions, go-to-market cost and budget."""

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

FAMILY = "marketing"

_CHANNEL = (
    "Marketing channel: paid_search, paid_social, display, organic_search, organic_social, "
    "email, event, webinar, content, referral, partner, direct or other."
)

CAMPAIGN = Entity(
    "campaign",
    FAMILY,
    "A marketing initiative (ad program, event, webinar, email send, ...) that touches people.",
    (
        Column("name", TEXT, "Campaign name.", required=True),
        Column("channel", TEXT, _CHANNEL),
        Column(
            "type",
            TEXT,
            "Kind of campaign as the source names it (webinar, conference, ad, email, "
            "content_syndication, ...).",
        ),
        Column("status", TEXT, "planned, active, completed or aborted."),
        Column("start_date", DATE, "First day the campaign runs."),
        Column("end_date", DATE, "Last day the campaign runs (inclusive)."),
        Column("budget", MONEY, "Planned spend, in currency."),
        Column("actual_cost", MONEY, "Spend so far, in currency (gtm_cost holds booked costs)."),
        Column("currency", CURRENCY, "ISO 4217 code of budget and actual_cost."),
        Column("owner_id", ID, "User (user_id) who runs the campaign.", ref=("user",)),
        Column(
            "parent_campaign_id",
            ID,
            "Parent campaign (campaign_id) in a campaign hierarchy; null at the top.",
            ref=("campaign",),
        ),
    ),
)

CAMPAIGN_TOUCH = Entity(
    "campaign_touch",
    FAMILY,
    "One interaction of a person with a campaign (sent, clicked, registered, attended, ...); "
    "the input of attribution.",
    (
        Column(
            "campaign_id", ID, "Campaign (campaign_id) touched.", required=True, ref=("campaign",)
        ),
        Column(
            "person_id",
            ID,
            "The lead_id or contact_id of the person.",
            required=True,
            ref=("lead", "contact"),
        ),
        Column(
            "person_type", TEXT, "lead or contact: which entity person_id points to.", required=True
        ),
        Column(
            "account_id",
            ID,
            "Account (account_id) of the person at the time of the touch.",
            ref=("account",),
        ),
        Column("occurred_at", TIMESTAMP, "When the touch happened.", required=True),
        Column(
            "status",
            TEXT,
            "Member status: sent, opened, clicked, registered, attended, responded, ...",
        ),
        Column(
            "has_responded",
            BOOL,
            "Whether the person engaged (clicked, filled a form, attended); attribution "
            "counts only responded touches by default.",
        ),
    ),
)

WEB_SESSION = Entity(
    "web_session",
    FAMILY,
    "One visit to the company website, from landing page to leaving.",
    (
        Column(
            "visitor_key",
            TEXT,
            "Anonymous visitor identifier from the analytics cookie; the same across visits.",
            required=True,
        ),
        Column(
            "person_id",
            ID,
            "The lead_id or contact_id once the visitor is identified.",
            ref=("lead", "contact"),
        ),
        Column("person_type", TEXT, "lead or contact: which entity person_id points to."),
        Column(
            "account_id",
            ID,
            "Account (account_id) matched by the visitor's company domain, when known.",
            ref=("account",),
        ),
        Column("domain", TEXT, "Visitor's company domain (reverse IP or form), lower-case."),
        Column("started_at", TIMESTAMP, "When the session started.", required=True),
        Column("duration_seconds", INT, "Length of the session, in seconds."),
        Column("page_views", INT, "Pages viewed in the session."),
        Column("landing_page", TEXT, "Path of the first page viewed (/pricing), without query."),
        Column("referrer", TEXT, "Referring URL or host, empty for direct traffic."),
        Column("channel", TEXT, _CHANNEL),
        Column("utm_source", TEXT, "utm_source parameter of the landing URL."),
        Column("utm_medium", TEXT, "utm_medium parameter of the landing URL."),
        Column("utm_campaign", TEXT, "utm_campaign parameter of the landing URL."),
        Column(
            "campaign_id",
            ID,
            "Campaign (campaign_id) matched from the UTM parameters.",
            ref=("campaign",),
        ),
        Column("country", TEXT, "Visitor country, ISO 3166-1 alpha-2 code."),
        Column("device_type", TEXT, "desktop, mobile or tablet."),
        Column(
            "is_converted",
            BOOL,
            "Whether the session ended in a conversion (form fill, demo request, signup, ...).",
        ),
        Column(
            "conversion_type",
            TEXT,
            "What the conversion was: form_fill, demo_request, trial_signup, content_download, "
            "chat or other.",
        ),
    ),
)

GTM_COST = Entity(
    "gtm_cost",
    FAMILY,
    "Go-to-market spend booked for one month, department, category and channel (the input of "
    "CAC, payback and magic number).",
    (
        Column(
            "month_start_date",
            DATE,
            "First day of the calendar month the cost is booked to (accrual, not payment).",
            required=True,
        ),
        Column("department", TEXT, "marketing, sales or success.", required=True),
        Column(
            "category",
            TEXT,
            "headcount (salaries, commissions, benefits), programs (paid media, events, "
            "sponsorships: the spend behind paid CAC), tools, agencies, travel or other.",
            required=True,
        ),
        Column("channel", TEXT, "For programs, the marketing channel; same values as campaign."),
        Column(
            "campaign_id",
            ID,
            "Campaign (campaign_id) the spend belongs to, if any.",
            ref=("campaign",),
        ),
        Column("amount", MONEY, "Cost, in currency.", required=True),
        Column("currency", CURRENCY, "ISO 4217 code of amount.", required=True),
    ),
)

BUDGET_LINE = Entity(
    "budget_line",
    FAMILY,
    "Go-to-market spend planned for one month, department and category (finance's budget, "
    "read against gtm_cost).",
    (
        Column(
            "month_start_date",
            DATE,
            "First day of the calendar month the budget is for.",
            required=True,
        ),
        Column(
            "department",
            TEXT,
            "marketing, sales or success (same values as gtm_cost).",
            required=True,
        ),
        Column(
            "category",
            TEXT,
            "headcount, programs, tools, agencies, travel or other (same values as gtm_cost).",
            required=True,
        ),
        Column("cost_center", TEXT, "Cost centre as finance names it, if the plan has one."),
        Column("owner_id", ID, "User (user_id) who owns the budget line.", ref=("user",)),
        Column("amount", MONEY, "Budgeted spend, in currency.", required=True),
        Column("currency", CURRENCY, "ISO 4217 code of amount.", required=True),
    ),
)

CAMPAIGN_HISTORY = Entity(
    "campaign_history",
    FAMILY,
    "One version of a campaign's money: a row per change of its budget or actual cost, so "
    "its cost can be read as it stood on a day.",
    (
        Column(
            "campaign_id",
            ID,
            "Campaign (campaign_id) this is a version of.",
            required=True,
            ref=("campaign",),
        ),
        Column(
            "valid_from",
            TIMESTAMP,
            "When this version took effect; it holds until the next version's valid_from.",
            required=True,
        ),
        Column("budget", MONEY, "Planned spend in this version, in currency."),
        Column("actual_cost", MONEY, "Spend so far in this version, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of budget and actual_cost."),
    ),
    namespace="history",
    history_key="campaign_id",
)

BUDGET_LINE_HISTORY = Entity(
    "budget_line_history",
    FAMILY,
    "One revision of a budget line: a row per change of its amount, so the budget can be "
    "read as it stood on a day.",
    (
        Column(
            "budget_line_id",
            ID,
            "Budget line (budget_line_id) this is a revision of.",
            required=True,
            ref=("budget_line",),
        ),
        Column(
            "valid_from",
            TIMESTAMP,
            "When this revision took effect (the file's revision date, else when it was "
            "loaded); it holds until the next revision's valid_from.",
            required=True,
        ),
        Column("amount", MONEY, "Budgeted spend in this revision, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of amount."),
    ),
    namespace="history",
    history_key="budget_line_id",
)

ENTITIES = (
    CAMPAIGN,
    CAMPAIGN_HISTORY,
    CAMPAIGN_TOUCH,
    WEB_SESSION,
    GTM_COST,
    BUDGET_LINE,
    BUDGET_LINE_HISTORY,
)
