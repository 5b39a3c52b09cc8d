"""Positions, balances, (paper) deposits and withdrawals, PnL by market, the equity curve
and funding payments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.domain.account import Account
from backend.domain.errors import AccountRejected, DomainError, RejectCode
from backend.domain.fixed_point import (
    QUOTE_PRECISION,
    FixedPointError,
    format_fixed,
    parse_fixed,
)
from backend.domain.margin import MissingPrice, market_prices
from backend.gateway.deps import PRIVATE_LIMIT, ContextDep, CurrentUser, HistoryDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import balances, funding_payment_out, positions
from backend.schemas.orders import MAX_FIXED
from backend.schemas.portfolio import EquityPointOut, MarketPnlOut, PnlOut, PnlTotalsOut
from backend.schemas.positions import (
    AccountStatsOut,
    BalanceOut,
    FundingPaymentOut,
    PositionOut,
    TransferBody,
)
from backend.services.trading.commands import Deposit, Withdraw
from backend.services.trading.service import TradingUnavailable

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
        amount = parse_fixed(body.amount, precision, "amount")
    except FixedPointError as error:
        raise AccountRejected(RejectCode.INVALID_AMOUNT, str(error), "amount") from None
    if abs(amount) >= MAX_FIXED:
        raise AccountRejected(
            RejectCode.INVALID_AMOUNT, f"amount {body.amount} is too large", "amount"
        )
    return amount


@router.post("/account/deposit")
async def deposit(
    body: TransferBody, user: CurrentUser, context: ContextDep, trading: TradingDep
) -> list[BalanceOut]:
    """Credit demo collateral (paper trading only; on chain, deposits come from the wallet)."""
    if not context.paper_trading:
        raise AccountRejected(
            RejectCode.INVALID_AMOUNT, "deposits arrive from the chain on this server", "asset"
        )
    amount = _amount(context, body)
    held = trading.state.ledger.accounts.get(user)
    if (held.balance(body.asset) if held is not None else 0) + amount >= MAX_FIXED:
        # every amount the store keeps is a signed 64-bit integer
        raise AccountRejected(
            RejectCode.INVALID_AMOUNT,
            f"that deposit would take the {body.asset} balance beyond what an account can hold",
            "amount",
        )
    await trading.execute_durably(Deposit(user, body.asset, amount))
    return balances(trading.state, user)


@router.post("/account/withdraw")
async def withdraw(
    body: TransferBody, user: CurrentUser, context: ContextDep, trading: TradingDep
) -> list[BalanceOut]:
    """Withdraw collateral if initial margin still holds afterwards (paper trading only;
    on chain, the wallet signs the withdrawal: ``POST /api/chain/transfers``)."""
    if not context.paper_trading:
        raise AccountRejected(
            RejectCode.INVALID_AMOUNT,
            "withdrawals go through the chain on this server: sign one with your wallet",
            "asset",
        )
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
    rows = history.funding_payments(user, market, before_id, limit)
    return [funding_payment_out(row) for row in rows]


def _usdc(value: int) -> str:
    return format_fixed(value, QUOTE_PRECISION)


@router.get("/account/pnl")
async def pnl(user: CurrentUser, trading: TradingDep, history: HistoryDep) -> PnlOut:
    """Realised PnL, fees and funding per market over the account's life (summed from its
    fills, liquidations and funding payments), with each open position's unrealised PnL
    at the current mark as `/api/positions` states it, and the totals."""
    state = trading.state
    account = state.ledger.accounts.get(user) or Account(user)
    unrealised: dict[str, int] = {}
    try:
        for position in account.open_positions():
            mark = market_prices(state.prices, position.market).mark
            unrealised[position.market] = position.unrealised_pnl(mark)
    except MissingPrice as error:
        raise TradingUnavailable(f"prices are not all known yet ({error})") from None
    totals = history.pnl_by_market(user)
    rows = []
    sums = [0, 0, 0, 0]  # realised, unrealised, fees, funding
    for market in sorted(set(totals) | set(unrealised)):
        found = totals.get(market)
        figures = (
            found.realised_pnl if found else 0,
            unrealised.get(market, 0),
            found.fees_paid if found else 0,
            found.funding if found else 0,
        )
        sums = [a + b for a, b in zip(sums, figures, strict=True)]
        rows.append(MarketPnlOut(market=market, **_pnl_fields(*figures)))
    return PnlOut(markets=rows, total=PnlTotalsOut(**_pnl_fields(*sums)))


def _pnl_fields(realised: int, unrealised: int, fees: int, funding: int) -> dict[str, str]:
    return {
        "realised_pnl": _usdc(realised),
        "unrealised_pnl": _usdc(unrealised),
        "fees_paid": _usdc(fees),
        "funding": _usdc(funding),
        "net": _usdc(realised + unrealised - fees + funding),
    }


@router.get("/account/equity")
async def equity_curve(
    user: CurrentUser,
    context: ContextDep,
    history: HistoryDep,
    start_ms: Annotated[int | None, Query(ge=0, lt=2**62)] = None,
    end_ms: Annotated[int | None, Query(ge=0, lt=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 500,
) -> list[EquityPointOut]:
    """The account's equity over time, oldest first: the last ``limit`` snapshots taken in
    [start_ms, end_ms) (default: up to now). The server records one every
    ``QUANTDESK_EQUITY_INTERVAL_S`` (60 s by default) while the account holds a position
    or its equity moves, and one after each deposit or withdrawal."""
    end = context.clock.now_ms() + 1 if end_ms is None else end_ms
    start = 0 if start_ms is None else start_ms
    if start >= end:
        raise DomainError(RejectCode.INVALID_RANGE, "start_ms must be before end_ms", "start_ms")
    return [
        EquityPointOut(
            time_ms=row.time_ms,
            equity=_usdc(row.equity),
            collateral_value=_usdc(row.collateral_value),
            unrealised_pnl=_usdc(row.unrealised_pnl),
        )
        for row in history.equity_points(user, start, end, limit)
    ]
