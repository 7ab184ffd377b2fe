"""Query parameters the API and the pages share, with their limits."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Path, Query

Window = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Fiscal window: FY2025, FY2025-Q3, FY2025-M07 or 2024-01-01..2024-03-31; "
        "default the current fiscal quarter.",
    ),
]
MetricName = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
GrainParam = Annotated[Literal["month", "quarter", "year"] | None, Query()]
By = Annotated[str | None, Query(max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
Where = Annotated[list[str], Query(description="Slice values: DIMENSION=VALUE.", max_length=10)]
CompareParam = Annotated[Literal["previous", "last_year"], Query()]
ExportFormat = Annotated[Literal["csv", "xlsx"], Query(alias="format")]
RowId = Annotated[int, Path(ge=1, le=2**62, description="Id of a row of the app database.")]
Day = Annotated[
    date | None,
    Query(description="An ISO date (YYYY-MM-DD); default the cockpit's as-of day."),
]
PipelineBy = Annotated[Literal["segment", "owner", "source"] | None, Query()]
FromDay = Annotated[
    date | None,
    Query(alias="from", description="First day of the waterfall; default the quarter's eve."),
]
ToDay = Annotated[
    date | None, Query(alias="to", description="Last day of the waterfall; default the as-of day.")
]
MethodList = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[a-z_]+(,[a-z_]+)*$",
        description="Comma-separated forecast methods (default all): rollup, weighted, "
        "stage_conversion, ml, timeseries, ensemble.",
    ),
]
ModelCalls = Annotated[
    bool,
    Query(description="Fit the model's call of every person's line of the calls (one fit each)."),
]
