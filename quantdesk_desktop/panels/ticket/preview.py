"""The ticket's pre-trade preview: what an order would cost and do to the account, and
whether the backend would refuse it, computed with the domain's own functions (no Qt).

* The order goes through the wire schema (`OrderBody`, `to_request`) and
  `validate_order`, exactly as the backend takes it in.
* The fill is estimated against the book's levels (`fill_estimate`): walked up to the
  limit or the engine's 5% protection band with the taker fee per level (`fills.fee_for`),
  the rest resting at the maker fee; triggered orders at their trigger, a TWAP at the mid.
* The account after is `margin.check_order` applied to that fill: initial margin added,
  free collateral after (less what resting orders hold), health and the liquidation
  price of the position after.
* The margin gate mirrors the backend's (`TradingState._check_margin`): the whole size at
  its worst price (limit, trigger or take-profit, or the protection band) with the taker
  fee must leave free collateral at least the reserved margin; reduce-only orders skip it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fills import fee_for
from backend.domain.fixed_point import (
    BASE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
    quote_value_ceil,
)
from backend.domain.margin import (
    MarketPrices,
    MissingPrice,
    check_order,
    liquidation_price,
    risk_view,
)
from backend.domain.markets import MarketCatalog
from backend.domain.order_validation import validate_order
from backend.domain.orders import OrderRequest, OrderType, Side, TimeInForce
from backend.schemas.orders import OrderBody, to_request
from quantdesk_desktop.panels.ticket.book_walk import protected_price, walk_book, worst_price
from quantdesk_desktop.panels.ticket.fill_estimate import Estimate, estimate_fill
from quantdesk_desktop.panels.ticket.snapshot import AccountNow, MarketNow

PREVIEW_ACCOUNT = "ticket-preview"
"""The account name the preview's requests carry (never sent)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why the backend would refuse the order, and the field it concerns."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    """Everything the ticket shows about an order before it is sent (quote units for
    money, ratio units for health and slippage, None where not known)."""

    request: OrderRequest | None = None
    size: int = 0
    """The size the engine would work (reduce-only caps it at the position)."""
    estimate: Estimate = field(default_factory=Estimate)
    mid: int | None = None
    slippage: int | None = None
    """Of what takes from the book now, in ratio units against the mid, positive when
    worse for the trader."""
    initial_margin: int | None = None
    free_collateral_after: int | None = None
    health_after: int | None = None
    liquidation_price_after: int | None = None
    leverage_after: int | None = None
    position_after: int | None = None
    notes: tuple[str, ...] = ()
    rejection: Rejection | None = None


def build_request(body: dict, catalog: MarketCatalog) -> OrderRequest:
    """The domain request of a ticket body, as the gateway builds it (`OrderRejected`
    naming the field when the body itself is wrong)."""
    try:
        parsed = OrderBody(**body)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else None
        label = (name or "order").replace("_", " ")
        raise OrderRejected(
            RejectCode.INVALID_PARAMETER, f"{label}: {first['msg']}", name
        ) from None
    return to_request(parsed, PREVIEW_ACCOUNT, catalog)


def preview_order(
    body: dict,
    catalog: MarketCatalog,
    market: MarketNow,
    account: AccountNow | None,
    prices: Mapping[str, MarketPrices],
    now_ms: int,
) -> Preview:
    """The preview of ``body`` (a `POST /api/orders` body) against ``market`` now."""
    try:
        request = build_request(body, catalog)
        validate_order(request, market.spec, now_ms, market.reference(request.trigger_reference))
    except OrderRejected as error:
        return Preview(rejection=Rejection(error.code.value, str(error), error.field))
    notes: list[str] = []
    held = _position(account, request.market)
    size = request.size
    rejection = _refusal_before_margin(request, market, held)
    if request.reduce_only and rejection is None and held is not None:
        reducible = _reducible(held, request.side)
        if reducible < size and request.type is not OrderType.BRACKET:
            size = reducible
            notes.append(f"Reduce-only: capped at the position, {_size(size)}")
    protected = protected_price(request.side, market.engine_reference(), market.spec.tick_size)
    estimate = estimate_fill(request, size, market, protected)
    if estimate.note:
        notes.append(estimate.note)
    mid = market.mid
    slippage = None
    taker_price = estimate.taker_price
    if taker_price is not None and mid:
        slippage = request.side.sign * (taker_price - mid) * RATIO_PRECISION // mid
    figures = _account_after(request, estimate, catalog, account, prices, notes)
    if rejection is None:
        rejection = _margin_refusal(request, market, catalog, account, prices, protected)
    position_after = None
    if held is not None:
        position_after = held + request.side.sign * estimate.size
    return Preview(
        request=request,
        size=size,
        estimate=estimate,
        mid=mid,
        slippage=slippage,
        position_after=position_after,
        notes=tuple(notes),
        rejection=rejection,
        **figures,
    )


def _account_after(
    request: OrderRequest,
    estimate: Estimate,
    catalog: MarketCatalog,
    account: AccountNow | None,
    prices: Mapping[str, MarketPrices],
    notes: list[str],
) -> dict:
    """The account figures after the estimated fill (`margin.check_order`)."""
    if account is None:
        notes.append("Account not loaded yet")
        return {}
    size, price = estimate.size, estimate.price
    try:
        if size and price is not None:
            result = check_order(
                account.account,
                catalog,
                prices,
                request.market,
                request.side,
                size,
                price,
                estimate.fee,
                account.reserved,
            )
            before, after = result.before, result.after
            liquidation = result.liquidation_price_after
        else:  # nothing fills now: the account stays as it is
            before = after = risk_view(account.account, catalog, prices)
            liquidation = liquidation_price(account.account, catalog, prices, request.market)
    except MissingPrice:
        notes.append("Waiting for prices")
        return {}
    return {
        "initial_margin": max(0, after.initial_requirement - before.initial_requirement),
        "free_collateral_after": after.free_collateral - account.reserved,
        "health_after": after.health,
        "liquidation_price_after": liquidation,
        "leverage_after": after.leverage,
    }


def _margin_refusal(
    request: OrderRequest,
    market: MarketNow,
    catalog: MarketCatalog,
    account: AccountNow | None,
    prices: Mapping[str, MarketPrices],
    protected: int | None,
) -> Rejection | None:
    """The backend's margin check: the whole size at its worst price, taker fee."""
    if request.reduce_only:
        return None
    if request.market not in prices:
        return Rejection(
            RejectCode.MARKET_HALTED.value,
            f"{request.market} has no price yet; try again shortly",
            "market",
        )
    if account is None:
        return None
    price = worst_price(request, protected)
    if price is None:
        return Rejection(RejectCode.MARKET_HALTED.value, "no reference price for this market yet")
    fee = fee_for(quote_value_ceil(price, request.size), market.spec.taker_fee)
    try:
        check = check_order(
            account.account,
            catalog,
            prices,
            request.market,
            request.side,
            request.size,
            price,
            fee,
            account.reserved,
        )
    except MissingPrice:
        return None
    if check.allowed:
        return None
    return Rejection(RejectCode.INSUFFICIENT_MARGIN.value, check.reason or "", "size")


