"""The REST API under /api/v1: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.api import (
    admin,
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
from revops.app.api.errors import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES)
for module in (home, metrics, funnel, pipeline, forecast, quality, search, review, admin, views):
    router.include_router(module.router)
router.include_router(records.router)
