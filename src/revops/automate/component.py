"""`ws.automate`: workflows as code planned before they are applied, runs undone exactly,
and subscriptions delivered to users within their rows."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.automate import store
from revops.automate.actions import Executor, Users, describe
from revops.automate.deliveries import Digest, PackMail, PackMaker, digest
from revops.automate.loader import read_deliveries, read_workflows
from revops.automate.senders import Outcome, post_json, secret, send_email, with_retries
from revops.automate.sequences import Sequences
from revops.automate.triggers import TICK, Fired, fire
from revops.automate.workflow import REVERSIBLE, AssignOwner, Subscription, Workflow
from revops.errors import AutomateError, RevOpsError

if TYPE_CHECKING:
    from revops.config import RevOpsConfig
    from revops.metrics import Metrics
    from revops.metrics.scope import Scope
    from revops.routing import Routing
    from revops.warehouse import Warehouse

ScopeOf = Callable[[str], "Scope | None"]
"""A cockpit user's row scope from their e-mail (None: no such user)."""


@dataclass(frozen=True)
class WorkflowPlan:
    """What one enabled workflow would do now."""

    workflow: Workflow
    file: Path
    fired: Fired
    steps: list[dict[str, Any]]


@dataclass(frozen=True)
class RunResult:
    """One workflow's (or subscription's) run: its log row and its actions."""

    run: dict[str, Any]
    actions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class UndoResult:
    """What an undo restored, and what it could not take back (messages sent)."""

    run_id: str
    restored: list[dict[str, Any]]
    not_reversible: list[dict[str, Any]]


def trigger_text(workflow: Workflow) -> str:
    """The trigger in a few words."""
    t = workflow.trigger
    if t.kind == "record":
        what = {"created": "created", "changed": f"{t.field} changed",
                "below": f"{t.field} below {t.value}"}[t.event]  # fmt: skip
        to = f" to {', '.join(t.to)}" if t.to else ""
        return f"{t.entity} {what}{to}"
    if t.kind == "lifecycle":
        return f"lead entered {t.stage}"
    if t.kind == "schedule":
        return f"every `{t.cron}`" + (f" on {t.entity}" if t.entity else "")
    side = f"below {t.below}" if t.below is not None else f"above {t.above}"
    return f"{t.metric} {side}" + (f" for {t.scope.user}" if t.scope else "")


