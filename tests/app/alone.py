"""A copy of a warehouse holding only the rows one user may see, cut by hand in SQL.

This is the reference the scope tests compare with: written apart from the scope registry
(revops.metrics.scope), in plain SQL that DuckDB and PostgreSQL share, from what the docs
promise each role sees (docs/cockpit.md, "Row-level scope").
"""

from __future__ import annotations

from collections.abc import Callable

Execute = Callable[[str], object]
Qualify = Callable[[str, str], str]
Exists = Callable[[str, str], bool]

OWNED = [
    ("opportunity", ["owner_id"]),
    ("lead", ["owner_id"]),
    ("contact", ["owner_id"]),
    ("activity", ["owner_id"]),
    ("tool_usage", ["user_id"]),
    ("content_usage", ["user_id"]),
    ("territory", ["owner_id"]),
    ("partner", ["owner_id"]),
    ("revops_request", ["requester_id", "assignee_id"]),
    ("quality_score", ["owner_id"]),
    ("quality_failure", ["owner_id"]),
]
"""Tables whose rows are the users' named in these columns."""
BY_ACCOUNT = ("subscription_line", "invoice", "order", "product_usage", "support_ticket",
              "campaign_touch", "web_session", "partner_deal")  # fmt: skip
"""Tables whose rows are visible with their account."""
COMPANY_WIDE = [
    ("core", "forecast_backtest"),
    ("core", "forecast_backtest_summary"),
    ("core", "forecast_calibration"),
    ("identity", "pair"),
    ("identity", "run"),
    ("identity", "merge"),
    ("identity", "merge_image"),
]
"""Measurements of the whole company: a scoped user's copy holds none of their rows."""


def delete_other_rows(
    execute: Execute, table: Qualify, exists: Exists, owners: frozenset[str]
) -> None:
    """Delete every row `owners` may not see."""
    listed = ", ".join(f"'{o}'" for o in sorted(owners)) or "NULL"

    def mine(column: str) -> str:
        return f"coalesce({column} IN ({listed}), false)"

    account = table("core", "account")
    crosswalk = table("identity", "crosswalk")
    clustered = exists("crosswalk", "identity")
    # Accounts no one owns (billing customers, support organisations) go with the CRM
    # account identity resolution put in the same cluster: decided before any delete.
    followers = (
        f"account_id IN (SELECT f.record_id FROM {crosswalk} f JOIN {crosswalk} o "
        f"ON f.cluster_id = o.cluster_id AND f.entity = 'account' AND o.entity = 'account' "
        f"JOIN {account} a ON a.account_id = o.record_id "
        f"WHERE {mine('a.owner_id')} OR {mine('a.csm_id')})"
    )
    kept = f"{mine('owner_id')} OR {mine('csm_id')}"
    if clustered:
        kept += f" OR (owner_id IS NULL AND csm_id IS NULL AND {followers})"
    execute(f"DELETE FROM {account} WHERE NOT ({kept})")
    for name, columns in OWNED:
        execute(f"DELETE FROM {table('core', name)} WHERE NOT ({' OR '.join(map(mine, columns))})")
    quota, team = table("core", "quota"), table("core", "team")
    execute(
        f"DELETE FROM {quota} WHERE NOT ({mine('user_id')} OR coalesce(team_id IN "
        f"(SELECT team_id FROM {team} WHERE {mine('manager_id')}), false))"
    )
    execute(
        f"DELETE FROM {table('history', 'opportunity_history')} WHERE opportunity_id NOT IN "
        f"(SELECT opportunity_id FROM {table('core', 'opportunity')})"
    )
    for name in BY_ACCOUNT:
        execute(
            f"DELETE FROM {table('core', name)} WHERE NOT coalesce(account_id IN "
            f"(SELECT account_id FROM {account}), false)"
        )
    people = (
        f"SELECT lead_id FROM {table('core', 'lead')} "
        f"UNION SELECT contact_id FROM {table('core', 'contact')}"
    )
    execute(f"DELETE FROM {table('core', 'lifecycle_event')} WHERE person_id NOT IN ({people})")
    if clustered:
        execute(
            f"DELETE FROM {crosswalk} WHERE NOT ("
            f"(entity = 'account' AND record_id IN (SELECT account_id FROM {account})) OR "
            f"(entity = 'contact' AND record_id IN (SELECT contact_id FROM "
            f"{table('core', 'contact')})) OR "
            f"(entity = 'lead' AND record_id IN (SELECT lead_id FROM {table('core', 'lead')})))"
        )
    if exists("lead_account", "identity"):
        execute(
            f"DELETE FROM {table('identity', 'lead_account')} WHERE lead_id NOT IN "
            f"(SELECT lead_id FROM {table('core', 'lead')})"
        )
    for namespace, name in COMPANY_WIDE:
        if exists(name, namespace):
            execute(f"DELETE FROM {table(namespace, name)}")
