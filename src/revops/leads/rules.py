"""The scoring rules of `rules/leads.yaml`: fit points per firmographic condition,
engagement points per event with decay, and the learned model's settings.

A workspace without the file scores with :data:`DEFAULT_RULES`; a file replaces the
sections it sets. Every problem names the file and the dotted key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revops.definitions import read_definitions

RULES_FILE = Path("rules") / "leads.yaml"

FitField = Literal[
    "segment", "industry", "employees", "country", "title", "seniority", "email_type", "source"
]
EventSource = Literal["campaign_touch", "web_session", "activity"]
Outcome = Literal["converted", "opportunity", "won"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FitRule(_Frozen):
    """Points a lead gets when one of its firmographic fields meets a condition."""

    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$", description="Rule key.")
    field: FitField = Field(
        description=(
            "The lead's field: segment, industry, employees, country (the lead's, else its "
            "account's), title, seniority (from the title), email_type (business or "
            "free_mail) or source."
        )
    )
    values: tuple[str, ...] = Field(
        default=(),
        alias="in",
        description="Values that match, compared case-insensitively (a text field).",
    )
    contains: tuple[str, ...] = Field(
        default=(), description="Substrings any of which matches, case-insensitively."
    )
    min: float | None = Field(default=None, description="Lowest matching number (employees).")
    max: float | None = Field(default=None, description="Highest matching number (employees).")
    points: float = Field(description="Points added on a match (negative to take off).")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _one_condition(self) -> FitRule:
        numeric = self.min is not None or self.max is not None
        if numeric and self.field != "employees":
            raise ValueError("min and max apply to employees only")
        if not numeric and not self.values and not self.contains:
            raise ValueError("set `in`, `contains`, or `min`/`max`")
        return self


class EngagementRule(_Frozen):
    """Points per event of a kind, each worth less as it ages (half-life decay)."""

    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$", description="Rule key.")
    source: EventSource = Field(
        description=(
            "campaign_touch (occurred_at), web_session (started_at) or activity (occurred_at) "
            "rows of the lead."
        )
    )
    where: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description=(
            "Column → values the event must have (status: [clicked, attended]); a boolean "
            "column takes [true]."
        ),
    )
    points: float = Field(gt=0, description="Points of one event on the day it happens.")
    max_points: float | None = Field(
        default=None, gt=0, description="Cap on this rule's decayed points."
    )


class Seniority(_Frozen):
    """A seniority level and the title words that mean it."""

    name: str = Field(min_length=1, description="Level (executive, vp, director, ...).")
    contains: tuple[str, ...] = Field(min_length=1, description="Title words, any case.")


class ModelSettings(_Frozen):
    """How the learned score is trained."""

    outcome: Outcome = Field(
        default="converted",
        description=(
            "What counts as a good lead: converted (the lead was converted), opportunity "
            "(converted with an opportunity) or won (that opportunity was won)."
        ),
    )
    window_days: int = Field(
        default=60, ge=7, le=730, description="Days after a snapshot an outcome may take."
    )
    lead_age_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description=(
            "Leads created at most this many days before a snapshot are learned from and "
            "evaluated on; older open leads are stale."
        ),
    )
    snapshots: int = Field(
        default=26, ge=1, le=104, description="Training snapshots, one each `snapshot_days`."
    )
    snapshot_days: int = Field(default=7, ge=1, le=365, description="Days between snapshots.")
    regularisation: float = Field(
        default=0.1,
        gt=0,
        description="Inverse strength C of the logistic regression's L2 penalty.",
    )
    reasons: int = Field(default=3, ge=1, le=10, description="Reasons kept per lead.")


class LeadRules(_Frozen):
    """A whole `rules/leads.yaml`."""

    fit: tuple[FitRule, ...] = Field(default=(), description="Fit rules (0-100 after capping).")
    engagement: tuple[EngagementRule, ...] = Field(
        default=(), description="Engagement rules (0-100 after capping)."
    )
    half_life_days: float = Field(
        default=30, gt=0, description="Days after which an event counts half."
    )
    seniority: tuple[Seniority, ...] = Field(
        default=(), description="Seniority levels from titles, first match wins."
    )
    free_mail_domains: tuple[str, ...] = Field(
        default=(), description="Email domains that mean a personal address."
    )
    model: ModelSettings = Field(default_factory=ModelSettings, description="Learned score.")

    @property
    def version(self) -> str:
        """A short hash of the rules, part of every stored score's model version."""
        import hashlib

        text = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:8]


