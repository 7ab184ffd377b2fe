"""The shipped mappings of every system the demo company exports but Salesforce, run on a
generated company: every field they read is there, every row is accounted for, only the
injected defects are quarantined, and typed values match the source text read by hand."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from revops.config import RevOpsConfig
from revops.demo.generate import generate_company
from revops.demo.params import DemoParams
from revops.ingest.mapping import shipped_mappings
from revops.ingest.readers import SourceRows, read_file
from revops.ingest.runner import allowed_for
from revops.ingest.transform import MappedRows, engine, map_rows

PARAMS = DemoParams(accounts=300, years=2, seed=3, as_of=date(2026, 11, 22))
SYSTEMS = (
    "hubspot",
    "stripe",
    "zendesk",
    "product",
    "web",
    "finance",
    "stack",
    "enablement",
    "partners",
    "planning",
    "revops",
)
# Objects the demo company does not export: the vendors' own fixtures test them
# (tests/ingest/test_vendor_*.py, tests/ingest/test_stripe_formats.py).
NOT_IN_DEMO = {
    ("hubspot", "companies"),
    ("hubspot", "deals"),
    ("hubspot", "owners"),
    ("hubspot", "products"),
    ("hubspot", "line_items"),
    ("zendesk", "satisfaction_ratings"),
    *(
        ("stripe", name)
        for name in (
            "customer",
            "product",
            "invoice",
            "subscription.items",
            "event.data.object.items",
            "event.data.previous_attributes.items",
            "subscription_schedule.phases.items",
        )
    ),
}
# Files no mapping loads on their own: other mappings join them in as lookups.
LOOKUP_ONLY = {("stripe", "prices"), ("stripe", "subscriptions")}
SHIPPED = {m.name: m for m in shipped_mappings() if m.source in SYSTEMS}
MAPPINGS = {n: m for n, m in SHIPPED.items() if (m.source, m.object) not in NOT_IN_DEMO}
# Mappings whose sources carry defects the generator injected (see truth/defects.csv).
WITH_DEFECTS = {"hubspot.contacts.contact"}
CONTACT_DEFECTS = {"invalid_email", "invalid_phone"}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_company(PARAMS, out)
    return out


@pytest.fixture(scope="module")
def mapped(company: Path) -> dict[str, MappedRows]:
    """Each mapping's result on the company's files, as `revops ingest run` reads them."""
    objects: dict[str, list[SourceRows]] = {}
    for system in SYSTEMS:
        objects[system] = [o for p in sorted((company / system).iterdir()) for o in read_file(p)]
    config = RevOpsConfig()
    results = {}
    with engine() as con:
        for name, mapping in MAPPINGS.items():
            found = objects[mapping.source]
            lookups = {
                lookup.object: [o for o in found if o.object == lookup.object]
                for lookup in mapping.lookups.values()
            }
            sources = [o for o in found if o.object == mapping.object]
            results[name] = map_rows(con, mapping, sources, lookups, allowed_for(mapping, config))
    return results


def rows_of(path: Path) -> list[dict[str, Any]]:
    """The records of a demo file read by hand: CSV as text, JSON Lines as parsed."""
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def good_by_id(result: MappedRows) -> dict[str, dict[str, Any]]:
    return {row["source_id"]: row for row in result.good.to_pylist()}


def quarantined_ids(result: MappedRows) -> set[str]:
    return set(result.rejected.column("source_id").to_pylist())


def test_every_export_of_these_systems_has_a_mapping(company: Path) -> None:
    mapped_objects = {(m.source, m.object) for m in SHIPPED.values()}
    files = {(system, p.stem) for system in SYSTEMS for p in (company / system).iterdir()}
    assert files - LOOKUP_ONLY == mapped_objects - NOT_IN_DEMO


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_mapping_finds_every_field_it_reads(mapped: dict[str, MappedRows], name: str) -> None:
    assert mapped[name].missing_fields == ()


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_mapping_accounts_for_every_row(mapped: dict[str, MappedRows], name: str) -> None:
    result = mapped[name]
    assert result.rows_in > 0
    assert result.rows_in == (
        result.good.num_rows + result.duplicates + result.quarantined + result.skipped
    )


@pytest.mark.parametrize("name", sorted(set(MAPPINGS) - WITH_DEFECTS))
def test_mapping_quarantines_nothing_from_a_clean_source(
    mapped: dict[str, MappedRows], name: str
) -> None:
    result = mapped[name]
    assert result.quarantined == 0, result.rejected.slice(0, 5).to_pylist()


def test_hubspot_contacts_quarantined_are_the_injected_defects(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    defects = {
        row["record_id"]
        for row in rows_of(company / "truth" / "defects.csv")
        if (row["system"], row["object"]) == ("hubspot", "contacts")
        and row["defect"] in CONTACT_DEFECTS
    }
    result = mapped["hubspot.contacts.contact"]
    assert defects
    assert quarantined_ids(result) == defects
    assert result.quarantined == len(defects)


def test_email_events_of_a_contact_with_a_broken_address_load_keyed_by_address(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    # An event names its recipient by address; the contact whose address HubSpot holds
    # broken cannot be found, so its events name the person by the address they went to.
    broken = {
        row["original"]
        for row in rows_of(company / "truth" / "defects.csv")
        if (row["system"], row["object"], row["defect"]) == ("hubspot", "contacts", "invalid_email")
    }
    events = rows_of(company / "hubspot" / "email_events.csv")
    expected = {e["id"] for e in events if e["recipient"] in broken}
    assert expected
    result = mapped["hubspot.email_events.campaign_touch"]
    assert result.quarantined == 0
    by_address = {
        row["source_id"] for row in result.good.to_pylist() if row["person_id"].startswith("email:")
    }
    assert by_address == expected


def test_references_within_a_system_point_at_its_rows(mapped: dict[str, MappedRows]) -> None:
    ids: dict[tuple[str, str], set[str]] = {}
    for result in mapped.values():
        mapping = result.mapping
        known = ids.setdefault((mapping.source, mapping.entity), set())
        known |= {f"{mapping.source}:{i}" for i in result.good.column("source_id").to_pylist()}
        known |= {f"{mapping.source}:{i}" for i in quarantined_ids(result)}
    checked = 0
    for result in mapped.values():
        for column, rule in result.mapping.columns.items():
            target = (rule.ref_source or result.mapping.source, rule.ref or "")
            if rule.ref is None or target not in ids:
                continue
            values = {v for v in result.good.column(column).to_pylist() if v is not None}
            assert values, f"{result.mapping.name}.{column} is always empty"
            assert values <= ids[target], f"{result.mapping.name}.{column}"
            checked += 1
    assert checked >= 10


def test_every_hubspot_campaign_touch_names_a_campaign_the_export_loads(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    # Submissions name their form, email events their email campaign: the forms and email
    # campaigns exports load them as campaigns, so no touch points at nothing.
    forms = good_by_id(mapped["hubspot.forms.campaign"])
    emails = good_by_id(mapped["hubspot.email_campaigns.campaign"])
    known = {f"hubspot:{i}" for i in (*forms, *emails)}
    for name in ("hubspot.form_submissions.campaign_touch", "hubspot.email_events.campaign_touch"):
        touched = {t["campaign_id"] for t in mapped[name].good.to_pylist()}
        assert touched, name
        assert touched <= known, sorted(touched - known)[:3]
    form = rows_of(company / "hubspot" / "forms.csv")[0]
    assert forms[form["id"]]["name"] == form["name"]
    assert forms[form["id"]]["type"] == "form"
    email = rows_of(company / "hubspot" / "email_campaigns.csv")[0]
    row = emails[email["id"]]
    assert (row["name"], row["channel"], row["type"]) == (email["name"], "email", "email")
    sent = datetime.fromtimestamp(int(email["lastProcessingFinishedAt"]) / 1000, UTC)
    assert row["start_date"] == sent.date()


def test_lifecycle_events_are_one_per_dated_stage(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    contacts = rows_of(company / "hubspot" / "contacts.csv")
    contact = next(c for c in contacts if c["hs_lifecyclestage_marketingqualifiedlead_date"])
    events = good_by_id(mapped["hubspot.contacts.lifecycle_event"])
    dates = [c for c in contacts[0] if c.startswith("hs_lifecyclestage_")]
    assert len(events) == sum(1 for c in contacts for field in dates if c[field])
    mql = events[f"{contact['hs_object_id']}:mql"]
    assert mql["person_id"] == f"hubspot:{contact['hs_object_id']}"
    assert mql["person_type"] == "contact"
    stamp = contact["hs_lifecyclestage_marketingqualifiedlead_date"]
    assert mql["entered_at"] == datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_hubspot_contact_stage_is_the_workspace_stage(mapped: dict[str, MappedRows]) -> None:
    stages = {r["lifecycle_stage"] for r in mapped["hubspot.contacts.contact"].good.to_pylist()}
    assert "mql" in stages
    assert stages <= {"subscriber", "lead", "mql", "sql", "opportunity", "customer", "evangelist"}


def test_subscription_line_mrr_is_a_yearly_price_over_twelve_months(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    prices = {p["id"]: p for p in rows_of(company / "stripe" / "prices.csv")}
    items = rows_of(company / "stripe" / "subscription_items.csv")
    item = next(i for i in items if prices[i["price"]]["recurring_interval"] == "year")
    price = prices[item["price"]]
    cents = Decimal(price["unit_amount"]) * int(item["quantity"])
    expected = (cents / 100 / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
    line = good_by_id(mapped["stripe.subscription_items.subscription_line"])[item["id"]]
    assert line["mrr"] == expected
    assert line["unit_price"] == Decimal(price["unit_amount"]) / 100
    assert line["billing_interval"] == "year"
    assert line["quantity"] == int(item["quantity"])
    assert line["product_id"] == f"stripe:{price['product']}"
    assert line["start_date"] == datetime.fromtimestamp(int(item["created"]), UTC).date()


def test_subscription_line_ends_at_the_instant_stripe_ended_it(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    subscriptions = rows_of(company / "stripe" / "subscriptions.csv")
    ended = next(s for s in subscriptions if s["ended_at"])
    items = rows_of(company / "stripe" / "subscription_items.csv")
    item = next(i for i in items if i["subscription"] == ended["id"])
    line = good_by_id(mapped["stripe.subscription_items.subscription_line"])[item["id"]]
    stopped = datetime.fromtimestamp(int(ended["ended_at"]), UTC)
    assert line["valid_to"] == stopped
    # The last day served is the day of the instant before it stopped.
    assert line["end_date"] == (stopped - timedelta(seconds=1)).date()
    assert line["account_id"] == f"stripe:{ended['customer']}"
    assert line["subscription_key"] == ended["id"]


def test_invoice_amounts_are_cents_and_dates_unix_seconds(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    invoice = next(i for i in rows_of(company / "stripe" / "invoices.csv") if i["status"] == "paid")
    row = good_by_id(mapped["stripe.invoices.invoice"])[invoice["id"]]
    assert row["amount"] == Decimal(invoice["amount_due"]) / 100
    assert row["currency"] == "USD"
    assert row["issue_date"] == datetime.fromtimestamp(int(invoice["created"]), UTC).date()
    paid = datetime.fromtimestamp(int(invoice["status_transitions_paid_at"]), UTC).date()
    assert row["paid_date"] == paid


def test_ticket_csat_is_the_custom_field_score(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    tickets = rows_of(company / "zendesk" / "tickets.jsonl")
    rated = next(t for t in tickets if t["custom_fields"][0]["value"] is not None)
    unrated = next(
        t
        for t in tickets
        if t["custom_fields"][0]["value"] is None
        and t["satisfaction_rating"]["score"] not in ("good", "bad")
    )
    rows = good_by_id(mapped["zendesk.tickets.support_ticket"])
    assert rows[str(rated["id"])]["csat"] == float(rated["custom_fields"][0]["value"])
    assert rows[str(unrated["id"])]["csat"] is None
    assert rows[str(rated["id"])]["account_id"] == f"zendesk:{rated['organization_id']}"


def test_ticket_closed_at_is_set_once_solved(mapped: dict[str, MappedRows]) -> None:
    rows = mapped["zendesk.tickets.support_ticket"].good.to_pylist()
    assert all((r["closed_at"] is None) == (r["status"] in ("new", "open")) for r in rows)


def test_gtm_cost_period_is_the_first_day_of_its_month(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    costs = mapped["finance.gtm_costs.gtm_cost"].good.to_pylist()
    first = rows_of(company / "finance" / "gtm_costs.csv")[0]
    expected = datetime.strptime(first["Period"], "%b %Y").date()
    assert expected in {c["month_start_date"] for c in costs}
    assert {c["month_start_date"].day for c in costs} == {1}
    assert {c["department"] for c in costs} <= {"marketing", "sales", "success"}
    assert {c["category"] for c in costs} <= {"headcount", "programs", "tools"}
    # Entered at the month's close (NetSuite's Date Created), never before the month ends.
    assert all(c["created_at"].date() > c["month_start_date"] for c in costs)


def test_the_budget_plans_whole_months_of_the_ledgers_departments(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    budget = mapped["finance.budget.budget_line"]
    lines = budget.good.to_pylist()
    assert len(lines) == len(rows_of(company / "finance" / "budget.csv"))
    assert {line["month_start_date"].day for line in lines} == {1}
    assert {line["department"] for line in lines} == {"marketing", "sales", "success"}
    assert {line["category"] for line in lines} == {"headcount", "programs", "tools"}
    assert all(line["amount"] > 0 and line["currency"] == "USD" for line in lines)
    # Owners are named by e-mail, as planning sheets do (see stack/usage.yaml).
    assert all(str(line["owner_id"]).startswith("email:") for line in lines)
    # Each year's budget is dated the day it was approved, before the year starts.
    assert all(line["updated_at"].date() < line["month_start_date"] for line in lines)


def test_revops_request_dates_read_jira_format(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    request = next(r for r in rows_of(company / "revops" / "requests.csv") if r["Resolved"])
    row = good_by_id(mapped["revops.requests.revops_request"])[request["Issue key"]]
    created = datetime.strptime(request["Created"], "%d/%b/%y %I:%M %p").replace(tzinfo=UTC)
    assert row["requested_at"] == created
    assert row["resolved_at"] is not None
    assert row["requester_id"] == f"email:{request['Reporter'].lower()}"


def test_users_named_by_email_get_email_keys(mapped: dict[str, MappedRows]) -> None:
    for name, column in [
        ("stack.usage.tool_usage", "user_id"),
        ("enablement.content.content", "owner_id"),
        ("enablement.content_usage.content_usage", "user_id"),
        ("planning.quotas.quota", "user_id"),
        ("planning.territories.territory", "owner_id"),
    ]:
        values = mapped[name].good.column(column).to_pylist()
        assert all(v.startswith("email:") and v == v.lower() for v in values), name


def test_partner_rows_repeat_per_partner_without_conflict(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    partners = mapped["partners.registrations.partner"].good.to_pylist()
    names = {r["Partner"] for r in rows_of(company / "partners" / "registrations.csv")}
    assert {p["source_id"] for p in partners} == names
    assert {p["type"] for p in partners} <= {"reseller", "referral", "technology"}


def test_web_session_of_a_known_visitor_points_at_the_hubspot_contact(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    session = next(s for s in rows_of(company / "web" / "sessions.csv") if s["User ID"])
    rows = good_by_id(mapped["web.sessions.web_session"])
    row = rows[f"{session['Client ID']}:{session['Session ID']}"]
    assert row["person_id"] == f"hubspot:{session['User ID']}"
    assert row["person_type"] == "contact"
    assert row["is_converted"] is (int(session["Key events"]) > 0)
    assert row["page_views"] == int(session["Views"])


def test_zendesk_user_name_splits_into_given_and_family_name(
    company: Path, mapped: dict[str, MappedRows]
) -> None:
    user = next(u for u in rows_of(company / "zendesk" / "users.jsonl") if " " in u["name"])
    row = good_by_id(mapped["zendesk.users.contact"])[str(user["id"])]
    given, family = user["name"].split(" ", 1)
    assert (row["first_name"], row["last_name"]) == (given, family)
    assert row["email"] == user["email"].lower()


def test_email_clicks_are_the_responded_touches(mapped: dict[str, MappedRows]) -> None:
    touches = mapped["hubspot.email_events.campaign_touch"].good.to_pylist()
    assert {t["status"] for t in touches} <= {"sent", "delivered", "bounced", "opened", "clicked"}
    assert all(t["has_responded"] is (t["status"] == "clicked") for t in touches)
    assert all(t["campaign_id"].startswith("hubspot:") for t in touches)


def test_the_demo_is_a_single_currency_salesforce_org_and_its_deals_load_in_usd(
    company: Path,
) -> None:
    # A single-currency Salesforce org exports no CurrencyIsoCode on any object; the demo's
    # amounts are all USD (Stripe, finance), so its export leaves the field out everywhere
    # and the Opportunity mapping's default (USD) applies: the one field it reports missing.
    headers = {
        name: next(csv.reader((company / "salesforce" / f"{name}.csv").open(encoding="utf-8")))
        for name in ("Account", "Opportunity", "Campaign")
    }
    assert all("CurrencyIsoCode" not in header for header in headers.values())
    mapping = next(m for m in shipped_mappings() if m.name == "salesforce.Opportunity.opportunity")
    sources = read_file(company / "salesforce" / "Opportunity.csv")
    with engine() as con:
        result = map_rows(con, mapping, sources, {}, allowed_for(mapping, RevOpsConfig()))
    assert result.missing_fields == ("CurrencyIsoCode",)
    rows = result.good.to_pylist()
    assert rows
    assert {row["currency"] for row in rows} == {"USD"}
