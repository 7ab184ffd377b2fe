"""The rules find the defects injected in a small demo company (truth/defects.csv).

Ingest already refuses rows with a malformed email or phone and rows missing a required
value (they go to quarantine.rejected_row whole), so those defects never reach the
warehouse: the test checks that, then measures the recall of the defects that do reach
it - orphaned references, off-picklist industries and countries, and people entered twice
in one system - by the rules that cover them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from revops import Workspace

from conftest import DEMO, ingest_demo

ENTITY = {"Account": "account", "Contact": "contact", "Lead": "lead", "Opportunity": "opportunity",
          "contacts": "contact"}  # fmt: skip
QUARANTINED = ("invalid_email", "invalid_phone")


@pytest.fixture(scope="module")
def demo(
    demo_company: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, list[dict[str, str]]]]:
    ws = ingest_demo(demo_company, tmp_path_factory.mktemp("ws") / "ws")
    with (demo_company / "truth" / "defects.csv").open(encoding="utf-8") as handle:
        defects = list(csv.DictReader(handle))
    yield ws, defects
    ws.close()


def _canonical(defect: dict[str, str]) -> tuple[str, str]:
    return ENTITY[defect["object"]], f"{defect['system']}:{defect['record_id']}"


def _ids(ws: Workspace, entity: str) -> set[str]:
    table = ws.warehouse.table(entity).select(f"{entity}_id").to_pyarrow()
    return set(table.column(0).to_pylist())


def _failing(ws: Workspace, entity: str, *rules: str) -> set[str]:
    evaluated = ws.quality.evaluate(entity, DEMO.as_of)
    names = [r.name for r in evaluated.rules]
    table = evaluated.table
    flags = [table[f"fails_{names.index(rule)}"] for rule in rules]
    condition = flags[0]
    for flag in flags[1:]:
        condition = condition | flag
    found = table.filter(condition).select("record_id").to_pyarrow()
    return set(found.column(0).to_pylist())


def test_defects_ingest_quarantines_never_reach_the_rules(demo: tuple[Workspace, list]) -> None:
    ws, defects = demo
    refused = ws.warehouse.table("rejected_row", "quarantine").select("source_id").to_pyarrow()
    quarantined = set(refused.column(0).to_pylist())
    kinds = [d for d in defects if d["defect"] in QUARANTINED]
    assert len(kinds) > 50
    assert {d["record_id"] for d in kinds} <= quarantined
    loaded = {e: _ids(ws, e) for e in ("contact", "lead", "opportunity")}
    assert [d for d in kinds if _canonical(d)[1] in loaded[_canonical(d)[0]]] == []


def test_orphaned_references_are_all_found(demo: tuple[Workspace, list]) -> None:
    ws, defects = demo
    orphans = {_canonical(d)[1] for d in defects if d["defect"] == "orphan_reference"}
    assert orphans
    assert orphans <= _failing(ws, "opportunity", "opportunity_account_exists")


def test_industries_and_countries_ingest_leaves_off_the_list_are_all_found(
    demo: tuple[Workspace, list],
) -> None:
    ws, defects = demo
    accounts = ws.warehouse.table("account").select("account_id", "industry", "country")
    values = {r["account_id"]: r for r in accounts.to_pyarrow().to_pylist()}
    canonical = set(ws.quality.rules.rule("account_industry_picklist").check.values)  # type: ignore[union-attr]
    industry = {_canonical(d)[1] for d in defects if d["defect"] == "inconsistent_industry"}
    left = {i for i in industry if i in values and values[i]["industry"] not in canonical}
    flagged = _failing(ws, "account", "account_industry_picklist")
    assert left, "the mapping's synonyms fix some respellings, not all"
    assert left <= flagged
    # Precision too: every off-picklist industry in the demo is an injected one.
    assert flagged <= industry
    country = {_canonical(d)[1] for d in defects if d["defect"] == "inconsistent_country"}
    bad_country = _failing(ws, "account", "account_country_iso", "account_country_required")
    import pycountry

    codes = {c.alpha_2 for c in pycountry.countries}
    unfixed = {c for c in country if c in values and values[c]["country"] not in codes}
    assert unfixed <= bad_country


def test_people_entered_twice_in_one_system_are_found(demo: tuple[Workspace, list]) -> None:
    ws, defects = demo
    changed = {(d["system"], d["record_id"]) for d in defects
               if d["defect"] == "duplicate_person" and d["field"].lower() == "email"}  # fmt: skip
    twins = [
        d for d in defects
        if d["defect"] == "duplicate_person" and d["field"] in ("Id", "hs_object_id")
        and (d["system"], d["record_id"]) not in changed
    ]  # fmt: skip
    found = 0
    for entity in ("contact", "lead"):
        loaded = _ids(ws, entity)
        expected = {
            _canonical(d)[1] for d in twins if _canonical(d)[0] == entity
            and _canonical(d)[1] in loaded
            and f"{d['system']}:{d['original']}" in loaded
        }  # fmt: skip
        flagged = _failing(ws, entity, f"{entity}_email_unique")
        assert expected <= flagged
        found += len(expected)
    assert found > 20


def test_a_run_scores_every_entity_with_rules(demo: tuple[Workspace, list]) -> None:
    ws, _ = demo
    run = ws.quality.run(DEMO.as_of)
    totals = run.by_entity()
    assert set(totals) == {"account", "contact", "lead", "opportunity", "invoice"}
    for entity, (records, passing) in totals.items():
        assert records == len(_ids(ws, entity))
        # The demo injects no defect into invoices: every one passes.
        assert 0 < passing <= records if entity == "invoice" else 0 < passing < records
    value = ws.metrics.compute(["data_quality_score"], "FY2027-Q4", as_of=DEMO.as_of).value(
        "data_quality_score"
    )
    assert value == pytest.approx(
        sum(p for _, p in totals.values()) / sum(r for r, _ in totals.values())
    )


def test_deals_without_an_amount_load_and_the_amount_rules_flag_every_one(
    demo: tuple[Workspace, list],
) -> None:
    ws, defects = demo
    blanked = {_canonical(d)[1] for d in defects if d["defect"] == "missing_amount"}
    assert blanked
    assert blanked <= _ids(ws, "opportunity")
    flagged = _failing(ws, "opportunity", "opportunity_amount_missing")
    flagged |= _failing(ws, "opportunity", "opportunity_won_amount_missing")
    assert blanked <= flagged


def test_people_without_an_email_load_and_the_email_rules_flag_every_one(
    demo: tuple[Workspace, list],
) -> None:
    ws, defects = demo
    blanked = [_canonical(d) for d in defects if d["defect"] == "missing_email"]
    assert blanked
    for entity in ("contact", "lead"):
        mine = {record for kind, record in blanked if kind == entity}
        assert mine <= _ids(ws, entity)
        assert mine <= _failing(ws, entity, f"{entity}_email_required")
