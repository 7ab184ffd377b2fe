"""Territory design in the cockpit on the demo company: who sees the page and its JSON
twin, who may run a design, and the version in effect with names beside ids."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.conftest import AS_OF, Cockpit, role_email, serving
from app.conftest import demo_root as demo_root  # the served demo company, once a run
from revops import Workspace
from revops.app.access import ROLES, TERRITORY_PLANNERS, TERRITORY_ROLES

DESIGN = """
potential: {arr: 1.0, open_pipeline: 0.5}
workload: {accounts: 1.0, open_deals: 2.0}
solver: {time_limit_seconds: 3}
"""


@pytest.fixture(scope="module")
def cockpit(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """The demo company with one territory version applied, served."""
    root = tmp_path_factory.mktemp("territories") / "ws"
    shutil.copytree(demo_root, root)
    (root / "app.db").unlink(missing_ok=True)
    (root / "plans" / "territories.yaml").write_text(DESIGN)
    ws = Workspace.open(root)
    try:
        ws.territories.apply(ws.territories.plan(AS_OF), effective=AS_OF, note="first")
    finally:
        ws.close()
    with serving(root) as served_app:
        yield served_app


def _csrf(client: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("role", ROLES)
def test_company_wide_roles_see_territories(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    expected = 200 if role in TERRITORY_ROLES else 403
    assert client.get("/api/v1/territories").status_code == expected
    assert client.get("/territories").status_code == expected


@pytest.mark.parametrize("role", ["revops", "executive", "rep"])
def test_only_revops_and_admins_run_a_design(cockpit: Cockpit, role: str) -> None:
    client = cockpit.client(role_email(role))
    response = client.post("/api/v1/territories/plan", headers={"x-csrf-token": _csrf(client)})
    assert response.status_code == (200 if role in TERRITORY_PLANNERS else 403), response.text
    if response.status_code == 200:
        body = response.json()
        assert [c["assignment"] for c in body["comparison"]] == ["current", "greedy", "optimiser"]
        assert body["solver"]["status"] in ("OPTIMAL", "FEASIBLE")


def test_the_version_in_effect_shows_each_reps_book_by_name(cockpit: Cockpit) -> None:
    view = cockpit.client(role_email("revops")).get("/api/v1/territories").json()
    assert view["version"] == 1
    ws = cockpit.app.state.revops.workspace
    names = {u.user_id: u.name for u in _users(ws)}
    assert view["reps"]
    assert all(r["rep"] == names[r["rep_id"]] for r in view["reps"])
    accounts = sum(r["accounts"] for r in view["reps"])
    assert accounts == view["versions"][0]["accounts"]
    assert [c["assignment"] for c in view["comparison"]] == ["current", "greedy", "optimiser"]
    page = cockpit.client(role_email("revops")).get("/territories").text
    assert view["reps"][0]["rep"] in page


def _users(ws: Workspace) -> list[Any]:
    from revops.routing import read_directory

    return list(read_directory(ws.warehouse).users.values())
