"""Funnel, attribution and web KPIs against hand-built people, touches and sessions."""

from __future__ import annotations

from datetime import date

import ibis
import pytest

from metrics.conftest import MetricWorld
from revops.metrics.engines.attribution import attribution_credit, w_shaped

Q1 = "FY2025-Q1"
MODELS = ("first_touch", "last_touch", "linear", "w_shaped")


def _funnel(world: MetricWorld) -> None:
    stages = {
        "p1": [("lead", "2025-01-05"), ("mql", "2025-01-10"), ("sql", "2025-01-20"),
               ("customer", "2025-03-01")],
        "p2": [("lead", "2025-01-07"), ("mql", "2025-02-01")],
        "p3": [("lead", "2025-02-10")],
        "p4": [("lead", "2024-12-01"), ("mql", "2025-01-15"), ("sql", "2025-01-16")],
    }  # fmt: skip
    world.add(
        "lifecycle_event",
        *[
            {"person_id": person, "person_type": "contact", "stage": stage, "entered_at": at}
            for person, entries in stages.items()
            for stage, at in entries
        ],
    )


def test_funnel_counts_and_cohort_conversion(world: MetricWorld) -> None:
    _funnel(world)
    result = world.compute(
        ["leads_created", "mqls_created", "sqls_created", "lead_conversion_rate",
         "lead_acceptance_rate"],
        Q1,
    )  # fmt: skip
    assert [result.value(m) for m in ("leads_created", "mqls_created", "sqls_created")] == [
        3, 3, 2,
    ]  # fmt: skip
    assert result.value("lead_conversion_rate") == pytest.approx(1 / 3)  # p1 of p1..p3
    assert result.value("lead_acceptance_rate") == pytest.approx(2 / 3)  # p1, p4 of p1, p2, p4
    by_stage = world.compute(["lifecycle_conversion", "lifecycle_days_to_next"], Q1,
                             by=["stage"])  # fmt: skip
    assert by_stage.value("lifecycle_conversion", stage="lead") == pytest.approx(2 / 3)
    assert by_stage.value("lifecycle_days_to_next", stage="lead") == pytest.approx(15)  # 5, 25
    pairs = world.compute(
        ["lead_to_mql_conversion", "lead_to_mql_days", "mql_to_sql_conversion",
         "mql_to_sql_days", "sql_to_opportunity_conversion", "sql_to_opportunity_days",
         "opportunity_to_customer_conversion"],
        Q1,
    )  # fmt: skip
    assert pairs.value("lead_to_mql_conversion") == pytest.approx(2 / 3)  # p1, p2 of p1..p3
    assert pairs.value("lead_to_mql_days") == pytest.approx(15)
    assert pairs.value("mql_to_sql_conversion") == pytest.approx(2 / 3)  # p1, p4 of p1, p2, p4
    assert pairs.value("mql_to_sql_days") == pytest.approx(5.5)  # 10 and 1
    # p1 skipped the opportunity stage into customer: it counts as having moved on.
    assert pairs.value("sql_to_opportunity_conversion") == pytest.approx(1 / 2)
    assert pairs.value("sql_to_opportunity_days") == pytest.approx(40)  # 20 Jan to 1 Mar
    assert pairs.value("opportunity_to_customer_conversion") is None  # nobody entered


def test_speed_to_lead_matches_people_by_id_and_email(duckdb_world: MetricWorld) -> None:
    world = duckdb_world
    _funnel(world)
    world.add(
        "contact",
        {"contact_id": "p1", "email": "a@x.com"},
        {"contact_id": "sf1", "email": "A@x.com"},
        {"contact_id": "p4", "email": "d@x.com"},
    )
    world.add("lead", {"lead_id": "l4", "email": "d@x.com"})
    world.add(
        "activity",
        {"type": "call", "contact_id": "sf1", "occurred_at": "2025-01-10T06:00"},
        {"type": "email", "lead_id": "l4", "occurred_at": "2025-01-14T00:00"},  # before MQL
        {"type": "email", "lead_id": "l4", "occurred_at": "2025-01-15T12:00"},
        {"type": "task", "contact_id": "sf1", "occurred_at": "2025-01-10T01:00"},  # no touch
        # p2 is in no lead or contact table: the activity names its id.
        {"type": "meeting", "lead_id": "p2", "occurred_at": "2025-02-01T03:00"},
    )
    # p1 6 h (its CRM twin sf1), p2 3 h (by id), p4 12 h (its lead twin l4)
    assert world.value("speed_to_lead_hours", Q1) == pytest.approx(6)


