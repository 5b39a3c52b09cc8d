"""Turns each committed trading command into stream messages on the hub."""

from __future__ import annotations

from backend.domain.fixed_point import (
    BASE_PRECISION,
    FUNDING_RATE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    format_fixed,
)
from backend.domain.orders import Side
from backend.gateway.views import balances, positions
from backend.gateway.ws.hub import Hub
from backend.schemas.orders import OrderOut
from backend.services.trading.commands import Command, SetPrices
from backend.services.trading.state import Outcome, TradingState


def price_text(value: int) -> str:
    """A price as the wire shows it."""
    return format_fixed(value, PRICE_PRECISION)


def size_text(value: int) -> str:
    """A size as the wire shows it."""
    return format_fixed(value, BASE_PRECISION)


class StreamPublisher:
    """Publishes book deltas, trades, prices and each user's private updates."""

    def __init__(self, hub: Hub, state: TradingState) -> None:
        self.hub = hub
        self.state = state

    def __call__(self, command: Command, outcome: Outcome) -> None:
        """The `TradingService.on_commit` listener."""
        for result in outcome.results:
            if result.deltas:
                self._book(result.deltas)
            if result.fills:
                self._trades(result.fills)
            for order in result.changed:
                self.hub.publish(
                    ("orders", order.account),
                    {
                        "channel": "orders",
                        "type": "update",
                        "order": OrderOut.of(order).model_dump(),
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
                            "fee": format_fixed(c.fee, QUOTE_PRECISION),
                        }
                        for c in result.closed
                    ],
                    "healthy_after": result.healthy_after,
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
                },
            )

    def _book(self, deltas) -> None:
        market = deltas[0].market
        bids = [[price_text(d.price), size_text(d.size)] for d in deltas if d.side is Side.BUY]
        asks = [[price_text(d.price), size_text(d.size)] for d in deltas if d.side is Side.SELL]
        self.hub.publish(
            ("book", market),
            {
                "channel": "book",
                "market": market,
                "type": "delta",
                "prev_seq": deltas[0].seq - 1,
                "bids": bids,
                "asks": asks,
            },
            seq=deltas[-1].seq,
        )

    def _trades(self, fills) -> None:
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
            for user, role, fee in (
                (fill.taker_account, "taker", fill.taker_fee),
                (fill.maker_account, "maker", fill.maker_fee),
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
                            "fee": format_fixed(fee, QUOTE_PRECISION),
                            "time_ms": fill.timestamp_ms,
                        },
                    },
                )


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
