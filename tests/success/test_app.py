"""The success page and its JSON twin on the demo company: at-risk companies by ARR at
stake with names, links and reasons; a rep sees the companies they look after; lifetime
value answers with one clear message when there is no buyer without a contract."""

from __future__ import annotations

from typing import Any

from app.conftest import REP, Cockpit, role_email
from app.conftest import cockpit as cockpit  # the served demo company, once a run
from app.conftest import demo_root as demo_root


def _view(cockpit: Cockpit, email: str, query: str = "") -> dict[str, Any]:
    response = cockpit.client(email).get(f"/api/v1/success{query}")
    assert response.status_code == 200, response.text[:300]
    found: dict[str, Any] = response.json()
    return found


def test_the_success_role_sees_companies_at_risk_by_arr_at_stake(cockpit: Cockpit) -> None:
    view = _view(cockpit, role_email("success"), "?threshold=0.05")

    assert view["problem"] is None
    rows = view["at_risk"]
    assert rows, "the demo company has companies at risk"
    stakes = [r["arr_at_stake"] for r in rows]
    assert stakes == sorted(stakes, reverse=True)
    for row in rows:
        assert row["p_churn"] >= 0.05
        assert row["arr_at_stake"] == round(row["arr"] * row["p_churn"], 2) or abs(
            row["arr_at_stake"] - row["arr"] * row["p_churn"]
        ) < 0.01 * max(1.0, row["arr"])
        assert row["account_url"].startswith("/accounts/")
        assert row["account_name"] != row["account_id"]
        assert row["reasons"]
    assert view["p10"] <= view["expected_retained_arr"] <= view["p90"] <= view["arr"]


def test_the_page_names_and_links_each_company(cockpit: Cockpit) -> None:
    view = _view(cockpit, role_email("success"), "?threshold=0.05")
    page = cockpit.client(role_email("success")).get("/success?threshold=0.05")

    assert page.status_code == 200
    first = view["at_risk"][0]
    assert first["account_name"] in page.text
    assert f'href="{first["account_url"]}"' in page.text


def test_a_rep_sees_only_the_companies_they_look_after(cockpit: Cockpit) -> None:
    everyone = _view(cockpit, role_email("success"), "?threshold=0")
    own = _view(cockpit, REP, "?threshold=0")

    assert own["accounts"] < everyone["accounts"]
    mine = {r["csm_id"] for r in own["at_risk"]}
    assert len(mine) <= 1


def test_lifetime_value_without_buyers_outside_contracts_says_so(cockpit: Cockpit) -> None:
    response = cockpit.client(role_email("success")).get("/api/v1/success/clv")

    assert response.status_code == 422
    assert "no customer bought anything" in response.json()["detail"]


def test_cohort_retention_is_served_to_roles_that_see_every_row(cockpit: Cockpit) -> None:
    response = cockpit.client(role_email("success")).get("/api/v1/success/cohorts?unit=quarter")

    assert response.status_code == 200, response.text[:300]
    found = response.json()
    assert found["unit"] == "quarter"
    assert found["cohorts"]
    for row in found["cohorts"]:
        assert row["customers"] >= row["paying"][0]
        assert all(0 <= v <= 1 for v in row["logo_retention"])
    assert cockpit.client(REP).get("/api/v1/success/cohorts").status_code == 403
    view = _view(cockpit, role_email("success"))
    assert view["cohorts"][0]["cohort"] == found["cohorts"][0]["cohort"]
    assert view["model_date"] == view["as_of"]
    page = cockpit.client(role_email("success")).get("/success")
    assert "Logo retention by start quarter" in page.text
    assert _view(cockpit, REP)["cohorts"] == []


def test_lifetime_value_per_segment_names_the_method(cockpit: Cockpit) -> None:
    response = cockpit.client(role_email("success")).get("/api/v1/success/clv/segments")

    assert response.status_code == 200, response.text[:300]
    rows = {r["segment"]: r for r in response.json()["segments"]}
    assert rows["(no subscription)"]["method"] == "bgnbd"
    subscribers = [r for s, r in rows.items() if s != "(no subscription)"]
    assert subscribers
    assert all(r["method"] == "sbg" for r in subscribers)
    assert any(r["clv"] for r in subscribers)
    assert cockpit.client(REP).get("/api/v1/success/clv/segments").status_code == 403
