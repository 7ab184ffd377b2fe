"""The pipeline, forecast and data-quality pages: their numbers for a scoped user are those
of the company's rows that user owns, and nothing of another owner leaks through the stage
table, the stalled list, the waterfall, the forecast's deals or the quality offenders."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.conftest import AS_OF, MANAGER, OTHER_REP, QUARTER, REP, Cockpit
from revops.app.views.forecast import BACKTEST_HINT, BACKTEST_SCOPED
from revops.metrics import Scope

ADMIN = "admin@example.com"


def _scope(cockpit: Cockpit, email: str, team: bool = False) -> Scope:
    found = cockpit.app.state.revops.workspace.metrics.scope_for(email, team=team)
    assert found is not None
    assert found.owners
    return found


def _get(cockpit: Cockpit, email: str, path: str) -> dict[str, Any]:
    response = cockpit.client(email).get(path)
    assert response.status_code == 200, response.text[:300]
    body: dict[str, Any] = response.json()
    return body


def _owner_of(cockpit: Cockpit) -> dict[str, str]:
    """Every opportunity's owner, read straight from the warehouse (no scope)."""
    ws = cockpit.app.state.revops.workspace
    deals = ws.warehouse.table("opportunity").select("opportunity_id", "owner_id").execute()
    return dict(
        zip(deals["opportunity_id"].astype(str), deals["owner_id"].astype(str), strict=True)
    )


@pytest.mark.parametrize(("email", "team"), [(REP, False), (MANAGER, True)])
def test_the_pipeline_by_stage_counts_the_users_own_or_teams_open_deals(
    cockpit: Cockpit, email: str, team: bool
) -> None:
    owners = _scope(cockpit, email, team).owners or frozenset()
    ws = cockpit.app.state.revops.workspace
    # The company's open deals closing in the quarter, unscoped, cut here by hand.
    every = ws.pipeline.deals(AS_OF, QUARTER).select("owner_id", "stage", "amount").execute()
    mine = every[every["owner_id"].isin(owners)]
    assert 0 < len(mine) < len(every)
    view = _get(cockpit, email, f"/api/v1/pipeline?window={QUARTER}")
    assert sum(s["deals"] for s in view["stages"]) == len(mine)
    assert sum(s["amount"] or 0 for s in view["stages"]) == pytest.approx(mine["amount"].sum())
    company = _get(cockpit, ADMIN, f"/api/v1/pipeline?window={QUARTER}")
    assert sum(s["deals"] for s in company["stages"]) == len(every)
    kpi = {k["metric"]: k["value"] for k in view["kpis"]}
    assert kpi["open_pipeline_count"] == len(mine)


def test_a_reps_pipeline_sliced_by_owner_names_only_the_rep(cockpit: Cockpit) -> None:
    owners = _scope(cockpit, REP).owners or frozenset()
    view = _get(cockpit, REP, f"/api/v1/pipeline?window={QUARTER}&by=owner")
    assert view["stages"]
    assert {s["slice"] for s in view["stages"]} <= owners


def test_the_stalled_list_is_the_companys_cut_to_the_users_deals(cockpit: Cockpit) -> None:
    """Judged against the company's typical stage times, a user's stalled deals are exactly
    the company's stalled deals in their scope; another team's never appear."""
    others = _scope(cockpit, OTHER_REP).owners or frozenset()
    ws = cockpit.app.state.revops.workspace
    company = ws.pipeline.stalled(AS_OF).rows
    assert any(r["owner_id"] in others for r in company), "the other team has stalled deals"
    for email, team in ((MANAGER, True), (REP, False)):
        owners = _scope(cockpit, email, team).owners or frozenset()
        expected = [r["opportunity_id"] for r in company if r["owner_id"] in owners]
        if team:
            assert expected, "the manager's team has stalled deals"
        view = _get(cockpit, email, f"/api/v1/pipeline?window={QUARTER}")
        assert view["stalled_total"] == len(expected)
        assert [d["opportunity_id"] for d in view["stalled"]] == expected[: len(view["stalled"])]
        assert all(d["owner_id"] in owners for d in view["stalled"])


