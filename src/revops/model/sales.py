"""Sales: opportunities, their change history, their line items, and the activities that
move them."""

from __future__ import annotations

from revops.model.base import (
    BOOL,
    CURRENCY,
    DATE,
    FLOAT,
    ID,
    INT,
    MONEY,
    TEXT,
    TIMESTAMP,
    Column,
    Entity,
)

FAMILY = "sales"

_STAGE = "Stage name, one of the workspace's opportunity_stages (which say open, won or lost)."
_FORECAST_CATEGORY = "Forecast category: pipeline, best_case, commit, closed or omitted."
_PROBABILITY = "Win probability in percent, 0-100 (as in Salesforce)."

OPPORTUNITY = Entity(
    "opportunity",
    FAMILY,
    "A deal: a potential sale to an account, from creation (created_at) to won or lost.",
    (
        Column("name", TEXT, "Deal name as the CRM shows it."),
        Column(
            "account_id",
            ID,
            "Account (account_id) the deal is with; null only for bad data, flagged by quality.",
            ref=("account",),
        ),
        Column("owner_id", ID, "User (user_id) who owns the deal, normally the AE.", ref=("user",)),
        Column(
            "sdr_id",
            ID,
            "User (user_id) of the SDR credited with setting up the deal.",
            ref=("user",),
        ),
        Column("primary_contact_id", ID, "Main buyer-side contact (contact_id).", ref=("contact",)),
        Column(
            "type",
            TEXT,
            "new (first deal with a customer), expansion (more from a customer) or renewal.",
        ),
        Column("stage", TEXT, _STAGE, required=True),
        Column("amount", MONEY, "Deal value counted as bookings when won, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of amount (e.g. USD, EUR)."),
        Column(
            "close_date", DATE, "Expected close date while open; actual close date once closed."
        ),
        Column("forecast_category", TEXT, _FORECAST_CATEGORY),
        Column("probability", FLOAT, _PROBABILITY),
        Column("is_closed", BOOL, "Whether the deal is closed (won or lost), as the source says."),
        Column("is_won", BOOL, "Whether the deal is closed won, as the source says."),
        Column("closed_at", TIMESTAMP, "When the deal was closed won or lost; null while open."),
        Column(
            "lead_source",
            TEXT,
            "Original source of the deal; same values as lead.source (web, event, partner, ...).",
        ),
        Column(
            "sourced_by",
            TEXT,
            "Team credited with sourcing the deal: marketing, sales, partner, success or other.",
        ),
        Column(
            "campaign_id",
            ID,
            "Primary campaign (campaign_id) credited with the deal.",
            ref=("campaign",),
        ),
        Column(
            "partner_id",
            ID,
            "Partner (partner_id) that referred, registered or resells it.",
            ref=("partner",),
        ),
        Column("lost_reason", TEXT, "Why the deal was lost (price, competitor, no_decision, ...)."),
        Column(
            "sales_play",
            TEXT,
            "Sales play or selling methodology the deal was worked with (meddicc, "
            "challenger, ...), where the CRM records one (a custom field).",
        ),
        Column("next_step", TEXT, "The next agreed action, as the owner wrote it."),
    ),
)

OPPORTUNITY_HISTORY = Entity(
    "opportunity_history",
    FAMILY,
    "One version of an opportunity: a row per change of stage, amount, close date, forecast "
    "category, probability or owner.",
    (
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) this is a version of.",
            required=True,
            ref=("opportunity",),
        ),
        Column(
            "valid_from",
            TIMESTAMP,
            "When this version took effect; it holds until the next version's valid_from.",
            required=True,
        ),
        Column("stage", TEXT, _STAGE),
        Column("amount", MONEY, "Deal value in this version, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of amount."),
        Column("close_date", DATE, "Expected close date in this version."),
        Column("forecast_category", TEXT, _FORECAST_CATEGORY),
        Column("probability", FLOAT, _PROBABILITY),
        Column("owner_id", ID, "User (user_id) who owned the deal in this version.", ref=("user",)),
    ),
    namespace="history",
    history_key="opportunity_id",
)

OPPORTUNITY_FIELD_CHANGE = Entity(
    "opportunity_field_change",
    FAMILY,
    "One change of one tracked field of an opportunity, as the CRM's field history keeps it "
    "(Salesforce OpportunityFieldHistory): the owner changes opportunity_history lacks.",
    (
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) changed.",
            required=True,
            ref=("opportunity",),
        ),
        Column(
            "field", TEXT, "The source's field name (Owner, Amount, StageName, ...).", required=True
        ),
        Column(
            "data_type",
            TEXT,
            "The source's type of the values (a lookup's ids and its names are two rows).",
        ),
        Column("old_value", TEXT, "The value before the change, as the source writes it."),
        Column("new_value", TEXT, "The value after the change, as the source writes it."),
        Column("changed_at", TIMESTAMP, "When the change was made.", required=True),
        Column("changed_by_user_id", ID, "User (user_id) who made the change.", ref=("user",)),
    ),
)

