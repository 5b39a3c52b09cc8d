"""Positions, balances and (paper) deposits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.domain.errors import AccountRejected, RejectCode
from backend.domain.fixed_point import (
    BASE_PRECISION,
    QUOTE_PRECISION,
    FixedPointError,
    format_fixed,
    parse_fixed,
)
from backend.gateway.deps import PRIVATE_LIMIT, ContextDep, CurrentUser, HistoryDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import balances, positions
from backend.schemas.positions import (
    AccountStatsOut,
    BalanceOut,
    FundingPaymentOut,
    PositionOut,
    TransferBody,
)
from backend.services.trading.commands import Deposit, Withdraw

router = APIRouter(
    prefix="/api", tags=["account"], responses=ERROR_RESPONSES, dependencies=PRIVATE_LIMIT
)


@router.get("/positions")
async def list_positions(user: CurrentUser, trading: TradingDep) -> list[PositionOut]:
    """The user's open positions at the current mark."""
    return positions(trading.state, user)


@router.get("/account/balances")
async def list_balances(user: CurrentUser, trading: TradingDep) -> list[BalanceOut]:
    """The user's collateral balances."""
    return balances(trading.state, user)


def _amount(context: ContextDep, body: TransferBody) -> int:
    if body.asset not in context.catalog.collateral:
        known = ", ".join(context.catalog.collateral)
        raise AccountRejected(
            RejectCode.UNKNOWN_ASSET,
            f"{body.asset} is not a collateral asset; use one of {known}",
            "asset",
        )
    precision = context.catalog.asset(body.asset).precision
    try:
        return parse_fixed(body.amount, precision, "amount")
    except FixedPointError as error:
        raise AccountRejected(RejectCode.INVALID_AMOUNT, str(error), "amount") from None


@router.post("/account/deposit")
async def deposit(
    body: TransferBody, user: CurrentUser, context: ContextDep, trading: TradingDep
) -> list[BalanceOut]:
    """Credit demo collateral (paper trading only; on chain, deposits come from the wallet)."""
    if not context.paper_trading:
        raise AccountRejected(
            RejectCode.INVALID_AMOUNT, "deposits arrive from the chain on this server", "asset"
        )
    await trading.execute_durably(Deposit(user, body.asset, _amount(context, body)))
    return balances(trading.state, user)


@router.post("/account/withdraw")
async def withdraw(
    body: TransferBody, user: CurrentUser, context: ContextDep, trading: TradingDep
) -> list[BalanceOut]:
    """Withdraw collateral if initial margin still holds afterwards."""
    await trading.execute_durably(Withdraw(user, body.asset, _amount(context, body)))
    return balances(trading.state, user)


@router.get("/account/stats")
async def account_stats(user: CurrentUser, history: HistoryDep) -> AccountStatsOut:
    """Lifetime totals: trades, volume, fees, realised PnL and funding."""
    row = history.user_stats(user)
    if row is None:
        return AccountStatsOut(
            trades=0,
            volume="0",
            fees_paid="0",
            realised_pnl="0",
            funding_paid="0",
            updated_at_ms=None,
        )
    return AccountStatsOut(
        trades=row.trades,
        volume=format_fixed(row.volume, QUOTE_PRECISION),
        fees_paid=format_fixed(row.fees_paid, QUOTE_PRECISION),
        realised_pnl=format_fixed(row.realised_pnl, QUOTE_PRECISION),
        funding_paid=format_fixed(row.funding_paid, QUOTE_PRECISION),
        updated_at_ms=row.updated_at_ms,
    )


@router.get("/account/funding")
async def funding_payments(
    user: CurrentUser,
    history: HistoryDep,
    market: Annotated[str | None, Query(max_length=32)] = None,
    before_id: Annotated[int | None, Query(ge=1, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 200,
) -> list[FundingPaymentOut]:
    """Funding the user paid (negative) or received, newest first; page with
    ``before_id`` (the last id seen)."""
    return [
        FundingPaymentOut(
            id=row.id,
            market=row.market,
            position=format_fixed(row.base, BASE_PRECISION),
            amount=format_fixed(row.amount, QUOTE_PRECISION),
            settled_at_ms=row.settled_at_ms,
        )
        for row in history.funding_payments(user, market, before_id, limit)
    ]
