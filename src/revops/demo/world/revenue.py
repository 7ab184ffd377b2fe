"""The revenue side of the demo world: billing from won deals, then support and usage."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from revops.demo.frames import World
from revops.demo.params import DemoParams
from revops.demo.rng import stream
from revops.demo.world.billing import simulate_billing
from revops.demo.world.support import simulate_support


def simulate_revenue(params: DemoParams, world: World) -> tuple[World, pd.DataFrame, pd.DataFrame]:
    """`world` with subscriptions, invoices and tickets filled from its accounts, won
    opportunities and people; with the product catalogue and monthly usage beside it.

    Billing and support draw from their own streams (`billing`, `support`), so changing
    one never shifts the other's numbers.
    """
    subscriptions, invoices, products = simulate_billing(
        params, world.accounts, world.opportunities, stream(params.seed, "billing")
    )
    tickets, usage = simulate_support(
        params, world.accounts, subscriptions, world.people, stream(params.seed, "support")
    )
    if params.one_off_buyers > 0:
        import numpy as np

        from revops.demo.world.orders import simulate_orders

        as_of = np.datetime64(params.as_of, "D")
        orders = simulate_orders(
            world.accounts, subscriptions, params.one_off_buyers,
            as_of - np.timedelta64(365 * params.years, "D"), as_of, len(invoices) + 1,
            stream(params.seed, "orders"),
        )  # fmt: skip
        invoices = pd.concat([invoices, orders], ignore_index=True)
    filled = replace(world, subscriptions=subscriptions, invoices=invoices, tickets=tickets)
    return filled, products, usage
