"""Generate the demo company: simulate it, export it tool by tool with realistic defects,
and keep the ground truth beside it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar
from revops.demo.defects import DefectLog
from revops.demo.exports.files import write_csv, write_jsonl
from revops.demo.exports.finance import build_gtm_ledger
from revops.demo.exports.hubspot import build_hubspot, hubspot_crosswalk
from revops.demo.exports.operations import (
    build_content,
    build_content_usage,
    build_quotas,
    build_registrations,
    build_requests,
    build_territories,
    build_tool_inventory,
    build_tool_usage,
)
from revops.demo.exports.salesforce import build_salesforce
from revops.demo.exports.stripe import build_stripe
from revops.demo.exports.web import build_sessions
from revops.demo.exports.zendesk import build_zendesk
from revops.demo.frames import World
from revops.demo.ids import salesforce_ids
from revops.demo.inject import inject_crm_defects, inject_hubspot_defects
from revops.demo.params import DemoParams, history_start
from revops.demo.rng import stream
from revops.demo.truth import write_truth
from revops.demo.world.desk import simulate_requests
from revops.demo.world.planning import simulate_partners, simulate_quotas, simulate_territories
from revops.demo.world.revenue import simulate_revenue
from revops.demo.world.sales import simulate_sales
from revops.demo.world.stack import simulate_content, simulate_stack
from revops.demo.world.web import simulate_web

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationReport:
    """What a generation wrote: file (relative to the output folder) → rows, and how long."""

    out: Path
    files: dict[str, int]
    seconds: float


def generate_company(params: DemoParams, out: Path) -> GenerationReport:
    """Simulate the company of `params` and write its exports and truth into `out`."""
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    world, channel_spend = simulate_sales(params)
    world, products, _usage = simulate_revenue(params, world)
    _simulate_operations(params, world)
    log.info("simulated the company in %.1f s", time.perf_counter() - began)

    defects = DefectLog()
    files: dict[str, int] = {}
    crm = inject_crm_defects(
        build_salesforce(world, as_of=params.as_of),
        params,
        defects,
        stream(params.seed, "crm-defects"),
    )
    files |= {
        f"salesforce/{name}.csv": write_csv(rows, out, f"salesforce/{name}.csv")
        for name, rows in crm.items()
    }
    crosswalk = hubspot_crosswalk(world, stream(params.seed, "hubspot"))
    hubspot = build_hubspot(world, stream(params.seed, "hubspot"), crosswalk=crosswalk)
    hubspot = inject_hubspot_defects(
        hubspot, params, defects, stream(params.seed, "hubspot-defects")
    )
    files |= {
        f"hubspot/{name}.csv": write_csv(rows, out, f"hubspot/{name}.csv")
        for name, rows in hubspot.items()
    }
    files |= _billing_and_support(world, products, params, out)
    files |= _operations(world, channel_spend, crosswalk, params, out)
    files |= write_truth(world, params, defects, crosswalk, out)
    return GenerationReport(out, files, time.perf_counter() - began)


def _simulate_operations(params: DemoParams, world: World) -> None:
    start = np.datetime64(history_start(params), "D")
    as_of = np.datetime64(params.as_of, "D")
    world.tools, world.tool_usage = simulate_stack(world.users, as_of, stream(params.seed, "stack"))
    world.content, world.content_usage = simulate_content(
        world.users, world.opportunities, stream(params.seed, "content")
    )
    world.partners, world.partner_deals = simulate_partners(
        world.accounts, world.opportunities, stream(params.seed, "partners")
    )
    world.territories = simulate_territories(world.users, world.accounts)
    calendar = FiscalCalendar(params.fiscal_year_start_month)
    world.quotas = simulate_quotas(world.users, calendar, start, as_of)
    world.requests = simulate_requests(world.users, start, as_of, stream(params.seed, "requests"))
    world.web_sessions = simulate_web(world.people, world.accounts, stream(params.seed, "web"))


def _billing_and_support(
    world: World, products: pd.DataFrame, params: DemoParams, out: Path
) -> dict[str, int]:
    as_of = pd.Timestamp(params.as_of)
    stripe = build_stripe(
        world.accounts,
        world.subscriptions,
        world.invoices,
        products,
        as_of,
        stream(params.seed, "stripe-export"),
    )
    files = {
        f"stripe/{name}.csv": write_csv(rows, out, f"stripe/{name}.csv")
        for name, rows in stripe.items()
    }
    zendesk = build_zendesk(
        world.tickets, world.accounts, world.people, as_of, stream(params.seed, "zendesk-export")
    )
    files |= {
        f"zendesk/{name}.jsonl": write_jsonl(records, out, f"zendesk/{name}.jsonl")
        for name, records in zendesk.items()
    }
    return files


def _operations(
    world: World,
    channel_spend: pd.DataFrame,
    crosswalk: pd.DataFrame,
    params: DemoParams,
    out: Path,
) -> dict[str, int]:
    calendar = FiscalCalendar(params.fiscal_year_start_month)
    months = pd.date_range(
        pd.Timestamp(history_start(params)), pd.Timestamp(params.as_of), freq="MS"
    )
    crm_opportunities = pd.Series(
        salesforce_ids(world.opportunities["opportunity_id"], "006").to_numpy(),
        index=world.opportunities["opportunity_id"].to_numpy(),
    )
    hubspot_ids = crosswalk.set_index("person_id")["hubspot_id"]
    files = {
        "finance/gtm_costs.csv": build_gtm_ledger(
            world.users,
            world.teams,
            world.opportunities,
            channel_spend,
            months,
            stream(params.seed, "finance-export"),
        ),
        "web/sessions.csv": build_sessions(world.web_sessions, world.accounts, hubspot_ids),
        "stack/applications.csv": build_tool_inventory(world.tools),
        "stack/usage.csv": build_tool_usage(world.tools, world.tool_usage, world.users),
        "enablement/content.csv": build_content(world.content, world.users),
        "enablement/content_usage.csv": build_content_usage(
            world.content_usage, world.users, crm_opportunities
        ),
        "partners/registrations.csv": build_registrations(
            world.partner_deals, world.partners, world.accounts, crm_opportunities
        ),
        "planning/territories.csv": build_territories(world.territories, world.users),
        "planning/quotas.csv": build_quotas(world.quotas, world.users, calendar),
        "revops/requests.csv": build_requests(world.requests, world.users),
    }
    return {name: write_csv(rows, out, name) for name, rows in files.items()}
