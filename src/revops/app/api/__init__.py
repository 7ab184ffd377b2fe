"""The REST API under /api/v1: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.api import (
    admin,
    automate,
    coaching,
    comp,
    desk,
    forecast,
    funnel,
    home,
    jobs,
    leads,
    metrics,
    pack,
    pipeline,
    plan,
    quality,
    quotas,
    records,
    review,
    routing,
    search,
    success,
    syncs,
    territories,
    views,
)
from revops.app.api.errors import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES)
for module in (
    home,
    metrics,
    funnel,
    pipeline,
    forecast,
    quality,
    leads,
    routing,
    automate,
    coaching,
    comp,
    search,
    review,
    admin,
):
    router.include_router(module.router)
router.include_router(views.router)
router.include_router(records.router)
router.include_router(jobs.router)
router.include_router(syncs.router)
router.include_router(desk.router)
router.include_router(plan.router)
router.include_router(territories.router)
router.include_router(quotas.router)
router.include_router(pack.router)
router.include_router(success.router)
