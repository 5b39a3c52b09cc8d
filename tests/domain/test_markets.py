"""The shipped market catalog and the checks on a markets file."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from backend.domain.fixed_point import parse_price
from backend.domain.markets import (
    MarketCatalog,
    MarketSpecError,
    default_markets_path,
    load_catalog,
    parse_catalog,
)


@pytest.fixture
def raw() -> dict:
    return json.loads(default_markets_path().read_text())


def test_catalog_has_six_markets_and_four_collateral_assets(catalog: MarketCatalog) -> None:
    assert [m.symbol for m in catalog] == [
        "BTC-PERP",
        "ETH-PERP",
        "SOL-PERP",
        "ADA-PERP",
        "DOT-PERP",
        "LINK-PERP",
    ]
    assert list(catalog.collateral) == ["USDC", "SOL", "BTC", "ETH"]
    assert catalog.asset("USDC").initial_weight == 1_000_000
    for symbol in ("SOL", "BTC", "ETH"):
        assert catalog.asset(symbol).initial_weight < 1_000_000


def test_market_fields_are_fixed_point(catalog: MarketCatalog) -> None:
    sol = catalog.market("SOL-PERP")
    assert sol.tick_size == 1_000  # 0.001 USD
    assert sol.lot_size == 10_000_000  # 0.01 SOL
    assert sol.initial_margin_ratio == 100_000  # 10 %
    assert sol.max_leverage == 10
    assert len(sol.pyth_feed_id) == 64


def test_snapping_to_tick_and_lot(catalog: MarketCatalog) -> None:
    btc = catalog.market("BTC-PERP")
    assert btc.snap_price(parse_price("67000.17")) == parse_price("67000.1")
    assert btc.snap_price(parse_price("67000.17"), round_up=True) == parse_price("67000.2")
    assert btc.is_on_tick(parse_price("67000.1"))
    assert not btc.is_on_tick(parse_price("67000.15"))
    assert btc.snap_size(150_000) == 100_000


def test_unknown_market_names_the_known_ones(catalog: MarketCatalog) -> None:
    with pytest.raises(KeyError, match="BTC-PERP"):
        catalog.market("XRP-PERP")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tick_size", "0.0000001", "decimal places"),
        ("maintenance_margin_ratio", "0.5", "maintenance_margin_ratio"),
        ("max_leverage", 50, "max_leverage"),
        ("min_size", "0.00015", "min_size"),
        ("pyth_feed_id", "xyz", "pyth_feed_id"),
        ("funding_period_s", 0, "funding_period_s"),
    ],
)
def test_inconsistent_market_is_refused(raw: dict, field: str, value: object, message: str) -> None:
    bad = copy.deepcopy(raw)
    bad["markets"][0][field] = value
    with pytest.raises(MarketSpecError, match=message):
        parse_catalog(bad)


def test_missing_field_is_named(raw: dict) -> None:
    bad = copy.deepcopy(raw)
    del bad["markets"][2]["taker_fee"]
    with pytest.raises(MarketSpecError, match="SOL-PERP: missing field 'taker_fee'"):
        parse_catalog(bad)


def test_collateral_must_price_from_a_market(raw: dict) -> None:
    bad = copy.deepcopy(raw)
    bad["collateral"][1]["price_market"] = "XRP-PERP"
    with pytest.raises(MarketSpecError, match="price_market"):
        parse_catalog(bad)


def test_malformed_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "markets.json"
    path.write_text("{not json")
    with pytest.raises(MarketSpecError, match="not valid JSON"):
        load_catalog(path)
