"""Data quality: rules as YAML compiled to warehouse queries, scores, runs and reports.

See docs/quality.md.
"""

from __future__ import annotations

from revops.quality.loader import RuleSet, load_rules
from revops.quality.rules import Rule
from revops.quality.scores import Loads, RunResult

__all__ = ["Loads", "Rule", "RuleSet", "RunResult", "load_rules"]
