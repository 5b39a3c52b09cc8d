"""Writes what a command changed into the queryable tables, inside its transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session, select

from backend.domain.markets import MarketCatalog
from backend.domain.orders import Order as DomainOrder
from backend.services.trading.state import Outcome, TradingState
from backend.store.models import (
    Auction,
    AuctionQuote,
    AuctionSettlement,
    FundingPayment,
    FundingRate,
    Liquidation,
    LiquidationEvent,
    Market,
    OraclePrice,
    Order,
    Position,
    SystemEvent,
    Trade,
    Transfer,
    User,
    UserBalance,
    UserStats,
)
from backend.store.upsert import accumulate, upsert


class UserDirectory:
    """Maps wallet public keys to user rows, creating a row on first sight."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def id_of(self, session: Session, pubkey: str, now_ms: int) -> int:
        """The user id of ``pubkey`` (added to ``session`` if new)."""
        user_id = self._ids.get(pubkey)
        if user_id is not None:
            return user_id
        user = session.exec(select(User).where(User.pubkey == pubkey)).first()
        if user is None:
            user = User(pubkey=pubkey, created_at_ms=now_ms)
            session.add(user)
            session.flush()
        self._ids[pubkey] = user.id
        return user.id

    def known(self, pubkey: str) -> int | None:
        """The user id of ``pubkey`` if it is cached (no query)."""
        return self._ids.get(pubkey)

    def forget(self) -> None:
        """Drop the cache (after a rolled-back transaction its ids may not exist)."""
        self._ids.clear()


def sync_markets(session: Session, catalog: MarketCatalog, halted: set[str] | None = None) -> None:
    """Write the catalog's markets into the markets table; each one's halt flag is kept,
    or set from ``halted`` when given."""
    for spec in catalog:
        row = session.get(Market, spec.symbol)
        if halted is not None:
            is_halted = spec.symbol in halted
        else:
            is_halted = row.halted if row is not None else False
        session.merge(
            Market(
                symbol=spec.symbol,
                base_asset=spec.base_asset,
                tick_size=spec.tick_size,
                lot_size=spec.lot_size,
                min_size=spec.min_size,
                max_leverage=spec.max_leverage,
                initial_margin_ratio=spec.initial_margin_ratio,
                maintenance_margin_ratio=spec.maintenance_margin_ratio,
                maker_fee=spec.maker_fee,
                taker_fee=spec.taker_fee,
                liquidation_fee=spec.liquidation_fee,
                funding_period_s=spec.funding_period_s,
                pyth_feed_id=spec.pyth_feed_id,
                halted=is_halted,
            )
        )


def project(
    session: Session,
    users: UserDirectory,
    state: TradingState,
    outcomes: Sequence[tuple[Outcome, int]],
) -> None:
    """Add the rows of every order, fill, position and balance that the outcomes (each with
    its time, in command order) touched: one statement per table for orders, balances and
    positions, whatever the number of commands."""
    _project_orders(session, users, outcomes)
    for outcome, now_ms in outcomes:
        _project_fills(session, users, outcome, now_ms)
        _project_auctions(session, users, outcome, now_ms)
        _project_funding(session, users, state, outcome, now_ms)
        _project_liquidations(session, users, outcome, now_ms)
        _project_transfers(session, users, outcome, now_ms)
        _project_market_events(session, state, outcome, now_ms)
    _project_accounts(session, users, state, outcomes)
    _project_user_stats(session, users, outcomes)


