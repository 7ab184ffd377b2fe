"""A workflow file `automations/<name>.yaml` and a delivery file `deliveries/<name>.yaml`,
validated into frozen pydantic models; `revops automate schema` prints their JSON schema.

A workflow is a trigger (a record created or changed, a lifecycle stage entered, a field
below a value, a cron schedule, a metric crossing a threshold), an optional condition in
the metric filter language (``amount >= 10000 and type == 'new'``) and actions.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENTITIES = ("opportunity", "lead", "account", "contact")
Entity = Literal["opportunity", "lead", "account", "contact"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_cron(value: str) -> str:
    from croniter import croniter

    if not croniter.is_valid(value) or len(value.split()) != 5:
        raise ValueError(
            f"{value!r} is not a 5-field cron schedule (minute hour day month weekday)"
        )
    return value


class RecordTrigger(_Frozen):
    """A record of `entity` created, changed (a field to another value), or with a number
    field falling below a value, seen after an ingest."""

    kind: Literal["record"]
    entity: Entity = Field(description="The canonical entity watched.")
    event: Literal["created", "changed", "below"] = Field(
        description="created: a new record; changed: `field` took another value; below: "
        "`field` fell under `value`."
    )
    field: str | None = Field(default=None, description="The watched column (changed, below).")
    to: tuple[str, ...] = Field(
        default=(), description="changed: fire only when the new value is one of these."
    )
    value: float | None = Field(default=None, description="below: the threshold.")

    @model_validator(mode="after")
    def _complete(self) -> RecordTrigger:
        if self.event != "created" and self.field is None:
            raise ValueError(f"`event: {self.event}` needs `field`")
        if self.event == "below" and self.value is None:
            raise ValueError("`event: below` needs `value`")
        return self


class LifecycleTrigger(_Frozen):
    """A lead entered a lifecycle stage (``mql``), by the CRM or by `revops leads qualify`."""

    kind: Literal["lifecycle"]
    stage: str = Field(min_length=1, description="The lifecycle stage entered.")


class ScheduleTrigger(_Frozen):
    """A cron schedule (UTC); on each tick the workflow acts on every record of `entity`
    its condition holds for, or once when no entity is given."""

    kind: Literal["schedule"]
    cron: str = Field(description="Cron schedule: minute hour day month weekday (UTC).")
    entity: Entity | None = Field(default=None, description="The records acted on each tick.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _check_cron(value)


class MetricScope(_Frozen):
    """The rows a metric is computed on: one CRM user's (and their team's)."""

    user: str = Field(min_length=3, description="The CRM user's e-mail.")
    team: bool = Field(default=False, description="The user's whole manager hierarchy.")


class MetricTrigger(_Frozen):
    """A metric of the catalog crossing a threshold in a window."""

    kind: Literal["metric"]
    metric: str = Field(min_length=1, description="The metric's name.")
    window: str | None = Field(default=None, description="Window label; default this quarter.")
    below: float | None = Field(default=None, description="Fire when the value falls under.")
    above: float | None = Field(default=None, description="Fire when the value rises over.")
    scope: MetricScope | None = Field(default=None, description="Default: the whole company.")

    @model_validator(mode="after")
    def _one_threshold(self) -> MetricTrigger:
        if (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of `below` and `above`")
        return self


Trigger = Annotated[
    RecordTrigger | LifecycleTrigger | ScheduleTrigger | MetricTrigger,
    Field(discriminator="kind"),
]
TRIGGER_KINDS = ("record", "lifecycle", "schedule", "metric")


class AssignOwner(_Frozen):
    """Route the lead by `rules/routing.yaml` and record the assignment (leads only)."""

    kind: Literal["assign_owner"]


class CreateTask(_Frozen):
    """A task for a user, about the record."""

    kind: Literal["create_task"]
    user: str = Field(
        default="owner", description="`owner` (the record's owner), a user_id or an e-mail."
    )
    title: str = Field(min_length=1, description="Title; merge fields as {name}.")
    due_days: int = Field(default=1, ge=0, description="Due this many business days later.")


class SetField(_Frozen):
    """Set a field of the record in revops's own records (never the source system)."""

    kind: Literal["set_field"]
    field: str = Field(min_length=1, description="The field (a revops-side attribute).")
    value: str = Field(description="The value; merge fields as {stage}.")


class SendEmail(_Frozen):
    """An e-mail through the configured SMTP server."""

    kind: Literal["email"]
    to: tuple[str, ...] = Field(min_length=1, description="`owner`, user ids or e-mail addresses.")
    subject: str = Field(min_length=1, description="Subject; merge fields as {name}.")
    body: str = Field(min_length=1, description="Plain-text body; merge fields as {amount}.")


