"""Property tests of the matching engine over random command sequences."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_price
from backend.domain.markets import load_default_catalog
from backend.domain.matching_engine import MatchingEngine
from backend.domain.orders import OrderRequest, OrderStatus, OrderType, Side, TimeInForce
from backend.domain.triggers import ReferencePrices

SPEC = load_default_catalog().market("SOL-PERP")
LOT, TICK = SPEC.lot_size, SPEC.tick_size
MID = parse_price("150")

command = st.fixed_dictionaries(
    {
        "account": st.sampled_from(["a", "b", "c"]),
        "side": st.sampled_from([Side.BUY, Side.SELL]),
        "type": st.sampled_from([OrderType.LIMIT, OrderType.MARKET, OrderType.ICEBERG]),
        "lots": st.integers(1, 30),
        "offset": st.integers(-20, 20),
        "tif": st.sampled_from([TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK]),
        "post_only": st.booleans(),
        "reduce_only": st.booleans(),
        "cid": st.integers(0, 40),
        "cancel": st.booleans(),
    }
)


def _request(c: dict) -> OrderRequest:
    kind = c["type"]
    tif = c["tif"]
    if kind is OrderType.ICEBERG and tif is TimeInForce.FOK:
        tif = TimeInForce.GTC
    return OrderRequest(
        account=c["account"],
        market=SPEC.symbol,
        side=c["side"],
        type=kind,
        size=c["lots"] * LOT,
        client_order_id=f"id{c['cid']}",
        price=None if kind is OrderType.MARKET else MID + c["offset"] * TICK,
        visible_size=LOT if kind is OrderType.ICEBERG and c["lots"] > 1 else None,
        time_in_force=TimeInForce.IOC
        if kind is OrderType.MARKET and tif is TimeInForce.GTC
        else tif,
        post_only=c["post_only"] and kind is not OrderType.MARKET,
        reduce_only=c["reduce_only"],
    )


@settings(max_examples=120, deadline=None)
@given(st.lists(command, max_size=40))
def test_engine_invariants_hold_for_any_command_sequence(commands) -> None:
    engine = MatchingEngine(SPEC)
    engine.on_price(ReferencePrices(mark=MID, oracle=MID, last=MID), 0)
    placed: dict[tuple[str, str], int] = {}
    for now, c in enumerate(commands, start=1):
        request = _request(c)
        if c["cancel"] and engine.open_orders(c["account"]):
            engine.cancel(c["account"], engine.open_orders(c["account"])[0].order_id, now)
            continue
        before = dict(engine._positions)
        crossing = request.price is not None and engine.book.would_cross(
            request.side, request.price
        )
        fillable = engine.book.fillable(request.side, request.size, request.price, request.account)
        try:
            result = engine.submit(request, now)
        except OrderRejected as error:
            if error.code is RejectCode.POST_ONLY_WOULD_TAKE:
                assert crossing
            continue
        key = (request.account, request.client_order_id)
        if key in placed:
            # a repeated client id answers the original and places nothing
            assert result.duplicate and result.order.order_id == placed[key]
            assert not result.fills
            continue
        placed[key] = result.order.order_id
        taker_fills = [f for f in result.fills if f.taker_order_id == result.order.order_id]
        if request.post_only:
            assert not taker_fills
        if request.time_in_force is TimeInForce.FOK:
            assert result.order.filled == request.size or fillable < request.size
        # reduce-only fills never grow or flip a position
        for account in {f.taker_account for f in result.fills} | {
            f.maker_account for f in result.fills
        }:
            old, new = before.get(account, 0), engine.position(account)
            reduce_only_filled = any(
                f.taker_account == account and engine_order_reduce_only(engine, result, f)
                for f in result.fills
            )
            if reduce_only_filled:
                assert abs(new) <= abs(old) and new * old >= 0
        bid, ask = engine.book.best_bid(), engine.book.best_ask()
        assert bid is None or ask is None or bid < ask
        _check_open_sizes(engine)
    # positions net to zero: every fill has two sides
    assert sum(engine._positions.values()) == 0


def engine_order_reduce_only(engine, result, fill) -> bool:
    """Whether the fill's taker order was reduce-only."""
    for order in result.changed:
        if order.order_id == fill.taker_order_id:
            return order.request.reduce_only
    return False


@settings(max_examples=80, deadline=None)
@given(st.lists(command, max_size=40))
def test_reduce_only_makers_never_flip_a_position(commands) -> None:
    """Resting reduce-only orders hit by others never take a position past zero."""
    engine = MatchingEngine(SPEC)
    engine.on_price(ReferencePrices(mark=MID, oracle=MID, last=MID), 0)
    for now, c in enumerate(commands, start=1):
        before = dict(engine._positions)
        try:
            result = engine.submit(_request(c), now)
        except OrderRejected:
            continue
        reduce_only_ids = {o.order_id for o in result.changed if o.request.reduce_only}
        per_account: dict[str, int] = {}
        for fill in result.fills:
            if fill.maker_order_id in reduce_only_ids:
                per_account[fill.maker_account] = 0
        for account in per_account:
            old, new = before.get(account, 0), engine.position(account)
            assert abs(new) <= abs(old) and new * old >= 0


