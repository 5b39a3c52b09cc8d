"""FastAPI dependencies as `Annotated` aliases: the context and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.gateway.context import GatewayContext
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
