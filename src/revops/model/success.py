"""Customer success: support tickets and product usage, the inputs of CSAT and health."""

from __future__ import annotations

from revops.model.base import DATE, FLOAT, ID, INT, TEXT, TIMESTAMP, Column, Entity

FAMILY = "success"

SUPPORT_TICKET = Entity(
    "support_ticket",
    FAMILY,
    "A customer's support request, from opening to closing.",
    (
        Column("account_id", ID, "Account (account_id) that asked.", ref=("account",)),
        Column("contact_id", ID, "Contact (contact_id) who asked.", ref=("contact",)),
        Column("owner_id", ID, "User (user_id) handling the ticket.", ref=("user",)),
        Column("subject", TEXT, "Ticket subject."),
        Column("type", TEXT, "question, problem, incident, feature_request, billing or other."),
        Column("channel", TEXT, "email, chat, phone, web or portal."),
        Column("priority", TEXT, "low, normal, high or urgent."),
        Column("status", TEXT, "new, open, pending, on_hold, solved or closed."),
        Column("opened_at", TIMESTAMP, "When the ticket was opened.", required=True),
        Column("first_response_at", TIMESTAMP, "When support first answered."),
        Column("closed_at", TIMESTAMP, "When the ticket was solved or closed; null while open."),
        Column(
            "csat",
            FLOAT,
            "Satisfaction rating from the post-resolution survey, 1-5 (5 best; good/bad "
            "surveys map to 5/1); null when not answered.",
        ),
    ),
)

PRODUCT_USAGE = Entity(
    "product_usage",
    FAMILY,
    "How much one account used one product on one day (the usage input of health scores).",
    (
        Column(
            "account_id",
            ID,
            "Account (account_id) whose users used the product.",
            required=True,
            ref=("account",),
        ),
        Column(
            "product_id",
            ID,
            "Product (product_id) used; null for the product as a whole.",
            ref=("product",),
        ),
        Column("usage_date", DATE, "Day of use (UTC).", required=True),
        Column("active_users", INT, "Distinct users of the account active that day."),
        Column("event_count", INT, "Tracked product events (actions) that day."),
        Column(
            "usage_quantity",
            FLOAT,
            "Consumption of the billable unit that day (API calls, GB, ...), for usage pricing.",
        ),
    ),
)

SATISFACTION_RATING = Entity(
    "satisfaction_rating",
    FAMILY,
    "A customer's answer to the satisfaction survey of one support ticket (a support "
    "system's ratings export); the CSAT of a ticket whose own row carries none.",
    (
        Column(
            "support_ticket_id",
            ID,
            "Support ticket (support_ticket_id) rated.",
            required=True,
            ref=("support_ticket",),
        ),
        Column("contact_id", ID, "Contact (contact_id) who answered.", ref=("contact",)),
        Column(
            "score",
            FLOAT,
            "Satisfaction 1-5 (5 best; good/bad surveys map to 5/1).",
            required=True,
        ),
        Column("rated_at", TIMESTAMP, "When the customer gave (or last changed) the rating."),
        Column("comment", TEXT, "The customer's comment, if any."),
        Column("reason", TEXT, "The reason given for a bad rating, if any."),
    ),
)

ENTITIES = (SUPPORT_TICKET, SATISFACTION_RATING, PRODUCT_USAGE)
