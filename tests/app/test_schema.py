"""schemathesis against the OpenAPI document: no generated input makes a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

# Loaded at collection, not lazily inside the test: pytest rewrites schemathesis's modules
# (it is a pytest plugin) as they are first imported, and CPython 3.11's parser once failed
# on one of them deep in a fixture's stack ("AST constructor recursion depth mismatch").
import schemathesis.specs.openapi.schemas
from hypothesis import HealthCheck, assume, given, settings

from app.conftest import AS_OF, Cockpit
from revops.app import create_app, users
from revops.app.db import AppDatabase


@pytest.fixture(scope="module")
def admin_token(cockpit: Cockpit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A second app on the same warehouse with its own app database, so generated writes
    (new users, disabled users, revoked tokens) stay out of the other tests."""
    db = AppDatabase("sqlite:///app.db", tmp_path_factory.mktemp("schema-db"))
    app = create_app(cockpit.app.state.revops.workspace, db=db, as_of=AS_OF)
    account = users.add_user(db, "fuzz.admin@example.com", "admin", "correct horse battery")
    secret, token = users.create_token(db, account.id, "fuzz", ("admin",), actor="test")
    yield app, secret, account.id, token.id
    db.close()


def test_no_generated_request_makes_a_server_error(admin_token: Any) -> None:
    app, secret, own_user, own_token = admin_token
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {secret}"}
    failures: list[str] = []
    operations = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def call(case: Any) -> None:
            # Revoking the fuzzer's own token or disabling its own user would turn every
            # later request into a 401; those two cases are tested in test_auth.py.
            ids = case.path_parameters or {}
            assume(ids.get("token_id") != own_token and ids.get("user_id") != own_user)
            # A forecast fits its models on the first call of a period and day: seconds.
            response = case.call(headers=headers, timeout=120)
            if response.status_code >= 500 or response.status_code == 401:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query}: "
                    f"{response.status_code} {response.text[:200]}"
                )

        call()
    assert operations >= 18
    assert failures == []


def test_the_openapi_document_lists_every_api_route(cockpit: Cockpit) -> None:
    paths = set(cockpit.client().get("/api/v1/openapi.json").json()["paths"])
    expected = {"home", "metrics/explore", "metrics/rows", "funnel", "admin", "users", "tokens",
                "audit", "pipeline", "forecast", "quality"}  # fmt: skip
    assert {f"/api/v1/{p}" for p in expected} <= paths
    assert not any(not p.startswith("/api/v1/") for p in paths)
