"""The domain catalog the preview computes with, built from the wire specs.

`GET /api/markets` leaves out fields the preview does not need (oracle ids, liquidator
share, reference price) and the collateral assets: a market the shipped catalog knows
takes those from it, any other gets neutral fill-ins; collateral comes from the shipped
catalog. What the wire does give (tick, lot, margins, fees) always wins.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.domain.markets import (
    MarketCatalog,
    MarketSpec,
    MarketSpecError,
    load_default_catalog,
    parse_market,
)

_FILL_INS: dict[str, object] = {
    "base_asset": "",
    "max_leverage": 10,
    "initial_margin_ratio": "0.1",
    "maintenance_margin_ratio": "0.05",
    "maker_fee": "0.0002",
    "taker_fee": "0.0005",
    "liquidation_fee": "0.01",
    "liquidator_fee_share": "0.5",
    "funding_period_s": 3600,
    "max_funding_rate": "0.0075",
    "auction_threshold": "0",
    "auction_duration_ms": 2000,
    "auction_start_offset": "0.0005",
    "max_oracle_age_s": 30,
    "pyth_feed_id": "0" * 64,
    "coingecko_id": "",
}
"""Neutral values for a market the shipped catalog does not know."""
_RATIOS = (
    "initial_margin_ratio",
    "maintenance_margin_ratio",
    "maker_fee",
    "taker_fee",
    "liquidation_fee",
    "liquidator_fee_share",
    "max_funding_rate",
    "auction_start_offset",
)


@functools.cache
def shipped_catalog() -> MarketCatalog:
    """The catalog shipped with the application (read once)."""
    return load_default_catalog()


def _raw_of(spec: MarketSpec) -> dict[str, object]:
    """A domain spec back in the markets-file shape."""
    raw: dict[str, object] = asdict(spec)
    raw["tick_size"] = format_fixed(spec.tick_size, PRICE_PRECISION)
    for name in ("lot_size", "min_size", "auction_threshold"):
        raw[name] = format_fixed(getattr(spec, name), BASE_PRECISION)
    for name in _RATIOS:
        raw[name] = format_fixed(getattr(spec, name), RATIO_PRECISION)
    return raw


def spec_from_wire(wire: Mapping[str, object], index: int = 0) -> MarketSpec | None:
    """The domain spec of one wire spec (None when it is not consistent)."""
    symbol = wire.get("symbol")
    if not isinstance(symbol, str):
        return None
    known = shipped_catalog().markets.get(symbol)
    raw = _raw_of(known) if known is not None else dict(_FILL_INS)
    raw.update({name: value for name, value in wire.items() if value is not None})
    raw.setdefault("lot_size", raw.get("min_size", "0.000000001"))
    raw.setdefault("min_size", raw["lot_size"])
    raw.setdefault("tick_size", "0.000001")
    raw["reference_price"] = raw["tick_size"]  # any tick multiple: the preview never uses it
    try:
        return parse_market(raw, index)
    except (MarketSpecError, TypeError, ValueError):
        return None


def catalog_from_wire(specs: Mapping[str, Mapping[str, object]]) -> MarketCatalog:
    """Every consistent wire spec as a domain catalog, with the shipped collateral."""
    markets = {}
    for index, wire in enumerate(specs.values()):
        spec = spec_from_wire(wire, index)
        if spec is not None:
            markets[spec.symbol] = spec
    shipped = shipped_catalog()
    return MarketCatalog(markets, shipped.collateral, shipped.quote_asset)
