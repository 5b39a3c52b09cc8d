"""The matching engine of one market: every order type and flag on top of the order book.

Choices written down:

* **post-only** orders that would take liquidity are *rejected* (`POST_ONLY_WOULD_TAKE`),
  never repriced, so a maker always knows the price it rests at;
* **market** orders (and triggered market orders) are immediate-or-cancel within a
  protection band (`engine_core.MARKET_PROTECTION`, 5%) around the reference price; a
  market order at or above the market's auction threshold opens a JIT auction first;
* **reduce-only** orders can never increase or flip a position: refused when there is
  nothing to reduce, capped at the position when executed, and resting reduce-only orders
  are shrunk oldest-kept so that, with the account's other resting orders on the reducing
  side, they cannot exceed the position (checked after every command);
* **FOK** and post-only failures are rejections (nothing changes); an IOC remainder is a
  cancellation with reason `ioc_remainder`;
* a repeated client order id answers the original order and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from backend.domain.auction import Auction, AuctionQuote
from backend.domain.engine_core import TRIGGER_KINDS
from backend.domain.engine_events import CancelReason, EngineResult
from backend.domain.engine_programs import EnginePrograms
from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.order_validation import (
    check_bracket,
    check_price,
    check_size,
    validate_order,
)
from backend.domain.orders import Order, OrderRequest, OrderStatus, OrderType, Side
from backend.domain.triggers import PendingTrigger, ReferencePrices
from backend.domain.twap import TwapSchedule


class MatchingEngine(EnginePrograms):
    """All working orders of one market and the account positions it has traded."""

    # -- reading ---------------------------------------------------------------------

    def order(self, order_id: int) -> Order | None:
        """A working order by id, or None."""
        return self._live.get(order_id)

    def open_orders(self, account: str) -> list[Order]:
        """The account's working orders, oldest first."""
        return list(self._by_account.get(account, {}).values())

    def open_sizes(self, account: str) -> tuple[int, int]:
        """The unfilled buy and sell size of the account's working orders, reduce-only
        ones left out (they cannot add risk). Every order's margin check asks for it, so
        the engine keeps it up to date as orders change instead of summing them."""
        sizes = self._open_sizes.get(account)
        return (sizes[0], sizes[1]) if sizes is not None else (0, 0)

    def position(self, account: str) -> int:
        """The account's position in base units (+ long, - short)."""
        return self._positions.get(account, 0)

    def set_position(self, account: str, base: int) -> EngineResult:
        """Set a position changed elsewhere (restart, liquidation); reduce-only orders that
        no longer fit are shrunk or cancelled in the result."""
        self._positions[account] = base
        result = EngineResult()
        self._finish(result, account)
        return result

    def by_client_id(self, account: str, client_order_id: str) -> Order | None:
        """An account's order (working or finished) by its client order id."""
        return self._by_client.get((account, client_order_id))

    def protected_price(self, side: Side) -> int | None:
        """The worst price a market order of ``side`` would accept now (None: no price)."""
        return self._protected_price(side)

    def open_auctions(self) -> list[Auction]:
        """The auctions running now, oldest first."""
        return [entry[0] for entry in self._auctions.values()]

    def auction(self, auction_id: int) -> Auction | None:
        """An open auction."""
        entry = self._auctions.get(auction_id)
        return entry[0] if entry else None

    # -- commands --------------------------------------------------------------------

    def submit(
        self, request: OrderRequest, now_ms: int, prices: ReferencePrices | None = None
    ) -> EngineResult:
        """Accept, execute and/or rest a new order; raises `OrderRejected` changing nothing.

        ``prices``, when given, are taken in first (as by `on_price`, without firing
        triggers) so validation and the market protection band use them. The engine keeps
        its own copy of ``request``: the caller's object is never changed (a reduce-only
        order capped at the position shows the capped size on ``result.order``).
        """
        original = self._by_client.get((request.account, request.client_order_id))
        if original is not None:
            return EngineResult(order=original, duplicate=True)
        if prices is not None:
            self.prices = self._merge_prices(prices)
        request = replace(request)
        validate_order(request, self.spec, now_ms, self.prices.get(request.trigger_reference))
        result = EngineResult()
        if request.reduce_only:
            self._cap_reduce_only(request)
        if request.type in (OrderType.BRACKET, OrderType.LIMIT, OrderType.ICEBERG):
            self._check_taker(request, request.price)
        elif request.type is OrderType.MARKET:
            self._check_taker(request, self._protected_price(request.side))
        kind = request.type
        waits = kind in TRIGGER_KINDS
        order = self._new_order(
            request, now_ms, status=OrderStatus.PENDING if waits else OrderStatus.OPEN
        )
        result.order = order
        if waits:
            self.triggers.add(
                PendingTrigger(
                    order.order_id,
                    request.side,
                    TRIGGER_KINDS[kind],
                    request.trigger_reference,
                    request.trigger_price,
                    request.trailing_amount,
                    request.trailing_percent,
                ),
                self.prices.get(request.trigger_reference),
            )
            result.touch(order)
        elif kind is OrderType.TWAP:
            self._twaps[order.order_id] = TwapSchedule(
                request.size,
                request.twap_slices,
                now_ms,
                request.twap_duration_s * 1000,
                self.spec.lot_size,
            )
            result.touch(order)
            self._run_twap(order, now_ms, result)
        elif kind is OrderType.BRACKET:
            self._open_bracket(order, now_ms, result)
        elif kind is OrderType.MARKET and self._starts_auction(request):
            self._open_auction(order, now_ms, result)
        else:
            self._execute(order, now_ms, result)
        self._finish(result, request.account)
        return result

    def _owned_order(self, account: str, order_id: int) -> Order:
        """``account``'s working order ``order_id``; a foreign id is 'not found' too."""
        order = self._live.get(order_id)
        if order is None or order.account != account:
            raise OrderRejected(
                RejectCode.ORDER_NOT_FOUND,
                f"no working order {order_id} for this account",
                "order_id",
            )
        return order

    def cancel(self, account: str, order_id: int, now_ms: int) -> EngineResult:
        """Cancel one of ``account``'s working orders (a foreign id is 'not found')."""
        order = self._owned_order(account, order_id)
        result = EngineResult(order=order)
        self._cancel(order, CancelReason.USER, result)
        self._finish(result)
        return result

    def cancel_all(self, account: str, now_ms: int) -> EngineResult:
        """Cancel every working order of ``account`` in this market."""
        result = EngineResult()
        for order in self.open_orders(account):
            if order.order_id in self._live:
                self._cancel(order, CancelReason.USER, result)
        self._finish(result)
        return result

    def modify(
        self,
        account: str,
        order_id: int,
        new_price: int | None,
        new_size: int | None,
        now_ms: int,
    ) -> EngineResult:
        """Change a resting limit order's price and/or total size.

        Shrinking keeps time priority; a new price or a larger size re-queues the order
        (and may match if the new price crosses). ``new_size`` is the new total size,
        fills included.
        """
        order = self._owned_order(account, order_id)
        if order.order_id not in self.book:
            raise OrderRejected(
                RejectCode.ORDER_NOT_OPEN,
                "only orders resting on the book can be modified",
                "order_id",
            )
        request = order.request
        price = (
            request.price
            if new_price is None
            else check_price(new_price, self.spec, "price", RejectCode.MISSING_PRICE)
        )
        size = request.size if new_size is None else new_size
        check_size(size, self.spec)
        if size <= order.filled:
            raise OrderRejected(
                RejectCode.INVALID_SIZE,
                "the new size must be larger than what already filled",
                "size",
            )
        if request.type is OrderType.BRACKET and price != request.price:
            # the exit legs stay where they are: the entry may not move past them
            check_bracket(replace(request, price=price), self.spec, None)
        if request.post_only and self.book.would_cross(request.side, price):
            raise OrderRejected(
                RejectCode.POST_ONLY_WOULD_TAKE,
                "a post-only order at that price would take liquidity",
                "price",
            )
        result = EngineResult(order=order)
        if price == request.price and size == request.size:
            return result  # nothing to change: keep the order's place in the queue
        if price == request.price and size < request.size:
            self.book.reduce(order_id, size - order.filled)
            request.size = size
        else:
            self.book.cancel(order_id)
            request.price, request.size = price, size
            self._execute(order, now_ms, result)
        result.touch(order)
        self._finish(result, account)
        return result

    def _merge_prices(self, prices: ReferencePrices) -> ReferencePrices:
        """``prices`` with the unknown (None) ones kept from before."""
        return ReferencePrices(
            prices.mark if prices.mark is not None else self.prices.mark,
            prices.oracle if prices.oracle is not None else self.prices.oracle,
            prices.last if prices.last is not None else self.prices.last,
        )

    def take_prices(self, prices: ReferencePrices) -> None:
        """Record new prices without firing triggers (a halted market)."""
        self.prices = self._merge_prices(prices)

    def on_price(self, prices: ReferencePrices, now_ms: int) -> EngineResult:
        """New mark/oracle/last prices: fire triggers and move trailing stops."""
        merged = self.prices = self._merge_prices(prices)
        result = EngineResult()
        for order_id in self.triggers.on_price(merged):
            order = self._live.get(order_id)
            if order is None:
                continue
            result.triggered.append(order_id)
            if order.request.reduce_only and not self._cap_reduce_only_live(order, result):
                continue
            order.move_to(OrderStatus.OPEN)
            result.touch(order)
            self._execute(order, now_ms, result)
        self._finish(result)
        return result

    def on_time(self, now_ms: int) -> EngineResult:
        """The clock moved: expire GTD orders, send due TWAP slices, settle auctions."""
        result = EngineResult()
        self._expire_due(now_ms, result)
        for parent_id in list(self._twaps):
            parent = self._live.get(parent_id)
            if parent is not None:
                self._run_twap(parent, now_ms, result)
        for auction_id, (auction, _, _) in list(self._auctions.items()):
            if auction.end_ms <= now_ms:
                self._settle_auction(auction_id, now_ms, result)
        self._finish(result)
        return result

    def settle_auction(self, auction_id: int, now_ms: int) -> EngineResult:
        """Settle an open auction now, before its end (quotes made after ``now_ms`` do not
        count); the remainder goes to the book. `on_time` settles the ones that ended."""
        if auction_id not in self._auctions:
            raise OrderRejected(RejectCode.AUCTION_CLOSED, f"auction {auction_id} is not open")
        result = EngineResult(order=self._auctions[auction_id][1])
        self._settle_auction(auction_id, now_ms, result)
        self._finish(result)
        return result

    def quote_auction(self, auction_id: int, quote: AuctionQuote) -> None:
        """Record a maker's quote for an open auction."""
        entry = self._auctions.get(auction_id)
        if entry is None:
            raise OrderRejected(RejectCode.AUCTION_CLOSED, f"auction {auction_id} is not open")
        auction, taker, quotes = entry
        auction.check_quote(quote)
        if quote.maker == taker.account:
            raise OrderRejected(RejectCode.INVALID_QUOTE, "a taker cannot quote its own auction")
        quotes.append(quote)
