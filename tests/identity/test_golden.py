"""Golden records on the demo company: one account and person per cluster with the CRM's
values, used by every slice and engine that joins across systems; merges leave no
reference behind."""

from __future__ import annotations

from datetime import date

from revops import Workspace
from revops.identity import RunSummary
from revops.identity.references import referencing
from revops.model import ENTITIES

AS_OF = date(2026, 11, 22)


def test_every_cluster_has_one_golden_record(demo: Workspace, resolved: list[RunSummary]) -> None:
    clusters = {s.kind: s.clusters for s in resolved}
    golden = demo.warehouse.table("golden_account", "identity")
    people = demo.warehouse.table("golden_person", "identity")
    assert golden.count().execute() == clusters["company"]
    assert golden.golden_account_id.nunique().execute() == clusters["company"]
    assert people.count().execute() == clusters["person"]


def test_the_golden_account_takes_the_crm_owner_and_name(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    crosswalk = demo.warehouse.table("crosswalk", "identity")
    accounts = demo.warehouse.table("account")
    members = accounts.join(crosswalk, accounts.account_id == crosswalk.record_id)
    golden = demo.warehouse.table("golden_account", "identity")
    both = members.join(golden, members.cluster_id == golden.golden_account_id)
    crm = both.filter(both.source_system == "salesforce")
    columns = ("cluster_id", "owner_id", "owner_id_right", "name", "name_right")
    rows = crm.select(*columns).to_pyarrow().to_pylist()
    per_cluster: dict[str, int] = {}
    for row in rows:
        per_cluster[row["cluster_id"]] = per_cluster.get(row["cluster_id"], 0) + 1
    # A company with one CRM record: its owner and name are the golden ones, whatever
    # the billing and support records say.
    single = [r for r in rows if per_cluster[r["cluster_id"]] == 1]
    assert len(single) > 100
    assert all(r["owner_id_right"] == r["owner_id"] for r in single if r["owner_id"])
    assert all(r["name_right"] == r["name"] for r in single)
    billing = both.filter(both.source_system == "stripe")
    owned = billing.filter(billing.owner_id_right.notnull()).count().execute()
    assert billing.owner_id.notnull().sum().execute() == 0
    assert owned >= 0.95 * billing.count().execute()


def test_billing_customers_carry_the_crm_owner_into_arr_by_owner(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    result = demo.metrics.compute("arr", "FY2027", by=["owner"], as_of=AS_OF)
    frame = result.frame
    total = frame["value"].sum()
    unowned = frame.loc[frame["owner"].isna(), "value"].sum()
    assert total > 0
    assert unowned <= 0.05 * total
    # Names beside the ids: the owner's user name.
    users = demo.warehouse.table("user").select("user_id", "name").to_pyarrow().to_pylist()
    names = {u["user_id"]: u["name"] for u in users}
    owned = frame[frame["owner"].notna()]
    assert list(owned["owner_label"]) == [names[o] for o in owned["owner"]]


def test_the_health_score_reads_tickets_and_csat_through_the_golden_account(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    [rows] = demo.metrics.rows("health_score", "FY2027", as_of=AS_OF).values()
    frame = rows.to_pandas()
    assert len(frame) > 0
    # Tickets sit on support organisations, subscriptions on billing customers: only the
    # golden account brings them together.
    assert (frame["support_score"] < 100).mean() > 0.5
    assert (frame["csat_score"] != 50).mean() > 0.5


def test_merges_re_point_every_reference_and_the_check_finds_none(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    plan = demo.identity.plan()
    merged = {p.entity: {i for q in plan.proposals if q.entity == p.entity for i in q.merged_ids}
              for p in plan.proposals}  # fmt: skip
    pointing = 0
    for entity, ids in merged.items():
        for table, column in referencing(entity):
            rows = demo.warehouse.table(table, ENTITIES[table].namespace)
            pointing += rows.filter(rows[column].isin(sorted(ids))).count().execute()
    # Events, touches and sessions point at the copies before the merge.
    assert pointing > 0
    demo.identity.apply(plan)
    found = demo.identity.check()
    assert {(d.table, d.column) for d in found} >= {
        ("lifecycle_event", "person_id"),
        ("campaign_touch", "person_id"),
        ("web_session", "person_id"),
    }
    assert [d for d in found if d.rows] == []
    golden = demo.warehouse.table("golden_account", "identity")
    assert golden.count().execute() == next(s.clusters for s in resolved if s.kind == "company")
