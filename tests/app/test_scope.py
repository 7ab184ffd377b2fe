"""A scoped user's numbers are the numbers of a company that holds only their rows.

The reference is built by hand: a copy of the demo warehouse with every row the user may
not see deleted, computed without a scope.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from app.conftest import AS_OF, MANAGER, REP, YEAR
from revops import Workspace
from revops.metrics import Scope

METRICS = [
    "bookings", "won_deals", "lost_deals", "open_pipeline", "pipeline_created", "win_rate",
    "average_deal_size", "arr", "mrr_new", "customers", "quota_amount", "quota_attainment",
    "leads_created", "lifecycle_entries", "stage_entries", "tickets_opened", "meetings_booked",
]  # fmt: skip
BY_ACCOUNT = ("subscription_line", "invoice", "order", "product_usage", "support_ticket",
              "campaign_touch", "web_session", "partner_deal")  # fmt: skip


def _only_rows_of(source: Path, target: Path, owners: frozenset[str]) -> Workspace:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("demo-data", "app.db*"))
    listed = ", ".join(f"'{o}'" for o in sorted(owners))

    def mine(column: str) -> str:
        return f"coalesce({column} IN ({listed}), false)"

    con = duckdb.connect(str(target / "warehouse.duckdb"))
    for table, columns in [
        ("opportunity", ["owner_id"]),
        ("account", ["owner_id", "csm_id"]),
        ("lead", ["owner_id"]),
        ("contact", ["owner_id"]),
        ("activity", ["owner_id"]),
        ("quota", ["user_id"]),
        ("tool_usage", ["user_id"]),
        ("content_usage", ["user_id"]),
    ]:
        con.execute(f"DELETE FROM core.{table} WHERE NOT ({' OR '.join(map(mine, columns))})")
    con.execute(
        "DELETE FROM history.opportunity_history WHERE opportunity_id NOT IN "
        "(SELECT opportunity_id FROM core.opportunity)"
    )
    for table in BY_ACCOUNT:
        con.execute(
            f'DELETE FROM core."{table}" WHERE NOT coalesce(account_id IN '
            "(SELECT account_id FROM core.account), false)"
        )
    con.execute(
        "DELETE FROM core.lifecycle_event WHERE person_id NOT IN "
        "(SELECT lead_id FROM core.lead UNION SELECT contact_id FROM core.contact)"
    )
    con.close()
    return Workspace.open(target)


@pytest.mark.parametrize(("email", "team"), [(REP, False), (MANAGER, True)])
def test_scoped_values_equal_values_on_only_those_rows(
    demo_root: Path, tmp_path: Path, email: str, team: bool
) -> None:
    full = Workspace.open(demo_root, read_only=True)
    try:
        scope = full.metrics.scope_for(email, team=team)
        assert scope is not None
        scoped = full.metrics.compute(METRICS, YEAR, as_of=AS_OF, scope=scope)
        sliced = full.metrics.compute("bookings", YEAR, by=["segment"], as_of=AS_OF, scope=scope)
        everything = full.metrics.compute(METRICS, YEAR, as_of=AS_OF, scope=Scope.everything())
    finally:
        full.close()
    alone = _only_rows_of(demo_root, tmp_path / "alone", scope.owners)
    try:
        reference = alone.metrics.compute(METRICS, YEAR, as_of=AS_OF)
    finally:
        alone.close()
    for metric in METRICS:
        assert scoped.value(metric) == pytest.approx(reference.value(metric), nan_ok=True), metric
    assert scoped.value("bookings") < everything.value("bookings")  # type: ignore[operator]
    assert scoped.value("won_deals") > 0  # type: ignore[operator]
    # A slice labels the user's own rows with the segment of their account even when the
    # account is someone else's (dimension lookups are not scoped): the slices add up.
    assert sliced.frame["value"].sum() == pytest.approx(scoped.value("bookings"))