class PostWebhook(_Frozen):
    """POST the record as JSON to a URL held in an environment variable."""

    kind: Literal["webhook"]
    url_env: str = Field(min_length=1, description="Environment variable holding the URL.")


class PostSlack(_Frozen):
    """POST a Slack-format message (`{"text": ...}`) to an incoming-webhook URL."""

    kind: Literal["slack"]
    text: str = Field(min_length=1, description="The message; merge fields as {name}.")
    url_env: str | None = Field(
        default=None, description="Environment variable holding the URL; default the config's."
    )


class StartSequence(_Frozen):
    """Enrol the person (a lead or a contact) in a follow-up sequence of `sequences/`."""

    kind: Literal["start_sequence"]
    sequence: str = Field(min_length=1, description="The sequence's name.")


Action = Annotated[
    AssignOwner | CreateTask | SetField | SendEmail | PostWebhook | PostSlack | StartSequence,
    Field(discriminator="kind"),
]
ACTION_KINDS = (
    "assign_owner", "create_task", "set_field", "email", "webhook", "slack", "start_sequence",
)  # fmt: skip
REVERSIBLE = frozenset(("assign_owner", "create_task", "set_field", "start_sequence"))
"""Actions whose changes are revops's own rows, which `revops automate undo` restores."""


class Workflow(_Frozen):
    """The whole of one `automations/<name>.yaml`."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9_\-]+$", description="Unique name.")
    description: str = Field(default="", description="What it is for.")
    enabled: bool = Field(default=True, description="Disabled workflows are not planned.")
    trigger: Trigger = Field(description="What starts it.")
    when: str | None = Field(
        default=None,
        description="Condition on the record's columns, in the metric filter language.",
    )
    actions: tuple[Action, ...] = Field(min_length=1, description="What it does, in order.")

    @model_validator(mode="after")
    def _fits(self) -> Workflow:
        entity = getattr(self.trigger, "entity", None)
        if isinstance(self.trigger, LifecycleTrigger):
            entity = "lead"
        for action in self.actions:
            if isinstance(action, AssignOwner | StartSequence) and entity != "lead":
                raise ValueError(f"{action.kind} acts on leads: the trigger must watch leads")
            if isinstance(action, CreateTask | SetField) and entity is None:
                raise ValueError(f"{action.kind} needs records: the trigger names no entity")
        if self.when is not None and entity is None:
            raise ValueError("`when` tests a record: the trigger names no entity")
        return self

    @property
    def entity(self) -> str | None:
        """The entity of the records the workflow acts on, if any."""
        if isinstance(self.trigger, LifecycleTrigger):
            return "lead"
        return getattr(self.trigger, "entity", None)


class Subscription(_Frozen):
    """A user's scheduled delivery or alert of metrics."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9_\-]+$", description="Unique name.")
    user: str = Field(min_length=3, description="The cockpit user's e-mail (role and rows).")
    metrics: tuple[str, ...] = Field(
        default=(), description="The metrics delivered (none for a pack's delivery)."
    )
    pack: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Deliver this meeting-pack template (weekly, quarterly or the "
        "workspace's own) instead of metrics: an e-mail with its PDF attached, or a "
        "Slack/webhook message with its headline figures and risks. For users who read "
        "every row (admin, revops, executive, finance).",
    )
    window: str | None = Field(default=None, description="Window label; default this quarter.")
    cron: str | None = Field(default=None, description="Deliver on this schedule (UTC).")
    below: float | None = Field(default=None, description="Alert: first metric falls under.")
    above: float | None = Field(default=None, description="Alert: first metric rises over.")
    channel: Literal["email", "slack", "webhook"] = Field(default="email")
    url_env: str | None = Field(
        default=None, description="slack/webhook: environment variable holding the URL."
    )
    page: str = Field(default="/metrics", description="The cockpit page the message links to.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return value if value is None else _check_cron(value)

    @model_validator(mode="after")
    def _when(self) -> Subscription:
        alerts = (self.below is not None) + (self.above is not None)
        if (self.cron is None) == (alerts == 0) or alerts > 1:
            raise ValueError("give either `cron` (a delivery) or one of `below`/`above` (an alert)")
        if self.channel == "webhook" and self.url_env is None:
            raise ValueError("a webhook delivery needs `url_env`")
        if self.pack is None and not self.metrics:
            raise ValueError("name the `metrics` delivered, or a `pack` template")
        if self.pack is not None and (self.metrics or self.cron is None):
            raise ValueError("a `pack` delivery has a `cron` schedule and no `metrics`")
        return self

    @property
    def kind(self) -> str:
        """`delivery` (on a schedule) or `alert` (on a threshold)."""
        return "delivery" if self.cron else "alert"


class DeliveryFile(_Frozen):
    """The whole of one `deliveries/<name>.yaml`."""

    subscriptions: tuple[Subscription, ...] = Field(default=(), description="Subscriptions.")
