"""Lead-to-account matching: each lead gets its best matching account, so marketing leads
roll up to accounts for routing and attribution.

A lead matches an account by, in order of trust:

1. `domain`: the lead's company domain (the one it gave, else its work address's) is the
   account's domain;
2. `name`: the lead's company name, normalised ("Acme, Inc." = "ACME"), is the account's;
3. `fuzzy_name`: the names are at least `min_score` alike (Jaro-Winkler), within accounts
   whose normal name starts with the same three letters.

When several accounts match at the best level, the tie-breakers pick a CRM account over
a billing or support one, then the account with the most opportunities (the one sales
works), then the oldest, then the smallest id, so the choice is repeatable.

The match runs in an embedded DuckDB on two bounded frames (leads and accounts, a few
columns each), like resolution itself; the result is written to `identity.lead_account`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from revops.identity.normalise import company_key, email_domain, normal_domain

if TYPE_CHECKING:
    from revops.warehouse import Warehouse

NAMESPACE = "identity"
LEAD_ACCOUNT_COLUMNS = {
    "lead_id": "string",
    "account_id": "string",
    "method": "string",
    "score": "float64",
    "candidates": "int64",
    "run_id": "string",
    "load_id": "string",
}
# Which system's account sales works in: the CRM first.
SOURCE_PRIORITY = {"salesforce": 0, "hubspot": 1, "stripe": 2, "zendesk": 3}

_MATCH_SQL = """
WITH candidates AS (
    SELECT l.lead_id, a.account_id, 'domain' AS method, 1.0 AS score, 1 AS level,
           a.priority, a.opportunities, a.created_at
    FROM leads l JOIN accounts a ON l.domain = a.domain
    UNION ALL
    SELECT l.lead_id, a.account_id, 'name', 1.0, 2, a.priority, a.opportunities, a.created_at
    FROM leads l JOIN accounts a ON l.name_key = a.name_key
    UNION ALL
    SELECT l.lead_id, a.account_id, 'fuzzy_name',
           jaro_winkler_similarity(l.name_key, a.name_key), 3,
           a.priority, a.opportunities, a.created_at
    FROM leads l JOIN accounts a
      ON substr(l.name_key, 1, 3) = substr(a.name_key, 1, 3)
     AND l.name_key <> a.name_key
    WHERE jaro_winkler_similarity(l.name_key, a.name_key) >= $min_score
),
best_level AS (
    SELECT *, min(level) OVER (PARTITION BY lead_id) AS best FROM candidates
),
ranked AS (
    SELECT *,
           count(*) OVER (PARTITION BY lead_id) AS n,
           row_number() OVER (
               PARTITION BY lead_id
               ORDER BY score DESC, priority, opportunities DESC, created_at NULLS LAST,
                        account_id
           ) AS rank
    FROM best_level WHERE level = best
)
SELECT lead_id, account_id, method, score, n AS candidates FROM ranked WHERE rank = 1
ORDER BY lead_id
"""


def match_leads(warehouse: Warehouse, min_score: float) -> pa.Table:
    """The best account of each lead that has one: `lead_id`, `account_id`, `method`,
    `score` (1 for exact matches, the name similarity for fuzzy ones), `candidates`
    (how many accounts tied at the winning level)."""
    import duckdb

    leads = _lead_frame(warehouse)
    accounts = _account_frame(warehouse)
    con = duckdb.connect(":memory:")
    try:
        con.register("leads", leads)
        con.register("accounts", accounts)
        result = con.execute(_MATCH_SQL, {"min_score": min_score}).arrow()
        return result if isinstance(result, pa.Table) else result.read_all()
    finally:
        con.close()


def _lead_frame(warehouse: Warehouse) -> pa.Table:
    lead = warehouse.table("lead")
    raw = lead.select("lead_id", "email", "company", "domain").to_pyarrow().to_pydict()
    return pa.table(
        {
            "lead_id": raw["lead_id"],
            "domain": [
                normal_domain(d) or email_domain(e)
                for d, e in zip(raw["domain"], raw["email"], strict=True)
            ],
            "name_key": [company_key(c) for c in raw["company"]],
        }
    )


def _account_frame(warehouse: Warehouse) -> pa.Table:
    account = warehouse.table("account")
    opportunity = warehouse.table("opportunity")
    deals = opportunity.group_by("account_id").aggregate(opportunities=opportunity.count())
    joined = account.left_join(deals, account.account_id == deals.account_id)
    raw = (
        joined.select(
            "account_id", "name", "domain", "source_system", "created_at", "opportunities"
        )
        .to_pyarrow()
        .to_pydict()
    )
    return pa.table(
        {
            "account_id": raw["account_id"],
            "domain": [normal_domain(d) for d in raw["domain"]],
            "name_key": [company_key(n) for n in raw["name"]],
            "priority": [
                SOURCE_PRIORITY.get(s, len(SOURCE_PRIORITY)) for s in raw["source_system"]
            ],
            "opportunities": [n or 0 for n in raw["opportunities"]],
            "created_at": raw["created_at"],
        }
    )
