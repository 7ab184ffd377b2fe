"""The server-rendered pages: one router per resource, each rendering its view model."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.web import (
    admin,
    auth,
    forecast,
    funnel,
    home,
    metrics,
    pipeline,
    quality,
    records,
    review,
    search,
    views,
)

router = APIRouter(include_in_schema=False)
for module in (
    auth,
    home,
    metrics,
    funnel,
    pipeline,
    forecast,
    quality,
    search,
    review,
    admin,
    views,
):
    router.include_router(module.router)
router.include_router(records.router)