FREE_MAIL = (
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
    "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "proton.me",
    "protonmail.com", "mail.com", "yandex.ru", "qq.com", "163.com",
)  # fmt: skip

DEFAULT_RULES = LeadRules(
    fit=(
        FitRule(name="enterprise", field="segment", values=("enterprise",), points=25),
        FitRule(name="mid_market", field="segment", values=("mid_market",), points=15),
        FitRule(name="large_company", field="employees", min=200, points=10),
        FitRule(name="target_industry", field="industry", values=("software", "saas"), points=10),
        FitRule(name="executive", field="seniority", values=("executive", "vp"), points=30),
        FitRule(name="director", field="seniority", values=("director", "head"), points=20),
        FitRule(name="manager", field="seniority", values=("manager",), points=10),
        FitRule(name="business_email", field="email_type", values=("business",), points=15),
        FitRule(name="free_mail", field="email_type", values=("free_mail",), points=-15),
        FitRule(name="referral", field="source", values=("referral", "partner"), points=15),
    ),
    engagement=(
        EngagementRule(
            name="campaign_response",
            source="campaign_touch",
            where={"status": ("responded", "clicked", "registered")},
            points=10,
            max_points=40,
        ),
        EngagementRule(
            name="event_attended",
            source="campaign_touch",
            where={"status": ("attended",)},
            points=15,
            max_points=45,
        ),
        EngagementRule(name="web_visit", source="web_session", points=3, max_points=15),
        EngagementRule(
            name="demo_request",
            source="web_session",
            where={"conversion_type": ("demo_request", "trial_signup")},
            points=40,
        ),
        EngagementRule(
            name="form_fill",
            source="web_session",
            where={"conversion_type": ("form_fill", "content_download")},
            points=15,
            max_points=30,
        ),
        EngagementRule(
            name="email_reply",
            source="activity",
            where={"type": ("email",), "outcome": ("replied",)},
            points=20,
            max_points=40,
        ),
        EngagementRule(
            name="call_connected",
            source="activity",
            where={"type": ("call",), "outcome": ("connected",)},
            points=10,
            max_points=20,
        ),
    ),
    seniority=(
        Seniority(name="executive", contains=("chief", "ceo", "cfo", "cto", "cro", "founder")),
        Seniority(name="vp", contains=("vp", "vice president")),
        Seniority(name="head", contains=("head of",)),
        Seniority(name="director", contains=("director",)),
        Seniority(name="manager", contains=("manager", "lead")),
    ),
    free_mail_domains=FREE_MAIL,
)


def load_lead_rules(root: Path | None) -> LeadRules:
    """The workspace's `rules/leads.yaml` over :data:`DEFAULT_RULES` (a section the file
    sets replaces the default's), or the defaults when there is no file.

    Raises:
        ConfigError: unreadable file, bad YAML, or a key that does not validate.
    """
    path = root / RULES_FILE if root is not None else None
    if path is None or not path.is_file():
        return DEFAULT_RULES
    own = read_definitions(path, LeadRules, "a mapping with `fit:` and `engagement:`")
    changed = {name: getattr(own, name) for name in own.model_fields_set}
    return DEFAULT_RULES.model_copy(update=changed)


def rules_schema() -> dict[str, object]:
    """The JSON schema of `rules/leads.yaml`."""
    return LeadRules.model_json_schema(by_alias=True)
