"""What a workflow's actions do to a record: described for a plan, executed for an apply.

Revops-side actions (assign an owner, create a task, set a field) are gathered and written
at the end of the run with their before-images; messages (e-mail, webhook, Slack) are
sent at once, each retried with backoff, and a failure is reported without stopping the
rest of the run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from revops.automate import store
from revops.automate.senders import Outcome, post_json, secret, send_email, with_retries
from revops.automate.workflow import (
    REVERSIBLE,
    Action,
    AssignOwner,
    CreateTask,
    PostSlack,
    PostWebhook,
    SendEmail,
    SetField,
    StartSequence,
    Workflow,
)
from revops.errors import AutomateError

if TYPE_CHECKING:
    from revops.automate.sequences import Sequences
    from revops.config import AutomateSettings
    from revops.routing import Routing
    from revops.warehouse import Warehouse

_FIELD = re.compile(r"\{(\w+)\}")


def merge(template: str, record: dict[str, Any]) -> str:
    """`template` with each `{field}` replaced by the record's value (empty when missing).

    Examples:
        >>> merge("Call {name} about {stage}{nothing}", {"name": "Acme", "stage": "demo"})
        'Call Acme about demo'
    """

    def value(match: re.Match[str]) -> str:
        found = record.get(match.group(1))
        return "" if found is None else str(found)

    return _FIELD.sub(value, template)


@dataclass(frozen=True)
class Users:
    """The CRM users: id → (name, email)."""

    people: dict[str, tuple[str | None, str | None]]

    def name(self, user_id: str | None) -> str | None:
        """The user's name, or None."""
        return self.people.get(user_id or "", (None, None))[0]

    def resolve(self, ref: str, record: dict[str, Any]) -> str | None:
        """A user id for `owner`, a user id, or an e-mail of a user."""
        if ref == "owner":
            owner = record.get("owner_id")
            return str(owner) if owner else None
        if ref in self.people:
            return ref
        for uid, (_, email) in self.people.items():
            if email and email.casefold() == ref.casefold():
                return uid
        return None

    def address(self, ref: str, record: dict[str, Any]) -> str | None:
        """An e-mail address for `owner`, a user id or a literal address."""
        if "@" in ref:
            return ref
        uid = self.resolve(ref, record)
        return self.people.get(uid or "", (None, None))[1]