def _touches(world: MetricWorld) -> None:
    world.add("contact", {"contact_id": "c1", "account_id": "acc1", "email": "c1@x.com"})
    # c1 became an MQL as lead lc1 of the marketing tool (same e-mail, no account); l9,
    # another person of acc1, became one earlier.
    world.add(
        "lead",
        {"lead_id": "lc1", "email": "C1@x.com"},
        {"lead_id": "l9", "email": "l9@x.com", "converted_account_id": "acc1"},
    )
    world.add(
        "lifecycle_event",
        {"person_id": "lc1", "person_type": "lead", "stage": "mql", "entered_at": "2025-01-12"},
        {"person_id": "l9", "person_type": "lead", "stage": "mql", "entered_at": "2025-01-05"},
    )
    world.add(
        "campaign",
        *[{"campaign_id": k, "name": k, "channel": channel} for k, channel in
          (("k1", "events"), ("k2", "paid_search"), ("k3", "organic"), ("k4", "referral"))],
    )  # fmt: skip
    person = "email:c1@x.com"
    world.add(
        "campaign_touch",
        {"campaign_id": "k1", "person_id": person, "occurred_at": "2025-01-01"},
        {"campaign_id": "k2", "person_id": person, "occurred_at": "2025-01-10",
         "has_responded": True},
        {"campaign_id": "k3", "account_id": "acc1", "occurred_at": "2025-01-20"},
        {"campaign_id": "k4", "person_id": "c1", "occurred_at": "2025-01-25"},
        {"campaign_id": "k1", "person_id": person, "occurred_at": "2025-02-05"},  # after
    )  # fmt: skip
    world.add(
        "opportunity",
        {"opportunity_id": "o1", "stage": "Proposal", "account_id": "acc1", "amount": 1000,
         "created_at": "2025-02-01", "primary_contact_id": "c1"},
        {"opportunity_id": "o2", "stage": "Proposal", "account_id": "acc2", "amount": 500,
         "created_at": "2025-02-01"},
        {"opportunity_id": "o3", "stage": "Proposal", "account_id": "acc1", "amount": 200,
         "created_at": "2025-01-15"},
    )  # fmt: skip


def test_every_model_credits_the_influenced_pipeline(world: MetricWorld) -> None:
    _touches(world)
    names = ["influenced_pipeline", "influenced_opportunities",
             *[f"attributed_pipeline_{m}" for m in MODELS]]  # fmt: skip
    result = world.compute(names, Q1)
    assert result.value("influenced_pipeline") == 1200  # o1 and o3; o2 has no touch
    assert result.value("influenced_opportunities") == 2
    for model in MODELS:
        assert result.value(f"attributed_pipeline_{model}") == pytest.approx(1200), model


def test_each_model_splits_credit_by_its_rule(duckdb_world: MetricWorld) -> None:
    world = duckdb_world
    _touches(world)
    names = [f"attributed_pipeline_{m}" for m in MODELS]
    result = world.compute(names, Q1, by=["channel"])
    expected = {
        # o1 (1,000) has touches events, paid_search (responded), organic, referral;
        # o3 (200) has events, paid_search.
        "first_touch": {"events": 1200, "paid_search": 0, "organic": 0, "referral": 0},
        "last_touch": {"events": 0, "paid_search": 200, "organic": 0, "referral": 1000},
        "linear": {"events": 350, "paid_search": 350, "organic": 250, "referral": 250},
        # o1: its primary contact c1 became an MQL on 12 Jan (as lc1), so paid_search is
        # the lead-creation touch: 30 % each to events, paid_search and referral, 10 % to
        # organic. o3 has no primary contact: the account's last MQL before it is l9's on
        # 5 Jan, so its first touch (events) is also the lead-creation one: 2/3 and 1/3.
        "w_shaped": {
            "events": 300 + 400 / 3,
            "paid_search": 300 + 200 / 3,
            "organic": 100,
            "referral": 300,
        },
    }
    for model, channels in expected.items():
        for channel, amount in channels.items():
            value = result.value(f"attributed_pipeline_{model}", channel=channel)
            assert value == pytest.approx(amount), (model, channel)


