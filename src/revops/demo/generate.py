"""Generate the demo company: simulate it, export it tool by tool with realistic defects,
and keep the ground truth beside it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar
from revops.demo.defects import DefectLog
from revops.demo.exports.files import LazyRows, to_frame, write_csv, write_jsonl
from revops.demo.exports.finance import build_budget, build_gtm_ledger
from revops.demo.exports.hubspot import hubspot_crosswalk, hubspot_files
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
from revops.demo.exports.product import build_product_usage
from revops.demo.exports.salesforce import salesforce_objects
from revops.demo.exports.salesforce_lines import build_line_items, build_products
from revops.demo.exports.stripe import build_stripe
from revops.demo.exports.web import session_rows
from revops.demo.exports.zendesk import build_zendesk
from revops.demo.frames import World
from revops.demo.ids import salesforce_ids
from revops.demo.inject import (
    CRM_DEFECT_OBJECTS,
    inject_crm_object_defects,
    inject_hubspot_defects,
)
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
    """Simulate the company of `params` and write its exports and truth into `out`.

    Each file is written as soon as it is built and dropped before the next, and each
    frame of the world is dropped once no export still to come reads it: what is in
    memory at a time is the world and one file, not every file.
    """
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    world, channel_spend = simulate_sales(params)
    world, products, usage = simulate_revenue(params, world)
    _simulate_operations(params, world)
    log.info("simulated the company in %.1f s", time.perf_counter() - began)

    defects = DefectLog()
    files = _salesforce(world, params, defects, out)
    files |= _price_book(world, products, params, out)
    crosswalk = hubspot_crosswalk(world, stream(params.seed, "hubspot"), defects.addresses)
    files |= _hubspot(world, crosswalk, params, defects, out)
    world = _without(world, "campaigns", "touches", "opportunity_history", "activities")
    files |= _billing_and_support(world, products, params, out)
    files["product/usage.csv"] = write_csv(build_product_usage(usage), out, "product/usage.csv")
    del usage
    world = _without(world, "subscriptions", "invoices", "tickets")
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


def _without(world: World, *names: str) -> World:
    """`world` with the frames `names` emptied, once no export still to come reads them."""
    return replace(world, **{name: pd.DataFrame() for name in names})


def _salesforce(world: World, params: DemoParams, defects: DefectLog, out: Path) -> dict[str, int]:
    objects = salesforce_objects(world, as_of=params.as_of)
    rng = stream(params.seed, "crm-defects")
    # The objects with defects come first, in the order their defects are drawn.
    order = [*CRM_DEFECT_OBJECTS, *(name for name in objects if name not in CRM_DEFECT_OBJECTS)]
    files: dict[str, int] = {}
    for name in order:
        rows = objects[name]()
        if name in CRM_DEFECT_OBJECTS:
            rows = inject_crm_object_defects(name, to_frame(rows), params, defects, rng)
        files[f"salesforce/{name}.csv"] = write_csv(rows, out, f"salesforce/{name}.csv")
        del rows  # before the next object is built
    return files


def _price_book(
    world: World, products: pd.DataFrame, params: DemoParams, out: Path
) -> dict[str, int]:
    """The CRM's products and its deals' line items (after the deals: the same ids)."""
    lines = build_line_items(
        world.opportunities, world.accounts, products, stream(params.seed, "deal-lines")
    )
    return {
        "salesforce/Product2.csv": write_csv(
            build_products(products), out, "salesforce/Product2.csv"
        ),
        "salesforce/OpportunityLineItem.csv": write_csv(
            lines, out, "salesforce/OpportunityLineItem.csv"
        ),
    }


def _hubspot(
    world: World, crosswalk: pd.DataFrame, params: DemoParams, defects: DefectLog, out: Path
) -> dict[str, int]:
    files: dict[str, int] = {}
    rng = stream(params.seed, "hubspot-defects")
    for name, rows in hubspot_files(world, stream(params.seed, "hubspot"), crosswalk=crosswalk):
        if name == "contacts":  # the only HubSpot file with defects
            rows = inject_hubspot_defects({name: to_frame(rows)}, params, defects, rng)[name]
        files[f"hubspot/{name}.csv"] = write_csv(rows, out, f"hubspot/{name}.csv")
        del rows  # before the next file is built
    return files


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
    ledger = build_gtm_ledger(
        world.users,
        world.teams,
        world.opportunities,
        channel_spend,
        months,
        stream(params.seed, "finance-export"),
        params.as_of,
    )
    files: dict[str, Callable[[], pd.DataFrame | LazyRows]] = {
        "finance/gtm_costs.csv": lambda: ledger,
        "finance/budget.csv": lambda: build_budget(
            ledger,
            world.users,
            world.teams,
            calendar,
            params.as_of,
            stream(params.seed, "finance-budget"),
        ),
        "web/sessions.csv": lambda: _web_sessions(world, crosswalk, params),
        "stack/applications.csv": lambda: build_tool_inventory(world.tools),
        "stack/usage.csv": lambda: build_tool_usage(world.tools, world.tool_usage, world.users),
        "enablement/content.csv": lambda: build_content(world.content, world.users),
        "enablement/content_usage.csv": lambda: build_content_usage(
            world.content_usage, world.users, crm_opportunities
        ),
        "partners/registrations.csv": lambda: build_registrations(
            world.partner_deals, world.partners, world.accounts, crm_opportunities
        ),
        "planning/territories.csv": lambda: build_territories(world.territories, world.users),
        "planning/quotas.csv": lambda: build_quotas(world.quotas, world.users, calendar),
        "revops/requests.csv": lambda: build_requests(world.requests, world.users),
    }
    return {name: write_csv(build(), out, name) for name, build in files.items()}


def _web_sessions(world: World, crosswalk: pd.DataFrame, params: DemoParams) -> LazyRows:
    """The web sessions, simulated only now: they are the largest frame of all, and only
    their export reads them."""
    sessions = simulate_web(world.people, world.accounts, stream(params.seed, "web"))
    hubspot_ids = crosswalk.set_index("person_id")["hubspot_id"]
    return session_rows(sessions, world.accounts, hubspot_ids)