def _refusal_before_margin(
    request: OrderRequest, market: MarketNow, held: int | None
) -> Rejection | None:
    """The engine's refusals besides validation: halted oracle, reduce-only that would
    increase, post-only that would take, fill-or-kill the book cannot fill."""
    if market.oracle_status == "halted" and not request.reduce_only:
        return Rejection(
            RejectCode.NO_VALID_PRICE.value,
            f"{request.market} has no valid oracle price: only cancels and reduce-only "
            "orders are accepted until it returns",
            "market",
        )
    if request.reduce_only and held is not None and not _reducible(held, request.side):
        return Rejection(
            RejectCode.REDUCE_ONLY_WOULD_INCREASE.value,
            f"reduce-only {request.side.value} would open or increase a position",
            "reduce_only",
        )
    levels = market.asks if request.side is Side.BUY else market.bids
    if request.post_only and request.price is not None and levels:
        best = levels[0][0]
        crosses = request.price >= best if request.side is Side.BUY else request.price <= best
        if crosses:
            return Rejection(
                RejectCode.POST_ONLY_WOULD_TAKE.value,
                "a post-only order at that price would take liquidity",
                "price",
            )
    if request.time_in_force is TimeInForce.FOK:
        limit = request.price
        if request.type is OrderType.MARKET:
            limit = protected_price(request.side, market.engine_reference(), market.spec.tick_size)
        walk = walk_book(levels, request.side, request.size, limit, 0)
        if walk.filled < request.size:
            return Rejection(
                RejectCode.FOK_NOT_FILLABLE.value,
                "fill-or-kill: the book cannot fill the whole size now",
                "size",
            )
    return None


def _position(account: AccountNow | None, market: str) -> int | None:
    if account is None:
        return None
    position = account.account.positions.get(market)
    return position.base if position is not None else 0


def _reducible(held: int | None, side: Side) -> int:
    """How much a ``side`` order can fill without growing the position."""
    if held is None:
        return 0
    if side is Side.BUY:
        return -held if held < 0 else 0
    return held if held > 0 else 0


def _size(value: int) -> str:
    return format_fixed(value, BASE_PRECISION)
