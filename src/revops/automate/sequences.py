"""Follow-up sequences (`sequences/<name>.yaml`): steps sent to a lead one after the other
— an e-mail from a template with merge fields, a wait of N business days, a task — until
the lead replies, books a meeting or changes status, or unsubscribes.

A lead is enrolled by hand (`revops automate enroll`) or by a workflow's `start_sequence`
action. `revops automate advance` (or the scheduler's `sequences` job) stops enrollments
whose lead replied (an inbound e-mail activity), met (a meeting or demo activity) or moved
to another status since enrolment, or whose address unsubscribed, then runs every step that
is due. Every step is an event of `automate.sequence_event`; the per-sequence KPIs count
them in the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from revops.automate import store
from revops.automate.actions import Users, add_business_days, merge
from revops.automate.senders import Outcome, send_email, with_retries
from revops.automate.triggers import record_name
from revops.definitions import read_definitions
from revops.errors import AutomateError, ConfigError

if TYPE_CHECKING:
    from revops.config import AutomateSettings
    from revops.warehouse import Warehouse

FOLDER = "sequences"
_KPI_NAMES = {
    ("stopped", "reply"): "replied",
    ("stopped", "meeting"): "meetings",
    ("stopped", "status_change"): "status_changes",
    ("stopped", "unsubscribed"): "opted_out",
    ("completed", "done"): "completed",
    ("email", "done"): "emails_sent",
}
"""Which events (kind, status) each KPI counts."""
ENDED = ("completed", "stopped")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EmailStep(_Frozen):
    """An e-mail to the lead, from a template with merge fields ({first_name}, {company})."""

    kind: Literal["email"]
    subject: str = Field(min_length=1, description="Subject; merge fields as {first_name}.")
    body: str = Field(min_length=1, description="Plain-text body; merge fields as {company}.")


class WaitStep(_Frozen):
    """Wait this many business days (Monday to Friday) before the next step."""

    kind: Literal["wait"]
    business_days: int = Field(ge=1, le=60, description="Business days to wait.")


class TaskStep(_Frozen):
    """A task for a user (`owner`: the lead's owner) about the lead."""

    kind: Literal["task"]
    user: str = Field(default="owner", description="`owner`, a user id or an e-mail.")
    title: str = Field(min_length=1, description="Title; merge fields as {name}.")


Step = Annotated[EmailStep | WaitStep | TaskStep, Field(discriminator="kind")]
StopOn = Literal["reply", "meeting", "status_change"]


class Sequence(_Frozen):
    """The whole of one `sequences/<name>.yaml`."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9_\-]+$", description="Unique name.")
    description: str = Field(default="", description="What it is for.")
    steps: tuple[Step, ...] = Field(min_length=1, description="The steps, in order.")
    stop_on: tuple[StopOn, ...] = Field(
        default=("reply", "meeting", "status_change"),
        description="What ends an enrolment early: an inbound e-mail, a meeting, a new status.",
    )


def read_sequences(root: Path) -> dict[str, Sequence]:
    """Every sequence of the workspace by name.

    Raises:
        ConfigError: a file that does not validate, or two sequences with one name.
    """
    found: dict[str, Sequence] = {}
    folder = root / FOLDER
    files = sorted(folder.glob("*.y*ml")) if folder.is_dir() else []
    for path in files:
        sequence = read_definitions(path, Sequence, "a mapping with `name:` and `steps:`")
        if sequence.name in found:
            raise ConfigError(path, "name", f"{sequence.name!r} names another sequence too")
        found[sequence.name] = sequence
    return found


@dataclass
class Sequences:
    """Enrol leads, advance enrolments, count each sequence's outcomes."""

    root: Path
    warehouse: Callable[[], Warehouse]
    users: Callable[[], Users]
    settings: AutomateSettings
    sleep: Callable[[float], None]

    def definitions(self) -> dict[str, Sequence]:
        """The sequences of `sequences/*.yaml`."""
        return read_sequences(self.root)

    def enrol(
        self, name: str, lead_ids: list[str], *, at: datetime | None = None, run_id: str = ""
    ) -> list[dict[str, Any]]:
        """Enrol leads in sequence `name` (those already in it, or unsubscribed, are
        skipped); returns the enrolments made.

        Raises:
            AutomateError: no such sequence, or no such lead.
        """
        from revops.warehouse.batch import new_load_id

        if name not in self.definitions():
            raise AutomateError(f"no sequence {name!r} in {FOLDER}/")
        moment = at or datetime.now(UTC)
        people = self._people(lead_ids)
        missing = sorted(set(lead_ids) - set(people))
        if missing:
            raise AutomateError(f"no lead or contact {', '.join(missing)}")
        active = {r["lead_id"] for r in self._active(name)}
        opted_out = self._unsubscribed()
        rows = [
            {"enrollment_id": new_load_id(), "sequence": name, "lead_id": person_id,
             "entity": entity, "lead_name": record_name(entity, person),
             "email": person.get("email"), "status_at_start": person.get("status"),
             "run_id": run_id, "enrolled_at": moment}
            for person_id, (entity, person) in people.items()
            if person_id not in active
            and (person.get("email") or "").casefold() not in opted_out
        ]  # fmt: skip
        store.append(self.warehouse(), {store.ENROLLMENT: rows})
        return rows

    def unsubscribe(self, email: str, *, at: datetime | None = None, source: str = "cli") -> None:
        """Record that `email` wants no more sequence e-mails."""
        row = {"email": email.casefold(), "at": at or datetime.now(UTC), "source": source}
        store.append(self.warehouse(), {store.UNSUBSCRIBE: [row]})

    def advance(self, *, at: datetime | None = None) -> list[dict[str, Any]]:
        """Stop the enrolments that should stop, then run every step that is due; returns
        the events recorded."""
        moment = at or datetime.now(UTC)
        events: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        users = self.users()
        for name, sequence in self.definitions().items():
            active = self._active(name)
            if not active:
                continue
            people = self._people([r["lead_id"] for r in active])
            signals = self._signals(active)
            opted_out = self._unsubscribed()
            for enrolment in active:
                found = people.get(enrolment["lead_id"], ("lead", {}))[1]
                lead = {**found, "name": enrolment["lead_name"]}
                reason = _stop_reason(sequence, enrolment, lead, signals, opted_out)
                if reason is not None:
                    events.append(_event(enrolment, None, "stopped", reason, moment))
                    continue
                events += self._steps(sequence, enrolment, lead, users, moment, tasks)
        store.append(self.warehouse(), {store.SEQUENCE_EVENT: events, store.TASK: tasks})
        return events

    def _steps(
        self,
        sequence: Sequence,
        enrolment: dict[str, Any],
        lead: dict[str, Any],
        users: Users,
        moment: datetime,
        tasks: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        events = []
        position = enrolment["steps_done"]
        waiting = enrolment["waiting_until"]
        if waiting is not None and waiting > moment:
            return []
        while position < len(sequence.steps):
            step = sequence.steps[position]
            if isinstance(step, WaitStep):
                until = add_business_days(moment.date(), step.business_days)
                due = datetime(until.year, until.month, until.day, moment.hour, moment.minute,
                               tzinfo=UTC)  # fmt: skip
                events.append(_event(enrolment, position, "wait", "done", moment, due))
                return events
            if isinstance(step, EmailStep):
                address = lead.get("email")
                subject, body = merge(step.subject, lead), merge(step.body, lead)

                def send(to: str = str(address), s: str = subject, b: str = body) -> None:
                    send_email(self.settings.smtp, [to], s, b)

                if address:
                    settings = self.settings
                    outcome = with_retries(
                        send, attempts=settings.retries, backoff=settings.backoff_seconds,
                        sleep=self.sleep,
                    )  # fmt: skip
                else:
                    outcome = Outcome("failed", 0, "the person has no e-mail address")
                status = "done" if outcome.status == "sent" else "failed"
                events.append(_event(enrolment, position, "email", status, moment,
                                     detail=outcome.error or subject))  # fmt: skip
                if status == "failed":
                    return events  # tried again at the next advance
            else:
                uid = users.resolve(step.user, lead)
                title = merge(step.title, lead)
                if uid is None:
                    events.append(_event(enrolment, position, "task", "failed", moment,
                                         detail=f"no user {step.user!r}"))  # fmt: skip
                    return events
                tasks.append(_task(enrolment, uid, users.name(uid), title, moment))
                events.append(_event(enrolment, position, "task", "done", moment, detail=title))
            position += 1
        events.append(_event(enrolment, None, "completed", "done", moment))
        return events

    def kpis(self) -> list[dict[str, Any]]:
        """Per sequence: enrolled, active, completed, replied, meetings, status changes,
        opted out, e-mails sent (counted in the warehouse)."""
        warehouse = self.warehouse()
        enrolled = store.stored(warehouse, store.ENROLLMENT)
        names = sorted(self.definitions())
        counts: dict[str, dict[str, Any]] = {
            n: {"sequence": n, "enrolled": 0, "active": 0, "completed": 0, "replied": 0,
                "meetings": 0, "status_changes": 0, "opted_out": 0, "emails_sent": 0}
            for n in names
        }  # fmt: skip
        if enrolled is not None:
            for row in (
                enrolled.group_by("sequence").aggregate(n=enrolled.count()).to_pyarrow().to_pylist()
            ):
                counts.setdefault(row["sequence"], {"sequence": row["sequence"]})["enrolled"] = row[
                    "n"
                ]
        events = store.stored(warehouse, store.SEQUENCE_EVENT)
        if events is not None:
            done = events.filter(events.status != "failed")
            grouped = done.group_by(["sequence", "kind", "status"]).aggregate(n=done.count())
            names_of = _KPI_NAMES
            for row in grouped.to_pyarrow().to_pylist():
                key = names_of.get((row["kind"], row["status"]))
                if key is not None and row["sequence"] in counts:
                    counts[row["sequence"]][key] = row["n"]
        for row in counts.values():
            ended = sum(row.get(k, 0) for k in ("completed", "replied", "meetings",
                                                 "status_changes", "opted_out"))  # fmt: skip
            row["active"] = row.get("enrolled", 0) - ended
        return list(counts.values())

    def enrolments(self, name: str | None = None) -> list[dict[str, Any]]:
        """Active enrolments (of sequence `name`), with their next step."""
        names = [name] if name else sorted(self.definitions())
        return [r for n in names for r in self._active(n)]

    # -- reading -------------------------------------------------------------------------

    def _active(self, name: str) -> list[dict[str, Any]]:
        """Enrolments of `name` not ended, each with `steps_done` and `waiting_until`."""
        warehouse = self.warehouse()
        enrolled = store.stored(warehouse, store.ENROLLMENT)
        if enrolled is None:
            return []
        enrolled = enrolled.filter(enrolled.sequence == name)
        events = store.stored(warehouse, store.SEQUENCE_EVENT)
        if events is None:
            rows: list[dict[str, Any]] = enrolled.to_pyarrow().to_pylist()
            return [{**r, "steps_done": 0, "waiting_until": None} for r in rows]
        mine = events.filter(events.sequence == name)
        ended = mine.filter(mine.kind.isin(list(ENDED))).select(e_id=mine.enrollment_id)
        progress = (
            mine.filter(mine.status == "done")
            .group_by(p_id=mine.enrollment_id)
            .aggregate(steps_done=(mine.step.notnull()).sum(), waiting_until=mine.due_at.max())
        )
        open_ = enrolled.anti_join(ended, enrolled.enrollment_id == ended.e_id)
        joined = open_.left_join(progress, open_.enrollment_id == progress.p_id).drop("p_id")
        rows = joined.order_by("enrolled_at").to_pyarrow().to_pylist()
        for row in rows:
            row["steps_done"] = int(row["steps_done"] or 0)
        return rows

    def _people(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Each id's record and entity: a lead, else a contact (whose lifecycle stage is
        its `status`, the one a status change stops a sequence on)."""
        leads = self.warehouse().table("lead", "core")
        found = {
            str(r["lead_id"]): ("lead", r)
            for r in leads.filter(leads.lead_id.isin(ids)).to_pyarrow().to_pylist()
        }
        rest = [i for i in ids if i not in found]
        if rest:
            contacts = self.warehouse().table("contact", "core")
            for row in contacts.filter(contacts.contact_id.isin(rest)).to_pyarrow().to_pylist():
                found[str(row["contact_id"])] = ("contact", {**row, "status": row.get(
                    "lifecycle_stage")})  # fmt: skip
        return found

    def _signals(self, enrolments: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Per enrolled person: the last inbound e-mail and the last meeting (or demo),
        from the activities logged on the lead or the contact."""
        activity = self.warehouse().table("activity", "core")
        found: dict[str, dict[str, Any]] = {}
        for entity in ("lead", "contact"):
            ids = [e["lead_id"] for e in enrolments if (e.get("entity") or "lead") == entity]
            if not ids:
                continue
            key = f"{entity}_id"
            mine = activity.filter(activity[key].isin(ids))
            kind = mine.type.lower()
            reply = (kind == "email") & (mine.direction.lower() == "inbound")
            meeting = kind.isin(["meeting", "demo"])
            grouped = mine.group_by(key).aggregate(
                reply=reply.ifelse(mine.occurred_at, None).max(),
                meeting=meeting.ifelse(mine.occurred_at, None).max(),
            )
            found.update({str(r[key]): r for r in grouped.to_pyarrow().to_pylist()})
        return found

    def _unsubscribed(self) -> set[str]:
        table = store.stored(self.warehouse(), store.UNSUBSCRIBE)
        if table is None:
            return set()
        return {str(r["email"]) for r in table.select("email").distinct().to_pyarrow().to_pylist()}


def _stop_reason(
    sequence: Sequence,
    enrolment: dict[str, Any],
    lead: dict[str, Any],
    signals: dict[str, dict[str, Any]],
    opted_out: set[str],
) -> str | None:
    if (enrolment.get("email") or "").casefold() in opted_out:
        return "unsubscribed"
    since = enrolment["enrolled_at"]
    seen = signals.get(enrolment["lead_id"], {})
    if "reply" in sequence.stop_on and seen.get("reply") is not None and seen["reply"] >= since:
        return "reply"
    if (
        "meeting" in sequence.stop_on
        and seen.get("meeting") is not None
        and seen["meeting"] >= since
    ):
        return "meeting"
    if "status_change" in sequence.stop_on and lead.get("status") != enrolment["status_at_start"]:
        return "status_change"
    return None


def _event(
    enrolment: dict[str, Any],
    step: int | None,
    kind: str,
    status: str,
    at: datetime,
    due: datetime | None = None,
    detail: str = "",
) -> dict[str, Any]:
    return {"enrollment_id": enrolment["enrollment_id"], "sequence": enrolment["sequence"],
            "lead_id": enrolment["lead_id"], "step": step, "kind": kind, "status": status,
            "detail": detail, "at": at, "due_at": due}  # fmt: skip


def _task(
    enrolment: dict[str, Any], uid: str, user: str | None, title: str, at: datetime
) -> dict[str, Any]:
    from revops.warehouse.batch import new_load_id

    day: date = at.date()
    return {"task_id": new_load_id(), "run_id": f"sequence:{enrolment['enrollment_id']}",
            "workflow": f"sequence:{enrolment['sequence']}", "user_id": uid, "user_name": user,
            "title": title, "entity": enrolment.get("entity") or "lead",
            "record_id": enrolment["lead_id"],
            "record_name": enrolment["lead_name"], "due_date": day, "created_at": at}  # fmt: skip
