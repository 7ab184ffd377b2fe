"""The one error body every API route answers with, and the statuses each may answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    """One invalid input of a request."""

    loc: list[str | int] = Field(description="Where: query, path or body, then the name.")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="The kind of problem (missing, string_too_long, ...).")


class ApiError(BaseModel):
    """Why a request failed; never internals (SQL, tracebacks)."""

    detail: str = Field(description="What went wrong, in words a user can act on.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="The invalid inputs, for a 422 from input validation."
    )


def _error(description: str) -> dict[str, Any]:
    return {"model": ApiError, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The request cannot be answered: unknown metric, dimension or window, ..."),
    401: _error("No valid session cookie or bearer token."),
    403: _error("The role or token may not do this, or the CSRF token is missing."),
    404: _error("No such user, token or record, or a record outside your rows."),
    422: _error("Invalid input, or a request over the query budget (names the limit)."),
    429: _error("Too many requests from this account or address; try again later."),
    500: _error("The server failed; the answer names an incident in the server's log."),
    504: _error("The query ran past the statement timeout of the query budget."),
}
"""Documented on every route of the API."""

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: _error("A plan apply or revert refused: not the plan reviewed, none pending, its "
                "inputs changed since it was planned, or not the latest version."),
}  # fmt: skip
"""Documented on the plan apply and revert routes."""