step = st.one_of(
    st.tuples(st.just("order"), command),
    st.tuples(
        st.just("stop"),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from([Side.BUY, Side.SELL]),
        st.integers(1, 10),
        st.integers(1, 30),
        st.booleans(),
    ),
    st.tuples(
        st.just("bracket"),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from([Side.BUY, Side.SELL]),
        st.integers(1, 10),
        st.integers(-5, 5),
    ),
    st.tuples(st.just("price"), st.integers(-40, 40)),
)


def _stop(account: str, side: Side, lots: int, distance: int, reduce_only: bool, mark: int):
    """A stop-market whose trigger lies ``distance`` ticks on its firing side of the mark."""
    trigger = mark + distance * TICK if side is Side.BUY else mark - distance * TICK
    return OrderRequest(
        account=account,
        market=SPEC.symbol,
        side=side,
        type=OrderType.STOP_MARKET,
        size=lots * LOT,
        client_order_id=f"s{account}{side}{lots}{distance}{reduce_only}",
        trigger_price=trigger,
        reduce_only=reduce_only,
    )


def _bracket(account: str, side: Side, lots: int, offset: int, mark: int) -> OrderRequest:
    entry = mark + offset * TICK
    near, far = entry - 10 * TICK, entry + 10 * TICK
    return OrderRequest(
        account=account,
        market=SPEC.symbol,
        side=side,
        type=OrderType.BRACKET,
        size=lots * LOT,
        client_order_id=f"b{account}{side}{lots}{offset}",
        price=entry,
        take_profit_price=far if side is Side.BUY else near,
        stop_loss_price=near if side is Side.BUY else far,
    )


def _check_engine(engine: MatchingEngine) -> None:
    bid, ask = engine.book.best_bid(), engine.book.best_ask()
    assert bid is None or ask is None or bid < ask
    assert sum(engine._positions.values()) == 0
    for order in engine._live.values():
        assert not order.status.is_terminal
        assert 0 <= order.filled <= order.request.size
        if order.order_id in engine.book:
            assert order.status in (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)
            assert engine.book.resting(order.order_id).remaining == order.remaining
    for account in {o.account for o in engine._live.values()}:
        position = engine.position(account)
        reducing = [
            o
            for o in engine.open_orders(account)
            if o.request.reduce_only and o.order_id in engine.book
        ]
        # resting reduce-only orders never add up to more than the position they close
        assert sum(o.remaining for o in reducing) <= abs(position)
        assert all(o.side.sign == -((position > 0) - (position < 0)) for o in reducing)
    _check_open_sizes(engine)


def _check_open_sizes(engine: MatchingEngine) -> None:
    """The cached open sizes agree with a count from scratch, for every account."""
    for account in {o.account for o in engine._live.values()} | set(engine._open_sizes):
        adding = [o for o in engine.open_orders(account) if not o.request.reduce_only]
        buys = sum(o.remaining for o in adding if o.side is Side.BUY)
        sells = sum(o.remaining for o in adding if o.side is Side.SELL)
        assert engine.open_sizes(account) == (buys, sells)


@settings(max_examples=100, deadline=None)
@given(st.lists(step, max_size=40))
def test_triggers_brackets_and_price_moves_keep_the_engine_consistent(steps) -> None:
    engine = MatchingEngine(SPEC)
    mark = MID
    engine.on_price(ReferencePrices(mark=mark, oracle=mark, last=mark), 0)
    for now, item in enumerate(steps, start=1):
        kind = item[0]
        before = dict(engine._positions)
        try:
            if kind == "order":
                result = engine.submit(_request(item[1]), now)
            elif kind == "stop":
                _, account, side, lots, distance, reduce_only = item
                result = engine.submit(_stop(account, side, lots, distance, reduce_only, mark), now)
            elif kind == "bracket":
                _, account, side, lots, offset = item
                result = engine.submit(_bracket(account, side, lots, offset, mark), now)
            else:
                mark = max(TICK, mark + item[1] * TICK)
                result = engine.on_price(ReferencePrices(mark=mark, oracle=mark, last=mark), now)
        except OrderRejected:
            _check_engine(engine)
            continue
        # an account whose every fill in this step was reduce-only never grows or flips
        by_account: dict[str, list[bool]] = {}
        orders = {o.order_id: o for o in result.changed}
        for fill in result.fills:
            for account, order_id in (
                (fill.taker_account, fill.taker_order_id),
                (fill.maker_account, fill.maker_order_id),
            ):
                order = orders.get(order_id)
                by_account.setdefault(account, []).append(
                    order is not None and order.request.reduce_only
                )
        for account, flags in by_account.items():
            if all(flags):
                old, new = before.get(account, 0), engine.position(account)
                assert abs(new) <= abs(old) and new * old >= 0
        _check_engine(engine)
