"""Accounts and people: the companies we sell to and the leads and contacts inside them."""

from __future__ import annotations

from revops.model.base import CURRENCY, DATE, FLOAT, ID, INT, MONEY, TEXT, TIMESTAMP, Column, Entity

FAMILY = "accounts"

_PERSON_TYPE = "lead or contact: which entity person_id points to."

ACCOUNT = Entity(
    "account",
    FAMILY,
    "A company we sell to, sold to, or partner with.",
    (
        Column("name", TEXT, "Company name as the CRM shows it.", required=True),
        Column(
            "domain",
            TEXT,
            "Primary web domain, lower-case, without scheme or www (acme.com); matches leads, "
            "web sessions and duplicates to the account.",
        ),
        Column("industry", TEXT, "Industry as the source classifies it (e.g. software, retail)."),
        Column("employees", INT, "Number of employees (the midpoint when only a band is known)."),
        Column(
            "annual_revenue",
            MONEY,
            "The company's own yearly revenue (a firmographic, not what it pays us), in currency.",
        ),
        Column("currency", CURRENCY, "ISO 4217 code of annual_revenue (e.g. USD, EUR)."),
        Column("country", TEXT, "Headquarters country, ISO 3166-1 alpha-2 code (US, DE, ...)."),
        Column(
            "state_province",
            TEXT,
            "Headquarters state or province (ISO 3166-2 code where known, e.g. US-CA); "
            "territory rules often split by it.",
        ),
        Column("postal_code", TEXT, "Headquarters postal code, for postal-code territory rules."),
        Column("region", TEXT, "Sales region, e.g. NA, EMEA, APAC, LATAM (values per workspace)."),
        Column(
            "segment",
            TEXT,
            "Market segment by size, e.g. smb, mid_market, enterprise (values per workspace).",
        ),
        Column(
            "owner_id",
            ID,
            "User (user_id) who owns the account: its AE or account manager.",
            ref=("user",),
        ),
        Column(
            "csm_id",
            ID,
            "User (user_id) who is the account's customer success manager.",
            ref=("user",),
        ),
        Column(
            "territory_id",
            ID,
            "Territory (territory_id) the account is assigned to.",
            ref=("territory",),
        ),
        Column(
            "parent_account_id",
            ID,
            "Parent company (account_id) in a corporate hierarchy; null for a top-level account.",
            ref=("account",),
        ),
    ),
)


def _postal_columns(country: bool) -> tuple[Column, ...]:
    """Where a person lives or works, and when they were born: optional, for matching
    people across sources that have no email (docs/identity.md)."""
    columns = [
        Column("address_line1", TEXT, "Street address: number and street."),
        Column("address_line2", TEXT, "Further address line: building, unit, locality."),
        Column("city", TEXT, "City or suburb."),
        Column("postcode", TEXT, "Postal or ZIP code as entered."),
        Column("state", TEXT, "State, province or region as entered."),
    ]
    if country:
        columns.append(Column("country", TEXT, "Country, ISO 3166-1 alpha-2 code."))
    columns.append(Column("birth_date", DATE, "Date of birth, where the source keeps it."))
    return tuple(columns)


CONTACT = Entity(
    "contact",
    FAMILY,
    "A person at an account, known to sales (a converted lead or a directly created contact).",
    (
        Column("account_id", ID, "Account (account_id) the person works for.", ref=("account",)),
        Column("first_name", TEXT, "Given name."),
        Column("last_name", TEXT, "Family name."),
        Column("email", TEXT, "Work email address, lower-case; the main key to match people."),
        Column("phone", TEXT, "Phone number, E.164 where known (+14155550100)."),
        Column("title", TEXT, "Job title as entered (VP Sales, Head of Marketing, ...)."),
        Column(
            "lifecycle_stage",
            TEXT,
            "Current lifecycle stage key from the workspace config (subscriber, lead, mql, sql, "
            "opportunity, customer, evangelist); the dated path is in lifecycle_event.",
        ),
        Column(
            "source", TEXT, "Original source channel of the person; same values as lead.source."
        ),
        Column("owner_id", ID, "User (user_id) who owns the contact.", ref=("user",)),
        *_postal_columns(country=True),
    ),
)

LEAD = Entity(
    "lead",
    FAMILY,
    "A person not yet qualified into a contact, from a form, list, event or outbound prospecting.",
    (
        Column("email", TEXT, "Work email address, lower-case; the main key to match people."),
        Column("first_name", TEXT, "Given name."),
        Column("last_name", TEXT, "Family name."),
        Column("title", TEXT, "Job title as entered."),
        Column("phone", TEXT, "Phone number, E.164 where known."),
        Column("company", TEXT, "Company name as the person gave it."),
        Column("domain", TEXT, "Company web domain, lower-case (matches the lead to an account)."),
        Column("industry", TEXT, "Industry of the company, for scoring and routing."),
        Column("employees", INT, "Number of employees of the company, for scoring and routing."),
        Column("country", TEXT, "Country, ISO 3166-1 alpha-2 code, for routing."),
        Column(
            "source",
            TEXT,
            "Lead source channel: web, organic_search, paid_search, paid_social, email, event, "
            "webinar, referral, partner, outbound, list_import or other.",
        ),
        Column(
            "campaign_id", ID, "Campaign (campaign_id) that generated the lead.", ref=("campaign",)
        ),
        Column(
            "status",
            TEXT,
            "Working status: new, working, nurturing, qualified, disqualified or converted.",
        ),
        Column(
            "disqualified_reason",
            TEXT,
            "Why sales rejected the lead (no_budget, no_fit, no_contact, competitor, ...).",
        ),
        Column("score", FLOAT, "Lead score, higher is hotter (0-100 for revops scores)."),
        Column("owner_id", ID, "User (user_id) the lead is assigned to.", ref=("user",)),
        Column(
            "assigned_at",
            TIMESTAMP,
            "When the lead was assigned to its current owner; starts the speed-to-lead clock.",
        ),
        Column("converted_at", TIMESTAMP, "When the lead was converted; null while unconverted."),
        Column(
            "converted_contact_id",
            ID,
            "Contact (contact_id) the lead was converted into.",
            ref=("contact",),
        ),
        Column(
            "converted_account_id",
            ID,
            "Account (account_id) the lead was converted into.",
            ref=("account",),
        ),
        Column(
            "converted_opportunity_id",
            ID,
            "Opportunity (opportunity_id) created when the lead was converted, if any.",
            ref=("opportunity",),
        ),
        *_postal_columns(country=False),
    ),
)

LIFECYCLE_EVENT = Entity(
    "lifecycle_event",
    FAMILY,
    "A person entering a lifecycle stage (lead, MQL, SQL, opportunity, customer, ...).",
    (
        Column(
            "person_id",
            ID,
            "The lead_id or contact_id of the person.",
            required=True,
            ref=("lead", "contact"),
        ),
        Column("person_type", TEXT, _PERSON_TYPE, required=True),
        Column(
            "account_id",
            ID,
            "Account (account_id) of the person when the stage was entered.",
            ref=("account",),
        ),
        Column(
            "stage",
            TEXT,
            "Lifecycle stage key entered, as defined in the workspace config (mql, sql, ...).",
            required=True,
        ),
        Column("entered_at", TIMESTAMP, "When the person entered the stage.", required=True),
    ),
)

ENTITIES = (ACCOUNT, CONTACT, LEAD, LIFECYCLE_EVENT)
