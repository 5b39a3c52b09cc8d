"""The matching engine of one market: every order type and flag on top of the order book.

Choices written down:

* **post-only** orders that would take liquidity are *rejected* (`POST_ONLY_WOULD_TAKE`),
  never repriced, so a maker always knows the price it rests at;
* **market** orders (and triggered market orders) are immediate-or-cancel with a
  protection band of `MARKET_PROTECTION` around the reference price; a market order at or
  above the market's auction threshold opens a JIT auction first (`auction.py`);
* **reduce-only** orders can never increase or flip a position: refused when there is
  nothing to reduce, capped at the position when executed, and resting reduce-only orders
  are shrunk oldest-kept so that, with the account's other resting orders on the reducing
  side, they cannot exceed the position (checked after every command);
* **FOK** and post-only failures are rejections (nothing changes); an IOC remainder is a
  cancellation with reason `ioc_remainder`;
* a repeated client order id answers the original order and changes nothing.
"""

from __future__ import annotations

from backend.domain.auction import Auction, AuctionQuote, start_auction
from backend.domain.engine_events import CancelReason, EngineResult
from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fills import Fill, fee_for
from backend.domain.fixed_point import (
    RATIO_PRECISION,
    mul_div_ceil,
    mul_div_floor,
    quote_value_floor,
)
from backend.domain.markets import MarketSpec
from backend.domain.order_book import MatchResult, OrderBook
from backend.domain.order_validation import check_price, check_size, validate_order
from backend.domain.orders import Order, OrderRequest, OrderStatus, OrderType, Side, TimeInForce
from backend.domain.triggers import PendingTrigger, ReferencePrices, TriggerBook, TriggerKind
from backend.domain.twap import TwapSchedule

MARKET_PROTECTION = 50_000
"""Market orders fill no further than 5% from the reference price."""

_TRIGGER_KIND = {
    OrderType.STOP_MARKET: TriggerKind.STOP,
    OrderType.STOP_LIMIT: TriggerKind.STOP,
    OrderType.TAKE_PROFIT_MARKET: TriggerKind.TAKE_PROFIT,
    OrderType.TAKE_PROFIT_LIMIT: TriggerKind.TAKE_PROFIT,
    OrderType.TRAILING_STOP: TriggerKind.TRAILING,
}
_MARKET_LIKE = {
    OrderType.MARKET,
    OrderType.STOP_MARKET,
    OrderType.TAKE_PROFIT_MARKET,
    OrderType.TRAILING_STOP,
}
_RESTING_TYPES = {
    OrderType.LIMIT,
    OrderType.ICEBERG,
    OrderType.STOP_LIMIT,
    OrderType.TAKE_PROFIT_LIMIT,
    OrderType.BRACKET,
}


