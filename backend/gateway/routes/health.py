"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from backend.gateway.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The server is up."""
    return {"status": "ok"}


@router.get("/metrics", response_class=Response)
async def metrics(context: ContextDep) -> Response:
    """Prometheus metrics in the text exposition format."""
    return Response(generate_latest(context.metrics.registry), media_type=CONTENT_TYPE_LATEST)
