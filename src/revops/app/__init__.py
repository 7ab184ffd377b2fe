"""The revenue cockpit: server-rendered pages and the REST API under /api/v1.

:func:`create_app` builds the FastAPI app of a workspace; `revops serve` runs it. Every page
renders a typed view model (:mod:`revops.app.views`) that its JSON twin returns as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from revops.app.factory import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # FastAPI loads on first use, so `revops users` and `revops --help` stay fast.
    if name == "create_app":
        from revops.app.factory import create_app

        return create_app
    raise AttributeError(name)
