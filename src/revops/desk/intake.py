"""What a request needs to enter the queue, and reading requests from CSV files: the
desk's own columns, or a Jira (Service Management) issue export.

A bad row stops the import with one message naming the file, the row and the field.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from revops.desk.config import STATUSES, URGENCIES
from revops.errors import DeskError


class RequestInput(BaseModel):
    """A request as someone asks it (CLI, API, the cockpit's form, a CSV row)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=300, description="Short summary.")
    requester: str = Field(min_length=1, description="Who asks: e-mail or user_id.")
    type: str = Field(default="other", description="report, data_fix, integration, ...")
    details: str | None = Field(default=None, description="What is asked and why.")
    linked_kpi: str | None = Field(default=None, description="Metric of the catalog it serves.")
    linked_process: str | None = Field(default=None, description="Process it serves.")
    reach: float | None = Field(default=None, ge=0, description="People or deals per quarter.")
    impact: float | None = Field(default=None, ge=0, le=10, description="0.25, 0.5, 1, 2 or 3.")
    confidence: float | None = Field(default=None, ge=0, le=100, description="Percent, 0-100.")
    effort: float | None = Field(default=None, gt=0, description="Person-days.")
    due_date: date | None = Field(default=None, description="Date needed by.")
    stated_urgency: str = Field(default="medium", description="low, medium, high or critical.")

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_") or "other"

    @field_validator("stated_urgency")
    @classmethod
    def _urgency(cls, value: str) -> str:
        found = URGENCY_WORDS.get(value.strip().lower())
        if found is None:
            raise ValueError(f"{value!r} is not one of {', '.join(URGENCIES)}")
        return found


URGENCY_WORDS = {"low": "low", "lowest": "low", "minor": "low", "trivial": "low",
                 "medium": "medium", "normal": "medium", "high": "high", "major": "high",
                 "critical": "critical", "highest": "critical", "blocker": "critical",
                 "urgent": "critical"}  # fmt: skip
"""Urgency and Jira priority words → the desk's four levels."""

JIRA_STATUS = {"open": "new", "to do": "new", "waiting for support": "new", "new": "new",
               "backlog": "triaged", "selected for development": "triaged",
               "triaged": "triaged", "in progress": "in_progress",
               "work in progress": "in_progress", "waiting for customer": "waiting",
               "pending": "waiting", "waiting": "waiting", "done": "done",
               "resolved": "done", "closed": "done", "won't do": "declined",
               "declined": "declined", "canceled": "declined", "cancelled": "declined"}  # fmt: skip
"""Jira workflow statuses → the desk's statuses."""

JIRA_COLUMNS = {"Summary": "title", "Reporter": "requester", "Description": "details",
                "Due date": "due_date", "Request Type": "type", "Issue Type": "type"}  # fmt: skip
"""Jira export columns → request fields (Issue key, Priority, Urgency, Created, Resolved
and Status are read apart)."""

TIME_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d", "%d/%b/%y")  # fmt: skip


@dataclass(frozen=True)
class ImportedRow:
    """One request read from a file, with what an export says beyond the request."""

    request: RequestInput
    row: int
    key: str | None = None
    status: str | None = None
    priority: str | None = None
    requested_at: datetime | None = None
    resolved_at: datetime | None = None


def parse_time(text: str) -> datetime:
    """A time as exports write it, read as UTC.

    Examples:
        >>> parse_time("22/Nov/26 3:05 PM")
        datetime.datetime(2026, 11, 22, 15, 5, tzinfo=datetime.timezone.utc)
    """
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is no date or time (e.g. 22/Nov/26 3:05 PM or 2026-11-22)")


def read_csv(path: Path) -> list[ImportedRow]:
    """Every request of a CSV file: the desk's columns (title, requester, type, ...) or a
    Jira export (Summary, Issue key, Reporter, Priority, Created, Due date, Status,
    Description, and Request Type, Urgency, Resolved where present).

    Raises:
        DeskError: an unreadable file, or a row naming its field and problem.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DeskError(f"{path}: cannot read the file ({exc})") from None
    jira = bool(rows) and "Summary" in rows[0]
    return [_read_row(path, number, row, jira) for number, row in enumerate(rows, start=2)]


def _read_row(path: Path, number: int, row: dict[str, Any], jira: bool) -> ImportedRow:
    where = f"{path}: row {number}"
    values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
    extra: dict[str, Any] = {}
    try:
        if jira:
            fields = {JIRA_COLUMNS[k]: v for k, v in values.items() if k in JIRA_COLUMNS and v}
            urgency, priority = values.get("Urgency"), values.get("Priority")
            if urgency or priority:
                fields["stated_urgency"] = urgency or priority
            if urgency and priority:
                extra["priority"] = _level(priority, "Priority")
            extra["key"] = values.get("Issue key") or None
            if values.get("Status"):
                extra["status"] = _status(values["Status"])
            for column, name in (("Created", "requested_at"), ("Resolved", "resolved_at")):
                if values.get(column):
                    extra[name] = _time(values[column], column)
            if "due_date" in fields:
                fields["due_date"] = _time(fields["due_date"], "Due date").date()
        else:
            fields = {k: v for k, v in values.items() if v != ""}
            for name in ("key", "status", "priority"):
                if name in fields:
                    extra[name] = fields.pop(name)
            if "status" in extra:
                extra["status"] = _status(extra["status"])
            if "requested_at" in fields:
                extra["requested_at"] = _time(fields.pop("requested_at"), "requested_at")
        request = RequestInput.model_validate(fields)
    except _FieldProblem as exc:
        raise DeskError(f"{where}, field {exc.field}: {exc.problem}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "(row)"
        if jira and field == "stated_urgency":
            field = "Urgency" if values.get("Urgency") else "Priority"
        elif jira:
            field = next((k for k, v in JIRA_COLUMNS.items() if v == field), field)
        raise DeskError(f"{where}, field {field}: {error['msg']}") from None
    return ImportedRow(request, number, **extra)


class _FieldProblem(Exception):  # noqa: N818 - carries a field's problem to the row's message
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


def _time(text: str, field: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise _FieldProblem(field, str(exc)) from None


def _status(text: str) -> str:
    found = JIRA_STATUS.get(text.strip().lower())
    if found is None:
        raise _FieldProblem("Status", f"{text!r} is not a known status ({', '.join(STATUSES)})")
    return found


def _level(text: str, field: str) -> str:
    found = URGENCY_WORDS.get(text.strip().lower())
    if found is None:
        raise _FieldProblem(field, f"{text!r} is not one of {', '.join(URGENCIES)}")
    return found
