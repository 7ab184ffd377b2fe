"""A tiny hand-built company for the automation tests, a real local SMTP server (aiosmtpd)
and a real local HTTP receiver, so every message is checked as it arrived."""

from __future__ import annotations

import json
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from revops import Workspace
from revops.identity.crosswalk import ensure_tables
from revops.model import ENTITIES

from conftest import POSTGRES_URL
from support import typed_value

USERS = [
    {"user_id": "u-mia", "name": "Mia Moss", "email": "mia@acme.test", "manager_id": None},
    {"user_id": "u-ann", "name": "Ann Archer", "email": "ann@acme.test", "manager_id": "u-mia"},
    {"user_id": "u-bob", "name": "Bob Baker", "email": "bob@acme.test", "manager_id": "u-mia"},
]
DEALS = [
    {"opportunity_id": "o-1", "name": "Acme renewal", "owner_id": "u-ann", "stage": "Closed Won",
     "amount": "1000", "is_closed": True, "is_won": True, "closed_at": "2026-02-10",
     "close_date": "2026-02-10", "type": "renewal"},
    {"opportunity_id": "o-2", "name": "Beta new", "owner_id": "u-bob", "stage": "Closed Won",
     "amount": "3000", "is_closed": True, "is_won": True, "closed_at": "2026-02-15",
     "close_date": "2026-02-15", "type": "new"},
    {"opportunity_id": "o-3", "name": "Gamma expansion", "owner_id": "u-ann", "stage": "Discovery",
     "amount": "5000", "is_closed": False, "is_won": False, "close_date": "2026-03-20",
     "type": "expansion", "probability": 40},
    {"opportunity_id": "o-4", "name": "Delta pilot", "owner_id": "u-bob", "stage": "Proposal",
     "amount": "800", "is_closed": False, "is_won": False, "close_date": "2026-03-25",
     "type": "new", "probability": 60},
]  # fmt: skip
LEADS = [
    {"lead_id": "l-1", "first_name": "Ada", "last_name": "Byron", "company": "Analytical",
     "email": "ada@analytical.test", "status": "open", "owner_id": "u-ann", "country": "GB"},
    {"lead_id": "l-2", "first_name": "Alan", "last_name": "Turing", "company": "Bletchley",
     "email": "alan@bletchley.test", "status": "open", "owner_id": None, "country": "GB"},
]  # fmt: skip
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""A Monday, in the first fiscal quarter (FY2026-Q1)."""


class Company:
    """A workspace whose warehouse the test fills and changes row by row."""

    def __init__(self, root: Path, warehouse_url: str | None = None) -> None:
        self.root = root
        Workspace.create(root)
        config = root / "revops.yaml"
        text = config.read_text()
        if warehouse_url is not None:
            text = text.replace("url: duckdb:///warehouse.duckdb", f"url: {warehouse_url}")
            text = text.replace('schema_prefix: ""', f"schema_prefix: a{secrets.token_hex(4)}_")
        config.write_text(text)
        (root / "automations").mkdir()
        (root / "deliveries").mkdir()
        self.ws = self.reopen()
        self.ws.init_warehouse()
        ensure_tables(self.ws.warehouse)
        self.add("user", *[{**u, "is_active": True, "hire_date": "2020-01-01"} for u in USERS])
        self.add("opportunity", *DEALS)
        self.add("lead", *LEADS)

    def reopen(self, settings: str = "") -> Workspace:
        """The workspace opened anew, with `settings` as the `automate:` section."""
        if settings:
            config = self.root / "revops.yaml"
            text = config.read_text().split("\nautomate:")[0]
            config.write_text(f"{text}\nautomate:\n{settings}")
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.ws = Workspace.open(self.root)
        self.ws.automate.sleep = lambda seconds: None
        return self.ws

    def add(self, entity: str, *rows: dict[str, Any]) -> None:
        """Upsert `rows` into `entity`; lineage defaults, ISO strings become dates/times."""
        spec = ENTITIES[entity]
        batch = []
        for row in rows:
            full = {"source_system": "crm", "created_at": "2026-01-05", **row}
            full.setdefault("source_id", full[spec.id_column])
            full.setdefault("updated_at", "2026-01-05T00:00:00")
            batch.append({k: typed_value(spec.column(k).type, v) for k, v in full.items()})
        self.ws.warehouse.load(entity, batch, namespace=spec.namespace, mode="upsert")

    def change(self, entity: str, record_id: str, **values: Any) -> None:
        """Change columns of one record, as a later ingest would."""
        spec = ENTITIES[entity]
        source = {"opportunity": DEALS, "lead": LEADS, "user": USERS}[entity]
        row = next(r for r in source if r[spec.id_column] == record_id)
        self.add(entity, {**row, **values, "updated_at": "2026-03-01T00:00:00"})

    def workflow(self, name: str, text: str) -> None:
        """Write `automations/<name>.yaml`."""
        (self.root / "automations" / f"{name}.yaml").write_text(text, encoding="utf-8")

    def deliveries(self, text: str) -> None:
        """Write `deliveries/subscriptions.yaml`."""
        (self.root / "deliveries" / "subscriptions.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The company on DuckDB and on PostgreSQL (under a schema prefix of its own)."""
    made = Company(tmp_path / "acme", POSTGRES_URL if request.param == "postgres" else None)
    yield made
    if request.param == "postgres":
        made.ws.warehouse.drop()
    made.ws.close()


@pytest.fixture
def duck(tmp_path: Path) -> Iterator[Company]:
    """The company on DuckDB only."""
    made = Company(tmp_path / "acme")
    yield made
    made.ws.close()


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """Messages a real local SMTP server received."""

    port: int
    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """An aiosmtpd server on a free local port, collecting every message."""
    from aiosmtpd.controller import Controller

    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def smtp_settings(port: int) -> str:
    """The `automate:` section sending through 127.0.0.1:`port`."""
    return (
        f"  smtp: {{host: 127.0.0.1, port: {port}, sender: revops@acme.test, timeout_seconds: 2}}\n"
        "  retries: 3\n  backoff_seconds: 0.01\n  base_url: http://cockpit.test\n"
    )


@dataclass
class Receiver:
    """JSON bodies a real local HTTP server received, by path."""

    url: str
    posts: list[tuple[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An http.server on a free local port, in a thread, answering 200 to every POST."""
    posts: list[tuple[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            posts.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver(f"http://127.0.0.1:{server.server_address[1]}", posts)
    server.shutdown()
    server.server_close()
