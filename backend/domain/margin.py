"""Cross-margin account risk: collateral, requirements, free collateral, health,
liquidation prices and the pre-trade check.

Formulas (quote units unless said; ``w`` asset weight, ``r`` margin ratio, both ppm):

* collateral value of a non-quote asset with balance ``x`` (token units, ``d`` decimals)
  at oracle ``p``: ``floor(x * p * w / (10^d * 1e6))``; the quote asset counts at 1, and
  a negative balance (debt) counts in full, at weight 1, as a liability;
* total collateral (initial or maintenance) = weighted collateral + sum of unrealised PnL
  at mark (`positions.Position.unrealised_pnl`);
* requirement of a position = ``ceil(|base| * mark * r / 1e15)``;
* free collateral = initial total collateral - initial requirement;
* health (ppm) = ``1e6 - ceil(1e6 * maintenance requirement / maintenance collateral)``,
  clamped to [0, 1e6]; 1e6 with no requirement, 0 when collateral <= 0;
* an account is liquidatable when maintenance collateral < maintenance requirement;
* leverage (ppm) = ``floor(sum ceil(|base| * mark / 1e9) * 1e6 / equity)``, None when
  equity <= 0, where equity counts every asset at full oracle value;
* liquidation price: the price of one market at which maintenance collateral equals the
  requirement, solved exactly and rounded to be early (`liquidation_price`);
* pre-trade: the fill is applied to a copy; allowed when free collateral after >= the
  margin held for resting orders, or when it lowers the initial requirement without
  lowering free collateral (`check_order`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backend.domain.account import Account
from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import (
    PRICE_TIMES_BASE_TO_QUOTE,
    QUOTE_PRECISION,
    RATIO_PRECISION,
    div_ceil,
    div_floor,
    format_fixed,
)
from backend.domain.markets import CollateralAsset, MarketCatalog
from backend.domain.orders import Side
from backend.domain.positions import apply_trade

_SCALE = PRICE_TIMES_BASE_TO_QUOTE * RATIO_PRECISION
"""``|base| * price * ratio / _SCALE`` is quote units."""


@dataclass(frozen=True, slots=True)
class MarketPrices:
    """The mark and oracle price of one market, in price units."""

    mark: int
    oracle: int


Prices = Mapping[str, MarketPrices]
"""Prices by market symbol."""


class MissingPrice(KeyError):
    """A price needed for a risk figure is not known."""


def market_prices(prices: Prices, market: str) -> MarketPrices:
    """The prices of ``market``; `MissingPrice` when they are not known."""
    try:
        return prices[market]
    except KeyError:
        raise MissingPrice(f"no price for {market}") from None


def asset_value(asset: CollateralAsset, balance: int, prices: Prices, weight: int | None) -> int:
    """Quote value of ``balance`` of ``asset``; ``weight`` None means at full price."""
    if asset.price_market is None:
        return balance
    price = market_prices(prices, asset.price_market).oracle
    if balance < 0 or weight is None:
        return (balance * price) // asset.precision
    return (balance * price * weight) // (asset.precision * RATIO_PRECISION)


def requirement(base: int, mark: int, ratio: int) -> int:
    """Margin requirement of a position of ``base`` at ``mark`` for ``ratio``, rounded up."""
    return -((-abs(base) * mark * ratio) // _SCALE)


@dataclass(frozen=True, slots=True)
class RiskView:
    """An account's risk figures at given prices (quote units; health and leverage ppm)."""

    collateral_initial: int
    collateral_maintenance: int
    unrealised_pnl: int
    initial_requirement: int
    maintenance_requirement: int
    free_collateral: int
    equity: int
    notional: int
    leverage: int | None
    health: int

    @property
    def liquidatable(self) -> bool:
        """Below maintenance margin."""
        return self.collateral_maintenance < self.maintenance_requirement


