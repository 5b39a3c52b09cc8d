"""The FastAPI application of the gateway."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.gateway.context import GatewayContext
from backend.gateway.errors import install_error_handlers
from backend.gateway.routes import account, auth, health, markets, oracle, orders
from backend.gateway.security import SecurityHeaders


def create_app(context: GatewayContext) -> FastAPI:
    """A gateway serving ``context``'s services."""
    app = FastAPI(
        title="QuantDesk", version="0.1.0", description="QuantDesk perpetual futures: REST API"
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
        health.router,
        auth.router,
        markets.router,
        orders.router,
        account.router,
        oracle.router,
    )
    for router in routers:
        app.include_router(router)
    return app