def test_the_waterfall_balances_and_ends_at_the_users_open_pipeline(cockpit: Cockpit) -> None:
    start = AS_OF - timedelta(days=40)
    for email in (ADMIN, REP):
        path = f"/api/v1/pipeline?window={QUARTER}&from={start}&to={AS_OF}"
        view = _get(cockpit, email, path)
        steps = {w["step"]: w for w in view["waterfall"]}
        moved = sum(w["amount"] * (1 if w["sign"] == "+" else -1) for w in view["waterfall"]
                    if w["sign"] != "=")  # fmt: skip
        assert steps["open_start"]["amount"] + moved == pytest.approx(steps["open_end"]["amount"])
        # The quarter's pipeline at the as-of day is the stage table's total.
        total = sum(s["amount"] or 0 for s in view["stages"])
        assert steps["open_end"]["amount"] == pytest.approx(total)
        assert view["waterfall_from"] == start.isoformat()


def test_the_waterfall_defaults_to_the_eve_of_the_quarter_and_the_as_of_day(
    cockpit: Cockpit,
) -> None:
    view = _get(cockpit, ADMIN, "/api/v1/pipeline")
    assert view["window"] == QUARTER
    assert view["waterfall_from"] == "2026-10-31"  # FY2027-Q4 starts on 1 November
    assert view["waterfall_to"] == AS_OF.isoformat()


def test_a_pipeline_as_of_an_earlier_day_reads_that_day(cockpit: Cockpit) -> None:
    earlier = date(2026, 9, 30)
    ws = cockpit.app.state.revops.workspace
    expected = ws.pipeline.deals(earlier, "FY2027-Q3").count().execute()
    view = _get(cockpit, ADMIN, f"/api/v1/pipeline?window=FY2027-Q3&as_of={earlier}")
    assert view["pipeline_day"] == earlier.isoformat()
    assert sum(s["deals"] for s in view["stages"]) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [("as_of=2027-01-01", "not known yet"), ("from=2026-11-20&to=2026-11-10", "later one")],
)
def test_bad_pipeline_parameters_are_refused_with_a_reason(
    cockpit: Cockpit, query: str, message: str
) -> None:
    response = cockpit.client(ADMIN).get(f"/api/v1/pipeline?{query}")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_reps_forecast_names_only_own_deals_and_hides_the_company_backtest(
    cockpit: Cockpit,
) -> None:
    owners = _scope(cockpit, REP).owners or frozenset()
    owner_of = _owner_of(cockpit)
    rep = _get(cockpit, REP, f"/api/v1/forecast?period={QUARTER}")
    company = _get(cockpit, ADMIN, f"/api/v1/forecast?period={QUARTER}")
    assert rep["problem"] is None
    assert company["problem"] is None
    assert rep["top_deals"], "the rep has open deals in the quarter"
    named = [d["opportunity_id"] for d in rep["top_deals"] + rep["changes"]]
    assert all(owner_of[i] in owners for i in named)
    assert any(owner_of[d["opportunity_id"]] not in owners for d in company["top_deals"])
    by_method = {m["method"]: m for m in company["methods"]}
    for method in rep["methods"]:
        assert method["p10"] <= method["p50"] <= method["p90"]
        assert method["p50"] < by_method[method["method"]]["p50"]
    assert rep["backtest"] == []
    assert rep["backtest_note"] == BACKTEST_SCOPED
    assert company["backtest"] == []
    assert company["backtest_note"] == BACKTEST_HINT


def test_a_forecast_of_a_booked_period_says_why_there_is_none(cockpit: Cockpit) -> None:
    view = _get(cockpit, ADMIN, "/api/v1/forecast?period=FY2027-Q1")
    assert "ended" in view["problem"]
    assert view["methods"] == []


