"""Territory design: accounts balanced across reps by potential and workload (CP-SAT),
against a greedy baseline and the current assignment; versions applied and reverted in
the warehouse, never in the CRM. See docs/territories.md."""

from revops.territories.component import Territories, TerritoryPlan

__all__ = ["Territories", "TerritoryPlan"]