def risk_view(account: Account, catalog: MarketCatalog, prices: Prices) -> RiskView:
    """All of an account's risk figures at ``prices``."""
    weighted_i = weighted_m = full = 0
    for symbol, balance in account.balances.items():
        asset = catalog.asset(symbol)
        weighted_i += asset_value(asset, balance, prices, asset.initial_weight)
        weighted_m += asset_value(asset, balance, prices, asset.maintenance_weight)
        full += asset_value(asset, balance, prices, None)
    pnl = req_i = req_m = notional = 0
    for position in account.open_positions():
        spec = catalog.market(position.market)
        mark = market_prices(prices, position.market).mark
        pnl += position.unrealised_pnl(mark)
        req_i += requirement(position.base, mark, spec.initial_margin_ratio)
        req_m += requirement(position.base, mark, spec.maintenance_margin_ratio)
        notional += position.notional(mark)
    coll_i, coll_m, equity = weighted_i + pnl, weighted_m + pnl, full + pnl
    return RiskView(
        collateral_initial=coll_i,
        collateral_maintenance=coll_m,
        unrealised_pnl=pnl,
        initial_requirement=req_i,
        maintenance_requirement=req_m,
        free_collateral=coll_i - req_i,
        equity=equity,
        notional=notional,
        leverage=notional * RATIO_PRECISION // equity if equity > 0 else None,
        health=health(coll_m, req_m),
    )


def open_order_requirement(
    base: int, open_buys: int, open_sells: int, mark: int, ratio: int
) -> int:
    """Initial margin held for resting orders: what the position would need at its worst
    if every buy or every sell filled, beyond what it needs now (rounded up)."""
    worst = max(abs(base + open_buys), abs(base - open_sells))
    return requirement(max(0, worst - abs(base)), mark, ratio)