OPPORTUNITY_TEAM_MEMBER = Entity(
    "opportunity_team_member",
    FAMILY,
    "A user on a deal's team beside its owner, in a role (Salesforce OpportunityTeamMember): "
    "the overlay roles comp plans credit (sales engineer, partner manager, ...).",
    (
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) whose team it is.",
            required=True,
            ref=("opportunity",),
        ),
        Column("user_id", ID, "User (user_id) on the team.", required=True, ref=("user",)),
        Column(
            "role",
            TEXT,
            "The member's role on the deal, as the CRM writes it (Sales Engineer, Channel "
            "Manager, Executive Sponsor, ...).",
        ),
    ),
)

ACTIVITY = Entity(
    "activity",
    FAMILY,
    "A sales touch logged against people and deals: a call, email, meeting, demo or task.",
    (
        Column("type", TEXT, "call, email, meeting, demo or task.", required=True),
        Column("subject", TEXT, "Subject line or title of the activity."),
        Column("direction", TEXT, "inbound or outbound (calls and emails)."),
        Column("owner_id", ID, "User (user_id) who performed or owns the activity.", ref=("user",)),
        Column("account_id", ID, "Account (account_id) the activity relates to.", ref=("account",)),
        Column("contact_id", ID, "Contact (contact_id) the activity was with.", ref=("contact",)),
        Column("lead_id", ID, "Lead (lead_id) the activity was with.", ref=("lead",)),
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) the activity advances.",
            ref=("opportunity",),
        ),
        Column(
            "occurred_at",
            TIMESTAMP,
            "When it happened (a meeting: its scheduled start; a task: when completed); null "
            "for open tasks. A meeting is booked at created_at.",
        ),
        Column("due_date", DATE, "Due date of a task."),
        Column("duration_minutes", INT, "Length of a call or meeting, in minutes."),
        Column(
            "outcome",
            TEXT,
            "Result: connected, no_answer, voicemail, replied, bounced, held, no_show, "
            "rescheduled or completed.",
        ),
    ),
)

DEAL_LINE = Entity(
    "deal_line",
    FAMILY,
    "A line item of an opportunity: a product, its quantity, the list price and the price sold "
    "at (Salesforce OpportunityLineItem, HubSpot line item).",
    (
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) the line belongs to.",
            required=True,
            ref=("opportunity",),
        ),
        Column("product_id", ID, "Product (product_id) sold on the line.", ref=("product",)),
        Column("name", TEXT, "Line name as the CRM shows it (the product's name by default)."),
        Column("product_code", TEXT, "Product code (SKU) the CRM copies onto the line."),
        Column(
            "price_book_entry_key",
            TEXT,
            "Price book entry the line was priced from, in its source (Salesforce "
            "PricebookEntryId).",
        ),
        Column("quantity", FLOAT, "Units sold (may be fractional, as in Salesforce)."),
        Column("list_price", MONEY, "List price per unit from the price book, in currency."),
        Column(
            "unit_price",
            MONEY,
            "Sales price per unit as quoted on the line, before the line's discount, in currency.",
        ),
        Column(
            "discount_percent",
            FLOAT,
            "Line discount in percent of quantity x unit_price, 0-100 (Salesforce Discount).",
        ),
        Column(
            "amount",
            MONEY,
            "Total of the line after discount, in currency (Salesforce TotalPrice, HubSpot "
            "amount).",
        ),
        Column("currency", CURRENCY, "ISO 4217 code of the prices and amount."),
        Column("service_date", DATE, "Date the product's service starts, where the CRM has one."),
    ),
)

_VERSIONED = " in this version"

DEAL_LINE_HISTORY = Entity(
    "deal_line_history",
    FAMILY,
    "One version of an opportunity line item: a row per change of its product, quantity, "
    "prices, discount or total.",
    (
        Column(
            "deal_line_id",
            ID,
            "Line item (deal_line_id) this is a version of.",
            required=True,
            ref=("deal_line",),
        ),
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) of the line.",
            ref=("opportunity",),
        ),
        Column(
            "valid_from",
            TIMESTAMP,
            "When this version took effect; it holds until the next version's valid_from.",
            required=True,
        ),
        Column("product_id", ID, f"Product (product_id){_VERSIONED}.", ref=("product",)),
        Column("quantity", FLOAT, f"Units{_VERSIONED}."),
        Column("list_price", MONEY, f"List price per unit{_VERSIONED}, in currency."),
        Column("unit_price", MONEY, f"Sales price per unit{_VERSIONED}, in currency."),
        Column("discount_percent", FLOAT, f"Line discount in percent{_VERSIONED}."),
        Column("amount", MONEY, f"Total after discount{_VERSIONED}, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of the prices and amount."),
    ),
    namespace="history",
    history_key="deal_line_id",
)

ENTITIES = (
    OPPORTUNITY,
    OPPORTUNITY_HISTORY,
    OPPORTUNITY_FIELD_CHANGE,
    OPPORTUNITY_TEAM_MEMBER,
    ACTIVITY,
    DEAL_LINE,
    DEAL_LINE_HISTORY,
)
