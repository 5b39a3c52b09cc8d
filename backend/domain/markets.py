"""Perpetual market and collateral specifications, read from `resources/markets.json`.

The spec file keeps human decimals (``"0.1"``); they become fixed-point integers here,
exactly, or the file is refused with the field that is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    RATIO_PRECISION,
    FixedPointError,
    parse_base,
    parse_price,
    parse_ratio,
)


class MarketSpecError(ValueError):
    """A market or collateral specification that is missing a field or inconsistent."""


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """One perpetual market; sizes in base units, prices in price units, ratios in ppm."""

    symbol: str
    base_asset: str
    tick_size: int
    lot_size: int
    min_size: int
    max_leverage: int
    initial_margin_ratio: int
    maintenance_margin_ratio: int
    maker_fee: int
    taker_fee: int
    liquidation_fee: int
    liquidator_fee_share: int
    funding_period_s: int
    max_funding_rate: int
    auction_threshold: int
    auction_duration_ms: int
    auction_start_offset: int
    max_oracle_age_s: int
    pyth_feed_id: str
    coingecko_id: str
    reference_price: int
    market_index: int = 0

    def is_on_tick(self, price: int) -> bool:
        """Whether ``price`` is a positive multiple of the tick size."""
        return price > 0 and price % self.tick_size == 0

    def is_on_lot(self, size: int) -> bool:
        """Whether ``size`` is a positive multiple of the lot size."""
        return size > 0 and size % self.lot_size == 0

    def snap_price(self, price: int, round_up: bool = False) -> int:
        """``price`` moved onto the tick grid, down by default (up when asked)."""
        if round_up:
            return -((-price) // self.tick_size) * self.tick_size
        return (price // self.tick_size) * self.tick_size

    def snap_size(self, size: int) -> int:
        """``size`` rounded down to a whole number of lots."""
        return (size // self.lot_size) * self.lot_size


@dataclass(frozen=True, slots=True)
class CollateralAsset:
    """A collateral asset; balances are in the token's own decimals."""

    symbol: str
    decimals: int
    initial_weight: int
    maintenance_weight: int
    price_market: str | None
    asset_index: int = 0

    @property
    def precision(self) -> int:
        """Token units per whole token."""
        return 10**self.decimals


@dataclass(frozen=True, slots=True)
class MarketCatalog:
    """All markets and collateral assets of a deployment, by symbol."""

    markets: Mapping[str, MarketSpec]
    collateral: Mapping[str, CollateralAsset]
    quote_asset: str = "USDC"

    def market(self, symbol: str) -> MarketSpec:
        """The market named ``symbol``; ``KeyError`` with a readable message if unknown."""
        try:
            return self.markets[symbol]
        except KeyError:
            known = ", ".join(self.markets)
            raise KeyError(f"unknown market {symbol!r}; known markets: {known}") from None

    def asset(self, symbol: str) -> CollateralAsset:
        """The collateral asset named ``symbol``."""
        try:
            return self.collateral[symbol]
        except KeyError:
            known = ", ".join(self.collateral)
            raise KeyError(f"unknown collateral asset {symbol!r}; known: {known}") from None

    def __iter__(self) -> Iterator[MarketSpec]:
        return iter(self.markets.values())


