"""Rule scores computed by hand: fit points, engagement decay, time-correctness."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from leads.conftest import Company, at, lead, touch, write_rules
from revops.errors import ConfigError
from revops.leads.rules import DEFAULT_RULES, load_lead_rules
from revops.leads.scoring import rule_scores

RULES = """
half_life_days: 10
fit:
  - {name: enterprise, field: segment, in: [enterprise], points: 30}
  - {name: big, field: employees, min: 500, points: 20}
  - {name: exec, field: seniority, in: [executive, vp], points: 25}
  - {name: gmail, field: email_type, in: [free_mail], points: -10}
  - {name: german, field: country, in: [de], points: 5}
engagement:
  - {name: response, source: campaign_touch, where: {status: [responded]}, points: 20}
  - {name: attended, source: campaign_touch, where: {status: [attended]}, points: 40,
     max_points: 50}
"""


def scores(company: Company, when: str) -> dict[str, dict[str, float]]:
    rules = load_lead_rules(company.ws.root)
    frame = rule_scores(company.ws.warehouse, at(when), rules).to_pandas()
    return {r["lead_id"]: r for r in frame.to_dict("records")}


@pytest.fixture
def scored(company: Company) -> Company:
    write_rules(company.ws.root, RULES)
    company.add(
        "account",
        {"account_id": "acc-big", "name": "Big AG", "domain": "big.de", "segment": "enterprise",
         "employees": 900, "country": "DE", "created_at": "2025-01-01"},
    )  # fmt: skip
    company.add(
        "lead",
        lead("l-vp", "2026-03-01", email="ana@big.de", domain="big.de", title="VP Sales"),
        lead("l-free", "2026-03-01", email="bob@gmail.com", title="Analyst", employees=600),
        lead("l-late", "2026-05-01", email="eve@big.de", domain="big.de"),
    )
    company.add(
        "campaign_touch",
        touch("l-vp", "2026-03-21"),  # 10 days before 2026-03-31: half of 20
        touch("l-vp", "2026-03-31"),  # on the day: 20
        touch("l-free", "2026-03-11", "attended"),  # 20 days: a quarter of 40
        touch("l-free", "2026-03-31", "attended"),  # 40; with the other capped at 50
        touch("l-free", "2026-03-31", "attended"),
    )
    return company


def test_fit_points_are_the_sum_of_the_rules_a_lead_meets(scored: Company) -> None:
    found = scores(scored, "2026-03-31")
    # the account by domain: enterprise 30 + 900 employees 20 + VP 25 + DE 5
    assert found["l-vp"]["fit"] == 80
    # its own 600 employees 20, free mail -10
    assert found["l-free"]["fit"] == 10
    assert found["l-vp"]["email_type"] == "business"
    assert found["l-free"]["email_type"] == "free_mail"


def test_engagement_decays_by_half_life_and_is_capped_per_rule(scored: Company) -> None:
    found = scores(scored, "2026-03-31")
    assert found["l-vp"]["engagement"] == pytest.approx(30.0, abs=0.01)
    assert found["l-free"]["engagement"] == 50.0  # 10 + 40 + 40 capped at 50
    later = scores(scored, "2026-04-10")  # ten days on, every event counts half as much
    assert later["l-vp"]["engagement"] == pytest.approx(15.0, abs=0.01)
    assert later["l-free"]["engagement"] == pytest.approx(45.0, abs=0.01)  # 5 + 20 + 20


def test_a_lead_is_scored_only_after_it_was_created(scored: Company) -> None:
    assert "l-late" not in scores(scored, "2026-03-31")
    assert "l-late" in scores(scored, "2026-05-02")


def test_events_and_conversions_after_the_as_of_never_change_a_score(scored: Company) -> None:
    before = scores(scored, "2026-03-31T12:00:00")
    scored.add(
        "campaign_touch",
        touch("l-vp", "2026-04-02"),
        touch("l-free", "2026-03-31T12:00:01", "attended"),
    )
    scored.add(
        "web_session",
        {"visitor_key": "v1", "person_id": "l-vp", "person_type": "lead",
         "started_at": "2026-04-01", "conversion_type": "demo_request"},
    )  # fmt: skip
    after = scores(scored, "2026-03-31T12:00:00")
    for lead_id in before:
        assert after[lead_id]["fit"] == before[lead_id]["fit"]
        assert after[lead_id]["engagement"] == before[lead_id]["engagement"]
    moved = scores(scored, "2026-04-03")
    assert moved["l-vp"]["engagement"] > 30 * 0.5 ** (3 / 10)  # the new touch counts now


def test_a_lead_converted_after_the_as_of_keeps_its_events_re_pointed_to_its_contact(
    company: Company,
) -> None:
    write_rules(company.ws.root, RULES)
    company.add(
        "lead",
        lead("l-1", "2026-03-01", converted_at="2026-04-15", converted_contact_id="c-1"),
    )
    # the source moved the lead's touch to the contact when it converted
    company.add("campaign_touch", {**touch("c-1", "2026-03-31"), "person_type": "contact"})
    assert scores(company, "2026-03-31")["l-1"]["engagement"] == 20
    assert "l-1" not in scores(company, "2026-04-16")  # converted: no longer open


def test_a_workspace_without_the_file_scores_with_the_shipped_rules(tmp_path: Path) -> None:
    assert load_lead_rules(tmp_path) is DEFAULT_RULES
    assert math.isclose(DEFAULT_RULES.half_life_days, 30)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("fit: [{name: x, field: shoe_size, in: [a], points: 1}]", "fit[x].field", "Input"),
        ("fit: [{name: x, field: industry, points: 1}]", "fit[x]", "set `in`"),
        ("fit: [{name: x, field: industry, min: 3, points: 1}]", "fit[x]", "employees only"),
        ("half_life_days: -1", "half_life_days", "greater than 0"),
        ("engagement: [{name: e, source: web_session, points: 1, colour: red}]",
         "engagement[e].colour", "unknown key"),
        ("fit: [oops", None, "not valid YAML"),
    ],
)  # fmt: skip
def test_a_bad_rules_file_is_one_error_naming_file_and_key(
    tmp_path: Path, text: str, key: str | None, problem: str
) -> None:
    (tmp_path / "rules").mkdir()
    write_rules(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_lead_rules(tmp_path)
    assert caught.value.key == key
    assert problem in str(caught.value)
    assert "leads.yaml" in str(caught.value)


def test_an_engagement_filter_on_a_column_the_source_lacks_is_refused(company: Company) -> None:
    write_rules(
        company.ws.root,
        "engagement: [{name: e, source: web_session, where: {colour: [red]}, points: 1}]",
    )
    with pytest.raises(ConfigError, match="web_session has no column 'colour'") as caught:
        _ = company.ws.leads.rules
    assert caught.value.key == "engagement[e].where.colour"
