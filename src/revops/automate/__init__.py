"""Automation: workflows as code (plan, apply, undo), alerts and scheduled deliveries,
and the scheduler that runs every job on its schedule."""

from revops.automate.component import Automate

__all__ = ["Automate"]
