"""The server-rendered pages: one router per resource, each rendering its view model."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.web import (
    admin,
    auth,
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
    territories,
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
    leads,
    routing,
    automate,
    coaching,
    comp,
    search,
    review,
    admin,
    views,
):
    router.include_router(module.router)
router.include_router(records.router)
router.include_router(jobs.router)
router.include_router(desk.router)
router.include_router(plan.router)
router.include_router(territories.router)
router.include_router(quotas.router)
router.include_router(pack.router)
router.include_router(success.router)