def _project_user_stats(
    session: Session, users: UserDirectory, outcomes: Sequence[tuple[Outcome, int]]
) -> None:
    """Add the batch's trades, volume, fees, realised PnL and funding to each user's
    running totals."""
    totals: dict[str, list[int]] = {}  # trades, volume, fees, realised, funding paid

    def add(pubkey: str, trades: int, volume: int, fees: int, realised: int, funding: int) -> None:
        row = totals.setdefault(pubkey, [0, 0, 0, 0, 0])
        for index, value in enumerate((trades, volume, fees, realised, funding)):
            row[index] += value

    for outcome, _ in outcomes:
        for fill, settled in outcome.settlements:
            add(fill.taker_account, 1, fill.notional, fill.taker_fee, settled.taker_realised, 0)
            add(fill.maker_account, 1, fill.notional, fill.maker_fee, settled.maker_realised, 0)
        for settlement in outcome.funding:
            for pubkey, change in settlement.payments.items():
                add(pubkey, 0, 0, 0, 0, -change)
        for result in outcome.liquidations:
            for closed in result.closed:
                add(result.account_id, 0, 0, closed.fee, closed.realised, 0)
                # the liquidator's share of the fee is income: a negative fee, as a rebate
                realised = closed.liquidator_realised
                add(result.liquidator_id, 0, 0, -closed.liquidator_fee, realised, 0)
    if not totals:
        return
    now_ms = outcomes[-1][1]
    rows = [
        {
            "user_id": users.id_of(session, pubkey, now_ms),
            "trades": trades,
            "volume": volume,
            "fees_paid": fees,
            "realised_pnl": realised,
            "funding_paid": funding,
            "updated_at_ms": now_ms,
        }
        for pubkey, (trades, volume, fees, realised, funding) in sorted(totals.items())
    ]
    summed = ("trades", "volume", "fees_paid", "realised_pnl", "funding_paid")
    accumulate(session, UserStats, rows, ("user_id",), summed)


UserIds = Callable[[str, int], int]
"""The user id of a public key (first seen at the given time)."""


def order_rows(outcomes: Sequence[tuple[Outcome, int]], user_id: UserIds) -> list[dict[str, Any]]:
    """Each changed order's latest row (a later command's change replaces an earlier one)."""
    orders = {
        order.order_id: _order_values(order, user_id(order.account, now_ms), now_ms)
        for outcome, now_ms in outcomes
        for result in outcome.results
        for order in result.changed
    }
    return list(orders.values())


