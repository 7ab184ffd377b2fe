"""One small demo company for the app tests: generated and ingested once per run, then
served read-only with users of every role signed in through the real sign-in form."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from revops import Workspace
from revops.app import create_app, users
from revops.app.access import ROLES
from revops.app.db import AppDatabase
from revops.demo import DemoParams
from revops.demo.generate import generate_company
from revops.ingest.runner import ingest

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork in its test client; httpx works the same here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PARAMS = DemoParams(accounts=300, years=2, seed=5, as_of=date(2026, 11, 22))
AS_OF = PARAMS.as_of
YEAR = "FY2027"
QUARTER = "FY2027-Q4"
"""The fiscal quarter holding AS_OF (the year starts in February)."""
PASSWORD = "correct horse battery"
REP = "john.hernandez@revops-demo.com"
"""The AE with the most deals in this company; his manager is MANAGER."""
MANAGER = "jessica.watson@revops-demo.com"
OTHER_REP = "michael.evans@revops-demo.com"
"""An AE in another manager's team."""


@dataclass
class Cockpit:
    """The served demo company."""

    root: Path
    app: FastAPI
    db: AppDatabase
    signed_in: dict[str, TestClient] = field(default_factory=dict)

    def client(self, email: str | None = None) -> TestClient:
        """A client signed in as `email` through the sign-in form (None: anonymous);
        one per user for the run, since each sign-in costs an argon2 check."""
        if email is None:
            return TestClient(self.app)
        if email not in self.signed_in:
            client = TestClient(self.app)
            sign_in(client, email)
            self.signed_in[email] = client
        return self.signed_in[email]


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a browser does."""
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def role_email(role: str) -> str:
    """The app user of each role: the rep and manager are CRM users, the others not."""
    return {"rep": REP, "manager": MANAGER}.get(role, f"{role}@example.com")


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ingested demo workspace (its warehouse closed again, for read-only use)."""
    company = tmp_path_factory.mktemp("company")
    generate_company(PARAMS, company)
    root = tmp_path_factory.mktemp("cockpit") / "ws"
    ws = Workspace.create(root, fiscal_year_start_month=PARAMS.fiscal_year_start_month)
    try:
        report = ingest(ws, sorted(str(p) for p in company.iterdir() if p.name != "truth"))
        assert report.failed == []
        ws.quality.run(AS_OF)  # a stored run, for the data-quality page
    finally:
        ws.close()
    return root


@contextmanager
def serving(root: Path) -> Iterator[Cockpit]:
    """The app on the workspace at `root` (read-only), with one user per role plus a
    second rep added to its fresh app database."""
    ws = Workspace.open(root, read_only=True)
    db = AppDatabase(ws.config.app_database.url, ws.root)
    app = create_app(ws, db=db, as_of=AS_OF, warm=False)
    for role in ROLES:
        users.add_user(db, role_email(role), role, PASSWORD)
    users.add_user(db, OTHER_REP, "rep", PASSWORD)
    try:
        yield Cockpit(root, app, db)
    finally:
        ws.close()
        db.close()


@pytest.fixture(scope="session")
def cockpit(demo_root: Path) -> Iterator[Cockpit]:
    """The app on the demo company, with one user per role plus a second rep."""
    with serving(demo_root) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for the page tests of a module."""
    from playwright.sync_api import sync_playwright

    from app.test_browser import ARGS, CHROMIUM

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
