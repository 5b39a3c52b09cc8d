"""Read-only views of the trading state for the routes, in wire form."""

from __future__ import annotations

from typing import Any

from backend.domain.errors import DomainError, RejectCode
from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    format_fixed,
)
from backend.domain.margin import liquidation_price
from backend.domain.markets import MarketCatalog, MarketSpec
from backend.domain.orders import Order
from backend.schemas.orders import OrderOut
from backend.schemas.positions import BalanceOut, FundingPaymentOut, PositionOut
from backend.services.trading.state import TradingState


def open_orders(state: TradingState, account: str) -> list[Order]:
    """The account's working orders in every market, oldest first per market."""
    return [order for engine in state.engines.values() for order in engine.open_orders(account)]


def find_order(state: TradingState, account: str, order_id: int) -> Order | None:
    """One of the account's working orders by id, in whichever market it is."""
    for engine in state.engines.values():
        order = engine.order(order_id)
        if order is not None and order.account == account:
            return order
    return None


def positions(state: TradingState, account: str) -> list[PositionOut]:
    """The account's open positions with PnL and liquidation price at the mark."""
    held = state.ledger.accounts.get(account)
    if held is None:
        return []
    out = []
    for position in held.open_positions():
        prices = state.prices.get(position.market)
        entry = position.entry_price()
        pnl = liq = None
        if prices is not None:
            pnl = format_fixed(position.unrealised_pnl(prices.mark), QUOTE_PRECISION)
            price = liquidation_price(held, state.catalog, state.prices, position.market)
            liq = None if price is None else format_fixed(price, PRICE_PRECISION)
        out.append(
            PositionOut(
                market=position.market,
                size=format_fixed(position.base, BASE_PRECISION),
                entry_price=None if entry is None else format_fixed(entry, PRICE_PRECISION),
                mark_price=None if prices is None else format_fixed(prices.mark, PRICE_PRECISION),
                unrealised_pnl=pnl,
                liquidation_price=liq,
            )
        )
    return out


def balances(state: TradingState, account: str) -> list[BalanceOut]:
    """The account's collateral balances in each asset's own units."""
    held = state.ledger.accounts.get(account)
    if held is None:
        return []
    return [
        BalanceOut(asset=asset, amount=format_fixed(amount, state.catalog.asset(asset).precision))
        for asset, amount in sorted(held.balances.items())
    ]


def find_by_client_id(state: TradingState, account: str, client_order_id: str) -> Order | None:
    """The account's order with ``client_order_id`` in any market, working or finished."""
    for engine in state.engines.values():
        order = engine.by_client_id(account, client_order_id)
        if order is not None:
            return order
    return None


def funding_payment_out(row: Any) -> FundingPaymentOut:
    """The wire form of a stored funding payment."""
    return FundingPaymentOut(
        id=row.id,
        market=row.market,
        position=format_fixed(row.base, BASE_PRECISION),
        amount=format_fixed(row.amount, QUOTE_PRECISION),
        settled_at_ms=row.settled_at_ms,
    )


def order_record_out(row: Any) -> OrderOut:
    """The wire form of an order row from the store (same shape as a live order)."""
    return OrderOut.from_units(
        order_id=row.id,
        client_order_id=row.client_order_id,
        market=row.market,
        side=row.side,
        type=row.type,
        status=row.status,
        size=row.size,
        filled=row.filled,
        filled_quote=row.filled_quote,
        fees_paid=row.fees_paid,
        price=row.price,
        trigger_price=row.trigger_price,
        time_in_force=row.time_in_force,
        post_only=row.post_only,
        reduce_only=row.reduce_only,
        parent_id=row.parent_id,
        created_at_ms=row.created_at_ms,
        reject_reason=row.reject_reason,
        updated_at_ms=row.updated_at_ms,
    )


def require_market(catalog: MarketCatalog, symbol: str, field: str = "symbol") -> MarketSpec:
    """The market named ``symbol``, or an `unknown_market` refusal naming ``field``."""
    spec = catalog.markets.get(symbol)
    if spec is None:
        known = ", ".join(catalog.markets)
        raise DomainError(
            RejectCode.UNKNOWN_MARKET, f"unknown market {symbol}; markets are {known}", field
        )
    return spec
