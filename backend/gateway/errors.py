"""Every refusal becomes a 4xx with the `ErrorBody` shape, mapped in this one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from backend.domain.errors import DomainError, RejectCode
from backend.gateway.rate_limit import RateLimited
from backend.schemas.errors import ErrorBody
from backend.services.auth.errors import AuthCode, AuthError
from backend.services.solana.transfer_errors import (
    ChainTransferError,
    ChainUnavailable,
    LedgerOutOfStep,
    SettlementOff,
    TransferExpired,
    TransferNotFinal,
)
from backend.services.trading.service import TradingUnavailable

log = logging.getLogger("quantdesk.gateway")

_NOT_FOUND = {
    RejectCode.UNKNOWN_MARKET,
    RejectCode.ORDER_NOT_FOUND,
    RejectCode.UNKNOWN_ASSET,
    RejectCode.AUCTION_NOT_FOUND,
}
_CONFLICT = {
    RejectCode.ORDER_NOT_OPEN,
    RejectCode.MARKET_HALTED,
    RejectCode.NO_VALID_PRICE,
    RejectCode.AUCTION_CLOSED,
    RejectCode.MARKET_STATUS_UNCHANGED,
}
_BAD_AUTH_INPUT = {AuthCode.INVALID_PUBKEY, AuthCode.INVALID_SIGNATURE_FORMAT}
_CHAIN_CONFLICT = (SettlementOff, TransferNotFinal, TransferExpired, LedgerOutOfStep)
_CHAIN_RETRY_LATER = {"stale_price", "market_halted"}
"""Program refusals that concern the market's state, not the request."""

# Documented on every route that can answer them (see `ERROR_RESPONSES`).
ERROR_RESPONSES = {
    400: {"model": ErrorBody, "description": "refused: the code and message say why"},
    401: {"model": ErrorBody, "description": "not signed in, or the session is not valid"},
    403: {"model": ErrorBody, "description": "signed in, but not allowed (admin routes)"},
    404: {"model": ErrorBody, "description": "no such market, order or asset"},
    409: {
        "model": ErrorBody,
        "description": "not in this state: halted or priceless market, closed order",
    },
    422: {"model": ErrorBody, "description": "malformed request"},
    429: {"model": ErrorBody, "description": "too many requests; see Retry-After"},
    503: {"model": ErrorBody, "description": "trading is stopped; retry later"},
}


class Forbidden(Exception):
    """Signed in, but not allowed here (403)."""


def status_for(error: DomainError) -> int:
    """The HTTP status of a domain refusal."""
    if error.code in _NOT_FOUND:
        return 404
    if error.code in _CONFLICT:
        return 409
    return 400


def _answer(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body = ErrorBody(code=code, message=message, field=field)
    return JSONResponse(status_code=status, content=body.model_dump())


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception the routes may raise to its answer."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        return _answer(status_for(error), error.code.value, error.message, error.field)

    @app.exception_handler(AuthError)
    async def auth_error(_: Request, error: AuthError) -> JSONResponse:
        status = 400 if error.code in _BAD_AUTH_INPUT else 401
        return _answer(status, error.code.value, error.message)

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, error: Forbidden) -> JSONResponse:
        return _answer(403, "forbidden", str(error))

    @app.exception_handler(RateLimited)
    async def rate_limited(_: Request, error: RateLimited) -> JSONResponse:
        answer = _answer(429, "rate_limited", str(error))
        answer.headers["Retry-After"] = str(error.retry_after_s)
        return answer

    @app.exception_handler(ChainTransferError)
    async def chain_transfer_error(_: Request, error: ChainTransferError) -> JSONResponse:
        if isinstance(error, ChainUnavailable):
            status = 503
        elif isinstance(error, _CHAIN_CONFLICT) or error.code in _CHAIN_RETRY_LATER:
            status = 409
        else:
            status = 400
        return _answer(status, error.code, error.message, error.field)

    @app.exception_handler(TradingUnavailable)
    async def trading_unavailable(_: Request, error: TradingUnavailable) -> JSONResponse:
        return _answer(503, "trading_unavailable", str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
        field = ".".join(location) or None
        message = f"{field}: {first.get('msg', 'invalid')}" if field else "malformed request"
        return _answer(422, "invalid_request", message, field)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        answer = _answer(error.status_code, code, str(error.detail))
        answer.headers.update(error.headers or {})
        if error.status_code == 405:
            # one path can be served by several routes (GET and POST): list them all
            answer.headers["Allow"] = ", ".join(_allowed_methods(request))
        return answer

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=error)
        return _answer(500, "internal_error", "the server failed; the request changed nothing")