def test_credits_of_each_opportunity_sum_to_one(duckdb_world: MetricWorld) -> None:
    _touches(duckdb_world)
    metrics = duckdb_world.metrics()
    ctx = metrics.context(date(2030, 1, 1))
    credits = attribution_credit(ctx, metrics.window(Q1, date(2030, 1, 1)))
    sums = credits.group_by(["opportunity_id", "model"]).aggregate(
        credit=credits.credit.sum(), amount=credits.credited_amount.sum(), rows=credits.count()
    )
    rows = {(r["opportunity_id"], r["model"]): r for r in sums.to_pyarrow().to_pylist()}
    assert {o for o, _ in rows} == {"o1", "o3"}
    for (opportunity, model), row in rows.items():
        assert row["credit"] == pytest.approx(1), (opportunity, model)
        amount = 1000 if opportunity == "o1" else 200
        assert row["amount"] == pytest.approx(amount), (opportunity, model)
    assert rows["o1", "linear"]["rows"] == 4  # the touch after creation does not count


@pytest.mark.parametrize(
    ("lead", "n", "expected"),
    [
        (1, 1, [1]),
        (1, 2, [2 / 3, 1 / 3]),
        (2, 2, [1 / 3, 2 / 3]),
        (2, 3, [1 / 3, 1 / 3, 1 / 3]),
        (1, 3, [0.6, 0.1, 0.3]),
        (3, 3, [0.3, 0.1, 0.6]),
        (2, 4, [0.3, 0.3, 0.1, 0.3]),
        (4, 4, [0.3, 0.05, 0.05, 0.6]),
        (3, 6, [0.3, 0.1 / 3, 0.3, 0.1 / 3, 0.1 / 3, 0.3]),
    ],
)
def test_w_shaped_weights(lead: int, n: int, expected: list[float]) -> None:
    touches = ibis.memtable({"position": list(range(1, n + 1))})
    credit = w_shaped(touches.position, ibis.literal(lead), ibis.literal(n))
    weighted = touches.mutate(credit=credit).order_by("position")
    got = ibis.duckdb.connect().execute(weighted)["credit"].tolist()
    assert got == pytest.approx(expected)
    assert sum(got) == pytest.approx(1)


def test_website_conversion_by_landing_page(duckdb_world: MetricWorld) -> None:
    world = duckdb_world
    session = {"started_at": "2025-02-01", "channel": "organic"}
    world.add(
        "web_session",
        {**session, "landing_page": "/pricing", "is_converted": True},
        {**session, "landing_page": "/pricing", "is_converted": False},
        {**session, "landing_page": "/pricing"},
        {**session, "landing_page": "/blog", "is_converted": False},
        {**session, "landing_page": "/blog", "is_converted": False},
    )
    result = world.compute(["website_conversion_rate"], Q1, by=["landing_page"])
    assert result.value("website_conversion_rate", landing_page="/pricing") == pytest.approx(1 / 3)
    assert result.value("website_conversion_rate", landing_page="/blog") == 0
    assert world.value("website_conversion_rate", Q1) == pytest.approx(1 / 5)


def test_marketing_sourced_pipeline_and_bookings(duckdb_world: MetricWorld) -> None:
    world = duckdb_world
    world.add(
        "opportunity",
        {"stage": "Closed Won", "is_won": True, "is_closed": True, "amount": 100,
         "lead_source": "paid_search", "created_at": "2025-01-02", "closed_at": "2025-02-02"},
        {"stage": "Proposal", "amount": 50, "sourced_by": "Marketing",
         "lead_source": "outbound", "created_at": "2025-01-03"},
        {"stage": "Proposal", "amount": 20, "sourced_by": "sales",
         "lead_source": "paid_search", "created_at": "2025-01-04"},
    )  # fmt: skip
    names = ["marketing_sourced_pipeline", "marketing_sourced_opportunities",
             "marketing_sourced_bookings", "marketing_sourced_deals_won"]  # fmt: skip
    result = world.compute(names, Q1)
    assert result.value("marketing_sourced_pipeline") == 150  # sourced_by wins over source
    assert result.value("marketing_sourced_opportunities") == 2
    assert result.value("marketing_sourced_bookings") == 100
    assert result.value("marketing_sourced_deals_won") == 1


def test_flywheel_leaves(duckdb_world: MetricWorld) -> None:
    world = duckdb_world
    _funnel(world)
    world.add(
        "opportunity",
        {"stage": "Proposal", "lead_source": "referral", "created_at": "2025-01-02"},
        {"stage": "Proposal", "lead_source": "organic", "created_at": "2025-02-02"},
        {"stage": "Proposal", "lead_source": "referral", "created_at": "2024-12-02"},
    )
    names = ["flywheel_attract", "flywheel_engage", "flywheel_delight_referrals"]
    result = world.compute(names, Q1)
    assert [result.value(m) for m in names] == [3, 2, 1]
