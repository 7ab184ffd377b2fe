"""A small typed result of a coaching analysis, with a JSON-ready view for every surface."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from revops.core.plain import plain

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class CoachingTable:
    """Rows of a coaching analysis (a row per rep and metric, or per group of deals).

    Attributes:
        kind: what the rows are (``reps``, ``plays``).
        window: the window's label.
        as_of: the last day of data used.
        frame: the rows, small enough for a screen.
        parameters: the settings the rows were computed with.
    """

    kind: str
    window: str
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
        """A JSON-ready form."""
        return {
            "kind": self.kind,
            "window": self.window,
            "as_of": self.as_of.isoformat(),
            "parameters": self.parameters,
            "rows": self.rows,
        }
