"""The router on hand-built companies: each rule kind, capacity, availability, weights."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from revops.routing.directory import Directory, User
from revops.routing.engine import Lead, Router, RouterState
from revops.routing.rules import RoutingFile

MONDAY = datetime(2026, 3, 2, 10, tzinfo=UTC)


def user(user_id: str, **fields: Any) -> User:
    values: dict[str, Any] = {
        "name": user_id.title(), "email": f"{user_id}@acme.test", "team_id": "t1",
        "team": "Team One", "is_active": True, "hire_date": date(2020, 1, 1),
        "ramp_months": None, "termination_date": None,
    }  # fmt: skip
    values.update(fields)
    return User(user_id=user_id, **values)


def company(*users: User) -> Directory:
    return Directory(list(users) or [user(u) for u in ("ann", "bob", "cat", "dan")])


def lead(n: int, **fields: Any) -> Lead:
    fields.setdefault("created_at", MONDAY + timedelta(hours=n))
    return Lead(lead_id=f"lead-{n}", name=f"Lead {n}", **fields)


def rules(**data: Any) -> RoutingFile:
    return RoutingFile.model_validate(data)


def route_all(router: Router, leads: list[Lead]) -> list[str | None]:
    return [router.route(x).owner_id for x in leads]


POOL = {"name": "p", "reps": ["ann", "bob", "cat"]}


def test_the_account_owner_rule_sends_a_lead_to_its_accounts_owner() -> None:
    routing = rules(
        pools=[POOL],
        rules=[
            {"name": "owner", "kind": "account_owner"},
            {"name": "rr", "kind": "pool", "pool": "p"},
        ],
    )
    router = Router(routing, company())
    known = router.route(lead(1, account_id="g1", account_name="Acme", account_owner_id="dan"))
    assert (known.owner_id, known.rule) == ("dan", "owner")
    assert known.steps[-1].reason == "owner of account Acme"
    unknown = router.route(lead(2))
    assert (unknown.owner_id, unknown.rule) == ("ann", "rr")
    assert unknown.steps[0].reason == "no matched account"


def test_an_account_owner_out_of_office_passes_the_lead_to_the_next_rule() -> None:
    routing = rules(
        reps=[{"rep": "dan", "out_of_office": [{"from": "2026-03-02", "to": "2026-03-06"}]}],
        pools=[POOL],
        rules=[
            {"name": "owner", "kind": "account_owner"},
            {"name": "rr", "kind": "pool", "pool": "p"},
        ],
    )
    router = Router(routing, company())
    during = router.route(lead(1, account_id="g1", account_name="Acme", account_owner_id="dan"))
    assert during.owner_id == "ann"
    assert "out of office 2026-03-02..2026-03-06" in during.steps[0].reason
    after = lead(
        2,
        account_id="g1",
        account_name="Acme",
        account_owner_id="dan",
        created_at=datetime(2026, 3, 7, tzinfo=UTC),
    )
    assert router.route(after).owner_id == "dan"


def test_territories_match_on_country_segment_and_named_accounts() -> None:
    routing = rules(
        rules=[
            {
                "name": "named",
                "kind": "territory",
                "match": {"named_accounts": ["big.com"]},
                "rep": "dan",
            },
            {
                "name": "dach",
                "kind": "territory",
                "match": {"country": ["DE", "AT"], "segment": ["smb"]},
                "rep": "bob@acme.test",
            },
        ],
    )
    router = Router(routing, company())
    named = router.route(lead(1, account_id="g9", account_domain="BIG.com", country="DE"))
    assert (named.owner_id, named.rule) == ("dan", "named")
    dach = router.route(lead(2, country="at", segment="smb"))
    assert (dach.owner_id, dach.rule) == ("bob", "dach")
    french = router.route(lead(3, country="FR", segment="smb"))
    assert french.owner_id is None
    assert french.queue == "unassigned"
    assert [s.reason for s in french.steps[:2]] == [
        "account (none) is not a named account",
        "country FR not in DE, AT",
    ]


def test_round_robin_deals_in_the_pools_order() -> None:
    routing = rules(pools=[POOL], rules=[{"name": "rr", "kind": "pool", "pool": "p"}])
    router = Router(routing, company())
    got = route_all(router, [lead(n) for n in range(7)])
    assert got == ["ann", "bob", "cat", "ann", "bob", "cat", "ann"]


def test_weighted_pools_give_each_rep_its_share_evenly_spread() -> None:
    pool = {"name": "p", "method": "weighted", "reps": ["ann", "bob"], "weights": {"ann": 3}}
    router = Router(
        rules(pools=[pool], rules=[{"name": "w", "kind": "pool", "pool": "p"}]), company()
    )
    got = route_all(router, [lead(n) for n in range(8)])
    # Smooth weighted round robin, weights 3:1 (total 4), counters after each pick:
    # ann 3-4=-1, bob 1 | ann 2-4=-2, bob 2 | ann 1, bob 3-4=-1 | ann 4-4=0, bob 0 | repeat.
    assert got == ["ann", "ann", "bob", "ann"] * 2


def test_capacity_skips_full_reps_and_frees_a_place_when_a_lead_closes() -> None:
    routing = rules(capacity=1, pools=[POOL], rules=[{"name": "rr", "kind": "pool", "pool": "p"}])
    state = RouterState(loads={"cat": 1})
    router = Router(routing, company(), state)
    first = router.route(lead(1, closed_at=MONDAY + timedelta(hours=2, minutes=30)))
    second = router.route(lead(2))
    assert (first.owner_id, second.owner_id) == ("ann", "bob")
    assert "Cat is at capacity (1/1 open leads)" in second.steps[0].reason
    # Everyone is full at hour 2; ann's lead closes at 2:30, so at hour 3 she has room.
    full = router.route(lead(2, created_at=MONDAY + timedelta(hours=2)))
    assert full.queue == "unassigned"
    assert "nobody available" in full.steps[0].reason
    again = router.route(lead(3))
    assert again.owner_id == "ann"
    assert state.loads == {"ann": 1, "bob": 1, "cat": 1}


def test_a_rep_capacity_overrides_the_default() -> None:
    routing = rules(
        capacity=1,
        reps=[{"rep": "ann", "capacity": 3}],
        pools=[POOL],
        rules=[{"name": "rr", "kind": "pool", "pool": "p"}],
    )
    got = route_all(Router(routing, company()), [lead(n) for n in range(6)])
    assert got == ["ann", "bob", "cat", "ann", "ann", None]


def test_inactive_departed_and_not_yet_hired_reps_get_no_leads() -> None:
    directory = company(
        user("ann", is_active=False),
        user("bob", is_active=False, termination_date=date(2026, 3, 1)),
        user("cat", hire_date=date(2026, 4, 1)),
        user("dan"),
    )
    pool = {"name": "p", "reps": ["ann", "bob", "cat", "dan"]}
    router = Router(
        rules(pools=[pool], rules=[{"name": "rr", "kind": "pool", "pool": "p"}]), directory
    )
    decision = router.route(lead(1))
    assert decision.owner_id == "dan"
    assert decision.steps[0].reason == (
        "pool p (round_robin): Dan (skipped: Ann is unavailable: inactive; "
        "Bob is unavailable: left on 2026-03-01; Cat is unavailable: starts on 2026-04-01)"
    )


def test_a_rep_who_left_later_took_leads_before_leaving() -> None:
    directory = company(
        user("ann", is_active=False, termination_date=date(2026, 3, 10)), user("bob")
    )
    pool = {"name": "p", "reps": ["ann", "bob"]}
    router = Router(
        rules(pools=[pool], rules=[{"name": "rr", "kind": "pool", "pool": "p"}]), directory
    )
    assert route_all(router, [lead(1), lead(2)]) == ["ann", "bob"]


def test_ramping_reps_take_a_reduced_share() -> None:
    directory = company(user("ann"), user("bob", hire_date=date(2026, 1, 15), ramp_months=3))
    pool = {"name": "p", "reps": ["ann", "bob"]}
    routing = rules(
        ramp_weight=0.5, pools=[pool], rules=[{"name": "rr", "kind": "pool", "pool": "p"}]
    )
    got = route_all(Router(routing, directory), [lead(n) for n in range(6)])
    assert got.count("ann") == 4
    assert got.count("bob") == 2
    # Ramp ends on 2026-04-14 (hire date + 3 months - 1 day): then even turns.
    later = [lead(n, created_at=datetime(2026, 4, 15, n, tzinfo=UTC)) for n in range(4)]
    got = route_all(Router(routing, directory), later)
    assert got.count("ann") == 2
    assert got.count("bob") == 2


def test_a_lead_no_rule_places_goes_to_the_fallback_queue() -> None:
    routing = rules(
        fallback_queue="desk",
        rules=[
            {"name": "emea", "kind": "territory", "match": {"region": ["EMEA"]}, "rep": "ann"},
            {
                "name": "partners",
                "kind": "fallback",
                "match": {"source": ["partner"]},
                "queue": "channel",
            },
        ],
    )
    router = Router(routing, company())
    assert router.route(lead(1, source="partner")).queue == "channel"
    other = router.route(lead(2, source="web"))
    assert (other.queue, other.rule) == ("desk", "fallback_queue")
    assert [s.matched for s in other.steps] == [False, False, True]


def test_routing_is_repeatable_and_a_rotation_continues_across_runs() -> None:
    routing = rules(pools=[POOL], rules=[{"name": "rr", "kind": "pool", "pool": "p"}])
    leads = [lead(n) for n in range(8)]
    whole = route_all(Router(routing, company()), leads)
    assert whole == route_all(Router(routing, company()), leads)
    first = Router(routing, company())
    head = route_all(first, leads[:4])
    carried = RouterState(counters=dict(first.state.counters))
    tail = route_all(Router(routing, company(), carried), leads[4:])
    assert head + tail == whole
