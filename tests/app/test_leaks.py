"""Every metric, every API route and the record pages, for a rep, a manager and a user no
CRM user matches, against a copy of the warehouse holding only their rows, cut by hand
(tests/app/alone.py).

The company has identity resolution run (so billing customers and support organisations
follow their CRM account) and a stored forecast backtest (a company-wide measurement).
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from app.alone import delete_other_rows
from app.conftest import AS_OF, MANAGER, PASSWORD, REP, YEAR
from revops import Workspace
from revops.app import create_app, users
from revops.app.db import AppDatabase
from revops.metrics import Scope, SourceContext
from revops.metrics.scope import ROW_SCOPES, Hidden, Reference, rule_of
from revops.metrics.sources import engines
from revops.model import ENTITIES
from revops.warehouse import NAMESPACES

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NOBODY = "nobody@example.com"
"""A rep no CRM user has the e-mail of: sees no row."""
ROLES = {"rep": (REP, False), "manager": (MANAGER, True), "unmatched": (NOBODY, False)}
IDENTIFIED = {
    "account": ("account_id", "name"),
    "opportunity": ("opportunity_id", "name"),
    "lead": ("lead_id", "email"),
    "contact": ("contact_id", "email"),
    "revops_request": ("revops_request_id", "title"),
    "subscription_line": ("subscription_line_id",),
    "invoice": ("invoice_id",),
    "support_ticket": ("support_ticket_id",),
}
"""Columns that identify a private row when they show in a response."""


@pytest.fixture(scope="module")
def leak_root(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company with identity resolved and a two-quarter backtest stored."""
    root = tmp_path_factory.mktemp("leaks") / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    # A proposed routing (the shipped rules), so the simulation's route answers too.
    (root / "plans" / "routing.yaml").write_text("", encoding="utf-8")
    ws = Workspace.open(root)
    try:
        ws.identity.run()
        ws.forecast.backtest(periods=2, as_of=AS_OF)
    finally:
        ws.close()
    return root


@dataclass
class Cut:
    """A role's scope on the full company, and the company cut to its rows by hand."""

    scope: Scope
    full: Workspace
    alone: Workspace


@pytest.fixture(scope="module")
def cuts(leak_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Cut]]:
    full = Workspace.open(leak_root, read_only=True)
    found = {}
    for role, (email, team) in ROLES.items():
        scope = full.metrics.scope_for(email, team=team) or Scope(frozenset(), "nobody")
        target = tmp_path_factory.mktemp(f"alone-{role}") / "ws"
        shutil.copytree(leak_root, target)
        con = duckdb.connect(str(target / "warehouse.duckdb"))
        listing = "SELECT table_schema, table_name FROM information_schema.tables"
        tables = frozenset(con.execute(listing).fetchall())
        assert scope.owners is not None
        delete_other_rows(
            con.execute,
            lambda ns, n: f'{ns}."{n}"',
            lambda n, ns, tables=tables: (ns, n) in tables,  # type: ignore[misc]
            scope.owners,
        )
        con.close()
        found[role] = Cut(scope, full, Workspace.open(target, read_only=True))
    yield found
    for cut in found.values():
        cut.alone.close()
    full.close()


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@pytest.mark.sweep(keep="rep")
@pytest.mark.parametrize("role", ROLES)
def test_every_metric_of_the_catalog_equals_its_value_on_the_cut_company(
    cuts: dict[str, Cut], role: str
) -> None:
    cut = cuts[role]
    names = [m.name for m in cut.full.metrics.definitions()]
    scoped = cut.full.metrics.compute(names, YEAR, as_of=AS_OF, scope=cut.scope)
    reference = cut.alone.metrics.compute(names, YEAR, as_of=AS_OF)
    leaks = [
        (name, scoped.value(name), reference.value(name))
        for name in names
        if not _same(scoped.value(name), reference.value(name))
    ]
    assert leaks == [], f"{len(leaks)} of {len(names)} metrics differ for the {role}"
    if role == "rep":
        # The rep's customers' MRR: billing accounts follow the CRM account's owner.
        assert scoped.value("arr")
        assert scoped.value("identity_records")
        assert scoped.value("forecast_actual") is None or scoped.value("forecast_actual") == 0


