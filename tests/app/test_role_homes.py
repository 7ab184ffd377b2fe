"""Each role lands on its own home, built within its own rows, showing names beside ids,
with numbers that add up to the explorer's for the same metric, window and scope."""

from __future__ import annotations

from typing import Any

import pytest

from app.conftest import MANAGER, QUARTER, REP, Cockpit, role_email
from revops.app.views.homes import HOME_OF

ADMIN = "admin@example.com"


def _home(cockpit: Cockpit, email: str, query: str = "") -> dict[str, Any]:
    response = cockpit.client(email).get(f"/api/v1/home?window={QUARTER}{query}")
    assert response.status_code == 200, response.text[:300]
    body: dict[str, Any] = response.json()
    return body


def _explore(cockpit: Cockpit, email: str, metric: str, by: str | None = None) -> dict[Any, Any]:
    """The explorer's values of `metric` for QUARTER, as `email` sees them: by slice."""
    params = {"metric": metric, "window": QUARTER, **({"by": by} if by else {})}
    response = cockpit.client(email).get("/api/v1/metrics/explore", params=params)
    assert response.status_code == 200, response.text[:300]
    return {r["slice"]: r["value"] for r in response.json()["rows"]}


def _card(view: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(c for c in view["cards"] if c["metric"] == metric)


def _crm_users(cockpit: Cockpit) -> dict[str, str]:
    """CRM user id → name, read from the warehouse by hand."""
    users = cockpit.app.state.revops.workspace.warehouse.table("user").execute()
    return dict(zip(users["user_id"], users["name"], strict=True))


@pytest.mark.parametrize("role", sorted(HOME_OF))
def test_each_role_lands_on_its_own_home_page_and_json_twin(cockpit: Cockpit, role: str) -> None:
    view = _home(cockpit, role_email(role))
    assert view["home"] == HOME_OF[role]  # type: ignore[index]
    assert view["inspecting"] is False
    assert view["homes"] == ([] if role not in ("admin", "revops") else list(view["homes"]))
    page = cockpit.client(role_email(role)).get(f"/?window={QUARTER}")
    assert page.status_code == 200
    section = {"executive": "risks", "manager": "team", "rep": "deals", "marketing": "funnel",
               "success": "renewals", "finance": "movements", "revops": "data-state"}  # fmt: skip
    assert f'id="{section[view["home"]]}"' in page.text
    assert 'id="save-view"' in page.text


def test_admin_and_revops_may_look_at_any_home_within_their_own_rows(cockpit: Cockpit) -> None:
    view = _home(cockpit, ADMIN, "&as=manager")
    assert (view["home"], view["inspecting"]) == ("manager", True)
    # The admin reads every row: the manager home lists every rep with a quota.
    own = {r["owner_id"] for r in _home(cockpit, MANAGER)["team"]}
    assert own < {r["owner_id"] for r in view["team"]}
    assert 'id="inspecting"' in cockpit.client(ADMIN).get("/?as=rep").text
    refused = cockpit.client(REP).get("/api/v1/home?as=executive")
    assert refused.status_code == 400
    assert "only admin and revops" in refused.json()["detail"]
    assert cockpit.client(ADMIN).get("/api/v1/home?as=nobody").status_code == 400
    assert _home(cockpit, REP, "&as=rep")["home"] == "rep"  # one's own role is fine


def test_the_rep_home_lists_only_their_open_deals_and_adds_up_to_the_explorer(
    cockpit: Cockpit,
) -> None:
    view = _home(cockpit, REP)
    ws = cockpit.app.state.revops.workspace
    rep_id = next(i for i, e in _emails(cockpit).items() if e == REP)
    deals = ws.warehouse.table("opportunity").execute()
    mine = deals[(deals["owner_id"] == rep_id) & ~deals["is_closed"].fillna(False).astype(bool)]
    assert {d["opportunity_id"] for d in view["deals"]} == set(mine["opportunity_id"])
    assert view["deals_total"] == len(mine)
    names = dict(zip(mine["opportunity_id"], mine["name"], strict=True))
    steps = dict(zip(mine["opportunity_id"], mine["next_step"], strict=True))
    for deal in view["deals"]:
        assert deal["name"] == names[deal["opportunity_id"]]
        # The export's NextStep, as the owner wrote it (every open demo deal has one).
        assert deal["next_step"] == steps[deal["opportunity_id"]]
        assert deal["next_step"]
        assert deal["account"]
        assert not deal["account"].startswith("salesforce:")
    closes = [d["close_date"] for d in view["deals"]]
    assert closes == sorted(closes)
    in_window = sum(d["amount"] or 0 for d in view["deals"] if d["in_window"])
    explorer = _explore(cockpit, REP, "open_pipeline")[None]
    assert in_window == pytest.approx(explorer)
    assert _card(view, "open_pipeline")["value"] == pytest.approx(explorer)
    assert view["attainment"] == pytest.approx(_explore(cockpit, REP, "quota_attainment")[None])
    assert view["bookings"] == pytest.approx(_explore(cockpit, REP, "bookings")[None])


def _emails(cockpit: Cockpit) -> dict[str, str]:
    users = cockpit.app.state.revops.workspace.warehouse.table("user").execute()
    return dict(zip(users["user_id"], users["email"].str.lower(), strict=True))


def test_the_manager_home_names_each_rep_and_matches_the_explorer_by_owner(
    cockpit: Cockpit,
) -> None:
    view = _home(cockpit, MANAGER)
    team = view["team"]
    assert len(team) >= 2
    names = _crm_users(cockpit)
    scope = cockpit.app.state.revops.workspace.metrics.scope_for(MANAGER, team=True)
    for row in team:
        assert row["owner_id"] in scope.owners
        assert row["name"] == names[row["owner_id"]]
        assert row["url"] == f"/reps/{row['owner_id']}"
    for field, metric in (("open_pipeline", "open_pipeline"), ("bookings", "bookings"),
                          ("attainment", "quota_attainment"), ("quota", "quota_amount"),
                          ("coverage", "pipeline_coverage")):  # fmt: skip
        explorer = _explore(cockpit, MANAGER, metric, "owner")
        for row in team:
            expected = explorer.get(row["owner_id"])
            if expected is None:  # no row of this owner behind the metric: nothing, or 0
                assert row[field] in (None, 0), (field, row)
            else:
                assert row[field] == pytest.approx(expected), (field, row)
    # The team's bookings are the manager's bookings card, less any deal with no owner.
    unowned = _explore(cockpit, MANAGER, "bookings", "owner").get("(none)") or 0.0
    assert sum(r["bookings"] or 0 for r in team) + unowned == pytest.approx(
        _card(view, "bookings")["value"]
    )
    board = view["leaderboard"]
    assert [r["rank"] for r in board] == list(range(1, len(board) + 1))
    attained = [r["attainment"] or 0 for r in board]
    assert attained == sorted(attained, reverse=True)
    stalled = cockpit.client(MANAGER).get(f"/api/v1/pipeline?window={QUARTER}").json()
    per_owner: dict[str, int] = {}
    for deal in stalled["stalled"]:
        per_owner[deal["owner_id"]] = per_owner.get(deal["owner_id"], 0) + 1
    assert {r["owner_id"]: r["stalled_deals"] for r in team if r["stalled_deals"]} == per_owner
    page = cockpit.client(MANAGER).get(f"/?window={QUARTER}").text
    for row in team:
        assert f">{row['name']}</a>" in page


def test_the_executive_home_calls_the_quarter_against_its_quota_and_names_the_risks(
    cockpit: Cockpit,
) -> None:
    view = _home(cockpit, "executive@example.com")
    call = view["forecast"]
    quota = _explore(cockpit, "executive@example.com", "quota_amount")[None]
    assert call["target"] == pytest.approx(quota)
    assert call["p50"] is not None
    assert call["share_of_target"] == pytest.approx(call["p50"] / quota)
    assert {c["metric"] for c in view["cards"]} >= {"bookings", "arr", "nrr"}
    assert view["risks"]
    for risk in view["risks"]:
        assert risk["name"]
        assert not risk["name"].startswith(("salesforce:", "stripe:"))
    stalled = [r for r in view["risks"] if r["kind"] == "stalled deal"]
    names = _crm_users(cockpit)
    assert all(r["owner"] in names.values() for r in stalled)


def test_the_marketing_home_names_campaigns_and_matches_the_explorer(cockpit: Cockpit) -> None:
    email = "marketing@example.com"
    view = _home(cockpit, email)
    campaigns = view["pipeline_by_campaign"]["slices"]
    assert campaigns
    explorer = _explore(cockpit, email, "pipeline_created", "campaign")
    stored = cockpit.app.state.revops.workspace.warehouse.table("campaign").execute()
    names = dict(zip(stored["campaign_id"], stored["name"], strict=True))
    for item in campaigns:
        assert item["name"] == names[item["key"]]
        assert item["value"] == pytest.approx(explorer[item["key"]])
    # CAC by the channel that won each new customer, as the explorer slices it.
    # This company has no identity run: its one new billing customer is tied to no CRM
    # deal, and the note says so.
    cac = view["cac_by_channel"]["slices"]
    customers = _explore(cockpit, email, "new_customers", "channel")
    assert view["unattributed"] == customers.get("(none)", 0) > 0
    assert f"{view['unattributed']:,} new customer(s) have no won deal known" in view["cac_note"]
    by_channel = _explore(cockpit, email, "cac_paid", "channel")
    assert {c["key"]: c["value"] for c in cac} == pytest.approx(
        {k: v for k, v in by_channel.items() if v}
    )
    assert [c["value"] for c in cac] == sorted((c["value"] for c in cac), reverse=True)
    funnel = {f["metric"]: f["value"] for f in view["funnel"]}
    assert funnel["mqls_created"] == pytest.approx(_explore(cockpit, email, "mqls_created")[None])


def test_the_success_home_lists_renewals_due_and_the_least_healthy_accounts(
    cockpit: Cockpit,
) -> None:
    email = "success@example.com"
    view = _home(cockpit, email)
    by_type = _explore(cockpit, email, "open_pipeline", "opportunity_type")
    assert view["renewals_amount"] == pytest.approx(by_type.get("renewal"))
    assert all(
        r["account"] and not r["account"].startswith("salesforce:") for r in view["renewals"]
    )
    scores = [a["health_score"] for a in view["watch_list"]]
    assert scores == sorted(scores)
    assert all(a["at_risk"] == (a["health_score"] < 40) for a in view["watch_list"])
    at_risk = _card(view, "accounts_at_risk")["value"]
    assert sum(a["at_risk"] for a in view["watch_list"]) == min(at_risk, len(scores))


def test_the_finance_home_movements_add_up_from_opening_to_closing(cockpit: Cockpit) -> None:
    view = _home(cockpit, "finance@example.com", "&compare=previous")
    assert view["movements"]
    for month in view["movements"]:
        m = {k: v or 0.0 for k, v in month["amounts"].items()}
        assert m["opening_mrr"] + m["mrr_new"] + m["mrr_expansion"] + m["mrr_reactivation"] - m[
            "mrr_contraction"
        ] - m["mrr_churn"] == pytest.approx(m["closing_mrr"])
    dso = next(f for f in view["efficiency"] if f["metric"] == "dso")
    assert dso["value"] == pytest.approx(_explore(cockpit, "finance@example.com", "dso")[None])


def test_the_revops_home_shows_the_data_state(cockpit: Cockpit) -> None:
    view = _home(cockpit, "revops@example.com")
    score = _explore(cockpit, "revops@example.com", "data_quality_score")[None]
    assert view["data_quality_score"] == pytest.approx(score)
    assert view["last_load"] is not None
    assert view["last_load"]["status"] == "loaded"
    # No identity run in this company: the queue says why instead of a count.
    assert view["review_problem"]
    assert view["review_queue"] == {}
    assert {link["url"] for link in view["links"]} >= {"/quality", "/identity/review"}
