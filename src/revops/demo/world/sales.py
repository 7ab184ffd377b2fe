"""The sales side of the demo world: the organisation, the market, the funnel and deals."""

from __future__ import annotations

import pandas as pd

from revops.demo.frames import World
from revops.demo.params import DemoParams
from revops.demo.rng import stream
from revops.demo.world.accounts import simulate_accounts
from revops.demo.world.deals import simulate_deals
from revops.demo.world.funnel import mark_customers, simulate_funnel
from revops.demo.world.org import simulate_org


def simulate_sales(params: DemoParams) -> tuple[World, pd.DataFrame]:
    """A `World` with users, teams, accounts, people, campaigns, touches, opportunities,
    opportunity history and activities filled, and the monthly spend by channel
    (`month`, `channel`, `amount`) beside it.

    Each component draws from its own stream (`org`, `accounts`, `funnel`, `deals`), so
    changing one never shifts the numbers another draws. People become customers when a
    deal they are the contact of is won.
    """
    users, teams = simulate_org(params, stream(params.seed, "org"))
    accounts = simulate_accounts(params, users, stream(params.seed, "accounts"))
    people, campaigns, touches, channel_spend = simulate_funnel(
        params, accounts, users, stream(params.seed, "funnel")
    )
    opportunities, history, activities = simulate_deals(
        params, accounts, people, users, stream(params.seed, "deals")
    )
    world = World(
        users=users,
        teams=teams,
        accounts=accounts,
        people=mark_customers(people, opportunities),
        campaigns=campaigns,
        touches=touches,
        opportunities=opportunities,
        opportunity_history=history,
        activities=activities,
    )
    return world, channel_spend
