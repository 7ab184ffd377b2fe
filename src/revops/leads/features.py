"""Each lead's firmographics as of an instant, as one ibis query.

A lead's own industry, size and country come first; its account's fill the gaps. The
account is the one identity resolution matched (`identity.lead_account`), else the
account with the lead's domain. Only leads created at or before the instant, and not
converted by then, are in it; a conversion later leaves the row as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from revops.leads.rules import LeadRules

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

FIRMOGRAPHICS = ("segment", "industry", "employees", "country")


def open_leads(warehouse: Warehouse, as_of: datetime) -> ir.Table:
    """Leads that existed at `as_of` and were not converted by then."""
    import ibis

    lead = warehouse.table("lead")
    at = ibis.literal(as_of, type="timestamp('UTC')")
    return lead.filter(lead.created_at <= at, lead.converted_at.isnull() | (lead.converted_at > at))


def _accounts(warehouse: Warehouse, as_of: datetime) -> ir.Table:
    """lead_id → account_id: identity's match, else the account with the lead's domain."""
    import ibis

    lead = warehouse.table("lead")
    account = warehouse.table("account")
    known = account.filter(account.created_at <= ibis.literal(as_of, type="timestamp('UTC')"))
    by_domain = (
        known.filter(known.domain.notnull())
        .group_by(domain_key=known.domain.lower())
        .aggregate(domain_account=known.account_id.min())
    )
    matched = lead.left_join(by_domain, lead.domain.lower() == by_domain.domain_key).select(
        "lead_id", "domain_account"
    )
    if warehouse.has_table("lead_account", "identity"):
        resolved = warehouse.table("lead_account", "identity")
        best = resolved.group_by("lead_id").aggregate(resolved_account=resolved.account_id.min())
        return matched.left_join(best, "lead_id").select(
            "lead_id", account_id=ibis.coalesce(best.resolved_account, matched.domain_account)
        )
    return matched.select("lead_id", account_id=matched.domain_account)


def _seniority(title: ir.StringValue, rules: LeadRules) -> ir.StringValue:
    import ibis

    lower = title.lower()
    cases = [
        (ibis.or_(*(lower.contains(word.lower()) for word in level.contains)), level.name)
        for level in rules.seniority
    ]
    if not cases:
        return ibis.null("string")
    return ibis.cases(*cases, else_=ibis.null("string"))


def _email_type(email: ir.StringValue, rules: LeadRules) -> ir.StringValue:
    import ibis

    domain = email.lower().re_extract(r"@([^@]+)$", 1)
    missing = domain.isnull() | (domain == "")
    free = [d.lower() for d in rules.free_mail_domains]
    if not free:
        return ibis.ifelse(missing, ibis.null("string"), "business")
    return ibis.cases(
        (missing, ibis.null("string")), (domain.isin(free), "free_mail"), else_="business"
    )


def lead_features(warehouse: Warehouse, as_of: datetime, rules: LeadRules) -> ir.Table:
    """One row per open lead at `as_of`: id, name, company, owner, created_at and the
    fields fit rules read (segment, industry, employees, country, title, seniority,
    email_type, source)."""
    import ibis

    lead = open_leads(warehouse, as_of)
    account = warehouse.table("account")
    links = _accounts(warehouse, as_of)
    firm = account.select(
        acc_id="account_id",
        acc_segment="segment",
        acc_industry="industry",
        acc_employees="employees",
        acc_country="country",
    )
    linked = lead.left_join(links, "lead_id").select(*lead.columns, link_id=links.account_id)
    joined = linked.left_join(firm, linked.link_id == firm.acc_id)
    name = ibis.coalesce(joined.first_name, ibis.literal("")).concat(
        " ", ibis.coalesce(joined.last_name, ibis.literal(""))
    )
    return joined.select(
        lead_id=joined.lead_id,
        name=name.strip(),
        company=joined.company,
        owner_id=joined.owner_id,
        account_id=joined.acc_id,
        created_at=joined.created_at,
        imported_score=joined.score,
        segment=joined.acc_segment.lower(),
        industry=ibis.coalesce(joined.industry, joined.acc_industry).lower(),
        employees=ibis.coalesce(joined.employees, joined.acc_employees),
        country=ibis.coalesce(joined.country, joined.acc_country).upper(),
        title=joined.title,
        seniority=_seniority(joined.title, rules),
        email_type=_email_type(joined.email, rules),
        source=joined.source.lower(),
    )
