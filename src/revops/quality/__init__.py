"""Data quality: rules as YAML compiled to warehouse queries, scores, runs and reports.

See docs/quality.md.
"""

from __future__ import annotations

from revops.quality.loader import RuleSet, load_rules
from revops.quality.rules import Rule

__all__ = ["Rule", "RuleSet", "load_rules"]
