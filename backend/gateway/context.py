"""What the gateway's routes work with: the services and settings of one server."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from backend.domain.markets import MarketCatalog
from backend.gateway.metrics import GatewayMetrics
from backend.gateway.rate_limit import RateLimits
from backend.gateway.ws.events import StreamPublisher
from backend.gateway.ws.hub import Hub
from backend.services.auth.login import LoginService
from backend.services.auth.nonces import NonceBook
from backend.services.auth.sessions import SessionIssuer
from backend.services.clock import Clock, SystemClock
from backend.services.trading.service import TradingService


@dataclass(slots=True)
class GatewayContext:
    """The services behind the routes."""

    catalog: MarketCatalog
    login: LoginService
    clock: Clock = field(default_factory=SystemClock)
    cors_origins: list[str] = field(default_factory=list)
    trading: TradingService | None = None
    hub: Hub = field(default_factory=Hub)
    limits: RateLimits = field(default_factory=RateLimits)
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    paper_trading: bool = True
    """Deposits of demo collateral are allowed (the embedded default)."""


def make_context(
    catalog: MarketCatalog,
    domain: str,
    token_secret: bytes | None = None,
    clock: Clock | None = None,
    cors_origins: list[str] | None = None,
    trading: TradingService | None = None,
    limits: RateLimits | None = None,
) -> GatewayContext:
    """A context for a server answering at ``domain``; without a configured secret, a
    random one for this process (sessions then end with the process)."""
    secret = token_secret or secrets.token_bytes(32)
    login = LoginService(NonceBook(domain, f"https://{domain}"), SessionIssuer(secret))
    context = GatewayContext(
        catalog,
        login,
        clock or SystemClock(),
        cors_origins or [],
        trading,
        limits=limits or RateLimits(),
    )
    if trading is not None:
        trading.on_commit(StreamPublisher(context.hub, trading.state))
        trading.on_commit(context.metrics.on_commit)
        context.metrics.watch(trading.state, context.hub, context.clock)
    return context
