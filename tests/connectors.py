"""What the connector conformance suite needs of each connector: a fake of its API, a
connection to it, changes to make between syncs, and the warehouse rows a sync writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from revops.ingest.connect.backoff import Backoff
from revops.ingest.connect.connection import Connection
from revops.ingest.connect.protocol import Connector
from revops.ingest.connect.registry import create_connector
from revops.ingest.proposal_yaml import propose_config
from revops.model import get_entity
from revops.workspace import Workspace

import fake_hubspot
import fake_salesforce
import fake_zendesk
from fake_hubspot import FakeHubSpot
from fake_salesforce import FakeSalesforce, sf_id
from fake_stripe import KEY, NO_INVOICES, REVOKED, FakeStripe
from fake_zendesk import FakeZendesk
from support import rows


@dataclass
class Sleeps:
    """A Backoff's sleep that records the waits instead of waiting."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class Harness:
    """One connector under test."""

    source: str
    key_env: str
    good_key: str
    bad_key: str
    revoked_key: str
    no_permission_key: str
    forbidden_object: str
    """The object the no-permission key may not read."""
    bad_says: str
    """What a refused key's error says."""
    revoked_says: str
    """What a revoked key's error says (the bad key's, where the API tells no difference)."""
    first_stream: str
    """The stream a sync reads first."""
    tables: dict[str, str]
    """Canonical table → the source's object that fills it."""
    make_fake: Callable[..., Any]
    first_list_path: str
    """The path of the first list a sync reads (to inject faults in)."""
    change_path: str
    """The path the incremental sync reads."""
    change: Callable[[Any], dict[str, set[str]]]
    """Changes the fake's records; returns table → source ids changed or added."""
    delete: Callable[[Any], tuple[str, str, str]]
    """Deletes one record; returns its object, source id and canonical table."""
    add_field: Callable[[Any], tuple[str, str]]
    """Adds a field to one object's records; returns the object and the field."""
    counts: Callable[[Any], dict[str, int]]
    """Table → rows a full sync of the fake's current records loads."""
    user: str | None = None
    configure: Callable[[Path], None] | None = None
    """Writes what the workspace at a folder must decide before a sync (its stages)."""
    options: dict[str, Any] = field(default_factory=dict)
    """More fields of the connection (Salesforce: ``bulk_threshold``)."""
    label: str = ""
    """The test id, where two harnesses share a source."""

    def workspace(self, root: Path) -> Workspace:
        """A new workspace at `root`, configured for this source."""
        Workspace.create(root).close()
        if self.configure:
            self.configure(root)
        return Workspace.open(root)

    @contextmanager
    def serving(self, **kwargs: Any) -> Iterator[tuple[Any, str]]:
        fake = self.make_fake(**{"customers": 5, **kwargs})
        with fake.serving() as url:
            yield fake, url

    def connection(self, url: str, page_size: int = 3) -> Connection:
        return Connection(
            source=self.source,
            base_url=url,
            user=self.user,
            key_env=self.key_env,
            page_size=page_size,
            **self.options,
        )

    def connector(self, url: str, sleeps: Sleeps | None = None, page_size: int = 3) -> Connector:
        backoff = Backoff(attempts=4, sleep=sleeps or Sleeps())
        return create_connector(self.connection(url, page_size), backoff)

    def snapshot(self, ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
        """The source's rows in every table a sync writes, without load ids."""
        found = {}
        for name in self.tables:
            table = table_of(ws, name)
            found[name] = rows(table.filter(table.source_system == self.source))
        deleted = ws.warehouse.table("source_deletion", "raw")
        found["source_deletion"] = rows(deleted.filter(deleted.source_system == self.source))
        return found


def table_of(ws: Workspace, name: str) -> Any:
    """A table by its name in `tables`: ``account``, or ``history.opportunity_history``."""
    namespace, _, table = name.rpartition(".")
    return ws.warehouse.table(table, namespace or get_entity(table).namespace)


def _stripe_change(fake: FakeStripe) -> dict[str, set[str]]:
    fake.rename_customer("cus_c0001", "Renamed Company")
    fake.change_seats("sub_c0002", 9)
    added = fake.new_customer(90, "Newcomer Inc")
    return {
        "account": {"cus_c0001", added},
        # the seat change: the item's current state, its version and the state before it;
        # the newcomer: its item and the version of its `created` event
        "subscription_line": {
            "si_c0002",
            f"{_last_event(fake, 'sub_c0002')}:si_c0002",
            f"{_last_event(fake, 'sub_c0002')}:before:si_c0002",
            "si_c0090",
            f"{_last_event(fake, 'sub_c0090')}:si_c0090",
        },
        "invoice": {"in_c0090_1"},
    }


def _last_event(fake: FakeStripe, sub_id: str) -> str:
    events = sorted(fake.store["event"].values(), key=lambda e: fake.order[e["id"]])
    return str(next(e["id"] for e in reversed(events) if e["data"]["object"]["id"] == sub_id))


def _stripe_delete(fake: FakeStripe) -> tuple[str, str, str]:
    fake.delete_customer("cus_c0003")
    return "customer", "cus_c0003", "account"


def _stripe_add_field(fake: FakeStripe) -> tuple[str, str]:
    for customer in fake.store["customer"].values():
        customer["tax_ids"] = {"object": "list", "data": [], "has_more": False}
    fake.rename_customer("cus_c0000", "Company 0000 GmbH")
    return "customer", "tax_ids"


def _stripe_counts(fake: FakeStripe) -> dict[str, int]:
    subs = fake.store["subscription"].values()
    return {
        "account": len(fake.store["customer"]),
        "product": len(fake.store["product"]),
        "subscription_line": sum(len(s["items"]["data"]) for s in subs),
        "invoice": len(fake.store["invoice"]),
    }


STRIPE = Harness(
    source="stripe",
    key_env="REVOPS_TEST_STRIPE_KEY",
    good_key=KEY,
    bad_key="sk_test_wrong",
    revoked_key=REVOKED,
    no_permission_key=NO_INVOICES,
    forbidden_object="invoices",
    bad_says="the API key was refused (401)",
    revoked_says="the API key has expired or was revoked (401)",
    first_stream="customers",
    tables={
        "account": "customer",
        "product": "product",
        "subscription_line": "subscription",
        "invoice": "invoice",
    },
    make_fake=FakeStripe,
    first_list_path="/v1/customers",
    change_path="/v1/events",
    change=_stripe_change,
    delete=_stripe_delete,
    add_field=_stripe_add_field,
    counts=_stripe_counts,
)


def _zendesk_change(fake: FakeZendesk) -> dict[str, set[str]]:
    fake.rename_organization(360061230001, "Renamed Company")
    fake.solve(5021, rating="bad")
    fake.new_customer(90, "Newcomer Inc")
    return {
        "account": {"360061230001", "360061230090"},
        "contact": {"398810090"},
        "support_ticket": {"5021", "5900", "5901"},
        "satisfaction_rating": {"87021", "87900"},
    }


def _zendesk_delete(fake: FakeZendesk) -> tuple[str, str, str]:
    fake.delete_ticket(5030)
    return "ticket", "5030", "support_ticket"


def _zendesk_add_field(fake: FakeZendesk) -> tuple[str, str]:
    for ticket in fake.store["tickets"].values():
        ticket["custom_status_id"] = 8500
    fake.solve(5001)
    return "tickets", "custom_status_id"


def _zendesk_counts(fake: FakeZendesk) -> dict[str, int]:
    tickets = fake.store["tickets"].values()
    return {
        "account": len(fake.store["organizations"]),
        "contact": len(fake.store["users"]),
        "support_ticket": sum(t["status"] != "deleted" for t in tickets),
        "satisfaction_rating": len(fake.store["satisfaction_ratings"]),
    }


ZENDESK = Harness(
    source="zendesk",
    key_env="REVOPS_TEST_ZENDESK_TOKEN",
    good_key=fake_zendesk.TOKEN,
    bad_key="zd_token_wrong",
    revoked_key="zd_token_revoked",
    no_permission_key=fake_zendesk.NO_ORGANIZATIONS,
    forbidden_object="organizations",
    bad_says="the API token was refused (401)",
    revoked_says="the API token was refused (401)",  # Zendesk answers both alike
    first_stream="organizations",
    tables={
        "account": "organizations",
        "contact": "users",
        "support_ticket": "tickets",
        "satisfaction_rating": "satisfaction_ratings",
    },
    make_fake=FakeZendesk,
    first_list_path="/api/v2/incremental/organizations.json",
    change_path="/api/v2/incremental/tickets/cursor.json",
    change=_zendesk_change,
    delete=_zendesk_delete,
    add_field=_zendesk_add_field,
    counts=_zendesk_counts,
    user=fake_zendesk.EMAIL,
)


HISTORY = "history.opportunity_history"
PIPELINES = Path(__file__).parent / "fixtures" / "hubspot" / "pipelines.json"


def _hubspot_stages(root: Path) -> None:
    """The deal stages of HubSpot's pipelines (`/crm/v3/pipelines/deals`), as
    `revops ingest inspect --apply` writes them: the stage ids are their source values."""
    propose_config(root / "revops.yaml", [PIPELINES], apply=True)


def _hubspot_change(fake: FakeHubSpot) -> dict[str, set[str]]:
    fake.rename_company("9384710001", "Renamed Company")
    fake.move_deal("18372610002", "closedwon")
    company = fake.new_customer(90, "Newcomer Inc")
    return {
        "account": {"9384710001", company},
        "contact": {"70290"},
        "lifecycle_event": {"70290:lead", "70290:customer"},
        "opportunity": {"18372610002", "18372610090"},
        # the stage the deal entered; the newcomer's stages (created in its third)
        HISTORY: {
            "18372610002:closedwon",
            *(
                f"18372610090:{s}"
                for s in ("appointmentscheduled", "qualifiedtobuy", "contractsent")
            ),
        },
    }


def _hubspot_delete(fake: FakeHubSpot) -> tuple[str, str, str]:
    fake.archive("contacts", "70203")
    return "contacts", "70203", "contact"


def _hubspot_add_field(fake: FakeHubSpot) -> tuple[str, str]:
    fake.add_property("contacts", "revops_tier", "gold")
    fake.touch("contacts", "70200")
    return "contacts", "revops_tier"


def _hubspot_counts(fake: FakeHubSpot) -> dict[str, int]:
    live = {k: sum(not r["archived"] for r in v.values()) for k, v in fake.store.items()}
    contacts = [r for r in fake.store["contacts"].values() if not r["archived"]]
    deals = [r for r in fake.store["deals"].values() if not r["archived"]]
    return {
        "account": live["companies"],
        "contact": live["contacts"],
        "lifecycle_event": sum(_filled(r, "hs_lifecyclestage_") for r in contacts),
        "opportunity": live["deals"],
        HISTORY: sum(_filled(r, "hs_date_entered_") for r in deals),
        "user": len(fake.owners),
    }


def _filled(record: dict[str, Any], prefix: str) -> int:
    """The record's dated stages: properties starting with `prefix` that have a value."""
    return sum(k.startswith(prefix) and v is not None for k, v in record["properties"].items())


HUBSPOT = Harness(
    source="hubspot",
    key_env="REVOPS_TEST_HUBSPOT_TOKEN",
    good_key=fake_hubspot.TOKEN,
    bad_key="pat-na1-wrong",
    revoked_key="pat-na1-revoked",
    no_permission_key=fake_hubspot.NO_DEALS,
    forbidden_object="deals",
    bad_says="the access token was refused (401)",
    revoked_says="the access token was refused (401)",  # HubSpot answers both alike
    first_stream="owners",
    tables={
        "account": "companies",
        "contact": "contacts",
        "lifecycle_event": "contacts",
        "opportunity": "deals",
        HISTORY: "deals",
        "user": "owners",
    },
    make_fake=FakeHubSpot,
    first_list_path="/crm/v3/owners",
    change_path="/crm/v3/objects/deals/search",
    change=_hubspot_change,
    delete=_hubspot_delete,
    add_field=_hubspot_add_field,
    counts=_hubspot_counts,
    configure=_hubspot_stages,
)


def _salesforce_change(fake: FakeSalesforce) -> dict[str, set[str]]:
    fake.update("Account", sf_id("Account", 1), Name="Renamed Company")
    fake.update("Contact", sf_id("Contact", 2), Title="Chief Data Officer")
    fake.new_customer(90, "Newcomer Inc")
    new = {obj: sf_id(obj, 91) for obj in fake_salesforce.PREFIXES}
    return {
        "account": {sf_id("Account", 1), new["Account"]},
        "contact": {sf_id("Contact", 2), new["Contact"]},
        "lead": {new["Lead"]},
        "campaign_touch": {new["CampaignMember"]},
        "opportunity": {new["Opportunity"]},
        "opportunity_history": {new["OpportunityHistory"]},
        "opportunity_field_change": {new["OpportunityFieldHistory"]},
        "activity": {new["Task"], new["Event"]},
    }


def _salesforce_delete(fake: FakeSalesforce) -> tuple[str, str, str]:
    fake.delete("Contact", sf_id("Contact", 4))
    return "Contact", sf_id("Contact", 4), "contact"


def _salesforce_add_field(fake: FakeSalesforce) -> tuple[str, str]:
    fake.add_field("Account", "Region__c", "picklist", "NA")
    fake.update("Account", sf_id("Account", 1), Name="Company 0000 Inc")
    return "Account", "Region__c"


def _salesforce_counts(fake: FakeSalesforce) -> dict[str, int]:
    def live(*objects: str) -> int:
        return sum(not r.get("IsDeleted") for obj in objects for r in fake.store[obj].values())

    return {table: live(*objects) for table, objects in SALESFORCE_TABLES.items()}


SALESFORCE_TABLES = {
    "team": ("UserRole",),
    "user": ("User",),
    "campaign": ("Campaign",),
    "account": ("Account",),
    "contact": ("Contact",),
    "lead": ("Lead",),
    "campaign_touch": ("CampaignMember",),
    "opportunity_history": ("OpportunityHistory",),
    "opportunity_field_change": ("OpportunityFieldHistory",),
    "opportunity": ("Opportunity",),
    "activity": ("Task", "Event"),
}

SALESFORCE = Harness(
    source="salesforce",
    key_env="REVOPS_TEST_SALESFORCE_TOKEN",
    good_key=fake_salesforce.TOKEN,
    bad_key="00DFAKE0000001!AQ.wrong",
    revoked_key="00DFAKE0000001!AQ.revoked",
    no_permission_key=fake_salesforce.NO_LEADS,
    forbidden_object="Lead",
    bad_says="the access token was refused (401)",
    revoked_says="the access token was refused (401)",  # Salesforce answers both alike
    first_stream="UserRole",
    tables={table: objects[0] for table, objects in SALESFORCE_TABLES.items()},
    make_fake=FakeSalesforce,
    first_list_path=fake_salesforce.QUERY_PATH,  # UserRole has no IsDeleted: query
    change_path=fake_salesforce.QUERY_ALL_PATH,
    change=_salesforce_change,
    delete=_salesforce_delete,
    add_field=_salesforce_add_field,
    counts=_salesforce_counts,
)

HARNESSES = [STRIPE, ZENDESK, HUBSPOT, SALESFORCE]


def _bulk_fake(**kwargs: Any) -> FakeSalesforce:
    fake = FakeSalesforce(**kwargs)
    fake.bulk_polls = 0  # the CLI's polls would wait for real
    return fake


SALESFORCE_BULK = replace(
    SALESFORCE, make_fake=_bulk_fake, options={"bulk_threshold": 0}, label="salesforce-bulk"
)
"""Salesforce with every full read through a Bulk API 2.0 query job."""
