"""schemathesis against the OpenAPI document, with valid tokens of several roles: no
generated input makes a 5xx, and every answer is one the document declares."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

# Loaded at collection, not lazily inside the test: pytest rewrites schemathesis's modules
# (it is a pytest plugin) as they are first imported, and CPython 3.11's parser once failed
# on one of them deep in a fixture's stack ("AST constructor recursion depth mismatch").
import pytest
import schemathesis
import schemathesis.specs.openapi.schemas
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.strategies._internal import random as _random  # noqa: F401 (as above)
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.conftest import AS_OF, MANAGER, REP, Cockpit
from revops.app import create_app, users
from revops.app.db import AppDatabase

from conftest import SWEEPS

ROLES = {
    "admin": ("fuzz.admin@example.com", "admin"),
    "manager": (MANAGER, "manager"),
    "rep": (REP, "rep"),
    "unmatched": ("fuzz.nobody@example.com", "rep"),
}
"""Who the fuzzer calls as: every row, a team's, one rep's, and no CRM user's (`make test`:
every row and no row, the widest permissions and the empty scope; REVOPS_TEST_SWEEP=all:
all four)."""
FUZZED = ROLES if SWEEPS else {r: ROLES[r] for r in ("admin", "unmatched")}
EXAMPLES = 4 if SWEEPS else 2
"""Generated cases per operation and role: the run stays within about two minutes (one
with REVOPS_TEST_SWEEP=all, as `make test-long` runs it)."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


@pytest.fixture(scope="module")
def fuzzed(cockpit: Cockpit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A second app on the same warehouse with its own app database, so generated writes
    (new users, disabled users, revoked tokens) stay out of the other tests; one token
    per role (admin scope for the admin, export for the others)."""
    db = AppDatabase("sqlite:///app.db", tmp_path_factory.mktemp("schema-db"))
    app = create_app(cockpit.app.state.revops.workspace, db=db, as_of=AS_OF, warm=False)
    # Jobs are asked for (and checked) but never run: they would write the shared warehouse.
    app.state.revops.runner = _Idle()
    tokens = {}
    for role, (email, kind) in FUZZED.items():
        account = users.add_user(db, email, kind, "correct horse battery")
        scopes = ("admin",) if kind == "admin" else ("export",)
        secret, token = users.create_token(db, account.id, "fuzz", scopes, actor="test")
        tokens[role] = (secret, account.id, token.id)
    yield app, tokens
    db.close()


class _Idle:
    """A job runner that leaves every job queued."""

    def submit(self, job: Any, work: Any) -> Future[None]:
        done: Future[None] = Future()
        done.set_result(None)
        return done

    def stop(self) -> None:
        """Nothing runs, so nothing to wait for."""


def _bound(check: Any, *args: Any) -> Any:
    def run(case: Any) -> None:
        check(case, *args)

    return run


def test_no_generated_request_makes_a_server_error_or_breaks_the_document(
    fuzzed: Any,
) -> None:
    app, tokens = fuzzed
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    cases = {"n": 0}
    operations = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        operations += 1
        for role, (secret, own_user, own_token) in tokens.items():
            headers = {"Authorization": f"Bearer {secret}"}

            def check(case: Any, role: str, headers: dict[str, str], own: tuple[int, int]) -> None:
                # Revoking the fuzzer's own token or disabling its own user would turn
                # every later request into a 401; those two cases are tested in test_auth.
                ids = case.path_parameters or {}
                assume(ids.get("token_id") != own[1] and ids.get("user_id") != own[0])
                cases["n"] += 1
                response = case.call(headers=headers, timeout=120)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (AssertionError, FailureGroup) as exc:  # every failed check is kept
                    failures.append(
                        f"{role} {case.method} {case.formatted_path} {case.query}: "
                        f"{response.status_code} {str(exc)[:300]}"
                    )
                if response.status_code == 401:
                    failures.append(f"{role} {case.method} {case.formatted_path}: 401")

            run = given(case=operation.as_strategy())(
                _bound(check, role, headers, (own_user, own_token))
            )
            settings(
                max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck),
            )(run)()  # fmt: skip
    assert operations >= 18
    assert cases["n"] >= operations * len(tokens)
    print(f"schemathesis: {operations} operations, {cases['n']} cases, {len(failures)} failures")
    assert failures == []


def test_the_openapi_document_lists_every_api_route(cockpit: Cockpit) -> None:
    paths = set(cockpit.client().get("/api/v1/openapi.json").json()["paths"])
    expected = {"home", "metrics/explore", "metrics/rows", "funnel", "admin", "users", "tokens",
                "audit", "pipeline", "forecast", "quality", "jobs", "jobs/{job_id}",
                "jobs/{job_id}/cancel", "ingest", "quality/failures", "quality/assignments",
                "quality/runs", "identity/runs", "forecast/backtests"}  # fmt: skip
    assert {f"/api/v1/{p}" for p in expected} <= paths
    assert not any(not p.startswith("/api/v1/") for p in paths)
