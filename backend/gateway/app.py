"""The FastAPI application of the gateway."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.gateway.context import GatewayContext
from backend.gateway.errors import install_error_handlers
from backend.gateway.routes import (
    account,
    admin,
    auth,
    chain,
    health,
    liquidity,
    markets,
    oracle,
    orders,
    risk,
    sync,
    trades,
)
from backend.gateway.security import SecurityHeaders
from backend.gateway.ws import route as ws_route
from backend.version import version

log = logging.getLogger("quantdesk.gateway")


class Background(Protocol):
    """A task that runs while the server is up (a price feed, a keeper)."""

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set."""
        ...


def _report_death(name: str, task: asyncio.Task) -> None:
    """Log a background task that ended on an exception (otherwise it dies unseen)."""
    if not task.cancelled() and task.exception() is not None:
        log.critical("background task %s died", name, exc_info=task.exception())


def create_app(context: GatewayContext, background: Sequence[Background] = ()) -> FastAPI:
    """A gateway serving ``context``'s services, running ``background`` while it is up."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(task.run(stop)) for task in background]
        for task, worker in zip(tasks, background, strict=True):
            task.add_done_callback(functools.partial(_report_death, type(worker).__name__))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    app = FastAPI(
        title="QuantDesk",
        version=version(),
        description="QuantDesk perpetual futures: REST API",
        lifespan=lifespan,
    )
    app.state.context = context
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    if context.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=context.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    routers = (
        health,
        auth,
        markets,
        orders,
        trades,
        account,
        chain,
        risk,
        oracle,
        liquidity,
        admin,
        sync,
        ws_route,
    )
    for module in routers:
        app.include_router(module.router)
    return app
