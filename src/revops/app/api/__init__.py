"""The REST API under /api/v1: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.api import admin, funnel, home, metrics, search

router = APIRouter()
for module in (home, metrics, funnel, search, admin):
    router.include_router(module.router)