# The user no CRM user matches is left out here: its scope is empty, and the API test
# below asks it for the drill-down rows of one metric of every source (a scope is applied
# per source), which must all be empty; each drill-down costs its query building twice.
# One leaf per source: the row scope is applied where a source reads its tables (the test
# below checks every engine reads through it), and the leaves of one source differ only by
# filters on the rows it built, which cannot bring a row back.
@pytest.mark.sweep(keep="manager")
@pytest.mark.parametrize("role", ["rep", "manager"])
def test_every_drill_down_and_owner_slice_holds_the_cut_company_rows_only(
    cuts: dict[str, Cut], role: str
) -> None:
    cut = cuts[role]
    catalog = cut.full.metrics.catalog
    leaves = {leaf.source: leaf.name for m in catalog for leaf in catalog.leaves(m.name)}.values()
    differ = []
    for name in leaves:
        mine = cut.full.metrics.rows(name, YEAR, as_of=AS_OF, scope=cut.scope)[name]
        theirs = cut.alone.metrics.rows(name, YEAR, as_of=AS_OF)[name]
        counts = int(mine.count().execute()), int(theirs.count().execute())
        if counts[0] != counts[1]:
            differ.append((name, *counts))
    assert differ == [], f"{len(differ)} of {len(leaves)} drill-downs differ for the {role}"
    by_owner = [m.name for m in catalog if "owner" in catalog.allowed_dimensions(m.name)]
    sliced = cut.full.metrics.compute(by_owner, YEAR, by=["owner"], as_of=AS_OF, scope=cut.scope)
    reference = cut.alone.metrics.compute(by_owner, YEAR, by=["owner"], as_of=AS_OF)

    def slices(frame: Any) -> dict[tuple[str, str], float | None]:
        return {
            (r.metric, str(r.owner)): None if r.value != r.value else float(r.value)
            for r in frame.itertuples()
            if r.value == r.value and r.value != 0
        }

    got, expected = slices(sliced.frame), slices(reference.frame)
    assert got.keys() == expected.keys()
    assert all(_same(got[k], expected[k]) for k in got)


def _private_identifiers(full: Workspace, alone: Workspace) -> set[str]:
    """Ids, names and e-mails of rows the full company has and the cut copy has not, and
    that no row of the cut copy refers to (a rep's deal on another owner's account shows
    that account's name: a lookup, as the docs say)."""
    referred: set[str] = set()
    for name in alone.warehouse.list_tables("core"):
        table = alone.warehouse.table(name)
        for column in [c for c in table.columns if c.endswith("_id")]:
            referred |= {str(v) for v in table[column].execute() if v is not None}
    found: set[str] = set()
    for entity, columns in IDENTIFIED.items():
        gone, kept = full.warehouse.table(entity), alone.warehouse.table(entity)
        key = f"{entity}_id"
        known = sorted(referred | {str(v) for v in kept[key].execute()})
        shown = gone.filter(gone[key].isin(known))
        gone = gone.filter(~gone[key].isin(known))
        for column in columns:
            # A value a kept or referred row has too is no one's secret: two deals named
            # alike, or a billing customer named as the CRM account a kept deal is on (the
            # account's name shows as that deal's label).
            shared = {str(v) for v in shown[column].execute() if v}
            found |= {str(v) for v in gone[column].execute() if v} - shared
    crosswalk = full.warehouse.table("crosswalk", "identity").record_id.execute()
    kept_records = alone.warehouse.table("crosswalk", "identity").record_id.execute()
    found |= set(crosswalk) - set(kept_records) - referred
    return found


def _values(response: Any) -> set[str]:
    """Every value a response shows: JSON strings, CSV cells."""
    if response.headers["content-type"].startswith("application/json"):
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
            elif node is not None:
                found.add(str(node))

        walk(response.json())
        return found
    return {cell for row in csv.reader(io.StringIO(response.text)) for cell in row}


def _routes(app: Any, catalog: Any, rules: Any) -> list[str]:
    """Every GET route of the API with parameters that return rows; the metric routes for
    one metric of every source of the catalog (each source's drill-down rows are compared
    with the cut company in the tests above); the failing records of one quality rule of
    each entity (the scope applies where the entity's rows are read)."""
    paths = app.openapi()["paths"]
    first = {r.entity: r for r in reversed(list(rules))}.values()  # a rule per entity, as above
    found = [f"/api/v1/quality/failures?entity={r.entity}&rule={r.name}&limit=500" for r in first]
    for path, operations in paths.items():
        if "get" not in operations or "{" in path or path.startswith("/api/v1/metrics/"):
            continue
        if path == "/api/v1/quality/failures":
            continue  # above, a rule at a time
        found.append(f"{path}?window={YEAR}" if path.endswith(("home", "funnel")) else path)
    sources = {leaf.source: leaf.name for m in catalog for leaf in catalog.leaves(m.name)}
    for name in sources.values():
        found += [
            f"/api/v1/metrics/rows?metric={name}&window={YEAR}",
            f"/api/v1/metrics/rows/export?metric={name}&window={YEAR}",
        ]
    found += [
        f"/api/v1/metrics/explore?metric=data_quality_score&window={YEAR}&by=owner",
        f"/api/v1/metrics/explore?metric=bookings&window={YEAR}&by=owner&grain=quarter",
        f"/api/v1/metrics/export?metric=requests_received&window={YEAR}&by=priority",
        "/api/v1/search?q=a",
        "/api/v1/search?q=e",
    ]
    return found