class Automate:
    """Workflows, their runs and undo, and deliveries of metrics to users."""

    def __init__(
        self,
        root: Path,
        config: RevOpsConfig,
        warehouse: Callable[[], Warehouse],
        metrics: Callable[[], Metrics],
        routing: Callable[[], Routing],
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.root = root
        self.config = config
        self._warehouse = warehouse
        self._metrics = metrics
        self._routing = routing
        self.sleep = sleep

    @property
    def warehouse(self) -> Warehouse:
        return self._warehouse()

    @property
    def sequences(self) -> Sequences:
        """Follow-up sequences: enrol, advance, unsubscribe, KPIs."""
        return Sequences(self.root, self._warehouse, self.users, self.settings, self.sleep)

    @property
    def settings(self) -> Any:
        """The `automate:` section of revops.yaml."""
        return self.config.automate

    # -- workflows ---------------------------------------------------------------------

    def workflows(self) -> list[tuple[Path, Workflow]]:
        """Every workflow of `automations/*.yaml`, validated.

        Raises:
            ConfigError: names the file and key of the first problem.
        """
        return read_workflows(self.root)

    def workflow_rows(self) -> list[dict[str, Any]]:
        """One row per workflow with its last run, for the CLI, API and page."""
        last = {r["workflow"]: r for r in reversed(self.runs(limit=1000))}
        rows = []
        for path, wf in self.workflows():
            run = last.get(wf.name, {})
            rows.append({"name": wf.name, "description": wf.description, "enabled": wf.enabled,
                         "trigger": trigger_text(wf), "when": wf.when,
                         "actions": ", ".join(a.kind for a in wf.actions), "file": path.name,
                         "last_run_id": run.get("run_id"), "last_run_at": run.get("started_at"),
                         "last_status": run.get("status")})  # fmt: skip
        return rows

    def users(self) -> Users:
        """The CRM users (names and e-mails beside ids)."""
        people = {uid: (name, email) for uid, name, email, _ in self._metrics().crm_users()}
        return Users(people)

    def plan(self, *, at: datetime | None = None, names: Sequence[str] = ()) -> list[WorkflowPlan]:
        """For each enabled workflow (of `names` when given), the records its trigger fires
        for now and the actions it would take on each; nothing is written or sent."""
        moment = at or datetime.now(UTC)
        users = self.users()
        plans = []
        for path, wf in self._chosen(names):
            fired = fire(wf, self.warehouse, self._metrics, moment)
            steps = []
            routed = {}
            if any(isinstance(a, AssignOwner) for a in wf.actions) and fired.records:
                decisions = self._routing().decide([str(r["record_id"]) for r in fired.records],
                                                   at=moment).decisions  # fmt: skip
                routed = {d.lead.lead_id: d for d in decisions}
            for record in fired.records:
                for action in wf.actions:
                    target, detail = describe(action, record, users)
                    if isinstance(action, AssignOwner):
                        d = routed.get(str(record["record_id"]))
                        owner = d.owner_id if d else None
                        target = f"{users.name(owner) or (d.queue if d else '?')} ({owner or ''})"
                        detail = f"by rule {d.rule}" if d else "not an open lead"
                    steps.append({"workflow": wf.name, "record_id": record["record_id"],
                                  "record": record.get("name"), "action": action.kind,
                                  "target": target, "detail": detail,
                                  "reversible": action.kind in REVERSIBLE})  # fmt: skip
            plans.append(WorkflowPlan(wf, path, fired, steps))
        return plans

    def _chosen(self, names: Sequence[str]) -> list[tuple[Path, Workflow]]:
        found = self.workflows()
        known = {wf.name for _, wf in found}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise AutomateError(
                f"no workflow {', '.join(unknown)}; known: {', '.join(sorted(known)) or 'none'}"
            )
        return [(p, wf) for p, wf in found if wf.enabled and (not names or wf.name in names)]

    def apply(self, *, at: datetime | None = None, names: Sequence[str] = ()) -> list[RunResult]:
        """Run each enabled workflow: act on the records its trigger fires for, log the
        run, its actions and the before-image of every revops-side change."""
        from revops.warehouse.batch import new_load_id

        moment = at or datetime.now(UTC)
        users = self.users()
        results = []
        for _, wf in self._chosen(names):
            run_id = new_load_id()
            started = datetime.now(UTC)
            try:
                fired = fire(wf, self.warehouse, self._metrics, moment)
            except RevOpsError as exc:  # this workflow cannot run: the others still do
                run = {"run_id": run_id, "workflow": wf.name, "trigger": trigger_text(wf),
                       "kind": "workflow", "started_at": started,
                       "finished_at": datetime.now(UTC), "records": 0, "actions": 0,
                       "failed": 0, "status": "failed", "error": str(exc)}  # fmt: skip
                store.append(self.warehouse, {store.RUN: [run]})
                results.append(RunResult(run))
                continue
            executor = Executor(wf, run_id, moment, users, self.settings, self._routing,
                                self.sleep, lambda: self.sequences)  # fmt: skip
            for record in fired.records:
                for action in wf.actions:
                    executor.run(action, _plain(record))
            executor.flush(self.warehouse)
            failed = sum(1 for a in executor.actions if a["status"] == "failed")
            status = "baseline" if fired.baseline else (
                "nothing" if not fired.records else "failed" if failed == len(executor.actions)
                else "partial" if failed else "ok")  # fmt: skip
            run = {"run_id": run_id, "workflow": wf.name, "trigger": trigger_text(wf),
                   "kind": "workflow", "started_at": started, "finished_at": datetime.now(UTC),
                   "records": len(fired.records), "actions": len(executor.actions),
                   "failed": failed, "status": status, "error": ""}  # fmt: skip
            states = [{**s, "workflow": wf.name, "run_id": run_id, "observed_at": moment}
                      for s in fired.states]  # fmt: skip
            written = {store.ACTION: executor.actions, store.CHANGE: executor.changes,
                       store.TRIGGER_STATE: states, store.RUN: [run]}  # fmt: skip
            store.append(self.warehouse, written)
            results.append(RunResult(run, executor.actions))
        return results

    def assign_tasks(
        self,
        name: str,
        trigger: str,
        entity: str,
        records: Sequence[dict[str, Any]],
        title: str,
        *,
        due_days: int = 2,
        at: datetime | None = None,
    ) -> RunResult:
        """One task per record for its owner, as a run named `name` (logged like a
        workflow's, undone by :meth:`undo`): what `revops quality assign` makes of the
        records failing a rule. `records` hold record_id, name and owner_id; `title` may
        name `{name}`. A record without an owner, or with a task of `name` already (from a
        run not undone), gets none: the run's actions say so.
        """
        from revops.automate.actions import add_business_days
        from revops.warehouse.batch import new_load_id

        moment = at or datetime.now(UTC)
        run_id = new_load_id()
        users = self.users()
        held = self._tasked(name, [str(r["record_id"]) for r in records])
        tasks, changes, actions = [], [], []
        for record in records:
            record_id, owner = str(record["record_id"]), record.get("owner_id")
            label = str(record.get("name") or record_id)
            action = {"run_id": run_id, "workflow": name, "entity": entity,
                      "record_id": record_id, "record_name": label, "action": "create_task",
                      "target": owner or "", "detail": "", "status": "ok", "attempts": 1,
                      "error": "", "reversible": True, "at": moment}  # fmt: skip
            if not owner:
                action.update(status="skipped", attempts=0, error="the record has no owner")
            elif record_id in held:
                action.update(status="skipped", attempts=0, error="assigned already")
            else:
                text = title.replace("{name}", label)
                task = {"task_id": new_load_id(), "run_id": run_id, "workflow": name,
                        "user_id": owner, "user_name": users.name(owner), "title": text,
                        "entity": entity, "record_id": record_id, "record_name": label,
                        "due_date": add_business_days(moment.date(), due_days),
                        "created_at": moment}  # fmt: skip
                tasks.append(task)
                after = f"{text} ({task['user_name']})"
                changes.append({"run_id": run_id, "table_name": "automate.task",
                                "entity": entity, "record_id": record_id, "field": "task",
                                "before": None, "after": after})  # fmt: skip
                action["detail"] = text
            actions.append(action)
        run = {"run_id": run_id, "workflow": name, "trigger": trigger, "kind": "assignment",
               "started_at": moment, "finished_at": datetime.now(UTC), "records": len(records),
               "actions": len(actions), "failed": 0,
               "status": "ok" if tasks else "nothing", "error": ""}  # fmt: skip
        store.append(self.warehouse, {store.TASK: tasks, store.CHANGE: changes,
                                      store.ACTION: actions, store.RUN: [run]})  # fmt: skip
        return RunResult(run, actions)

    def _tasked(self, name: str, record_ids: list[str]) -> set[str]:
        """Which of `record_ids` hold a task of run name `name` (from a run not undone)."""
        table = store.stored(self.warehouse, store.TASK)
        if table is None or not record_ids:
            return set()
        mine = table.filter((table.workflow == name) & table.record_id.isin(record_ids))
        found = mine.select("record_id").distinct().to_pyarrow().column("record_id")
        return {str(v) for v in found.to_pylist()}

    # -- runs and undo -------------------------------------------------------------------

    def runs(self, limit: int = 100) -> list[dict[str, Any]]:
        """Runs, newest first, each with `undone_at` when it was undone."""
        table = store.stored(self.warehouse, store.RUN)
        if table is None:
            return []
        ordered = table.order_by([table.started_at.desc(), table.run_id.desc()]).limit(limit)
        rows: list[dict[str, Any]] = ordered.to_pyarrow().to_pylist()
        undone = {
            u["run_id"]: u["undone_at"] for u in store.rows(self.warehouse, store.UNDO, 10_000)
        }
        for row in rows:
            row["undone_at"] = undone.get(row["run_id"])
        return rows

    def run(self, run_id: str) -> RunResult:
        """One run with its actions.

        Raises:
            AutomateError: no such run.
        """
        found = store.rows(self.warehouse, store.RUN, 1, run_id=run_id)
        if not found:
            raise AutomateError(f"no automation run {run_id!r} (see `revops automate runs`)")
        actions = store.rows(self.warehouse, store.ACTION, 100_000, run_id=run_id)
        return RunResult(found[0], actions)

    def changes(self, run_id: str) -> list[dict[str, Any]]:
        """The before- and after-images of a run's revops-side changes, each with the name
        of its record."""
        rows = store.rows(self.warehouse, store.CHANGE, 100_000, run_id=run_id)
        actions = store.rows(self.warehouse, store.ACTION, 100_000, run_id=run_id)
        names = {a["record_id"]: a["record_name"] for a in actions}
        return [{**r, "record_name": names.get(r["record_id"])} for r in rows]

    def undo(self, run_id: str, *, by: str = "cli") -> UndoResult:
        """Reverse every revops-side change of run `run_id`: its tasks, the fields it set
        (each back to its value before), the owners it assigned (and the pools' counters).
        Messages it sent cannot be taken back: they are listed.

        Raises:
            AutomateError: no such run, or it was undone already.
        """
        result = self.run(run_id)
        if store.rows(self.warehouse, store.UNDO, 1, run_id=run_id):
            raise AutomateError(f"run {run_id} was undone already")
        changes = self.changes(run_id)
        tables = {c["table_name"] for c in changes}
        if "routing.assignment" in tables:
            counters = next(c for c in changes if c["table_name"] == "routing.pool_state")
            self._routing().unassign(run_id, json.loads(counters["before"]))
        for name in (store.TASK, store.FIELD_VALUE, store.ENROLLMENT):
            if f"automate.{name}" in tables:
                store.delete_run(self.warehouse, name, store.NAMESPACE, run_id)
        restored = [c for c in changes if c["table_name"] != "routing.pool_state"]
        store.append(
            self.warehouse,
            {
                store.UNDO: [
                    {
                        "run_id": run_id,
                        "undone_at": datetime.now(UTC),
                        "undone_by": by,
                        "restored": len(restored),
                    }
                ]
            },
        )
        kept = [a for a in result.actions if not a["reversible"] and a["status"] != "failed"]
        return UndoResult(run_id, restored, kept)

    def tasks(
        self, user_ids: frozenset[str] | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        """Open tasks workflows created, newest first (of `user_ids` when given)."""
        table = store.stored(self.warehouse, store.TASK)
        if table is None:
            return []
        if user_ids is not None:
            table = table.filter(table.user_id.isin(sorted(user_ids)))
        rows: list[dict[str, Any]] = (
            table.order_by([table.created_at.desc(), table.task_id])
            .limit(limit)
            .to_pyarrow()
            .to_pylist()
        )
        return rows

    def fields(self, entity: str, field_name: str) -> dict[str, str]:
        """The value revops holds of `field_name` for each record of `entity` it set."""
        table = store.latest_fields(self.warehouse, entity, field_name)
        if table is None:
            return {}
        return {r["f_record_id"]: r["f_value"] for r in table.to_pyarrow().to_pylist()}

    # -- subscriptions and deliveries ----------------------------------------------------

    def subscriptions(self, user: str | None = None) -> list[Subscription]:
        """Every subscription of `deliveries/*.yaml` (of the user with e-mail `user`)."""
        subs = [s for _, f in read_deliveries(self.root) for s in f.subscriptions]
        if user is not None:
            subs = [s for s in subs if s.user.casefold() == user.casefold()]
        return subs

    def digest(
        self, subscription: Subscription, scope: Scope, *, at: datetime | None = None
    ) -> Digest:
        """The message of `subscription` for the rows of `scope`, as of `at`."""
        moment = at or datetime.now(UTC)
        return digest(subscription, self._metrics(), scope, moment.date(), self.settings.base_url)

    def deliver(
        self,
        scope_of: ScopeOf,
        *,
        at: datetime | None = None,
        names: Sequence[str] = (),
        force: bool = False,
        pack_of: PackMaker | None = None,
    ) -> list[RunResult]:
        """Send each subscription that is due at `at`: a delivery whose schedule ticked
        since its last one (its first run records the tick), an alert whose first metric
        crossed its threshold; with `force`, every one chosen now. Each is logged as a run.
        A subscription of a meeting pack is built by `pack_of` (without it, it fails).

        Raises:
            AutomateError: an unknown subscription.
        """
        from croniter import croniter

        from revops.warehouse.batch import new_load_id

        moment = at or datetime.now(UTC)
        subs = self.subscriptions()
        unknown = set(names) - {s.name for s in subs}
        if unknown:
            raise AutomateError(f"no subscription {', '.join(sorted(unknown))}")
        results = []
        for sub in subs:
            if names and sub.name not in names:
                continue
            key = f"subscription:{sub.name}"
            previous = store.latest_state(self.warehouse, key)
            last = (
                {}
                if previous is None
                else {r["s_record_id"]: r["s_state"] for r in previous.to_pyarrow().to_pylist()}
            )
            scope = scope_of(sub.user)
            run_id = new_load_id()
            started = datetime.now(UTC)
            states: list[dict[str, Any]] = []
            due = force
            message: Digest | PackMail | None = None
            outcome = Outcome("failed", 0, "")
            if scope is None:
                error = f"no active cockpit user {sub.user}"
                outcome = Outcome("failed", 0, error)
                due = True
            elif sub.cron is not None:
                tick = croniter(sub.cron, moment).get_prev(datetime).astimezone(UTC).isoformat()
                seen = last.get(TICK)
                due = due or (seen is not None and seen < tick)
                if seen != tick:
                    states.append({"record_id": TICK, "state": tick})
            else:
                message = self.digest(sub, scope, at=moment)
                value = message.values[0]["value"]
                alert = "below" if sub.below is not None else "above"
                side = "none" if value is None else (
                    ("below" if value < sub.below else "above") if sub.below is not None
                    else ("above" if value > (sub.above or 0) else "below"))  # fmt: skip
                due = due or (side == alert and last.get(message.window) != alert)
                if last.get(message.window) != side:
                    states.append({"record_id": message.window, "state": side})
            actions = []
            if due and scope is not None:
                if sub.pack is not None:
                    message, outcome = self._pack(sub, moment, pack_of)
                else:
                    message = message or self.digest(sub, scope, at=moment)
                    outcome = self._send_digest(sub, message)
            if due:
                actions.append({"run_id": run_id, "workflow": key, "entity": "",
                                "record_id": message.window if message else "",
                                "record_name": message.subject if message else sub.name,
                                "action": sub.channel, "target": sub.user,
                                "detail": message.text() if message else "",
                                "status": "done" if outcome.status == "sent" else "failed",
                                "attempts": outcome.attempts, "error": outcome.error,
                                "reversible": False, "at": moment})  # fmt: skip
            failed = sum(1 for a in actions if a["status"] == "failed")
            status = "failed" if failed else "ok" if actions else "nothing"
            run = {"run_id": run_id, "workflow": key, "trigger": sub.kind, "kind": "delivery",
                   "started_at": started, "finished_at": datetime.now(UTC), "records": len(actions),
                   "actions": len(actions), "failed": failed, "status": status,
                   "error": ""}  # fmt: skip
            rows = [{**s, "workflow": key, "run_id": run_id, "observed_at": moment} for s in states]
            store.append(self.warehouse, {store.ACTION: actions, store.TRIGGER_STATE: rows,
                                          store.RUN: [run]})  # fmt: skip
            results.append(RunResult(run, actions))
        return results

    def _pack(
        self, sub: Subscription, moment: datetime, pack_of: PackMaker | None
    ) -> tuple[PackMail | None, Outcome]:
        """The pack of `sub` built and sent, or why not."""
        if pack_of is None:
            return None, Outcome("failed", 0, "this caller cannot build meeting packs")
        try:
            mail = pack_of(sub, moment)
        except RevOpsError as exc:
            return None, Outcome("failed", 0, str(exc))
        return mail, self._send_digest(sub, mail)

    def _send_digest(self, sub: Subscription, message: Digest | PackMail) -> Outcome:
        settings = self.settings
        hide: tuple[str, ...] = ()
        if sub.channel == "email":
            pdf = (
                [(message.filename, message.pdf, "application/pdf")]
                if isinstance(message, PackMail)
                else []
            )
            images = message.charts if isinstance(message, Digest) else {}

            def send() -> None:
                send_email(
                    settings.smtp,
                    [sub.user],
                    message.subject,
                    message.text(),
                    message.html(),
                    images,
                    pdf,
                )
        else:
            env = sub.url_env or settings.slack_webhook_env
            if env is None:
                return Outcome("failed", 0, "no `url_env` and no automate.slack_webhook_env")
            try:
                url = secret(env, "webhook URL")
            except AutomateError as exc:
                return Outcome("failed", 0, str(exc))
            hide = (url,)
            body = {"text": message.text()} if sub.channel == "slack" else message.payload()

            def send() -> None:
                post_json(url, body)

        return with_retries(send, attempts=settings.retries, backoff=settings.backoff_seconds,
                            sleep=self.sleep, hide=hide)  # fmt: skip


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """A record with JSON-ready values (for webhooks and merge fields)."""
    from decimal import Decimal

    out = {}
    for key, value in record.items():
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out
