"""FastAPI dependencies as `Annotated` aliases: the context and the signed-in user.

Every dependency is `async def`: none blocks, and a plain `def` would be run on a worker
thread for each request (a thread hop per dependency, measured as most of a REST order's
time under load)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.gateway.context import GatewayContext
from backend.gateway.errors import Forbidden
from backend.gateway.rate_limit import RateLimited
from backend.services.auth.errors import AuthCode, AuthError
from backend.services.market_data.history import HistoryService
from backend.services.market_data.stats import MarketTickers
from backend.services.trading.service import TradingService, TradingUnavailable

_bearer = HTTPBearer(auto_error=False)


async def _context(request: Request) -> GatewayContext:
    return request.app.state.context


ContextDep = Annotated[GatewayContext, Depends(_context)]


async def _current_user(
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None:
        raise AuthError(AuthCode.INVALID_TOKEN, "sign in first: Authorization: Bearer <token>")
    return context.login.sessions.subject(credentials.credentials, context.clock.now_ms())


CurrentUser = Annotated[str, Depends(_current_user)]
"""The base58 public key of the signed-in user."""


async def _trading(context: ContextDep) -> TradingService:
    if context.trading is None:
        raise TradingUnavailable("trading is not enabled on this server")
    return context.trading


TradingDep = Annotated[TradingService, Depends(_trading)]


async def _history(context: ContextDep) -> HistoryService:
    if context.history is None:
        raise TradingUnavailable("history is not kept on this server")
    return context.history


HistoryDep = Annotated[HistoryService, Depends(_history)]


async def _tickers(context: ContextDep) -> MarketTickers:
    if context.tickers is None:
        raise TradingUnavailable("market statistics are not kept on this server")
    return context.tickers


TickersDep = Annotated[MarketTickers, Depends(_tickers)]


async def _admin(user: CurrentUser, context: ContextDep) -> str:
    if user not in context.admin_keys:
        raise Forbidden("this route is for the exchange's operators (admin keys only)")
    return user


AdminUser = Annotated[str, Depends(_admin)]
"""The signed-in user, who must hold an admin key."""


async def _public_limit(request: Request, context: ContextDep) -> None:
    address = request.client.host if request.client else "unknown"
    wait = context.limits.public.take(address, context.clock.now_ms())
    if wait is not None:
        raise RateLimited(wait, "public")


async def private_limit(user: CurrentUser, context: ContextDep) -> None:
    """Rate-limit by signed-in account (implies a valid token)."""
    wait = context.limits.private.take(user, context.clock.now_ms())
    if wait is not None:
        raise RateLimited(wait, "account")


PUBLIC_LIMIT = [Depends(_public_limit)]
"""Router dependencies: rate-limit by client address."""
PRIVATE_LIMIT = [Depends(private_limit)]
"""Router dependencies: rate-limit by signed-in account (implies a valid token)."""
