"""The RevOps desk: the request queue ranked by value, the tech-stack and customer-journey
audits, and definitions with their change log (docs/desk.md)."""

from revops.desk.component import Desk

__all__ = ["Desk"]