@pytest.fixture(scope="module")
def served(leak_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    ws = Workspace.open(leak_root, read_only=True)
    db = AppDatabase("sqlite:///app.db", tmp_path_factory.mktemp("leak-db"))
    app = create_app(ws, db=db, as_of=AS_OF, warm=False)
    tokens = {}
    for role, (email, team) in ROLES.items():
        account = users.add_user(db, email, "manager" if team else "rep", PASSWORD)
        tokens[role], _ = users.create_token(db, account.id, role, ("export",), actor="test")
    yield app, tokens
    ws.close()
    db.close()


@pytest.mark.sweep(keep="rep")
@pytest.mark.parametrize("role", ROLES)
def test_every_api_route_shows_no_row_outside_the_scope(
    cuts: dict[str, Cut], served: Any, role: str
) -> None:
    app, tokens = served
    cut = cuts[role]
    private = _private_identifiers(cut.full, cut.alone)
    assert private, "the other owners' rows are there to leak"
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    leaks: dict[str, list[str]] = {}
    routes = _routes(app, cut.full.metrics.catalog, cut.full.quality.rules)
    for route in routes:
        response = client.get(route, headers=headers)
        assert response.status_code in (200, 403), (route, response.status_code, response.text)
        shown = sorted(_values(response) & private)
        if shown:
            leaks[route] = shown[:3]
    assert leaks == {}, f"{len(leaks)} of {len(routes)} routes leak for the {role}"


def test_every_canonical_and_stored_table_has_a_scope_declaration(leak_root: Path) -> None:
    for name, spec in ENTITIES.items():
        rule_of(name, spec.namespace)
    ws = Workspace.open(leak_root, read_only=True)
    try:
        stored = [(n, ns) for ns in NAMESPACES for n in ws.warehouse.list_tables(ns)]
    finally:
        ws.close()
    assert ("crosswalk", "identity") in stored
    assert ("forecast_backtest", "core") in stored
    for name, namespace in stored:
        rule_of(name, namespace)
    # Reference data and hidden tables say why.
    assert all(r.why for r in ROW_SCOPES.values() if isinstance(r, Reference | Hidden))


def test_every_engine_reads_the_warehouse_through_the_scope_declarations(
    leak_root: Path,
) -> None:
    """An engine reading a table around `SourceContext.raw/stored` (or one with no
    declaration) fails here: every table it asks the warehouse for went through the
    scoped reader."""
    ws = Workspace.open(leak_root, read_only=True)
    try:
        asked: list[tuple[str, str]] = []
        warehouse = ws.warehouse
        original = warehouse.table

        def recording(name: str, namespace: str = "core") -> Any:
            asked.append((name, namespace))
            return original(name, namespace)

        warehouse.table = recording  # type: ignore[method-assign]
        period = ws.metrics.window(YEAR)
        for found in engines().values():
            asked.clear()
            ctx = SourceContext(
                warehouse, ws.config, ws.calendar, AS_OF, scope=Scope(frozenset({"x"}), "x")
            )
            found.build(ctx, period)
            through = {tuple(key.split(".", 1)[::-1]) for key in ctx.reader.read}
            around = [t for t in asked if t not in through]
            assert around == [], f"engine {found.name} reads {around} around the row scope"
    finally:
        ws.close()


@pytest.mark.parametrize("role", ROLES)
def test_record_pages_of_the_scope_show_no_row_outside_it_and_others_are_not_found(
    cuts: dict[str, Cut], served: Any, role: str
) -> None:
    app, tokens = served
    cut = cuts[role]
    private = _private_identifiers(cut.full, cut.alone)
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {tokens[role]}"}

    def ids(workspace: Workspace, entity: str) -> set[str]:
        return {str(v) for v in workspace.warehouse.table(entity)[f"{entity}_id"].execute()}

    kept = {e: ids(cut.alone, e) for e in ("account", "opportunity", "contact")}
    gone = {e: ids(cut.full, e) - kept[e] for e in kept}
    owners = sorted(o for o in cut.scope.owners or () if not o.startswith("email:"))
    mine = [
        *(f"/api/v1/accounts/{i}" for i in sorted(kept["account"])[:2]),
        *(f"/api/v1/deals/{i}" for i in sorted(kept["opportunity"])[:1]),
        *(f"/api/v1/people/{i}" for i in sorted(kept["contact"])[:1]),
        *(f"/api/v1/reps/{i}" for i in owners[:1]),
    ]
    leaks: dict[str, list[str]] = {}
    for route in mine:
        response = client.get(route, headers=headers)
        assert response.status_code == 200, (route, response.text[:300])
        shown = sorted(_values(response) & private)
        if shown:
            leaks[route] = shown[:3]
    assert leaks == {}, f"{len(leaks)} of {len(mine)} record pages leak for the {role}"
    theirs = [
        *(f"/api/v1/accounts/{i}" for i in sorted(gone["account"])[:3]),
        *(f"/api/v1/deals/{i}" for i in sorted(gone["opportunity"])[:3]),
        *(f"/api/v1/people/{i}" for i in sorted(gone["contact"])[:3]),
    ]
    for route in theirs:
        response = client.get(route, headers=headers, follow_redirects=False)
        assert response.status_code == 404, (route, response.status_code)
