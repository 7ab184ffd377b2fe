"""Identity resolution on a small demo company, scored against its truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from revops import Workspace
from revops.errors import IdentityError
from revops.identity import RunSummary

from conftest import DEMO


@pytest.mark.parametrize("kind", ["person", "company"])
def test_duplicates_are_found_at_high_precision(
    demo: Workspace, company: Path, resolved: list[RunSummary], kind: str
) -> None:
    scores = {s.kind: s for s in demo.identity.evaluate(company)}
    found = scores[kind]
    assert found.true_pairs > 30  # the truth has something to find
    assert found.pair_precision >= 0.98, found.as_row()
    assert found.pair_f1 >= 0.95, found.as_row()
    assert found.cluster_f1 >= 0.95, found.as_row()


def test_every_record_is_in_the_crosswalk_once(demo: Workspace, resolved: list[RunSummary]) -> None:
    crosswalk = demo.identity.crosswalk()
    ids = crosswalk.column("unique_id").to_pylist()
    assert len(ids) == len(set(ids))
    wh = demo.warehouse
    expected = sum(int(wh.table(t).count().execute()) for t in ("lead", "contact", "account"))
    assert len(ids) == expected
    by_kind = {s.kind: s for s in resolved}
    assert by_kind["person"].records + by_kind["company"].records == expected


def test_stripe_and_zendesk_accounts_link_to_crm_accounts(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    rows = demo.identity.crosswalk().to_pylist()
    crm_clusters = {
        r["cluster_id"]
        for r in rows
        if r["entity"] == "account" and r["source_system"] == "salesforce"
    }
    for system in ("stripe", "zendesk"):
        accounts = [r for r in rows if r["entity"] == "account" and r["source_system"] == system]
        linked = sum(r["cluster_id"] in crm_clusters for r in accounts)
        assert accounts, system
        assert linked / len(accounts) >= 0.95, system


def test_explain_shows_the_comparisons_behind_a_match(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    pairs = demo.warehouse.table("pair", "identity")
    top = pairs.filter(pairs.is_match).order_by(pairs.match_weight.desc()).limit(1).to_pyarrow()
    a, b = top.column("unique_id_l")[0].as_py(), top.column("unique_id_r")[0].as_py()
    found = demo.identity.explain(a, b)
    assert found.same_entity
    assert found.match_probability is not None
    assert found.match_probability >= found.threshold
    names = {c["comparison"] for c in found.comparisons}
    assert names == {
        "email",
        "first_name",
        "last_name",
        "phone",
        "company",
        "first_name_swapped_last_name",
    }
    total = sum(c["weight"] for c in found.comparisons)
    # The comparisons' weights and the prior add up to the pair's match weight.
    assert found.match_weight is not None
    assert total > found.match_weight


def test_explaining_an_unknown_record_names_it(demo: Workspace, resolved: list[RunSummary]) -> None:
    with pytest.raises(IdentityError, match="no-such-record"):
        demo.identity.explain("no-such-record", "another")


def test_converted_leads_match_the_account_they_were_converted_into(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    matches = {r["lead_id"]: r["account_id"] for r in demo.identity.match_leads().to_pylist()}
    lead = demo.warehouse.table("lead")
    converted = (
        lead.filter(lead.converted_account_id.notnull())
        .select("lead_id", "converted_account_id")
        .to_pyarrow()
        .to_pylist()
    )
    cluster = {
        r["record_id"]: r["cluster_id"]
        for r in demo.identity.crosswalk().to_pylist()
        if r["kind"] == "company"
    }
    assert len(converted) > 20
    right = sum(
        cluster.get(matches.get(r["lead_id"], "")) == cluster[r["converted_account_id"]]
        for r in converted
    )
    assert right / len(converted) >= 0.95
    assert demo.warehouse.table("lead_account", "identity").count().execute() == len(matches)


def test_duplicate_rate_counts_records_sharing_a_cluster_within_their_object(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    rows = demo.identity.crosswalk().to_pylist()
    groups: dict[tuple[str, str, str], int] = {}
    for r in rows:
        key = (r["cluster_id"], r["entity"], r["source_system"])
        groups[key] = groups.get(key, 0) + 1
    leads = [r for r in rows if r["entity"] == "lead"]
    duplicates = sum(groups[(r["cluster_id"], "lead", r["source_system"])] > 1 for r in leads)
    result = demo.metrics.compute(["duplicate_rate"], "FY2027", by=["record_object"])
    frame = result.frame.set_index("record_object")
    assert frame.loc["lead (salesforce)", "value"] == pytest.approx(duplicates / len(leads))
    assert 0 < duplicates < len(leads)


def test_billing_and_support_kpis_slice_by_the_crm_segment_after_resolution(
    demo: Workspace, resolved: list[RunSummary]
) -> None:
    names = ["mrr", "tickets_opened"]
    whole = demo.metrics.compute(names, "FY2027", as_of=DEMO.as_of)
    sliced = demo.metrics.compute(names, "FY2027", by=["segment"], as_of=DEMO.as_of).frame
    for name in names:
        rows = sliced[sliced.metric == name]
        # Slicing neither loses nor counts twice; almost everything finds its segment.
        assert rows.value.sum() == pytest.approx(whole.value(name))
        unsliced = rows[rows.segment.isna()].value.sum()
        assert unsliced <= 0.05 * rows.value.sum(), name
