"""Small typed results of pipeline analytics, with a JSON-ready view for every surface."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from revops.core.plain import plain

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class PipelineTable:
    """A bounded table of results (a row per deal, stage or segment) and what it is for.

    Attributes:
        kind: what the rows are (``stalled``, ``bottlenecks``, ...).
        as_of: the last day of data used.
        frame: the rows, small enough for a screen.
        parameters: the settings the rows were computed with (threshold percentile, ...).
    """

    kind: str
    as_of: date
    frame: pd.DataFrame
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as plain dicts."""
        records = self.frame.to_dict(orient="records")
        return [{str(k): plain(v) for k, v in record.items()} for record in records]

    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return [str(c) for c in self.frame.columns]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: kind, as-of day, parameters and rows."""
        return {
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "parameters": {k: plain(v) for k, v in self.parameters.items()},
            "rows": self.rows,
        }
