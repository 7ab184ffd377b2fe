"""The demo company's ground truth: one DataFrame per kind of thing, with fixed columns.

The simulation (`revops.demo.world`) fills a :class:`World`; the exporters
(`revops.demo.exports`) turn it into files shaped like each tool's export, and
`revops.demo.truth` writes the latent columns (quality, health, true value) that no
engine may read. Ids here are canonical and stable (`acc-000123`); exporters derive
each tool's own id format from them.

Timestamps are timezone-naive numpy `datetime64[s]` values in UTC; dates are
`datetime64[D]`; money is float64 rounded to cents (exporters format it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

# frame → column → meaning. Columns marked (latent) are ground truth only.
FRAMES: dict[str, dict[str, str]] = {
    "users": {
        "user_id": "usr-NNNNNN",
        "first_name": "given name",
        "last_name": "family name",
        "email": "work email, first.last@<company domain>",
        "role": "AE, SDR, CSM, manager, marketing, revops, executive",
        "segment": "smb, mid_market, enterprise for sellers; empty otherwise",
        "team_id": "team-NN",
        "manager_id": "user_id of the manager, empty for the top",
        "hire_date": "date hired",
        "ramp_months": "months to full productivity",
        "termination_date": "date left, NaT while employed",
        "skill": "(latent) 0..1 selling skill",
    },
    "teams": {
        "team_id": "team-NN",
        "name": "team name",
        "department": "sales, marketing, success, revops",
        "manager_id": "user_id of the team manager",
    },
    "accounts": {
        "account_id": "acc-NNNNNN",
        "name": "company name",
        "domain": "web domain",
        "industry": "canonical industry name",
        "employees": "head count",
        "annual_revenue": "yearly revenue in USD",
        "country": "ISO 3166 alpha-2 code",
        "region": "NA, EMEA, APAC, LATAM",
        "segment": "smb, mid_market, enterprise",
        "created_at": "when the company entered the CRM",
        "owner_id": "user_id of the owning AE",
        "health": "(latent) 0..1, drives usage, tickets, CSAT, churn and expansion",
    },
    "people": {
        "person_id": "per-NNNNNNN",
        "account_id": "account the person works at (empty until matched for some leads)",
        "first_name": "given name",
        "last_name": "family name",
        "email": "work email",
        "phone": "E.164 phone or empty",
        "title": "job title",
        "channel": "acquisition channel: paid_search, paid_social, organic, events, outbound, "
        "partner, referral",
        "campaign_id": "first campaign touched, empty if none",
        "created_at": "became a lead/subscriber",
        "mql_at": "became an MQL, NaT if never",
        "sql_at": "accepted by sales, NaT if never",
        "opportunity_at": "opportunity created, NaT if never",
        "customer_at": "became a customer, NaT if never",
        "owner_id": "user_id of the SDR/AE who works the person",
        "quality": "(latent) 0..1 true lead quality",
    },
    "campaigns": {
        "campaign_id": "cmp-NNNN",
        "name": "campaign name",
        "channel": "channel, as in people.channel",
        "type": "webinar, ebook, paid_ad, event, email",
        "start_date": "first day",
        "end_date": "last day (inclusive)",
        "budget": "planned spend, USD",
    },
    "touches": {
        "person_id": "person touched",
        "campaign_id": "campaign",
        "touched_at": "when",
        "status": "sent, responded, attended",
    },
    "opportunities": {
        "opportunity_id": "opp-NNNNNNN",
        "account_id": "account",
        "owner_id": "AE who owns it at the end (after reassignments)",
        "contact_id": "person_id of the main contact",
        "type": "new, expansion, renewal",
        "source": "channel the deal came from, as people.channel",
        "campaign_id": "primary campaign, empty if none",
        "partner_id": "partner that registered it, empty if none",
        "created_at": "created",
        "close_date": "expected close date now (the actual one once closed)",
        "stage": "current stage name (demo stages: Prospecting ... Closed Won/Lost)",
        "amount": "current amount, USD",
        "is_closed": "closed",
        "is_won": "won",
        "closed_at": "when closed, NaT while open",
        "lost_reason": "why lost, empty otherwise",
        "sales_play": "sales play the deal was worked with, empty if none recorded",
        "win_probability": "(latent) the true chance of winning at creation",
    },
    "opportunity_history": {
        "opportunity_id": "opportunity",
        "valid_from": "when this version began",
        "stage": "stage in this version",
        "amount": "amount in this version",
        "close_date": "close date in this version",
        "forecast_category": "Pipeline, Best Case, Commit, Closed, Omitted",
        "owner_id": "owner in this version",
    },
    "activities": {
        "activity_id": "act-NNNNNNNN",
        "type": "call, email, meeting, demo, task",
        "owner_id": "user who did it",
        "person_id": "person, empty if none",
        "account_id": "account",
        "opportunity_id": "opportunity, empty if none",
        "occurred_at": "when",
        "outcome": "completed, no_answer, left_voicemail, held, no_show",
    },
    "subscriptions": {
        "subscription_id": "sub-NNNNNNN",
        "account_id": "customer",
        "opportunity_id": "deal that started it",
        "product_id": "product",
        "interval": "month or year",
        "quantity": "seats",
        "unit_price": "price per seat per interval, USD",
        "start_date": "first day",
        "end_date": "last day (inclusive), NaT while active",
        "canceled_at": "when cancellation was requested, NaT if not",
    },
    "invoices": {
        "invoice_id": "inv-NNNNNNNN",
        "account_id": "customer",
        "subscription_id": "subscription billed",
        "issued_at": "issued",
        "due_date": "due",
        "paid_at": "paid, NaT if not yet",
        "amount": "total, USD",
        "status": "paid, open, uncollectible",
    },
    "tickets": {
        "ticket_id": "tkt-NNNNNNN",
        "account_id": "customer",
        "person_id": "requester",
        "opened_at": "opened",
        "closed_at": "solved, NaT if open",
        "priority": "low, normal, high, urgent",
        "csat": "1..5 satisfaction, NaN if not rated",
    },
    "web_sessions": {
        "session_id": "ses-NNNNNNNNN",
        "visitor_id": "analytics cookie id",
        "person_id": "known person, empty for anonymous visitors",
        "account_id": "account revealed by IP lookup or known person, empty otherwise",
        "started_at": "session start",
        "landing_page": "path of the first page",
        "source": "traffic source (google, linkedin, ...)",
        "medium": "traffic medium (cpc, organic, referral, ...)",
        "channel": "channel, as people.channel, or direct / email",
        "device": "desktop, mobile, tablet",
        "pageviews": "pages viewed",
        "converted": "a form was submitted in the session",
    },
    "tools": {
        "tool_id": "tool-NNN",
        "name": "product name",
        "category": "crm, marketing_automation, sales_engagement, ...",
        "owner_team": "sales, marketing, success, revops",
        "annual_cost": "contract value per year, USD",
        "seats": "licensed seats",
        "contract_end_date": "current contract end",
        "capabilities": "semicolon-separated capabilities (overlaps show redundancy)",
        "adoption": "(latent) 0..1 share of seat holders who really use it",
    },
    "tool_usage": {
        "tool_id": "tool",
        "user_id": "seat holder",
        "month": "first day of the month",
        "active_days": "days with activity in the month (0 = seat unused)",
    },
    "content": {
        "content_id": "cnt-NNNN",
        "title": "asset title",
        "type": "deck, case_study, battlecard, video, one_pager, roi_calculator",
        "created_at": "published",
        "owner_id": "marketing user who owns it",
    },
    "content_usage": {
        "content_id": "asset",
        "user_id": "rep",
        "opportunity_id": "deal it was used in",
        "action": "viewed, shared, presented",
        "used_at": "when",
    },
    "partners": {
        "partner_id": "prt-NNN",
        "name": "partner company",
        "type": "referral, reseller, technology",
        "tier": "gold, silver, registered",
        "joined_date": "date joined the programme",
    },
    "partner_deals": {
        "registration_id": "reg-NNNNNN",
        "partner_id": "partner",
        "account_id": "prospect registered",
        "opportunity_id": "resulting opportunity, empty if none",
        "registered_at": "when registered",
        "decided_at": "when approved or rejected, NaT if never",
        "status": "approved, rejected, expired, converted",
    },
    "territories": {
        "territory_id": "ter-NN",
        "name": "territory name",
        "region": "region it covers",
        "segment": "segment it covers",
        "owner_id": "manager of the territory",
    },
    "quotas": {
        "user_id": "rep (AE)",
        "period_start_date": "first day of the fiscal quarter",
        "period_end_date": "last day (inclusive)",
        "amount": "bookings quota, USD (ramp-adjusted)",
    },
    "requests": {
        "request_id": "req-NNNNN",
        "requester_id": "who asked",
        "team": "requester's department",
        "type": "report, dashboard, data_fix, territory_change, comp_question, tool_request, "
        "process_change, integration",
        "summary": "one-line description",
        "stated_urgency": "low, medium, high, critical: what the requester said",
        "requested_at": "opened",
        "resolved_at": "resolved, NaT if open",
        "status": "open, in_progress, done, wont_do",
        "reach": "(latent) people affected per quarter",
        "impact": "(latent) 0.25, 0.5, 1, 2, 3",
        "confidence": "(latent) 0..1",
        "effort": "(latent) person-days",
        "true_value": "(latent) reach x impact x confidence / effort",
    },
}


@dataclass
class World:
    """Every frame of the demo company. Frames a component has not produced are empty."""

    users: pd.DataFrame = field(default_factory=pd.DataFrame)
    teams: pd.DataFrame = field(default_factory=pd.DataFrame)
    accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    people: pd.DataFrame = field(default_factory=pd.DataFrame)
    campaigns: pd.DataFrame = field(default_factory=pd.DataFrame)
    touches: pd.DataFrame = field(default_factory=pd.DataFrame)
    opportunities: pd.DataFrame = field(default_factory=pd.DataFrame)
    opportunity_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    activities: pd.DataFrame = field(default_factory=pd.DataFrame)
    subscriptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    invoices: pd.DataFrame = field(default_factory=pd.DataFrame)
    tickets: pd.DataFrame = field(default_factory=pd.DataFrame)
    web_sessions: pd.DataFrame = field(default_factory=pd.DataFrame)
    tools: pd.DataFrame = field(default_factory=pd.DataFrame)
    tool_usage: pd.DataFrame = field(default_factory=pd.DataFrame)
    content: pd.DataFrame = field(default_factory=pd.DataFrame)
    content_usage: pd.DataFrame = field(default_factory=pd.DataFrame)
    partners: pd.DataFrame = field(default_factory=pd.DataFrame)
    partner_deals: pd.DataFrame = field(default_factory=pd.DataFrame)
    territories: pd.DataFrame = field(default_factory=pd.DataFrame)
    quotas: pd.DataFrame = field(default_factory=pd.DataFrame)
    requests: pd.DataFrame = field(default_factory=pd.DataFrame)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Frame name → frame."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