class MatchingEngine:
    """All working orders of one market and the account positions it has traded."""

    def __init__(self, spec: MarketSpec, first_order_id: int = 1, first_trade_id: int = 1) -> None:
        self.spec = spec
        self.book = OrderBook(spec.symbol)
        self.triggers = TriggerBook()
        self.prices = ReferencePrices()
        self.next_order_id = first_order_id
        self.next_trade_id = first_trade_id
        self.next_auction_id = 1
        self._live: dict[int, Order] = {}
        self._by_client: dict[tuple[str, str], Order] = {}
        self._positions: dict[str, int] = {}
        self._twaps: dict[int, TwapSchedule] = {}
        self._legs: dict[int, tuple[int, int]] = {}
        """Bracket entry id -> (take-profit leg id, stop-loss leg id)."""
        self._auctions: dict[int, tuple[Auction, Order, list[AuctionQuote]]] = {}

    # -- reading ---------------------------------------------------------------------

    def order(self, order_id: int) -> Order | None:
        """A working order by id, or None."""
        return self._live.get(order_id)

    def open_orders(self, account: str) -> list[Order]:
        """The account's working orders, oldest first."""
        return [o for o in self._live.values() if o.account == account]

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

    def auction(self, auction_id: int) -> Auction | None:
        """An open auction."""
        entry = self._auctions.get(auction_id)
        return entry[0] if entry else None

    # -- commands --------------------------------------------------------------------

    def submit(self, request: OrderRequest, now_ms: int) -> EngineResult:
        """Accept, execute and/or rest a new order; raises `OrderRejected` changing nothing."""
        original = self._by_client.get((request.account, request.client_order_id))
        if original is not None:
            return EngineResult(order=original, duplicate=True)
        validate_order(request, self.spec, now_ms, self.prices.get(request.trigger_reference))
        result = EngineResult()
        if request.reduce_only:
            self._cap_reduce_only(request)
        if request.type in (OrderType.BRACKET, OrderType.LIMIT, OrderType.ICEBERG):
            self._check_taker(request, request.price)
        elif request.type is OrderType.MARKET:
            self._check_taker(request, self._protected_price(request.side))
        order = self._new_order(request, now_ms)
        result.order = order
        kind = request.type
        if kind in _TRIGGER_KIND:
            order.status = OrderStatus.PENDING
            self.triggers.add(
                PendingTrigger(
                    order.order_id,
                    request.side,
                    _TRIGGER_KIND[kind],
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

    def cancel(self, account: str, order_id: int, now_ms: int) -> EngineResult:
        """Cancel one of ``account``'s working orders (a foreign id is 'not found')."""
        order = self._live.get(order_id)
        if order is None or order.account != account:
            raise OrderRejected(
                RejectCode.ORDER_NOT_FOUND,
                f"no working order {order_id} for this account",
                "order_id",
            )
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
        order = self._live.get(order_id)
        if order is None or order.account != account:
            raise OrderRejected(
                RejectCode.ORDER_NOT_FOUND,
                f"no working order {order_id} for this account",
                "order_id",
            )
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
        if request.post_only and self.book.would_cross(request.side, price):
            raise OrderRejected(
                RejectCode.POST_ONLY_WOULD_TAKE,
                "a post-only order at that price would take liquidity",
                "price",
            )
        result = EngineResult(order=order)
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

    def on_price(self, prices: ReferencePrices, now_ms: int) -> EngineResult:
        """New mark/oracle/last prices: fire triggers and move trailing stops."""
        merged = ReferencePrices(
            prices.mark if prices.mark is not None else self.prices.mark,
            prices.oracle if prices.oracle is not None else self.prices.oracle,
            prices.last if prices.last is not None else self.prices.last,
        )
        self.prices = merged
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
        for order in list(self._live.values()):
            expiry = order.request.expire_at_ms
            if expiry is not None and expiry <= now_ms and order.order_id in self._live:
                self._cancel(order, CancelReason.EXPIRED, result)
        for parent_id in list(self._twaps):
            parent = self._live.get(parent_id)
            if parent is not None:
                self._run_twap(parent, now_ms, result)
        for auction_id, (auction, _, _) in list(self._auctions.items()):
            if auction.end_ms <= now_ms:
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

    # -- execution -------------------------------------------------------------------

    def _new_order(self, request: OrderRequest, now_ms: int, parent: int | None = None) -> Order:
        order = Order(self.next_order_id, request, now_ms, parent_id=parent)
        self.next_order_id += 1
        self._live[order.order_id] = order
        self._by_client[(request.account, request.client_order_id)] = order
        return order

    def _reference(self) -> int | None:
        return self.prices.mark or self.prices.oracle or self.prices.last

    def _protected_price(self, side: Side) -> int | None:
        """The worst price a market order accepts, or None when no price is known."""
        reference = self._reference()
        if reference is None:
            return None
        if side is Side.BUY:
            worst = mul_div_floor(reference, RATIO_PRECISION + MARKET_PROTECTION, RATIO_PRECISION)
            return worst // self.spec.tick_size * self.spec.tick_size
        worst = mul_div_ceil(reference, RATIO_PRECISION - MARKET_PROTECTION, RATIO_PRECISION)
        return -((-worst) // self.spec.tick_size) * self.spec.tick_size

    def _check_taker(self, request: OrderRequest, limit: int | None) -> None:
        """Refuse, before anything changes, a post-only that would take or an unfillable FOK."""
        if request.post_only and limit is not None and self.book.would_cross(request.side, limit):
            raise OrderRejected(
                RejectCode.POST_ONLY_WOULD_TAKE,
                "a post-only order at that price would take liquidity",
                "price",
            )
        if request.time_in_force is TimeInForce.FOK:
            available = self.book.fillable(request.side, request.size, limit, request.account)
            if available < request.size:
                raise OrderRejected(
                    RejectCode.FOK_NOT_FILLABLE,
                    "fill-or-kill: the book cannot fill the whole size now",
                    "size",
                )

    def _limit_of(self, request: OrderRequest) -> int | None:
        """The worst price an order may fill at: its limit, or the market protection band."""
        if request.type in _MARKET_LIKE or request.price is None:
            return self._protected_price(request.side)
        return request.price

    def _execute(self, order: Order, now_ms: int, result: EngineResult) -> None:
        """Match a working order against the book, then rest or cancel what is left."""
        request = order.request
        size = order.remaining
        if request.reduce_only:
            size = min(size, self._reducible(request.account, request.side))
        if size > 0:
            matched = self.book.match(
                order.order_id, request.account, request.side, size, self._limit_of(request), now_ms
            )
            self._apply_match(order, matched, result)
        if order.status.is_terminal or not order.remaining:
            return
        rests = (
            request.type in _RESTING_TYPES
            and request.price is not None
            and request.time_in_force in (TimeInForce.GTC, TimeInForce.GTD)
        )
        reducible = not request.reduce_only or self._reducible(request.account, request.side)
        if rests and reducible:
            visible = request.visible_size if request.type is OrderType.ICEBERG else None
            self.book.add(
                order.order_id,
                request.account,
                request.side,
                request.price,
                order.remaining,
                visible,
                now_ms,
            )
            if order.status is OrderStatus.PENDING:
                order.move_to(OrderStatus.OPEN)
            result.touch(order)
            return
        if not reducible:
            reason = CancelReason.REDUCE_ONLY
        elif order.filled:
            reason = CancelReason.IOC_REMAINDER
        else:
            reason = CancelReason.NO_LIQUIDITY
        self._cancel(order, reason, result)

    def _priced_fill(
        self,
        price: int,
        size: int,
        taker_side: Side,
        maker_order_id: int,
        taker_order_id: int,
        maker_account: str,
        taker_account: str,
        now_ms: int,
    ) -> Fill:
        """A fill with its fees and the next trade id."""
        notional = quote_value_floor(price, size)
        fill = Fill(
            self.spec.symbol,
            price,
            size,
            taker_side,
            maker_order_id,
            taker_order_id,
            maker_account,
            taker_account,
            fee_for(notional, self.spec.maker_fee),
            fee_for(notional, self.spec.taker_fee),
            now_ms,
            self.next_trade_id,
        )
        self.next_trade_id += 1
        return fill

    def _apply_match(self, taker: Order, matched: MatchResult, result: EngineResult) -> None:
        for raw in matched.fills:
            fill = self._priced_fill(
                raw.price,
                raw.size,
                raw.taker_side,
                raw.maker_order_id,
                raw.taker_order_id,
                raw.maker_account,
                raw.taker_account,
                raw.timestamp_ms,
            )
            result.fills.append(fill)
            # positions first: bracket legs sized by this fill check them (reduce-only)
            self._move_position(fill.taker_account, fill.taker_side, fill.size)
            self._move_position(fill.maker_account, fill.maker_side, fill.size)
            maker = self._live.get(fill.maker_order_id)
            if maker is not None:
                self._record_fill(maker, fill.size, fill.price, fill.maker_fee, result)
            self._record_fill(taker, fill.size, fill.price, fill.taker_fee, result)
        for order_id in matched.self_trade_cancelled:
            maker = self._live.get(order_id)
            if maker is not None:
                self._cancel(maker, CancelReason.SELF_TRADE, result, in_book=False)

    def _record_fill(
        self, order: Order, size: int, price: int, fee: int, result: EngineResult
    ) -> None:
        order.filled += size
        order.filled_quote += quote_value_floor(price, size)
        order.fees_paid += fee
        order.move_to(OrderStatus.FILLED if order.remaining == 0 else OrderStatus.PARTIALLY_FILLED)
        result.touch(order)
        if order.status is OrderStatus.FILLED:
            self._retire(order)
        for partner_id in order.linked_ids:
            partner = self._live.get(partner_id)
            if partner is not None:
                self._shrink_partner(partner, size, order.status is OrderStatus.FILLED, result)
        if order.parent_id is not None:
            self._on_child_fill(order, size, price, fee, result)
        if order.order_id in self._legs:
            self._grow_legs(order, result)

    def _shrink_partner(self, partner: Order, size: int, done: bool, result: EngineResult) -> None:
        """One leg of an OCO pair filled ``size``: the other leg covers that much less."""
        left = partner.remaining - size
        if done or left <= 0:
            self._cancel(partner, CancelReason.OCO, result)
            return
        if partner.order_id in self.book:
            self.book.reduce(partner.order_id, left)
        partner.request.size = partner.filled + left
        result.touch(partner)

    def _move_position(self, account: str, side: Side, size: int) -> None:
        self._positions[account] = self._positions.get(account, 0) + side.sign * size

    def _retire(self, order: Order) -> None:
        self._live.pop(order.order_id, None)
        self._twaps.pop(order.order_id, None)

    def _cancel(
        self, order: Order, reason: CancelReason, result: EngineResult, in_book: bool = True
    ) -> None:
        """Stop a working order (and what hangs off it: TWAP schedule, bracket legs, OCO)."""
        if order.order_id not in self._live:
            return
        if in_book and order.order_id in self.book:
            self.book.cancel(order.order_id)
        self.triggers.remove(order.order_id)
        order.move_to(
            OrderStatus.EXPIRED if reason is CancelReason.EXPIRED else OrderStatus.CANCELLED
        )
        order.reject_reason = reason.value
        self._retire(order)
        result.touch(order)
        result.cancelled.append((order.order_id, reason))
        legs = self._legs.pop(order.order_id, None)
        if legs is not None and order.filled == 0:
            for leg_id in legs:
                leg = self._live.get(leg_id)
                if leg is not None:
                    self._cancel(leg, CancelReason.PARENT_CANCELLED, result)
        for partner_id in order.linked_ids:
            partner = self._live.get(partner_id)
            if partner is not None:
                self._cancel(partner, CancelReason.OCO, result)

    # -- reduce-only -----------------------------------------------------------------

    def _reducible(self, account: str, side: Side) -> int:
        """How much a ``side`` order of ``account`` can fill without growing its position."""
        position = self._positions.get(account, 0)
        return (
            -position
            if side is Side.BUY and position < 0
            else (position if side is Side.SELL and position > 0 else 0)
        )

    def _cap_reduce_only(self, request: OrderRequest) -> None:
        reducible = self._reducible(request.account, request.side)
        if reducible == 0:
            raise OrderRejected(
                RejectCode.REDUCE_ONLY_WOULD_INCREASE,
                f"reduce-only {request.side.value} would open or increase a position",
                "reduce_only",
            )
        if request.type is not OrderType.BRACKET:
            # the order is capped at the position it reduces; the caller sees the new size
            request.size = min(request.size, reducible)

    def _cap_reduce_only_live(self, order: Order, result: EngineResult) -> bool:
        """Before a triggered reduce-only order works: cap it or cancel it."""
        reducible = self._reducible(order.account, order.side)
        if reducible == 0:
            self._cancel(order, CancelReason.REDUCE_ONLY, result)
            return False
        if order.remaining > reducible:
            order.request.size = order.filled + reducible
        return True

    def _enforce_reduce_only(self, account: str, result: EngineResult) -> None:
        """Shrink or cancel the account's resting reduce-only orders so that, together with
        its other resting orders on the reducing side, they cannot exceed the position."""
        position = self._positions.get(account, 0)
        reducing_side = Side.SELL if position > 0 else Side.BUY
        resting = [
            o for o in self._live.values() if o.account == account and o.order_id in self.book
        ]
        budget = abs(position) - sum(
            o.remaining for o in resting if not o.request.reduce_only and o.side is reducing_side
        )
        for order in resting:
            if not order.request.reduce_only:
                continue
            if position == 0 or order.side is not reducing_side or budget <= 0:
                self._cancel(order, CancelReason.REDUCE_ONLY, result)
                continue
            if order.remaining > budget:
                self.book.reduce(order.order_id, budget)
                order.request.size = order.filled + budget
                result.touch(order)
            budget -= order.remaining

    def _finish(self, result: EngineResult, account: str | None = None) -> None:
        """After every command: keep reduce-only orders within positions, drain L2 deltas."""
        touched = {f.taker_account for f in result.fills} | {f.maker_account for f in result.fills}
        if account is not None:
            touched.add(account)
        for name in sorted(touched):
            self._enforce_reduce_only(name, result)
        result.deltas = self.book.drain_deltas()

    # -- TWAP, brackets, auctions ----------------------------------------------------

    def _run_twap(self, parent: Order, now_ms: int, result: EngineResult) -> None:
        schedule = self._twaps[parent.order_id]
        size = self.spec.snap_size(schedule.due_size(now_ms, parent.filled))
        if parent.request.reduce_only:
            size = min(size, self.spec.snap_size(self._reducible(parent.account, parent.side)))
        if size > 0:
            limit = parent.request.price
            request = OrderRequest(
                parent.account,
                parent.request.market,
                parent.side,
                OrderType.MARKET if limit is None else OrderType.LIMIT,
                size,
                f"{parent.request.client_order_id}:twap:{self.next_order_id}",
                price=limit,
                time_in_force=TimeInForce.IOC,
                reduce_only=parent.request.reduce_only,
            )
            child = self._new_order(request, now_ms, parent=parent.order_id)
            result.touch(child)
            self._execute(child, now_ms, result)
        if now_ms >= schedule.end_ms and parent.order_id in self._live:
            self._cancel(parent, CancelReason.EXPIRED, result)

    def _on_child_fill(
        self, child: Order, size: int, price: int, fee: int, result: EngineResult
    ) -> None:
        """A TWAP slice filled: the parent shows the progress."""
        parent = self._live.get(child.parent_id)
        if parent is not None and parent.order_id in self._twaps:
            self._record_fill(parent, size, price, fee, result)

    def _open_bracket(self, entry: Order, now_ms: int, result: EngineResult) -> None:
        request = entry.request
        exit_side = request.side.opposite
        take_profit = self._new_order(
            OrderRequest(
                request.account,
                request.market,
                exit_side,
                OrderType.LIMIT,
                request.size,
                f"{request.client_order_id}:tp",
                price=request.take_profit_price,
                reduce_only=True,
            ),
            now_ms,
            parent=entry.order_id,
        )
        stop_loss = self._new_order(
            OrderRequest(
                request.account,
                request.market,
                exit_side,
                OrderType.STOP_MARKET,
                request.size,
                f"{request.client_order_id}:sl",
                trigger_price=request.stop_loss_price,
                trigger_reference=request.trigger_reference,
                reduce_only=True,
            ),
            now_ms,
            parent=entry.order_id,
        )
        for leg in (take_profit, stop_loss):
            leg.status = OrderStatus.PENDING
            leg.request.size = 0  # sized by the entry's fills
            result.touch(leg)
        take_profit.linked_ids.append(stop_loss.order_id)
        stop_loss.linked_ids.append(take_profit.order_id)
        self._legs[entry.order_id] = (take_profit.order_id, stop_loss.order_id)
        result.touch(entry)
        self._execute(entry, now_ms, result)

    def _grow_legs(self, entry: Order, result: EngineResult) -> None:
        """The entry filled more: size both exit legs to the entry's filled size."""
        tp_id, sl_id = self._legs[entry.order_id]
        take_profit, stop_loss = self._live.get(tp_id), self._live.get(sl_id)
        if take_profit is None or stop_loss is None:
            return
        for leg in (take_profit, stop_loss):
            leg.request.size = entry.filled
            result.touch(leg)
        if stop_loss.order_id not in self.triggers:
            self.triggers.add(
                PendingTrigger(
                    sl_id,
                    stop_loss.side,
                    TriggerKind.STOP,
                    stop_loss.request.trigger_reference,
                    stop_loss.request.trigger_price,
                )
            )
        if tp_id in self.book:
            self.book.cancel(tp_id)
        if take_profit.status is OrderStatus.PENDING:
            take_profit.move_to(OrderStatus.OPEN)
        self._execute(take_profit, entry.created_at_ms, result)

    def _starts_auction(self, request: OrderRequest) -> bool:
        return request.size >= self.spec.auction_threshold and self.prices.oracle is not None

    def _open_auction(self, order: Order, now_ms: int, result: EngineResult) -> None:
        worst = self._protected_price(order.side)
        auction = start_auction(
            self.next_auction_id,
            self.spec,
            order.side,
            order.request.size,
            self.prices.oracle,
            worst,
            now_ms,
        )
        self.next_auction_id += 1
        self._auctions[auction.auction_id] = (auction, order, [])
        result.touch(order)
        result.auctions_started.append(auction)

    def _settle_auction(self, auction_id: int, now_ms: int, result: EngineResult) -> None:
        auction, taker, quotes = self._auctions.pop(auction_id)
        fills, _ = auction.settle(quotes)
        for quote_fill in fills:
            # an auction maker has no resting order: maker order id 0
            fill = self._priced_fill(
                quote_fill.price,
                quote_fill.size,
                taker.side,
                0,
                taker.order_id,
                quote_fill.maker,
                taker.account,
                now_ms,
            )
            result.fills.append(fill)
            self._move_position(fill.taker_account, fill.taker_side, fill.size)
            self._move_position(fill.maker_account, fill.maker_side, fill.size)
            self._record_fill(taker, fill.size, fill.price, fill.taker_fee, result)
        result.auctions_settled.append((auction, fills))
        if taker.order_id in self._live:
            self._execute(taker, now_ms, result)
