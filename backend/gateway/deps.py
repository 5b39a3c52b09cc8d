"""FastAPI dependencies as `Annotated` aliases: the context and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.gateway.context import GatewayContext
from backend.gateway.rate_limit import RateLimited
from backend.services.auth.errors import AuthCode, AuthError
from backend.services.trading.service import TradingService, TradingUnavailable

_bearer = HTTPBearer(auto_error=False)


def _context(request: Request) -> GatewayContext:
    return request.app.state.context


ContextDep = Annotated[GatewayContext, Depends(_context)]


def _current_user(
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None:
        raise AuthError(AuthCode.INVALID_TOKEN, "sign in first: Authorization: Bearer <token>")
    return context.login.sessions.subject(credentials.credentials, context.clock.now_ms())


CurrentUser = Annotated[str, Depends(_current_user)]
"""The base58 public key of the signed-in user."""


def _trading(context: ContextDep) -> TradingService:
    if context.trading is None:
        raise TradingUnavailable("trading is not enabled on this server")
    return context.trading


TradingDep = Annotated[TradingService, Depends(_trading)]


def _public_limit(request: Request, context: ContextDep) -> None:
    address = request.client.host if request.client else "unknown"
    wait = context.limits.public.take(address, context.clock.now_ms())
    if wait is not None:
        raise RateLimited(wait, "public")


def _private_limit(user: CurrentUser, context: ContextDep) -> None:
    wait = context.limits.private.take(user, context.clock.now_ms())
    if wait is not None:
        raise RateLimited(wait, "account")


PUBLIC_LIMIT = [Depends(_public_limit)]
"""Router dependencies: rate-limit by client address."""
PRIVATE_LIMIT = [Depends(_private_limit)]
"""Router dependencies: rate-limit by signed-in account (implies a valid token)."""
