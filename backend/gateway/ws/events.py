"""Turns each committed trading command into stream messages on the hub."""

from __future__ import annotations

from typing import Any, Protocol

from backend.domain.fixed_point import (
    FUNDING_RATE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.gateway.views import balances, positions
from backend.gateway.ws.book_frames import BookFrames
from backend.gateway.ws.candles import LiveCandles
from backend.gateway.ws.hub import Hub, Topic
from backend.gateway.ws.wire import auction_out, price_text, quote_text, size_text
from backend.schemas.orders import OrderOut
from backend.services.trading.commands import Command, SetPrices, SetPriceStatus
from backend.services.trading.margin_calls import MarginCallWatch
from backend.services.trading.state import Outcome, TradingState


class StreamSink(Protocol):
    """Where stream messages go: a `Hub`, or an engine's outbox to Redis."""

    def publish(self, topic: Topic, message: dict[str, Any], seq: int | None = None) -> None:
        """Number and send one message."""


class MarketFrames:
    """Publishes the book and candle channels of every committed command: the part of
    the stream each gateway makes from its own copy of the state."""

    def __init__(self, book_frames: BookFrames, candles: LiveCandles) -> None:
        self.book_frames = book_frames
        self.candles = candles

    def __call__(self, command: Command, outcome: Outcome) -> None:
        """The `on_commit` listener."""
        for result in outcome.results:
            if result.deltas:
                self.book_frames.add(result.deltas)
            if result.fills:
                self.candles.on_fills(result.fills)


class StreamPublisher:
    """Publishes trades, prices, auctions, funding and each user's private updates and
    alerts; also the book and candles when given ``frames`` (one process; in a deployment
    of several, the gateways make those)."""

    def __init__(
        self,
        hub: Hub | StreamSink,
        state: TradingState,
        margin: MarginCallWatch,
        frames: MarketFrames | None = None,
    ) -> None:
        self.hub = hub
        self.state = state
        self.margin = margin
        self.frames = frames

    def __call__(self, command: Command, outcome: Outcome) -> None:
        """The `TradingService.on_commit` listener."""
        realised = {
            fill.trade_id: (settled.taker_realised, settled.maker_realised)
            for fill, settled in outcome.settlements
        }
        if self.frames is not None:
            self.frames(command, outcome)
        for result in outcome.results:
            if result.fills:
                self._trades(result.fills, realised)
            self._auctions(result)
            for order in result.changed:
                self.hub.publish(
                    ("orders", order.account),
                    {
                        "channel": "orders",
                        "type": "update",
                        "order": OrderOut.of(order, outcome.now_ms).model_dump(),
                    },
                )
        for account in sorted(outcome.accounts):
            self.hub.publish(
                ("positions", account),
                {
                    "channel": "positions",
                    "type": "snapshot",
                    "positions": [p.model_dump() for p in positions(self.state, account)],
                },
            )
            self.hub.publish(
                ("account", account),
                {
                    "channel": "account",
                    "type": "snapshot",
                    "balances": [b.model_dump() for b in balances(self.state, account)],
                },
            )
        for settlement in outcome.funding:
            self.hub.publish(
                ("funding", settlement.market),
                {
                    "channel": "funding",
                    "market": settlement.market,
                    "type": "settlement",
                    "rate": format_fixed(settlement.rate, FUNDING_RATE_PRECISION),
                    "time_ms": settlement.settled_at_ms,
                },
            )
        for result in outcome.liquidations:
            self.hub.publish(
                ("alerts", result.account_id),
                {
                    "channel": "alerts",
                    "type": "liquidation",
                    "closed": [
                        {
                            "market": c.market,
                            "size": size_text(c.base),
                            "price": price_text(c.price),
                            "fee": quote_text(c.fee),
                        }
                        for c in result.closed
                    ],
                    "healthy_after": result.healthy_after,
                },
            )
        for record in outcome.quotes:
            self.hub.publish(
                ("auctions", record.market),
                {
                    "channel": "auctions",
                    "market": record.market,
                    "type": "quote",
                    "auction_id": record.auction_id,
                    "price": price_text(record.quote.price),
                    "size": size_text(record.quote.size),
                    "time_ms": record.quote.time_ms,
                },
            )
        for call in self.margin.after(command, outcome):
            self.hub.publish(
                ("alerts", call.account),
                {
                    "channel": "alerts",
                    "type": "margin_call",
                    "market": call.market,
                    "health": format_fixed(call.health, RATIO_PRECISION),
                    "equity": quote_text(call.equity),
                    "maintenance_requirement": quote_text(call.maintenance_requirement),
                },
            )
        if isinstance(command, SetPrices) and command.market in self.state.prices:
            prices = self.state.prices[command.market]
            self.hub.publish(
                ("prices", command.market),
                {
                    "channel": "prices",
                    "market": command.market,
                    "type": "price",
                    "mark": price_text(prices.mark),
                    "oracle": price_text(prices.oracle),
                    "source": self.state.price_sources.get(command.market),
                },
            )
        elif isinstance(command, SetPriceStatus):
            self.hub.publish(
                ("prices", command.market),
                {
                    "channel": "prices",
                    "market": command.market,
                    "type": "status",
                    "status": command.status,
                    "source": command.source,
                    "reason": command.reason,
                },
            )

    def _auctions(self, result) -> None:
        for auction in result.auctions_started:
            self._auction_message(auction.market, "started", auction=auction_out(auction))
        for auction, fills in result.auctions_settled:
            filled = sum(f.size for f in fills)
            self._auction_message(
                auction.market,
                "settled",
                auction_id=auction.auction_id,
                filled=size_text(filled),
                average_price=price_text(sum(f.price * f.size for f in fills) // filled)
                if filled
                else None,
                fills=len(fills),
                remainder=size_text(auction.size - filled),
            )
        for auction in result.auctions_dropped:
            self._auction_message(auction.market, "cancelled", auction_id=auction.auction_id)

    def _auction_message(self, market: str, kind: str, **fields) -> None:
        self.hub.publish(
            ("auctions", market),
            {"channel": "auctions", "market": market, "type": kind} | fields,
        )

    def _trades(self, fills, realised: dict[int, tuple[int, int]]) -> None:
        """The public trades, and each side's own fill with the PnL it realised (``realised``:
        the taker's and the maker's, by trade id)."""
        market = fills[0].market
        self.hub.publish(
            ("trades", market),
            {
                "channel": "trades",
                "market": market,
                "type": "trades",
                "trades": [
                    {
                        "id": f.trade_id,
                        "price": price_text(f.price),
                        "size": size_text(f.size),
                        "side": f.taker_side.value,
                        "time_ms": f.timestamp_ms,
                    }
                    for f in fills
                ],
            },
        )
        for fill in fills:
            taker_realised, maker_realised = realised[fill.trade_id]
            for user, role, fee, pnl in (
                (fill.taker_account, "taker", fill.taker_fee, taker_realised),
                (fill.maker_account, "maker", fill.maker_fee, maker_realised),
            ):
                side = fill.taker_side if role == "taker" else fill.maker_side
                self.hub.publish(
                    ("fills", user),
                    {
                        "channel": "fills",
                        "market": market,
                        "type": "fill",
                        "fill": {
                            "trade_id": fill.trade_id,
                            "order_id": fill.taker_order_id
                            if role == "taker"
                            else fill.maker_order_id,
                            "side": side.value,
                            "price": price_text(fill.price),
                            "size": size_text(fill.size),
                            "role": role,
                            "fee": quote_text(fee),
                            "realised_pnl": quote_text(pnl),
                            "time_ms": fill.timestamp_ms,
                        },
                    },
                )


def prices_snapshot(state: TradingState, market: str, seq: int) -> dict:
    """A market's prices and oracle status now: the first message on `prices`."""
    prices = state.prices.get(market)
    status = state.price_status.get(market)
    return {
        "channel": "prices",
        "market": market,
        "type": "snapshot",
        "seq": seq,
        "mark": price_text(prices.mark) if prices else None,
        "oracle": price_text(prices.oracle) if prices else None,
        "source": state.price_sources.get(market),
        "status": status.value if status is not None else "live",
        "published_ms": state.oracle_published_ms.get(market),
    }


def book_snapshot(state: TradingState, market: str, depth: int = 100) -> dict:
    """The ``book`` channel's snapshot message of ``market`` (its ``seq`` included)."""
    book = state.engines[market].book
    snapshot = book.snapshot(depth)
    return {
        "channel": "book",
        "market": market,
        "type": "snapshot",
        "seq": snapshot.seq,
        "bids": [[price_text(p), size_text(s)] for p, s in snapshot.bids],
        "asks": [[price_text(p), size_text(s)] for p, s in snapshot.asks],
    }
