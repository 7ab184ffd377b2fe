"""Search: accounts, people and deals; one row per golden record with the systems it
appears in; paged with totals; within the viewer's rows; owners named."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from app.conftest import MANAGER, REP, Cockpit, serving
from revops import Workspace

ADMIN = "admin@example.com"


@pytest.fixture(scope="module")
def resolved(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The demo company with identity resolved (its companies are in several systems)."""
    root = tmp_path_factory.mktemp("resolved") / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    ws = Workspace.open(root)
    try:
        ws.identity.run()
    finally:
        ws.close()
    with serving(root) as served:
        yield served


def _table(cockpit: Cockpit, name: str, namespace: str = "core") -> pd.DataFrame:
    ws = cockpit.app.state.revops.workspace
    frame: pd.DataFrame = ws.warehouse.table(name, namespace).execute()
    return frame


def _search(cockpit: Cockpit, email: str, **params: Any) -> dict[str, Any]:
    response = cockpit.client(email).get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text[:300]
    body: dict[str, Any] = response.json()
    return body


def _keys_by_hand(cockpit: Cockpit, needle: str) -> set[tuple[str, str]]:
    """(kind, golden id) of every match in the whole company, from the tables."""
    crosswalk = _table(cockpit, "crosswalk", "identity")
    cluster = {(r.entity, r.record_id): r.cluster_id for r in crosswalk.itertuples()}
    keys = set()
    accounts = _table(cockpit, "account")
    for r in accounts[accounts["name"].str.lower().str.contains(needle, regex=False)].itertuples():
        keys.add(("account", cluster.get(("account", r.account_id), f"account:{r.account_id}")))
    for entity in ("contact", "lead"):
        people = _table(cockpit, entity)
        name = (people["first_name"].fillna("") + " " + people["last_name"].fillna("")).str.strip()
        hit = name.str.lower().str.contains(needle, regex=False) | people["email"].fillna(
            ""
        ).str.lower().str.contains(needle, regex=False)
        for rid in people[hit][f"{entity}_id"]:
            keys.add(("person", cluster.get((entity, rid), f"{entity}:{rid}")))
    deals = _table(cockpit, "opportunity")
    for rid in deals[deals["name"].str.lower().str.contains(needle, regex=False)]["opportunity_id"]:
        keys.add(("deal", rid))
    return keys


def test_a_company_in_several_systems_is_one_row_naming_them(resolved: Cockpit) -> None:
    crosswalk = _table(resolved, "crosswalk", "identity")
    accounts = _table(resolved, "account").set_index("account_id")
    links = crosswalk[crosswalk["entity"] == "account"].copy()
    links["system"] = links["record_id"].map(accounts["source_system"])
    spread = links.groupby("cluster_id")["system"].nunique()
    cluster = spread[spread > 1].index[0]
    members = links[links["cluster_id"] == cluster]
    name = str(accounts.loc[members["record_id"].iloc[0], "name"])
    body = _search(resolved, ADMIN, q=name, kind="account", per_page=100)
    rows = [h for h in body["hits"] if h["id"] == cluster]
    assert len(rows) == 1, "one row per golden record, not one per system"
    assert rows[0]["systems"] == sorted(set(members["system"]))
    assert {r["id"] for r in rows[0]["records"]} >= {
        rid
        for rid in members["record_id"]
        if name.lower() in str(accounts.loc[rid, "name"]).lower()
    }
    assert len({h["id"] for h in body["hits"]}) == len(body["hits"])


def test_people_are_found_by_name_and_email(resolved: Cockpit) -> None:
    contact = _table(resolved, "contact").dropna(subset=["email", "last_name"]).iloc[0]
    by_mail = _search(resolved, ADMIN, q=contact["email"], kind="person")
    assert any(r["id"] == contact["contact_id"] for h in by_mail["hits"] for r in h["records"]), (
        "the contact is behind one of the rows"
    )
    assert all(h["kind"] == "person" for h in by_mail["hits"])
    by_name = _search(resolved, ADMIN, q=contact["last_name"], per_page=100)
    assert any(h["kind"] == "person" for h in by_name["hits"])


def test_results_are_paged_with_the_total_of_every_page(resolved: Cockpit) -> None:
    needle = "an"
    expected = _keys_by_hand(resolved, needle)
    assert len(expected) > 10
    first = _search(resolved, ADMIN, q=needle, per_page=5)
    assert first["total"] == len(expected)
    assert (first["page"], first["per_page"], len(first["hits"])) == (1, 5, 5)
    assert first["pages"] == -(-len(expected) // 5)
    seen: list[tuple[str, str]] = []
    for number in range(1, first["pages"] + 1):
        seen += [(h["kind"], h["id"]) for h in _search(resolved, ADMIN, q=needle, per_page=5,
                                                       page=number)["hits"]]  # fmt: skip
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    names = [h["name"].strip().lower() for h in first["hits"]]
    assert names == sorted(names)


@pytest.mark.parametrize("email", [REP, MANAGER])
def test_a_scoped_user_finds_only_rows_of_records_they_may_read(
    resolved: Cockpit, email: str
) -> None:
    ws = resolved.app.state.revops.workspace
    owners = ws.metrics.scope_for(email, team=email == MANAGER).owners or frozenset()
    everyone = _search(resolved, ADMIN, q="a", kind="deal", per_page=100)
    mine = _search(resolved, email, q="a", kind="deal", per_page=100)
    assert 0 < mine["total"] < everyone["total"]
    assert all(h["owner_id"] in owners for h in mine["hits"])


def test_owners_are_named_beside_their_ids(resolved: Cockpit) -> None:
    users = _table(resolved, "user").set_index("user_id")
    body = _search(resolved, ADMIN, q="a", kind="deal", per_page=20)
    owned = [h for h in body["hits"] if h["owner_id"] in users.index]
    assert owned
    for hit in owned:
        assert hit["owner_name"] == users.loc[hit["owner_id"], "name"]
    page = resolved.client(ADMIN).get("/search", params={"q": "a", "kind": "deal"})
    assert owned[0]["owner_name"] in page.text
    assert 'rel="next"' in page.text