def _field(raw: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in raw:
        raise MarketSpecError(f"{where}: missing field {name!r}")
    return raw[name]


def _fixed(raw: Mapping[str, Any], name: str, where: str, parse) -> int:
    try:
        return parse(str(_field(raw, name, where)))
    except FixedPointError as error:
        raise MarketSpecError(f"{where}: {name}: {error}") from None


def _positive_int(raw: Mapping[str, Any], name: str, where: str) -> int:
    value = _field(raw, name, where)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise MarketSpecError(f"{where}: {name} must be a positive integer, got {value!r}")
    return value


def parse_market(raw: Mapping[str, Any], market_index: int = 0) -> MarketSpec:
    """One market from its JSON object, checked for consistency."""
    where = str(raw.get("symbol", f"market #{market_index}"))
    spec = MarketSpec(
        symbol=str(_field(raw, "symbol", where)),
        base_asset=str(_field(raw, "base_asset", where)),
        tick_size=_fixed(raw, "tick_size", where, parse_price),
        lot_size=_fixed(raw, "lot_size", where, parse_base),
        min_size=_fixed(raw, "min_size", where, parse_base),
        max_leverage=_positive_int(raw, "max_leverage", where),
        initial_margin_ratio=_fixed(raw, "initial_margin_ratio", where, parse_ratio),
        maintenance_margin_ratio=_fixed(raw, "maintenance_margin_ratio", where, parse_ratio),
        maker_fee=_fixed(raw, "maker_fee", where, parse_ratio),
        taker_fee=_fixed(raw, "taker_fee", where, parse_ratio),
        liquidation_fee=_fixed(raw, "liquidation_fee", where, parse_ratio),
        liquidator_fee_share=_fixed(raw, "liquidator_fee_share", where, parse_ratio),
        funding_period_s=_positive_int(raw, "funding_period_s", where),
        max_funding_rate=_fixed(raw, "max_funding_rate", where, parse_ratio),
        auction_threshold=_fixed(raw, "auction_threshold", where, parse_base),
        auction_duration_ms=_positive_int(raw, "auction_duration_ms", where),
        auction_start_offset=_fixed(raw, "auction_start_offset", where, parse_ratio),
        max_oracle_age_s=_positive_int(raw, "max_oracle_age_s", where),
        pyth_feed_id=str(_field(raw, "pyth_feed_id", where)).lower().removeprefix("0x"),
        coingecko_id=str(_field(raw, "coingecko_id", where)),
        reference_price=_fixed(raw, "reference_price", where, parse_price),
        market_index=market_index,
    )
    _check_market(spec)
    return spec


ADJUSTABLE = frozenset(
    {
        "min_size",
        "max_leverage",
        "initial_margin_ratio",
        "maintenance_margin_ratio",
        "maker_fee",
        "taker_fee",
        "liquidation_fee",
        "liquidator_fee_share",
        "max_funding_rate",
        "auction_threshold",
        "auction_duration_ms",
        "auction_start_offset",
        "max_oracle_age_s",
    }
)
"""Market parameters an operator may change while the market runs (not tick or lot: resting
orders sit on their grid)."""


def adjust_market(spec: MarketSpec, changes: Mapping[str, int]) -> MarketSpec:
    """``spec`` with ``changes`` applied, checked like a loaded market."""
    unknown = sorted(set(changes) - ADJUSTABLE)
    if unknown:
        raise MarketSpecError(f"{spec.symbol}: cannot change {', '.join(unknown)} while it runs")
    for name, value in changes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise MarketSpecError(f"{spec.symbol}: {name} must be a non-negative integer")
    adjusted = replace(spec, **changes)
    if adjusted.max_leverage <= 0 or adjusted.auction_duration_ms <= 0:
        raise MarketSpecError(f"{spec.symbol}: max_leverage and auction_duration_ms must be > 0")
    _check_market(adjusted)
    return adjusted


def _check_market(spec: MarketSpec) -> None:
    where = spec.symbol
    if spec.tick_size <= 0 or spec.lot_size <= 0:
        raise MarketSpecError(f"{where}: tick_size and lot_size must be positive")
    if spec.min_size < spec.lot_size or spec.min_size % spec.lot_size:
        raise MarketSpecError(f"{where}: min_size must be a positive multiple of lot_size")
    if not 0 < spec.maintenance_margin_ratio < spec.initial_margin_ratio <= RATIO_PRECISION:
        raise MarketSpecError(
            f"{where}: need 0 < maintenance_margin_ratio < initial_margin_ratio <= 1"
        )
    if spec.initial_margin_ratio * spec.max_leverage > RATIO_PRECISION:
        raise MarketSpecError(
            f"{where}: max_leverage {spec.max_leverage} needs an initial margin ratio of at "
            f"most {RATIO_PRECISION // spec.max_leverage / RATIO_PRECISION}"
        )
    for name in ("maker_fee", "taker_fee", "liquidation_fee", "liquidator_fee_share"):
        if not 0 <= getattr(spec, name) <= RATIO_PRECISION:
            raise MarketSpecError(f"{where}: {name} must be between 0 and 1")
    if spec.liquidation_fee >= spec.maintenance_margin_ratio:
        raise MarketSpecError(f"{where}: liquidation_fee must be below the maintenance margin")
    if len(spec.pyth_feed_id) != 64 or any(c not in "0123456789abcdef" for c in spec.pyth_feed_id):
        raise MarketSpecError(f"{where}: pyth_feed_id must be 32 bytes of hex")
    if spec.reference_price <= 0 or spec.reference_price % spec.tick_size:
        raise MarketSpecError(f"{where}: reference_price must be a positive multiple of tick")


def parse_collateral(raw: Mapping[str, Any], asset_index: int = 0) -> CollateralAsset:
    """One collateral asset from its JSON object."""
    where = str(raw.get("symbol", f"collateral #{asset_index}"))
    decimals = _field(raw, "decimals", where)
    if not isinstance(decimals, int) or not 0 <= decimals <= 18:
        raise MarketSpecError(f"{where}: decimals must be an integer from 0 to 18")
    asset = CollateralAsset(
        symbol=str(_field(raw, "symbol", where)),
        decimals=decimals,
        initial_weight=_fixed(raw, "initial_weight", where, parse_ratio),
        maintenance_weight=_fixed(raw, "maintenance_weight", where, parse_ratio),
        price_market=_field(raw, "price_market", where),
        asset_index=asset_index,
    )
    if not 0 < asset.initial_weight <= asset.maintenance_weight <= RATIO_PRECISION:
        raise MarketSpecError(f"{where}: need 0 < initial_weight <= maintenance_weight <= 1")
    return asset


def parse_catalog(data: Mapping[str, Any]) -> MarketCatalog:
    """A whole catalog from the decoded JSON of a markets file."""
    markets = [parse_market(raw, i) for i, raw in enumerate(_field(data, "markets", "catalog"))]
    raw_assets = _field(data, "collateral", "catalog")
    assets = [parse_collateral(raw, i) for i, raw in enumerate(raw_assets)]
    by_symbol = {m.symbol: m for m in markets}
    if len(by_symbol) != len(markets):
        raise MarketSpecError("catalog: duplicate market symbol")
    collateral = {a.symbol: a for a in assets}
    quote = str(data.get("quote_asset", "USDC"))
    if quote not in collateral or collateral[quote].price_market is not None:
        raise MarketSpecError(
            f"catalog: quote asset {quote} must be a collateral asset with no price market"
        )
    for asset in assets:
        if asset.symbol != quote and asset.price_market not in by_symbol:
            raise MarketSpecError(f"{asset.symbol}: price_market must name a market")
    return MarketCatalog(markets=by_symbol, collateral=collateral, quote_asset=quote)


def load_catalog(path: Path) -> MarketCatalog:
    """Read and check a markets file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MarketSpecError(f"{path}: not valid JSON: {error}") from None
    return parse_catalog(data)


def default_markets_path() -> Path:
    """The markets file shipped with the application (`resources/markets.json`)."""
    return Path(__file__).resolve().parents[2] / "resources" / "markets.json"


def load_default_catalog() -> MarketCatalog:
    """The shipped catalog of the six perpetual markets and four collateral assets."""
    return load_catalog(default_markets_path())


__all__ = [
    "BASE_PRECISION",
    "PRICE_PRECISION",
    "CollateralAsset",
    "MarketCatalog",
    "MarketSpec",
    "MarketSpecError",
    "load_catalog",
    "load_default_catalog",
    "parse_catalog",
]
