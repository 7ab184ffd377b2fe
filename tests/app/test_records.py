"""Record pages: account 360, deal, person and rep, their JSON twins, the row scope (a
record outside it is not found), and the places that show ids linking to them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from app.conftest import AS_OF, MANAGER, OTHER_REP, PASSWORD, QUARTER, REP, Cockpit
from app.test_search import resolved  # noqa: F401 - the fixture: identity resolved
from revops.app import users as users_of_app

ADMIN = "admin@example.com"


def _table(cockpit: Cockpit, name: str, namespace: str = "core") -> pd.DataFrame:
    ws = cockpit.app.state.revops.workspace
    frame: pd.DataFrame = ws.warehouse.table(name, namespace).execute()
    return frame


def _get(cockpit: Cockpit, email: str, url: str, status: int = 200) -> dict[str, Any]:
    response = cockpit.client(email).get(url, follow_redirects=False)
    assert response.status_code == status, response.text[:300]
    body: dict[str, Any] = response.json()
    return body


def _user_id(cockpit: Cockpit, email: str) -> str:
    users = _table(cockpit, "user")
    return str(users.loc[users["email"] == email, "user_id"].iloc[0])


def _one_line_customer(cockpit: Cockpit) -> pd.Series:
    """A billing customer paying by one open-ended monthly line started within the last
    year: its ARR is price × quantity × 12, its one movement the month it started."""
    lines = _table(cockpit, "subscription_line")
    counts = lines.groupby("account_id")["subscription_line_id"].transform("count")
    start = pd.to_datetime(lines["start_date"])
    simple = lines[
        (counts == 1)
        & lines["end_date"].isna()
        & lines["canceled_at"].isna()
        & ~lines["is_trial"].fillna(False).astype(bool)
        & (lines["billing_interval"] == "month")
        & (lines["interval_count"].fillna(1) == 1)
        & (start.dt.date > AS_OF - timedelta(days=330))
        & (start.dt.date < AS_OF - timedelta(days=40))
    ]
    assert len(simple), "the demo company has a customer with one monthly line"
    return simple.sort_values("account_id").iloc[0]


def test_a_customers_arr_and_its_movement_are_its_lines(cockpit: Cockpit) -> None:
    line = _one_line_customer(cockpit)
    page = _get(cockpit, ADMIN, f"/api/v1/accounts/{line['account_id']}")
    yearly = float(line["unit_price"]) * float(line["quantity"]) * 12
    assert page["arr"] == pytest.approx(yearly, abs=0.01)
    started = pd.Timestamp(line["start_date"]).date().replace(day=1).isoformat()
    assert page["movements"] == [
        {"month": started, "movement": "new", "amount": pytest.approx(12 * float(line["mrr"]))}
    ]
    assert page["systems"] == ["stripe"]
    arr_events = [e for e in page["timeline"] if e["kind"] == "arr"]
    assert [e["at"] for e in arr_events] == [started]


def test_an_account_lists_its_deals_owner_and_people_by_name(cockpit: Cockpit) -> None:
    deals = _table(cockpit, "opportunity")
    rep = _user_id(cockpit, REP)
    account_id = deals.loc[deals["owner_id"] == rep, "account_id"].value_counts().index[0]
    page = _get(cockpit, ADMIN, f"/api/v1/accounts/{account_id}")
    accounts = _table(cockpit, "account").set_index("account_id")
    assert page["id"] == account_id
    assert page["name"] == accounts.loc[account_id, "name"]
    owner = accounts.loc[account_id, "owner_id"]
    users = _table(cockpit, "user").set_index("user_id")
    assert page["owner"] == {"kind": "rep", "id": owner, "name": users.loc[owner, "name"],
                             "url": f"/reps/{owner}"}  # fmt: skip
    mine = deals[deals["account_id"] == account_id]
    assert {d["deal"]["id"] for d in page["deals"]} == set(mine["opportunity_id"])
    for deal in page["deals"]:
        assert deal["deal"]["url"] == f"/deals/{deal['deal']['id']}"
        assert (
            deal["deal"]["name"] == mine.set_index("opportunity_id").loc[deal["deal"]["id"], "name"]
        )
    # Open deals first.
    closed = [d["is_closed"] for d in page["deals"]]
    assert closed == sorted(closed)
    contacts = _table(cockpit, "contact")
    people = contacts[contacts["account_id"] == account_id]
    assert {p["id"] for p in page["people"]} == {f"contact:{c}" for c in people["contact_id"]}
    times = [e["at"] for e in page["timeline"]]
    assert times == sorted(times, reverse=True)
    stage_events = [e for e in page["timeline"] if e["kind"] == "stage"]
    history = _table(cockpit, "opportunity_history", "history")
    assert len(stage_events) >= len(
        set(history[history["opportunity_id"].isin(mine["opportunity_id"])]["opportunity_id"])
    )


def test_a_deal_shows_its_history_activities_and_account(cockpit: Cockpit) -> None:
    deals = _table(cockpit, "opportunity")
    rep = _user_id(cockpit, REP)
    open_deal = deals[(deals["owner_id"] == rep) & ~deals["is_closed"].astype(bool)].iloc[0]
    deal_id = str(open_deal["opportunity_id"])
    page = _get(cockpit, REP, f"/api/v1/deals/{deal_id}")
    assert page["name"] == open_deal["name"]
    accounts = _table(cockpit, "account").set_index("account_id")
    assert page["account"] == {
        "kind": "account", "id": open_deal["account_id"],
        "name": accounts.loc[open_deal["account_id"], "name"],
        "url": f"/accounts/{open_deal['account_id']}",
    }  # fmt: skip
    assert page["owner"]["id"] == rep
    history = _table(cockpit, "opportunity_history", "history")
    versions = history[
        (history["opportunity_id"] == deal_id)
        & (pd.to_datetime(history["valid_from"], utc=True).dt.date <= AS_OF)
    ]
    assert len(page["history"]) == len(versions)
    assert [v["stage"] for v in page["history"]] == list(
        versions.sort_values("valid_from")["stage"]
    )
    activities = _table(cockpit, "activity")
    logged = activities[(activities["opportunity_id"] == deal_id) & (activities["owner_id"] == rep)]
    assert page["activities_total"] == len(logged)
    chance = page["forecast"]
    assert chance is not None
    assert 0 <= chance["probability"] <= 1
    assert chance["expected"] == pytest.approx(chance["probability"] * page["amount"])
    assert all(set(r) == {"feature", "value", "effect"} for r in chance["reasons"])


def test_a_person_shows_their_records_account_and_owner(cockpit: Cockpit) -> None:
    contacts = _table(cockpit, "contact")
    contact = contacts[contacts["account_id"].notna() & contacts["owner_id"].notna()].iloc[0]
    # A record's own id redirects to the person's page.
    moved = cockpit.client(ADMIN).get(
        f"/api/v1/people/{contact['contact_id']}", follow_redirects=False
    )
    assert moved.status_code == 307
    assert moved.headers["location"] == f"/api/v1/people/contact:{contact['contact_id']}"
    page = _get(cockpit, ADMIN, moved.headers["location"])
    assert page["name"] == f"{contact['first_name']} {contact['last_name']}"
    assert page["account"]["id"] == contact["account_id"]
    assert page["owner"]["id"] == contact["owner_id"]
    assert [r["id"] for r in page["records"]] == [contact["contact_id"]]


def test_a_reps_attainment_is_the_quota_tables_against_won_deals(cockpit: Cockpit) -> None:
    rep = _user_id(cockpit, REP)
    page = _get(cockpit, REP, f"/api/v1/reps/{rep}")
    quarter = next(a for a in page["attainment"] if a["window"] == QUARTER)
    quotas = _table(cockpit, "quota")
    start, end = date(2026, 11, 1), date(2027, 1, 31)  # FY2027-Q4
    mine = quotas[
        (quotas["user_id"] == f"email:{REP}")
        & (pd.to_datetime(quotas["period_start_date"]).dt.date == start)
        & (pd.to_datetime(quotas["period_end_date"]).dt.date == end)
    ]
    assert quarter["quota"] == pytest.approx(float(mine["amount"].sum()))
    deals = _table(cockpit, "opportunity")
    closed = pd.to_datetime(deals["closed_at"], utc=True).dt.date
    won = deals[(deals["owner_id"] == rep) & deals["is_won"].astype(bool)
                & (closed >= start) & (closed <= AS_OF)]  # fmt: skip
    assert quarter["bookings"] == pytest.approx(float(won["amount"].sum()))
    assert quarter["attainment"] == pytest.approx(quarter["bookings"] / quarter["quota"])
    open_deals = deals[(deals["owner_id"] == rep) & ~deals["is_closed"].astype(bool)]
    assert page["open_deals"] == len(open_deals)
    assert page["open_pipeline"] == pytest.approx(float(open_deals["amount"].sum()))
    accounts = _table(cockpit, "account")
    assert {b["account"]["id"] for b in page["book"]} == set(
        accounts.loc[accounts["owner_id"] == rep, "account_id"]
    )


def test_a_rep_gets_404_for_another_reps_records(cockpit: Cockpit) -> None:
    other = _user_id(cockpit, OTHER_REP)
    deals = _table(cockpit, "opportunity")
    theirs = deals[deals["owner_id"] == other].iloc[0]
    for url in (f"/api/v1/accounts/{theirs['account_id']}",
                f"/api/v1/deals/{theirs['opportunity_id']}", f"/api/v1/reps/{other}"):  # fmt: skip
        body = _get(cockpit, REP, url, status=404)
        assert set(body) == {"detail"}
        assert "among the records you may see" in body["detail"]
    page = cockpit.client(REP).get(f"/accounts/{theirs['account_id']}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert str(theirs["name"]).split(" - ")[0] not in page.text
    # The same record is found for the admin, and for the rep an unknown id reads the same.
    _get(cockpit, ADMIN, f"/api/v1/accounts/{theirs['account_id']}")
    assert _get(cockpit, REP, "/api/v1/accounts/nobody", status=404)["detail"].startswith(
        "no account"
    )


def test_ids_on_other_pages_link_to_record_pages(cockpit: Cockpit) -> None:
    pipeline = _get(cockpit, ADMIN, "/api/v1/pipeline?by=owner")
    deals = _table(cockpit, "opportunity").set_index("opportunity_id")
    for deal in pipeline["stalled"]:
        assert deal["url"] == f"/deals/{deal['opportunity_id']}"
        assert deal["name"] == deals.loc[deal["opportunity_id"], "name"]
    users = _table(cockpit, "user").set_index("user_id")
    owned = [s for s in pipeline["stages"] if s["slice"] in users.index]
    assert owned
    assert all(
        s["slice_label"] == users.loc[s["slice"], "name"]
        and s["slice_url"] == f"/reps/{s['slice']}"
        for s in owned
    )
    search = _get(cockpit, ADMIN, "/api/v1/search?q=new business&kind=deal")
    assert search["hits"]
    assert all(h["url"] == f"/deals/{h['id']}" for h in search["hits"])
    rows = _get(cockpit, ADMIN, f"/api/v1/metrics/rows?metric=bookings&window={QUARTER}")
    table = rows["tables"][0]
    assert table["links"]["opportunity_id"] == "deal:opportunity_id"
    assert table["links"]["owner_label"] == "rep:owner_id"
    html = cockpit.client(ADMIN).get(f"/metrics/rows?metric=bookings&window={QUARTER}").text
    first = table["rows"][0][table["columns"].index("opportunity_id")]
    assert f'href="/deals/{first}"' in html


def test_a_source_records_id_leads_to_the_company_across_its_systems(
    resolved: Cockpit,  # noqa: F811 - the fixture imported above
) -> None:
    crosswalk = _table(resolved, "crosswalk", "identity")
    companies = crosswalk[crosswalk["entity"] == "account"]
    systems = companies.groupby("cluster_id")["source_system"].agg(set)
    cluster = sorted(c for c, s in systems.items() if {"salesforce", "stripe"} <= s)[0]
    members = companies[companies["cluster_id"] == cluster]
    billing = members.loc[members["source_system"] == "stripe", "record_id"].iloc[0]
    crm = members.loc[members["source_system"] == "salesforce", "record_id"].iloc[0]
    owner = _table(resolved, "account").set_index("account_id").loc[crm, "owner_id"]
    users = _table(resolved, "user").set_index("user_id")
    email = users.loc[owner, "email"]
    if email not in (REP, OTHER_REP, MANAGER):
        users_of_app.add_user(resolved.db, email, "rep", PASSWORD)
    moved = resolved.client(email).get(f"/api/v1/accounts/{billing}", follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == f"/api/v1/accounts/{cluster}"
    page = _get(resolved, email, moved.headers["location"])
    assert set(page["systems"]) == set(members["source_system"])
    assert page["owner"]["id"] == owner
    # ARR by hand: the company's open lines at the as-of day, price × quantity × 12 a
    # year for monthly lines (the demo bills monthly or yearly).
    lines = _table(resolved, "subscription_line")
    lines = lines[lines["account_id"].isin(members["record_id"])]
    day = pd.Timestamp(AS_OF)
    start, end = pd.to_datetime(lines["start_date"]), pd.to_datetime(lines["end_date"])
    paying = lines[(start <= day) & (end.isna() | (end > day))]
    assert len(paying)
    per_year = paying["billing_interval"].map({"month": 12, "year": 1})
    expected = float((paying["unit_price"].astype(float) * paying["quantity"] * per_year).sum())
    assert page["arr"] == pytest.approx(expected, abs=0.05)
    # Another rep is not told the company exists: 404 for every id of it, no redirect.
    other = OTHER_REP if owner != _user_id(resolved, OTHER_REP) else REP
    for record in (billing, crm, cluster):
        _get(resolved, other, f"/api/v1/accounts/{record}", status=404)