def add_business_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`.

    Examples:
        >>> add_business_days(date(2026, 3, 6), 1)  # a Friday
        datetime.date(2026, 3, 9)
    """
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def describe(action: Action, record: dict[str, Any], users: Users) -> tuple[str, str]:
    """(target, detail) of `action` on `record`, for a plan and the run log."""
    if isinstance(action, CreateTask):
        uid = users.resolve(action.user, record)
        return f"{users.name(uid) or '?'} ({uid or action.user})", merge(action.title, record)
    if isinstance(action, SetField):
        return action.field, f"= {merge(action.value, record)}"
    if isinstance(action, SendEmail):
        to = [users.address(r, record) or f"?{r}" for r in action.to]
        return ", ".join(to), merge(action.subject, record)
    if isinstance(action, PostWebhook):
        return f"${action.url_env}", "the record as JSON"
    if isinstance(action, PostSlack):
        return f"${action.url_env or 'slack'}", merge(action.text, record)
    if isinstance(action, StartSequence):
        return action.sequence, "enrol in the sequence"
    assert isinstance(action, AssignOwner)
    return "routing rules", "assign an owner"


@dataclass
class Executor:
    """Runs the actions of one workflow run and gathers what it writes."""

    workflow: Workflow
    run_id: str
    at: datetime
    users: Users
    settings: AutomateSettings
    routing: Callable[[], Routing]
    sleep: Callable[[float], None]
    sequences: Callable[[], Sequences]
    actions: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    to_route: list[dict[str, Any]] = field(default_factory=list)
    to_enrol: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def run(self, action: Action, record: dict[str, Any]) -> None:
        """Do `action` on `record` (a message now, a revops-side change at :meth:`flush`)."""
        entity = self.workflow.entity or ""
        if isinstance(action, AssignOwner):
            self.to_route.append(record)
            return
        if isinstance(action, StartSequence):
            self.to_enrol.setdefault(action.sequence, []).append(record)
            return
        target, detail = describe(action, record, self.users)
        row = {"run_id": self.run_id, "workflow": self.workflow.name, "entity": entity,
               "record_id": str(record["record_id"]), "record_name": record.get("name"),
               "action": action.kind, "target": target, "detail": detail, "status": "done",
               "attempts": 1, "error": "", "reversible": action.kind in REVERSIBLE,
               "at": self.at}  # fmt: skip
        if isinstance(action, CreateTask):
            uid = self.users.resolve(action.user, record)
            if uid is None:
                row.update(status="failed", error=f"no user {action.user!r} for this record")
            else:
                self.tasks.append(self._task(action, record, uid, detail))
        elif isinstance(action, SetField):
            self.fields.append({"entity": entity, "record_id": str(record["record_id"]),
                                "field": action.field, "value": merge(action.value, record),
                                "run_id": self.run_id, "set_at": self.at})  # fmt: skip
        else:
            outcome = self._send(action, record)
            row.update(status=outcome.status, attempts=outcome.attempts, error=outcome.error)
        self.actions.append(row)

    def _task(
        self, action: CreateTask, record: dict[str, Any], uid: str, title: str
    ) -> dict[str, Any]:
        from revops.warehouse.batch import new_load_id

        return {"task_id": new_load_id(), "run_id": self.run_id, "workflow": self.workflow.name,
                "user_id": uid, "user_name": self.users.name(uid), "title": title,
                "entity": self.workflow.entity, "record_id": str(record["record_id"]),
                "record_name": record.get("name"),
                "due_date": add_business_days(self.at.date(), action.due_days),
                "created_at": self.at}  # fmt: skip

    def _send(self, action: SendEmail | PostWebhook | PostSlack, record: dict[str, Any]) -> Outcome:
        settings = self.settings
        hide: tuple[str, ...] = ()
        if isinstance(action, SendEmail):
            to = [self.users.address(r, record) for r in action.to]
            if None in to:
                return Outcome("failed", 0, f"no e-mail address for {list(action.to)}")
            addresses = [a for a in to if a]

            def send() -> None:
                body = merge(action.body, record)
                send_email(settings.smtp, addresses, merge(action.subject, record), body)
        else:
            env = action.url_env or settings.slack_webhook_env
            if env is None:
                return Outcome("failed", 0, "no `url_env` and no automate.slack_webhook_env")
            try:
                url = secret(env, "webhook URL")
            except AutomateError as exc:
                return Outcome("failed", 0, str(exc))
            hide = (url,)
            payload: dict[str, Any]
            if isinstance(action, PostSlack):
                payload = {"text": merge(action.text, record)}
            else:
                payload = {"workflow": self.workflow.name, "run_id": self.run_id,
                           "entity": self.workflow.entity, "record": record}  # fmt: skip

            def send() -> None:
                post_json(url, payload)

        return with_retries(send, attempts=settings.retries, backoff=settings.backoff_seconds,
                            sleep=self.sleep, hide=hide)  # fmt: skip

    def flush(self, warehouse: Warehouse) -> None:
        """Write the run's revops-side changes with their before-images."""
        if self.to_route:
            self._assign()
        for name, records in self.to_enrol.items():
            self._enrol(name, records)
        if self.fields:
            self._field_changes(warehouse)
        for task in self.tasks:
            self.changes.append({"run_id": self.run_id, "table_name": "automate.task",
                                 "entity": task["entity"], "record_id": task["record_id"],
                                 "field": "task", "before": None,
                                 "after": f"{task['title']} ({task['user_name']})"})  # fmt: skip
        store.append(warehouse, {store.TASK: self.tasks, store.FIELD_VALUE: self.fields})

    def _enrol(self, name: str, records: list[dict[str, Any]]) -> None:
        ids = [str(r["record_id"]) for r in records]
        made = {e["lead_id"] for e in self.sequences().enrol(name, ids, at=self.at,
                                                            run_id=self.run_id)}  # fmt: skip
        for record in records:
            lead_id = str(record["record_id"])
            enrolled = lead_id in made
            self.actions.append({"run_id": self.run_id, "workflow": self.workflow.name,
                                 "entity": self.workflow.entity, "record_id": lead_id,
                                 "record_name": record.get("name"), "action": "start_sequence",
                                 "target": name, "detail": "enrolled" if enrolled else
                                 "skipped: enrolled already or unsubscribed",
                                 "status": "done", "attempts": 1, "error": "",
                                 "reversible": True, "at": self.at})  # fmt: skip
            if enrolled:
                self.changes.append({"run_id": self.run_id, "table_name": "automate.enrollment",
                                     "entity": self.workflow.entity, "record_id": lead_id,
                                     "field": "sequence",
                                     "before": None, "after": name})  # fmt: skip

    def _field_changes(self, warehouse: Warehouse) -> None:
        by_field: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in self.fields:
            by_field.setdefault((row["entity"], row["field"]), []).append(row)
        for (entity, name), rows in by_field.items():
            before: dict[str, str] = {}
            current = store.latest_fields(warehouse, entity, name)
            if current is not None:
                ids = [r["record_id"] for r in rows]
                found = current.filter(current.f_record_id.isin(ids)).to_pyarrow().to_pylist()
                before = {r["f_record_id"]: r["f_value"] for r in found}
            for row in rows:
                self.changes.append({"run_id": self.run_id, "table_name": "automate.field_value",
                                     "entity": entity, "record_id": row["record_id"],
                                     "field": name, "before": before.get(row["record_id"]),
                                     "after": row["value"]})  # fmt: skip

    def _assign(self) -> None:
        routing = self.routing()
        counters = routing.counters()
        ids = [str(r["record_id"]) for r in self.to_route]
        plan = routing.assign(ids, self.run_id, at=self.at)
        decided = {d.lead.lead_id: d for d in plan.decisions}
        for record in self.to_route:
            lead_id = str(record["record_id"])
            decision = decided.get(lead_id)
            row = {"run_id": self.run_id, "workflow": self.workflow.name, "entity": "lead",
                   "record_id": lead_id, "record_name": record.get("name"),
                   "action": "assign_owner", "status": "done", "attempts": 1, "error": "",
                   "reversible": True, "at": self.at}  # fmt: skip
            if decision is None:
                row.update(target="", detail="", status="failed", error="not an open lead")
            else:
                owner = decision.owner_id
                who = owner or decision.queue
                row.update(
                    target=f"{self.users.name(owner) or decision.queue} ({who})",
                    detail=f"by rule {decision.rule}",
                )
                self.changes.append({"run_id": self.run_id, "table_name": "routing.assignment",
                                     "entity": "lead", "record_id": lead_id, "field": "owner_id",
                                     "before": decision.lead.previous_owner_id,
                                     "after": owner or f"queue:{decision.queue}"})  # fmt: skip
            self.actions.append(row)
        self.changes.append({"run_id": self.run_id, "table_name": "routing.pool_state",
                             "entity": "", "record_id": "", "field": "counters",
                             "before": json.dumps(counters, sort_keys=True),
                             "after": None})  # fmt: skip
