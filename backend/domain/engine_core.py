"""The state of a market's matching engine and how an order executes against the book:
fills with fees and trade ids, positions, cancellation cascades and the reduce-only guard.
`matching_engine.MatchingEngine` builds the public commands on top of it.
"""

from __future__ import annotations

import heapq

from backend.domain.auction import Auction, AuctionQuote
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
from backend.domain.orders import Order, OrderRequest, OrderStatus, OrderType, Side, TimeInForce
from backend.domain.triggers import ReferencePrices, TriggerBook, TriggerKind
from backend.domain.twap import TwapSchedule

MARKET_PROTECTION = 50_000
"""Market orders fill no further than 5% from the reference price."""

TRIGGER_KINDS: dict[OrderType, TriggerKind] = {
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


class EngineCore:
    """Working orders, positions and the execution machinery of one market."""

    def __init__(
        self,
        spec: MarketSpec,
        first_order_id: int = 1,
        first_trade_id: int = 1,
        first_auction_id: int = 1,
    ) -> None:
        self.spec = spec
        self.book = OrderBook(spec.symbol)
        self.triggers = TriggerBook()
        self.prices = ReferencePrices()
        self.next_order_id = first_order_id
        self.next_trade_id = first_trade_id
        self.next_auction_id = first_auction_id
        self._live: dict[int, Order] = {}
        self._by_account: dict[str, dict[int, Order]] = {}
        self._open_sizes: dict[str, list[int]] = {}
        """Per account, the unfilled [buy, sell] size of its working orders that are not
        reduce-only, kept up to date from every changed order (see `_count_open`)."""
        self._open_shares: dict[int, tuple[str, int, int]] = {}
        """What each working order adds to `_open_sizes`: (account, buy, sell)."""
        self._reduce_only_accounts: dict[str, int] = {}
        """Accounts with working reduce-only orders, and how many."""
        self._expiries: list[tuple[int, int]] = []
        """A heap of (expiry ms, order id) of GTD orders."""
        self._by_client: dict[tuple[str, str], Order] = {}
        self._positions: dict[str, int] = {}
        self._twaps: dict[int, TwapSchedule] = {}
        self._legs: dict[int, tuple[int, int]] = {}
        """Bracket entry id -> (take-profit leg id, stop-loss leg id)."""
        self._auctions: dict[int, tuple[Auction, Order, list[AuctionQuote]]] = {}

    # -- execution -------------------------------------------------------------------

    def _new_order(
        self,
        request: OrderRequest,
        now_ms: int,
        parent: int | None = None,
        status: OrderStatus = OrderStatus.OPEN,
    ) -> Order:
        # the initial status is given at creation; afterwards only Order.move_to changes it
        order = Order(self.next_order_id, request, now_ms, status=status, parent_id=parent)
        self.next_order_id += 1
        self._live[order.order_id] = order
        self._by_account.setdefault(request.account, {})[order.order_id] = order
        if request.reduce_only:
            count = self._reduce_only_accounts.get(request.account, 0)
            self._reduce_only_accounts[request.account] = count + 1
        if request.expire_at_ms is not None:
            heapq.heappush(self._expiries, (request.expire_at_ms, order.order_id))
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
        if request.reduce_only:
            # cap the order itself, not just this match: a capped match would leave a
            # remainder resting across the book (modify, a regrown bracket leg)
            reducible = self._reducible(request.account, request.side)
            if not reducible:
                self._cancel(order, CancelReason.REDUCE_ONLY, result)
                return
            if order.remaining > reducible:
                request.size = order.filled + reducible
                result.touch(order)
        size = order.remaining
        limit = self._limit_of(request)
        # a passive limit order (the common case) skips the matching walk entirely
        if size > 0 and (limit is None or self.book.would_cross(request.side, limit)):
            matched = self.book.match(
                order.order_id, request.account, request.side, size, limit, now_ms
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
                self._record_fill(maker, fill, fill.maker_fee, result)
            self._record_fill(taker, fill, fill.taker_fee, result)
        for order_id in matched.self_trade_cancelled:
            maker = self._live.get(order_id)
            if maker is not None:
                self._cancel(maker, CancelReason.SELF_TRADE, result, in_book=False)

    def _record_fill(self, order: Order, fill: Fill, fee: int, result: EngineResult) -> None:
        """Book ``fill`` (maker or taker side, paying ``fee``) on ``order`` and on what
        hangs off it: OCO partner, parent, bracket legs."""
        size = fill.size
        order.filled += size
        order.filled_quote += quote_value_floor(fill.price, size)
        order.fees_paid += fee
        order.move_to(OrderStatus.FILLED if order.remaining == 0 else OrderStatus.PARTIALLY_FILLED)
        result.touch(order)
        if order.status is OrderStatus.FILLED:
            self._retire(order)
        for partner_id in list(order.linked_ids):
            partner = self._live.get(partner_id)
            if partner is not None:
                self._shrink_partner(order, partner, size, result)
        if order.parent_id is not None:
            self._on_child_fill(order, fill, fee, result)
        if order.order_id in self._legs:
            self._grow_legs(order, fill.timestamp_ms, result)

    def _shrink_partner(
        self, order: Order, partner: Order, size: int, result: EngineResult
    ) -> None:
        """``order``, one leg of an OCO pair, filled ``size``: its partner covers that much
        less, and is cancelled when nothing is left or ``order`` is done."""
        left = partner.remaining - size
        if order.status is OrderStatus.FILLED or left <= 0:
            # unlink first: ``order`` may still be filling (the partner was shrunk smaller
            # by the reduce-only guard) and must not be cancelled back by the cascade
            partner.linked_ids.remove(order.order_id)
            order.linked_ids.remove(partner.order_id)
            self._cancel(partner, CancelReason.OCO, result)
            return
        if partner.order_id in self.book:
            self.book.reduce(partner.order_id, left)
        partner.request.size = partner.filled + left
        result.touch(partner)

    def _move_position(self, account: str, side: Side, size: int) -> None:
        self._positions[account] = self._positions.get(account, 0) + side.sign * size

    def _retire(self, order: Order) -> None:
        if self._live.pop(order.order_id, None) is None:
            return
        self._twaps.pop(order.order_id, None)
        account = order.account
        mine = self._by_account[account]
        del mine[order.order_id]
        if not mine:
            del self._by_account[account]
        if order.request.reduce_only:
            left = self._reduce_only_accounts[account] - 1
            if left:
                self._reduce_only_accounts[account] = left
            else:
                del self._reduce_only_accounts[account]

    def _expire_due(self, now_ms: int, result: EngineResult) -> None:
        """Cancel the GTD orders whose expiry has come."""
        heap = self._expiries
        while heap and heap[0][0] <= now_ms:
            _, order_id = heapq.heappop(heap)
            order = self._live.get(order_id)
            if order is not None:
                self._cancel(order, CancelReason.EXPIRED, result)

    def _cancel(
        self, order: Order, reason: CancelReason, result: EngineResult, in_book: bool = True
    ) -> None:
        """Stop a working order (and what hangs off it: TWAP schedule, bracket legs, OCO)."""
        if order.order_id not in self._live:
            return
        if in_book and order.order_id in self.book:
            self.book.cancel(order.order_id)
        self.triggers.remove(order.order_id)
        self._drop_auction(order, result)
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
        if account not in self._reduce_only_accounts:
            return
        position = self._positions.get(account, 0)
        reducing_side = Side.SELL if position > 0 else Side.BUY
        book = self.book
        resting = [o for o in self._by_account[account].values() if o.order_id in book]
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
        guarded = self._reduce_only_accounts
        if guarded:
            touched = {f.taker_account for f in result.fills}
            touched.update(f.maker_account for f in result.fills)
            if account is not None:
                touched.add(account)
            for name in sorted(touched):
                if name in guarded:
                    self._enforce_reduce_only(name, result)
        result.deltas = self.book.drain_deltas()
        for order in result.changed:  # every change to an order is noted on the result
            self._count_open(order)

    def _count_open(self, order: Order) -> None:
        """Replace ``order``'s share of its account's open sizes with its share now."""
        old = self._open_shares.pop(order.order_id, None)
        if old is not None:
            sizes = self._open_sizes[old[0]]
            sizes[0] -= old[1]
            sizes[1] -= old[2]
            if sizes == [0, 0]:
                del self._open_sizes[old[0]]
        request = order.request
        if order.order_id not in self._live or request.reduce_only:
            return
        left = request.size - order.filled
        if left <= 0:
            return
        share = (order.account, left, 0) if request.side is Side.BUY else (order.account, 0, left)
        self._open_shares[order.order_id] = share
        sizes = self._open_sizes.setdefault(order.account, [0, 0])
        sizes[0] += share[1]
        sizes[1] += share[2]

    # -- hooks the order programs (TWAP, brackets) fill in ------------------------------

    def _on_child_fill(self, child: Order, fill: Fill, fee: int, result: EngineResult) -> None:
        """A child order of a parent filled."""

    def _grow_legs(self, entry: Order, now_ms: int, result: EngineResult) -> None:
        """A bracket entry filled more."""

    def _drop_auction(self, order: Order, result: EngineResult) -> None:
        """A working order in an auction stopped: the auction closes without settling."""
