"""Wallet-signature login: nonce, verify, refresh."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.gateway.deps import PUBLIC_LIMIT, ContextDep, CurrentUser
from backend.gateway.errors import ERROR_RESPONSES
from backend.schemas.auth import NonceAnswer, RefreshBody, TokensAnswer, VerifyBody
from backend.services.trading.commands import Deposit

router = APIRouter(
    prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES, dependencies=PUBLIC_LIMIT
)


@router.get("/nonce")
async def nonce(
    context: ContextDep, pubkey: Annotated[str, Query(min_length=32, max_length=44)]
) -> NonceAnswer:
    """The Sign-In With Solana message for ``pubkey`` to sign (valid 5 minutes, once)."""
    message = await context.login.challenge(pubkey, context.clock.now_ms())
    return NonceAnswer(nonce=message.nonce, message=message.text())


@router.post("/verify")
async def verify(context: ContextDep, body: VerifyBody) -> TokensAnswer:
    """Exchange the signed message for an access token and a refresh token. On a paper
    trading server a wallet seen for the first time gets a funded demo account."""
    now_ms = context.clock.now_ms()
    tokens = await context.login.verify(body.pubkey, body.message, body.signature, now_ms)
    trading = context.trading
    new_wallet = trading is not None and body.pubkey not in trading.state.ledger.accounts
    if context.paper_trading and context.demo_capital > 0 and new_wallet:
        quote = trading.state.catalog.quote_asset
        await trading.execute_durably(Deposit(body.pubkey, quote, context.demo_capital))
    return TokensAnswer(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


@router.post("/refresh")
async def refresh(context: ContextDep, body: RefreshBody) -> TokensAnswer:
    """Trade a refresh token (once) for a new pair."""
    tokens = await context.login.sessions.refresh(body.refresh_token, context.clock.now_ms())
    return TokensAnswer(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


@router.get("/me")
async def me(user: CurrentUser) -> dict[str, str]:
    """Who the access token belongs to."""
    return {"pubkey": user}
