"""Order programs of the matching engine: TWAP parents, bracket legs and JIT auctions."""

from __future__ import annotations

from backend.domain.auction import start_auction
from backend.domain.engine_core import EngineCore
from backend.domain.engine_events import CancelReason, EngineResult
from backend.domain.fills import Fill
from backend.domain.orders import Order, OrderRequest, OrderStatus, OrderType, TimeInForce
from backend.domain.triggers import PendingTrigger, TriggerKind


class EnginePrograms(EngineCore):
    """TWAP slicing, bracket OCO legs and auctions on top of the execution core."""

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

    def _on_child_fill(self, child: Order, fill: Fill, fee: int, result: EngineResult) -> None:
        """A TWAP slice filled: the parent shows the progress."""
        parent = self._live.get(child.parent_id)
        if parent is not None and parent.order_id in self._twaps:
            self._record_fill(parent, fill, fee, result)

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
            status=OrderStatus.PENDING,
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
            status=OrderStatus.PENDING,
        )
        for leg in (take_profit, stop_loss):
            leg.request.size = 0  # sized by the entry's fills
            result.touch(leg)
        take_profit.linked_ids.append(stop_loss.order_id)
        stop_loss.linked_ids.append(take_profit.order_id)
        self._legs[entry.order_id] = (take_profit.order_id, stop_loss.order_id)
        result.touch(entry)
        self._execute(entry, now_ms, result)

    def _grow_legs(self, entry: Order, now_ms: int, result: EngineResult) -> None:
        """The entry filled more: both exit legs cover what the entry filled less what the
        legs have already closed."""
        tp_id, sl_id = self._legs[entry.order_id]
        take_profit, stop_loss = self._live.get(tp_id), self._live.get(sl_id)
        if take_profit is None or stop_loss is None:
            return
        exposure = entry.filled - take_profit.filled - stop_loss.filled
        for leg in (take_profit, stop_loss):
            leg.request.size = leg.filled + exposure
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
        self._execute(take_profit, now_ms, result)

    def _starts_auction(self, request: OrderRequest) -> bool:
        # FOK must be all or nothing at once; an auction could fill part and leave the rest
        # to a book that changed meanwhile, so FOK orders go straight to the book.
        return (
            request.size >= self.spec.auction_threshold
            and self.prices.oracle is not None
            and request.time_in_force is not TimeInForce.FOK
        )

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
            order.order_id,
        )
        self.next_auction_id += 1
        self._auctions[auction.auction_id] = (auction, order, [])
        result.touch(order)
        result.auctions_started.append(auction)

    def _drop_auction(self, order: Order, result: EngineResult) -> None:
        for auction_id, (auction, taker, _) in list(self._auctions.items()):
            if taker is order:
                del self._auctions[auction_id]
                result.auctions_dropped.append(auction)

    def _settle_auction(self, auction_id: int, now_ms: int, result: EngineResult) -> None:
        """Fill the eligible quotes, then send what is left to the book."""
        auction, taker, quotes = self._auctions.pop(auction_id)
        cap = taker.remaining
        if taker.request.reduce_only:
            # the position may have shrunk while the auction ran: never fill past zero
            cap = min(cap, self._reducible(taker.account, taker.side))
        quote_fills, _ = auction.settle(quotes, settle_ms=now_ms, size=cap)
        fills = []
        for quote_fill in quote_fills:
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
            fills.append(fill)
            self._move_position(fill.taker_account, fill.taker_side, fill.size)
            self._move_position(fill.maker_account, fill.maker_side, fill.size)
            self._record_fill(taker, fill, fill.taker_fee, result)
        result.auctions_settled.append((auction, fills))
        if taker.order_id in self._live:
            self._execute(taker, now_ms, result)
