"""A tiny company of leads, accounts and their events in a fresh workspace, built by hand
so every score can be computed on paper."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import POSTGRES_URL
from support import Company, company_on


def at(text: str) -> datetime:
    """A UTC instant from ISO text."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def write_rules(root: Path, text: str) -> None:
    """Write `rules/leads.yaml` and drop the cached rules."""
    (root / "rules" / "leads.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """An empty workspace with the canonical tables, on DuckDB and on PostgreSQL (under a
    schema prefix of its own)."""
    with company_on(tmp_path / "acme", request.param, POSTGRES_URL) as made:
        yield made


def lead(lead_id: str, created: str, **extra: Any) -> dict[str, Any]:
    """One lead row."""
    return {"lead_id": lead_id, "created_at": created, **extra}


def touch(person: str, when: str, status: str = "responded", **extra: Any) -> dict[str, Any]:
    """One campaign touch of a lead."""
    return {"campaign_id": "cmp-1", "person_id": person, "person_type": "lead",
            "occurred_at": when, "status": status, **extra}  # fmt: skip


QUICK_RULES = """
model: {snapshots: 6, snapshot_days: 14, window_days: 45, lead_age_days: 30}
"""
"""Fewer training snapshots than the shipped rules, so the served company scores fast."""