def test_the_forecast_call_is_fitted_once_per_scope_period_and_day(cockpit: Cockpit) -> None:
    state = cockpit.app.state.revops
    _get(cockpit, MANAGER, f"/api/v1/forecast?period={QUARTER}")
    scope = _scope(cockpit, MANAGER, True)
    fits = [v for k, v in state.cache.items() if k[:2] == ("part", "forecast") and k[4] == scope]
    assert len(fits) == 1
    page = cockpit.client(MANAGER).get(f"/forecast?period={QUARTER}")
    assert page.status_code == 200  # the page reuses the API's fit
    again = [v for k, v in state.cache.items() if k[:2] == ("part", "forecast") and k[4] == scope]
    assert again == fits
    assert again[0] is fits[0]


def test_a_reps_quality_page_lists_only_failures_of_own_records(cockpit: Cockpit) -> None:
    owners = _scope(cockpit, REP).owners or frozenset()
    ws = cockpit.app.state.revops.workspace
    company = ws.quality.report(limit=1000)
    mine = [r for r in company.owners if r["owner_id"] in owners]
    assert mine
    assert len(mine) < len(company.owners)
    view = _get(cockpit, REP, "/api/v1/quality")
    assert view["problem"] is None
    assert sum(e["records"] for e in view["entities"]) == sum(r["records"] for r in mine)
    assert sum(e["failing"] for e in view["entities"]) == sum(r["failing"] for r in mine)
    assert view["offenders"], "the rep's records fail some rule"
    assert {o["owner_id"] for o in view["offenders"]} <= owners
    assert all(o["fix"] for o in view["offenders"])
    admin = _get(cockpit, ADMIN, "/api/v1/quality")
    assert {o["owner_id"] for o in admin["offenders"]} - owners
    assert [t["score"] for t in admin["trend"]]


@pytest.mark.parametrize("path", ["/pipeline", "/forecast", "/quality"])
def test_the_pages_embed_their_view_and_draw_the_nav(cockpit: Cockpit, path: str) -> None:
    response = cockpit.client(REP).get(path)
    assert response.status_code == 200
    assert 'id="view-data"' in response.text
    assert f'href="{path}" aria-current="page"' in response.text


def test_the_forecast_api_takes_methods_and_leads_with_one_call(cockpit: Cockpit) -> None:
    view = _get(cockpit, ADMIN, f"/api/v1/forecast?period={QUARTER}&methods=weighted,rollup")
    assert [m["method"] for m in view["methods"]] == ["weighted", "rollup"]
    chosen = view["recommended"]
    assert chosen["method"] in {"weighted", "rollup"}
    by_method = {m["method"]: m for m in view["methods"]}
    assert chosen["p50"] == by_method[chosen["method"]]["p50"]
    assert chosen["reason"]
    assert view["ranked_by"] == chosen["method"]
    full = _get(cockpit, ADMIN, f"/api/v1/forecast?period={QUARTER}")
    assert len(full["methods"]) == 6
    assert full["recommended"]["method"] == "ensemble"
    deals = full["top_deals"]
    assert deals
    assert all(d["owner_name"] for d in deals)
    assert any(d["reasons"] for d in deals)
    refused = cockpit.client(ADMIN).get(f"/api/v1/forecast?period={QUARTER}&methods=magic")
    assert refused.status_code == 400
    assert "magic" in refused.json()["detail"]


def test_the_forecast_page_warns_past_the_datas_last_change(cockpit: Cockpit) -> None:
    ws = cockpit.app.state.revops.workspace
    from revops.model import ENTITIES

    history = ws.warehouse.table("opportunity_history", ENTITIES["opportunity_history"].namespace)
    last = history.valid_from.max().execute().date()
    assert last < AS_OF  # the demo's last change is before the cockpit's day
    view = _get(cockpit, ADMIN, f"/api/v1/forecast?period={QUARTER}&methods=weighted")
    assert f"last change ({last})" in view["warning"]
    page = cockpit.client(ADMIN).get(f"/forecast?period={QUARTER}&methods=weighted")
    assert f"last change ({last})" in page.text
    assert 'id="the-call"' in page.text
    earlier = _get(
        cockpit, ADMIN, f"/api/v1/forecast?period={QUARTER}&methods=weighted&as_of={last}"
    )
    assert earlier["warning"] is None
