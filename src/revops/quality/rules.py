"""What a data-quality rule is: a frozen, declarative definition read from YAML.

A rule names the entity it checks, its kind, how bad a failure is, the team that owns
the fix, and one declarative *check*. Rules compile to Ibis booleans (see
:mod:`revops.quality.compile`), so they run in the warehouse.

Examples:
    >>> rule = Rule.model_validate({
    ...     "name": "contact_email_valid", "entity": "contact", "kind": "validity",
    ...     "severity": "error", "team": "marketing", "description": "A usable email.",
    ...     "fix": "Correct the address.",
    ...     "check": {"type": "pattern", "column": "email", "regex": "^[^@ ]+@[^@ ]+$"},
    ... })
    >>> rule.columns()
    ('email',)
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["completeness", "validity", "consistency", "freshness", "uniqueness"]
Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
Team = Literal["sales", "marketing", "success", "finance", "operations", "revops", "executive"]
Codes = Literal["iso_country", "iso_currency", "opportunity_stages", "lifecycle_stages"]
Operator = Literal["<", "<=", ">", ">=", "==", "!="]

_NAME = r"^[a-z][a-z0-9_]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Required(_Frozen):
    """Every one of `columns` holds a value (text that is not blank)."""

    type: Literal["required"] = Field(description="required")
    columns: tuple[str, ...] = Field(min_length=1, description="Columns that must be filled.")

    def columns_used(self) -> tuple[str, ...]:
        return self.columns


class Pattern(_Frozen):
    """`column`, when filled, matches the regular expression `regex` (whole value)."""

    type: Literal["pattern"] = Field(description="pattern")
    column: str = Field(description="Column checked.")
    regex: str = Field(
        min_length=1,
        description="Regular expression the value must match (POSIX-style, anchor it).",
    )

    def columns_used(self) -> tuple[str, ...]:
        return (self.column,)


class OneOf(_Frozen):
    """`column`, when filled, is one of `values` or of a code list (`codes`)."""

    type: Literal["one_of"] = Field(description="one_of")
    column: str = Field(description="Column checked.")
    values: tuple[str, ...] = Field(default=(), description="Allowed values (a picklist).")
    codes: Codes | None = Field(
        default=None,
        description=(
            "A code list instead of `values`: iso_country (ISO 3166 alpha-2), iso_currency "
            "(ISO 4217), or the workspace's opportunity_stages or lifecycle_stages."
        ),
    )

    def columns_used(self) -> tuple[str, ...]:
        return (self.column,)


class Compare(_Frozen):
    """`left op right` holds for two columns (a date and a timestamp compare as dates)."""

    type: Literal["compare"] = Field(description="compare")
    left: str = Field(description="Column on the left.")
    op: Operator = Field(description="Comparison: < <= > >= == !=.")
    right: str = Field(description="Column on the right.")

    def columns_used(self) -> tuple[str, ...]:
        return (self.left, self.right)


class Condition(_Frozen):
    """A free-form condition that must hold, in the metric filter language."""

    type: Literal["condition"] = Field(description="condition")
    condition: str = Field(
        min_length=1,
        description=(
            "Python-syntax condition over the entity's columns that a good record meets: "
            "`not (is_won and amount <= 0)`. A condition that is unknown (a null) passes."
        ),
    )

    def columns_used(self) -> tuple[str, ...]:
        from revops.metrics.expression import filter_columns

        return filter_columns(self.condition)


class Reference(_Frozen):
    """`column`, when filled, names a record of `entity` that exists."""

    type: Literal["reference"] = Field(description="reference")
    column: str = Field(description="Column holding the reference (account_id).")
    entity: str = Field(description="Entity referred to (account).")

    def columns_used(self) -> tuple[str, ...]:
        return (self.column,)


class Age(_Frozen):
    """`column`, when filled, is no more than `max_days` before the as-of day."""

    type: Literal["age"] = Field(description="age")
    column: str = Field(description="Date or timestamp column (close_date).")
    max_days: int = Field(ge=0, description="Days it may lie before the as-of day.")

    def columns_used(self) -> tuple[str, ...]:
        return (self.column,)


class Recent(_Frozen):
    """The record, or its latest row in `entity` (its activities), is at most `max_days` old.

    A record created within `max_days` passes; older ones need a row of `entity` pointing
    at them (`key`), dated (`time`) within `max_days` up to the as-of day.
    """

    type: Literal["recent"] = Field(description="recent")
    entity: str = Field(default="activity", description="Entity of the touches (activity).")
    key: str | None = Field(
        default=None, description="Column of `entity` pointing at the record; default <entity>_id."
    )
    time: str = Field(default="occurred_at", description="Column dating a touch.")
    max_days: int = Field(ge=1, description="Days without a touch after which a record fails.")

    def columns_used(self) -> tuple[str, ...]:
        return ("created_at",)


class Unique(_Frozen):
    """No two records share the same values of `columns` (all filled)."""

    type: Literal["unique"] = Field(description="unique")
    columns: tuple[str, ...] = Field(min_length=1, description="Columns of the key.")
    normalise: bool = Field(
        default=True, description="Compare text trimmed and lower-cased (emails, domains)."
    )

    def columns_used(self) -> tuple[str, ...]:
        return self.columns


CHECK_TYPES = ("required", "pattern", "one_of", "compare", "condition", "reference", "age",
               "recent", "unique")  # fmt: skip
"""The `type` of each kind of check."""

Check = Annotated[
    Required | Pattern | OneOf | Compare | Condition | Reference | Age | Recent | Unique,
    Field(discriminator="type"),
]


class Rule(_Frozen):
    """One data-quality rule: which records it applies to, and what they must satisfy."""

    name: str = Field(pattern=_NAME, description="Identifier; a workspace rule overrides by it.")
    entity: str = Field(description="Canonical entity whose records it checks.")
    kind: Kind = Field(description="completeness, validity, consistency, freshness or uniqueness.")
    severity: Severity = Field(
        description="error (the record is wrong or unusable), warning (it misleads a "
        "number or a process), info (worth tidying)."
    )
    team: Team = Field(description="Team that owns fixing failures.")
    description: str = Field(min_length=1, description="What a failing record is.")
    fix: str = Field(min_length=1, description="What to do about a failing record.")
    check: Check = Field(description="What a record must satisfy.")
    stage_after: str | None = Field(
        default=None,
        description=(
            "Only opportunities in a stage after this one in the workspace's "
            "opportunity_stages order (closed stages included)."
        ),
    )
    stage_category: tuple[Literal["open", "won", "lost"], ...] | None = Field(
        default=None,
        min_length=1,
        description=(
            "Only opportunities whose stage is of one of these categories (open, won, lost) "
            "in the workspace's opportunity_stages; a built-in rule names no stage."
        ),
    )
    when: str | None = Field(
        default=None,
        description="Only records meeting this condition (metric filter language).",
    )
    enabled: bool = Field(default=True, description="false turns off a built-in rule.")

    def columns(self) -> tuple[str, ...]:
        """Columns of the entity the rule reads (check, `when`, stage)."""
        from revops.metrics.expression import filter_columns

        used = dict.fromkeys(self.check.columns_used())
        if self.when is not None:
            used.update(dict.fromkeys(filter_columns(self.when)))
        if self.stage_after is not None or self.stage_category is not None:
            used["stage"] = None
        return tuple(used)


class RuleFile(_Frozen):
    """One YAML file of rules."""

    version: Literal[1] = Field(default=1, description="Version of the file format.")
    rules: tuple[Rule, ...] = Field(default=(), description="Rules defined or overridden.")
