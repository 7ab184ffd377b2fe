"""The go-to-market organisation: users, teams, territories, quotas and partners."""

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

FAMILY = "org"

_REGION = "Sales region, e.g. NA, EMEA, APAC, LATAM (same values as account.region)."
_SEGMENT = "Market segment, e.g. smb, mid_market, enterprise (same values as account.segment)."

USER = Entity(
    "user",
    FAMILY,
    "A person of the company who owns records: reps, managers, marketers, RevOps, ...",
    (
        Column("name", TEXT, "Full name.", required=True),
        Column("email", TEXT, "Work email address, lower-case; matches the user across systems."),
        Column(
            "role",
            TEXT,
            "ae, sdr, csm, am (account manager), se (sales engineer), manager, marketing, "
            "revops, finance, executive or other.",
        ),
        Column("title", TEXT, "Job title as entered."),
        Column("team_id", ID, "Team (team_id) the user belongs to.", ref=("team",)),
        Column("manager_id", ID, "User (user_id) the user reports to.", ref=("user",)),
        Column("hire_date", DATE, "First day of employment; ramp is counted from it."),
        Column(
            "ramp_months",
            INT,
            "Months from hire_date to full productivity; quota and capacity are prorated "
            "over them.",
        ),
        Column("termination_date", DATE, "Last day of employment; null while employed."),
        Column("is_active", BOOL, "Whether the user can still log in and own records."),
    ),
)

TEAM = Entity(
    "team",
    FAMILY,
    "A group of users under one manager (an AE pod, the SDR team, a CS team, ...).",
    (
        Column("name", TEXT, "Team name.", required=True),
        Column("department", TEXT, "marketing, sales, success, revops or other."),
        Column("manager_id", ID, "User (user_id) who leads the team.", ref=("user",)),
        Column(
            "parent_team_id",
            ID,
            "Team (team_id) this team rolls up to; null at the top.",
            ref=("team",),
        ),
        Column("region", TEXT, _REGION),
        Column("segment", TEXT, _SEGMENT),
    ),
)

TERRITORY = Entity(
    "territory",
    FAMILY,
    "A slice of the market (region, segment, named accounts) assigned to an owner.",
    (
        Column("name", TEXT, "Territory name.", required=True),
        Column("region", TEXT, _REGION),
        Column("segment", TEXT, _SEGMENT),
        Column(
            "rules",
            TEXT,
            'Assignment rules as JSON, e.g. {"country": ["DE", "AT"], "employees_min": 1000}.',
        ),
        Column("owner_id", ID, "User (user_id) who covers the territory.", ref=("user",)),
        Column("team_id", ID, "Team (team_id) that covers the territory.", ref=("team",)),
        Column(
            "parent_territory_id",
            ID,
            "Territory (territory_id) this one rolls up to.",
            ref=("territory",),
        ),
        Column("start_date", DATE, "First day the territory is in effect."),
        Column("end_date", DATE, "Last day the territory is in effect (inclusive); null if open."),
    ),
)

QUOTA = Entity(
    "quota",
    FAMILY,
    "A bookings target for one user or one team over one period.",
    (
        Column(
            "user_id", ID, "User (user_id) the quota is for; null for a team quota.", ref=("user",)
        ),
        Column(
            "team_id", ID, "Team (team_id) the quota is for; null for a user quota.", ref=("team",)
        ),
        Column("period_start_date", DATE, "First day of the period.", required=True),
        Column("period_end_date", DATE, "Last day of the period (inclusive).", required=True),
        Column(
            "opportunity_type",
            TEXT,
            "Bookings that count: new, expansion or renewal (opportunity.type); null for all.",
        ),
        Column("amount", MONEY, "Target bookings for the period, in currency.", required=True),
        Column("currency", CURRENCY, "ISO 4217 code of amount.", required=True),
    ),
)

PARTNER = Entity(
    "partner",
    FAMILY,
    "A company that refers, resells or integrates with us.",
    (
        Column("name", TEXT, "Partner company name.", required=True),
        Column(
            "account_id",
            ID,
            "The partner's own account (account_id), when it has one.",
            ref=("account",),
        ),
        Column("type", TEXT, "reseller, referral, technology, agency or distributor."),
        Column("tier", TEXT, "Program tier: registered, silver, gold or platinum."),
        Column("status", TEXT, "prospect, active or inactive."),
        Column("owner_id", ID, "User (user_id) who manages the partner.", ref=("user",)),
        Column("region", TEXT, _REGION),
    ),
)

PARTNER_DEAL = Entity(
    "partner_deal",
    FAMILY,
    "A deal registration: a partner claiming a prospect, and what became of it.",
    (
        Column(
            "partner_id",
            ID,
            "Partner (partner_id) that registered the deal.",
            required=True,
            ref=("partner",),
        ),
        Column("company", TEXT, "Prospect company name as registered."),
        Column("domain", TEXT, "Prospect web domain, lower-case."),
        Column(
            "account_id",
            ID,
            "Account (account_id) of the prospect, once matched.",
            ref=("account",),
        ),
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) created from it, if any.",
            ref=("opportunity",),
        ),
        Column("status", TEXT, "submitted, approved, rejected, expired, won or lost."),
        Column("registered_at", TIMESTAMP, "When the partner submitted it.", required=True),
        Column("decided_at", TIMESTAMP, "When it was approved or rejected."),
        Column("expiration_date", DATE, "Last day the registration protects the partner."),
        Column("amount", MONEY, "Deal size the partner estimated, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of amount."),
    ),
)

ENTITIES = (USER, TEAM, TERRITORY, QUOTA, PARTNER, PARTNER_DEAL)