def account_rows(
    state: TradingState, outcomes: Sequence[tuple[Outcome, int]], user_id: UserIds
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The balance rows and the position rows of every account touched, as they are now."""
    now_ms = outcomes[-1][1] if outcomes else 0
    touched = sorted({pubkey for outcome, _ in outcomes for pubkey in outcome.accounts})
    balances, positions = [], []
    for pubkey in touched:
        account = state.ledger.account(pubkey)
        user = user_id(pubkey, now_ms)
        for asset, amount in account.balances.items():
            balances.append(
                {"user_id": user, "asset": asset, "amount": amount, "updated_at_ms": now_ms}
            )
        for position in account.positions.values():
            positions.append(
                {
                    "user_id": user,
                    "market": position.market,
                    "base": position.base,
                    "quote_entry": position.quote_entry,
                    "last_funding_index": position.last_funding_index,
                    "updated_at_ms": now_ms,
                }
            )
    return balances, positions


def only_orders_and_accounts(outcome: Outcome) -> bool:
    """Whether ``outcome`` changed nothing but orders, balances and positions (no fill,
    auction, quote, funding, liquidation, transfer, price or market change): its rows are
    exactly `order_rows` and `account_rows`."""
    return not (
        outcome.settlements
        or outcome.quotes
        or outcome.funding
        or outcome.liquidations
        or outcome.transfers
        or outcome.oracle_prices
        or outcome.market_changes
        or any(
            r.fills or r.auctions_started or r.auctions_settled or r.auctions_dropped
            for r in outcome.results
        )
    )


def _project_orders(
    session: Session, users: UserDirectory, outcomes: Sequence[tuple[Outcome, int]]
) -> None:
    rows = order_rows(outcomes, lambda pubkey, now_ms: users.id_of(session, pubkey, now_ms))
    upsert(session, Order, rows, ("id",))


def _project_fills(session: Session, users: UserDirectory, outcome: Outcome, now_ms: int) -> None:
    """Each fill with what it realised for its two accounts (every fill of an outcome was
    settled in the ledger as it was recorded)."""
    settled = {fill.trade_id: settlement for fill, settlement in outcome.settlements}
    for result in outcome.results:
        for fill in result.fills:
            settlement = settled[fill.trade_id]
            session.add(
                Trade(
                    id=fill.trade_id,
                    market=fill.market,
                    price=fill.price,
                    size=fill.size,
                    notional=fill.notional,
                    taker_side=fill.taker_side.value,
                    maker_order_id=fill.maker_order_id or None,
                    taker_order_id=fill.taker_order_id,
                    maker_user_id=users.id_of(session, fill.maker_account, now_ms),
                    taker_user_id=users.id_of(session, fill.taker_account, now_ms),
                    maker_fee=fill.maker_fee,
                    taker_fee=fill.taker_fee,
                    maker_realised_pnl=settlement.maker_realised,
                    taker_realised_pnl=settlement.taker_realised,
                    timestamp_ms=fill.timestamp_ms,
                )
            )


def _project_auctions(
    session: Session, users: UserDirectory, outcome: Outcome, now_ms: int
) -> None:
    """Auctions opened, quoted, settled (with the trades their quotes made) or dropped."""
    if (
        not any(
            r.auctions_started or r.auctions_dropped or r.auctions_settled for r in outcome.results
        )
        and not outcome.quotes
    ):
        return
    session.flush()  # the orders and trades these rows refer to come first
    for result in outcome.results:
        for auction in result.auctions_started:
            session.add(
                Auction(
                    id=auction.auction_id,
                    market=auction.market,
                    taker_order_id=auction.taker_order_id,
                    side=auction.side.value,
                    size=auction.size,
                    start_price=auction.start_price,
                    end_price=auction.end_price,
                    start_ms=auction.start_ms,
                    duration_ms=auction.duration_ms,
                    status="open",
                )
            )
        for auction in result.auctions_dropped:
            _set_auction_status(session, auction.auction_id, "cancelled")
        for auction, fills in result.auctions_settled:
            _set_auction_status(session, auction.auction_id, "settled")
            for fill in fills:
                session.add(
                    AuctionSettlement(
                        auction_id=auction.auction_id,
                        maker_user_id=users.id_of(session, fill.maker_account, now_ms),
                        trade_id=fill.trade_id,
                        price=fill.price,
                        size=fill.size,
                        settled_at_ms=fill.timestamp_ms,
                    )
                )
    session.flush()
    for record in outcome.quotes:
        session.add(
            AuctionQuote(
                auction_id=record.auction_id,
                maker_user_id=users.id_of(session, record.quote.maker, now_ms),
                price=record.quote.price,
                size=record.quote.size,
                quoted_at_ms=record.quote.time_ms,
            )
        )


def _set_auction_status(session: Session, auction_id: int, status: str) -> None:
    row = session.get(Auction, auction_id)
    if row is not None:
        row.status = status
        session.add(row)


def _project_funding(
    session: Session, users: UserDirectory, state: TradingState, outcome: Outcome, now_ms: int
) -> None:
    for settlement in outcome.funding:
        rate = FundingRate(
            market=settlement.market,
            rate=settlement.rate,
            mark_twap=settlement.mark_twap,
            oracle_twap=settlement.oracle_twap,
            cumulative_index=settlement.index,
            settled_at_ms=settlement.settled_at_ms,
            last_trade_id=settlement.last_trade_id,
        )
        session.add(rate)
        session.flush()
        for pubkey, amount in sorted(settlement.payments.items()):
            position = state.ledger.account(pubkey).positions[settlement.market]
            session.add(
                FundingPayment(
                    funding_rate_id=rate.id,
                    user_id=users.id_of(session, pubkey, now_ms),
                    market=settlement.market,
                    base=position.base,
                    amount=amount,
                    settled_at_ms=settlement.settled_at_ms,
                )
            )


def _project_liquidations(
    session: Session, users: UserDirectory, outcome: Outcome, now_ms: int
) -> None:
    for result, moment in zip(outcome.liquidations, outcome.liquidation_markets, strict=True):
        session.add(
            LiquidationEvent(
                user_id=users.id_of(session, result.account_id, now_ms),
                liquidator_id=users.id_of(session, result.liquidator_id, now_ms),
                markets=json.dumps(moment.markets),
                created_at_ms=now_ms,
            )
        )
        for index, closed in enumerate(result.closed):
            last = index == len(result.closed) - 1
            session.add(
                Liquidation(
                    user_id=users.id_of(session, result.account_id, now_ms),
                    liquidator_id=users.id_of(session, result.liquidator_id, now_ms),
                    market=closed.market,
                    base=closed.base,
                    price=closed.price,
                    fee=closed.fee,
                    liquidator_fee=closed.liquidator_fee,
                    insurance_fee=closed.insurance_fee,
                    realised_pnl=closed.realised,
                    liquidator_realised_pnl=closed.liquidator_realised,
                    insurance_draw=result.insurance_draw if last else 0,
                    socialised_loss=result.socialised_loss if last else 0,
                    created_at_ms=now_ms,
                )
            )


def _project_market_events(
    session: Session, state: TradingState, outcome: Outcome, now_ms: int
) -> None:
    """Oracle prices into their history; halts, resumes and parameter changes on record."""
    for record in outcome.oracle_prices:
        session.add(
            OraclePrice(
                market=record.market,
                source=record.source,
                price=record.price,
                confidence=record.confidence,
                ema_price=record.ema_price,
                publish_time_ms=record.publish_time_ms or now_ms,
                received_at_ms=now_ms,
            )
        )
    if outcome.market_changes:
        sync_markets(session, state.catalog, state.halted)
    for change in outcome.market_changes:
        session.add(
            SystemEvent(
                kind=f"market_{change.kind}",
                market=change.market,
                message=change.message,
                created_at_ms=now_ms,
            )
        )


def _project_transfers(
    session: Session, users: UserDirectory, outcome: Outcome, now_ms: int
) -> None:
    """A row per deposit or withdrawal."""
    for account, asset, amount in outcome.transfers:
        user_id = users.id_of(session, account, now_ms)
        session.add(Transfer(user_id=user_id, asset=asset, amount=amount, created_at_ms=now_ms))


def _project_accounts(
    session: Session,
    users: UserDirectory,
    state: TradingState,
    outcomes: Sequence[tuple[Outcome, int]],
) -> None:
    """The balances and positions of every account touched, as they are now."""
    balances, positions = account_rows(
        state, outcomes, lambda pubkey, now_ms: users.id_of(session, pubkey, now_ms)
    )
    upsert(session, UserBalance, balances, ("user_id", "asset"))
    upsert(session, Position, positions, ("user_id", "market"))


def _order_values(order: DomainOrder, user_id: int, now_ms: int) -> dict[str, Any]:
    request = order.request
    return {
        "id": order.order_id,
        "user_id": user_id,
        "market": request.market,
        "client_order_id": request.client_order_id,
        "side": request.side.value,
        "type": request.type.value,
        "status": order.status.value,
        "size": request.size,
        "filled": order.filled,
        "filled_quote": order.filled_quote,
        "fees_paid": order.fees_paid,
        "price": request.price,
        "trigger_price": request.trigger_price,
        "trigger_reference": request.trigger_reference.value,
        "trailing_amount": request.trailing_amount,
        "trailing_percent": request.trailing_percent,
        "visible_size": request.visible_size,
        "twap_duration_s": request.twap_duration_s,
        "twap_slices": request.twap_slices,
        "take_profit_price": request.take_profit_price,
        "stop_loss_price": request.stop_loss_price,
        "time_in_force": request.time_in_force.value,
        "expire_at_ms": request.expire_at_ms,
        "post_only": request.post_only,
        "reduce_only": request.reduce_only,
        "parent_id": order.parent_id,
        "linked_ids": ",".join(str(i) for i in order.linked_ids),
        "reject_reason": order.reject_reason,
        "created_at_ms": order.created_at_ms,
        "updated_at_ms": now_ms,
    }