def health(maintenance_collateral: int, maintenance_requirement: int) -> int:
    """Account health in ppm: 1e6 = no risk, 0 = at or below maintenance."""
    if maintenance_requirement == 0:
        return RATIO_PRECISION if maintenance_collateral >= 0 else 0
    if maintenance_collateral <= 0:
        return 0
    used = -((-maintenance_requirement * RATIO_PRECISION) // maintenance_collateral)
    return max(0, RATIO_PRECISION - used)


def liquidation_price(
    account: Account, catalog: MarketCatalog, prices: Prices, market: str
) -> int | None:
    """The price of ``market`` (mark and oracle together) at which the account reaches
    maintenance margin, every other price held constant; None when flat there or when no
    positive price gets there.

    Maintenance collateral and requirement are both linear in the price ``p``:
    ``F + p * A / (1e15 * 10^D) = 0`` with, for this position's ``base`` and ratio ``r``
    and each collateral asset priced by this market (balance ``x``, ``d`` decimals,
    maintenance weight ``w``, or 1e6 for a debt), ``D`` the largest such ``d``:

    * ``A = base * 1e6 * 10^D - |base| * r * 10^D + sum(x * w * 1e9 * 10^(D - d))``;
    * ``F`` = maintenance collateral - requirement at current prices, less the terms that
      move with ``p`` (this position's ``floor(base * mark / 1e9)`` and requirement, and
      those assets' weighted values).

    So ``p = -F * 1e15 * 10^D / A``, rounded up when ``A > 0`` (a long: liquidated below
    ``p``) and down when ``A < 0``: the price is shown a little early, never late.
    """
    position = account.positions.get(market)
    if position is None or not position.base:
        return None
    view = risk_view(account, catalog, prices)
    spec = catalog.market(market)
    mark = market_prices(prices, market).mark
    base = position.base
    ratio = spec.maintenance_margin_ratio
    linked = [
        (catalog.asset(symbol), balance)
        for symbol, balance in account.balances.items()
        if balance and catalog.asset(symbol).price_market == market
    ]
    lift = 10 ** max((asset.decimals for asset, _ in linked), default=0)
    slope = (base * RATIO_PRECISION - abs(base) * ratio) * lift
    fixed = (
        view.collateral_maintenance
        - view.maintenance_requirement
        - (base * mark) // PRICE_TIMES_BASE_TO_QUOTE
        + requirement(base, mark, ratio)
    )
    for asset, balance in linked:
        weight = asset.maintenance_weight if balance > 0 else RATIO_PRECISION
        slope += balance * weight * (_SCALE // RATIO_PRECISION) * lift // asset.precision
        fixed -= asset_value(asset, balance, prices, asset.maintenance_weight)
    if slope == 0:
        return None
    numerator = -fixed * _SCALE * lift
    price = div_ceil(numerator, slope) if slope > 0 else div_floor(numerator, slope)
    return price if price > 0 else None


@dataclass(frozen=True, slots=True)
class PreTradeResult:
    """Whether an order passes the margin check, and the account before and after."""

    allowed: bool
    before: RiskView
    after: RiskView
    liquidation_price_after: int | None
    code: RejectCode | None = None
    reason: str | None = None


def check_order(
    account: Account,
    catalog: MarketCatalog,
    prices: Prices,
    market: str,
    side: Side,
    size: int,
    fill_price: int,
    fee: int,
    reserved: int = 0,
) -> PreTradeResult:
    """Would filling ``size`` at ``fill_price`` (paying ``fee``) breach initial margin?
    The answer with the account's figures before and after (an order ticket's preview).

    ``reserved`` is initial margin already held for the account's other resting orders.
    A trade that leaves the account with less initial requirement than before and does not
    lower its free collateral (reducing or closing) is always allowed, even below initial
    margin, so a trader can always get out; a flip past flat is not a reduction.

    Raises `OrderRejected` for an unknown market or a size or price that is not positive
    (those are not margin questions), and `MissingPrice` when a price is not known.
    """
    _check_order_input(catalog, market, size, fill_price)
    before = risk_view(account, catalog, prices)
    preview, after = _after_fill(account, catalog, prices, market, side, size, fill_price, fee)
    liq_after = liquidation_price(preview, catalog, prices, market)
    reason = _refusal(before, after, reserved)
    if reason is None:
        return PreTradeResult(True, before, after, liq_after)
    return PreTradeResult(False, before, after, liq_after, RejectCode.INSUFFICIENT_MARGIN, reason)


def margin_refusal(
    account: Account,
    catalog: MarketCatalog,
    prices: Prices,
    market: str,
    side: Side,
    size: int,
    fill_price: int,
    fee: int,
    reserved: int = 0,
) -> str | None:
    """`check_order`'s answer alone: why the fill would breach initial margin, or None
    when it may go ahead. The engine's check of every order: the figures before the fill
    are computed only when the answer needs them, and no liquidation price."""
    _check_order_input(catalog, market, size, fill_price)
    _, after = _after_fill(account, catalog, prices, market, side, size, fill_price, fee)
    if after.free_collateral - reserved >= 0:
        return None
    return _refusal(risk_view(account, catalog, prices), after, reserved)


def _after_fill(
    account: Account,
    catalog: MarketCatalog,
    prices: Prices,
    market: str,
    side: Side,
    size: int,
    fill_price: int,
    fee: int,
) -> tuple[Account, RiskView]:
    """A copy of ``account`` with the fill applied, and its risk figures."""
    preview = account.copy()
    position = preview.position(market)
    realised, _ = apply_trade(position, side.sign * size, fill_price)
    preview.credit(catalog.quote_asset, realised - fee)
    return preview, risk_view(preview, catalog, prices)


def _refusal(before: RiskView, after: RiskView, reserved: int) -> str | None:
    """Why going from ``before`` to ``after`` breaches initial margin (None: it does not)."""
    if after.free_collateral - reserved >= 0:
        return None
    reduces = (
        after.initial_requirement < before.initial_requirement
        and after.free_collateral >= before.free_collateral
    )
    if reduces:
        return None
    return (
        "not enough free collateral: this order needs "
        f"{format_fixed(reserved - after.free_collateral, QUOTE_PRECISION)} USDC more "
        "initial margin"
    )


def _check_order_input(catalog: MarketCatalog, market: str, size: int, price: int) -> None:
    if market not in catalog.markets:
        raise OrderRejected(RejectCode.UNKNOWN_MARKET, f"unknown market {market!r}", "market")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise OrderRejected(RejectCode.INVALID_SIZE, "the size must be positive", "size")
    if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
        raise OrderRejected(RejectCode.INVALID_PRICE, "the price must be positive", "price")


def max_withdrawal(
    account: Account, catalog: MarketCatalog, prices: Prices, asset: str, reserved: int = 0
) -> int:
    """The most of ``asset`` (token units) that can be withdrawn keeping free collateral
    at least ``reserved`` (margin held for resting orders); never more than the balance."""
    balance = account.balance(asset)
    if balance <= 0:
        return 0
    free = risk_view(account, catalog, prices).free_collateral - reserved
    if free <= 0:
        return 0
    spec = catalog.asset(asset)
    if spec.price_market is None:
        return min(balance, free)
    price = market_prices(prices, spec.price_market).oracle
    per_token = price * spec.initial_weight
    scale = spec.precision * RATIO_PRECISION
    # weighted value of b tokens is floor(b * per_token / scale); the balance left must keep
    # value >= value(balance) - free, and the smallest such b is ceil(target * scale / k).
    target = (balance * per_token) // scale - free
    keep = max(0, -((-target * scale) // per_token))
    return max(0, balance - keep)
