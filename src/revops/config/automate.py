"""The scheduler's jobs and how automations deliver."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from revops.config.base import Frozen
from revops.config.stores import SmtpSettings


class SchedulerJob(Frozen):
    """One job `revops scheduler run` runs on a cron schedule."""

    name: str = Field(min_length=1, description="Job name, unique; the lock and history key.")
    kind: Literal[
        "ingest", "sync", "quality", "identity", "automations", "sequences", "deliveries"
    ] = Field(description="What the job runs.")
    cron: str = Field(min_length=9, description="Cron schedule (5 fields, UTC).")
    source: str | None = Field(
        default=None,
        description="ingest: the source to load; sync: the connected source (default: each).",
    )
    folder: str | None = Field(
        default=None, description="ingest: the folder of export files, relative to the workspace."
    )


class AutomateSettings(Frozen):
    """Where automations and deliveries send messages, how they retry, and the scheduler's
    jobs. Secrets are named by environment variable, never written here."""

    smtp: SmtpSettings = Field(default_factory=SmtpSettings, description="The SMTP server.")
    slack_webhook_env: str | None = Field(
        default=None,
        description="Environment variable holding the default Slack incoming-webhook URL.",
    )
    retries: int = Field(
        default=3, ge=1, le=10, description="Attempts of a message before it is reported failed."
    )
    backoff_seconds: float = Field(
        default=1.0, ge=0, description="Wait before the second attempt; doubled after each."
    )
    base_url: str = Field(
        default="http://localhost:8000",
        description="The cockpit's address, for the links in messages.",
    )
    jobs: tuple[SchedulerJob, ...] = Field(default=(), description="The scheduler's jobs.")
