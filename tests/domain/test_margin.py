"""Margin figures with worked numbers (SOL-PERP: IMR 10%, MMR 5%)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.account import Account
from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.margin import (
    MarketPrices,
    MissingPrice,
    check_order,
    health,
    liquidation_price,
    margin_refusal,
    max_withdrawal,
    risk_view,
)
from backend.domain.markets import MarketCatalog
from backend.domain.orders import Side
from backend.domain.positions import apply_trade

P, B = parse_price, parse_base
USDC = 1_000_000
PRICES = {
    m: MarketPrices(P(p), P(p))
    for m, p in {"SOL-PERP": "150", "BTC-PERP": "60000", "ETH-PERP": "3000"}.items()
}


def _long_sol(usdc: int = 1_000, size: str = "10") -> Account:
    account = Account("alice", {"USDC": usdc * USDC})
    apply_trade(account.position("SOL-PERP"), B(size), P("150"))
    return account


def test_risk_view_of_a_simple_long(catalog: MarketCatalog) -> None:
    view = risk_view(_long_sol(), catalog, PRICES)
    # 10 SOL at 150 = 1,500 notional; IM 10% = 150, MM 5% = 75, collateral 1,000
    assert view.initial_requirement == 150 * USDC
    assert view.maintenance_requirement == 75 * USDC
    assert view.free_collateral == 850 * USDC
    assert view.leverage == 1_500_000  # 1.5x
    assert view.health == 925_000  # 1 - 75 / 1000
    assert not view.liquidatable


def test_unrealised_pnl_moves_collateral(catalog: MarketCatalog) -> None:
    prices = dict(PRICES, **{"SOL-PERP": MarketPrices(P("140"), P("140"))})
    view = risk_view(_long_sol(), catalog, prices)
    assert view.unrealised_pnl == -100 * USDC
    assert view.collateral_maintenance == 900 * USDC
    assert view.maintenance_requirement == 70 * USDC


def test_cross_collateral_uses_asset_weights(catalog: MarketCatalog) -> None:
    account = Account("bob", {"SOL": 10 * 10**9})  # 10 SOL at oracle 150 = 1,500
    view = risk_view(account, catalog, PRICES)
    assert view.collateral_initial == 1_200 * USDC  # weight 0.8
    assert view.collateral_maintenance == 1_350 * USDC  # weight 0.9
    assert view.equity == 1_500 * USDC


def test_liquidation_price_of_a_long(catalog: MarketCatalog) -> None:
    account = _long_sol()
    price = liquidation_price(account, catalog, PRICES, "SOL-PERP")
    # 1000 - 1500 + 10 p = 0.5 p  ->  p = 500 / 9.5 = 52.6315789..., rounded up
    assert price == 52_631_579
    at_price = {"SOL-PERP": MarketPrices(price, price)}
    view = risk_view(account, catalog, at_price)
    assert view.collateral_maintenance >= view.maintenance_requirement
    below = {"SOL-PERP": MarketPrices(price - 1_000, price - 1_000)}
    assert risk_view(account, catalog, below).liquidatable


def test_liquidation_price_of_a_short(catalog: MarketCatalog) -> None:
    account = Account("carol", {"USDC": 1_000 * USDC})
    apply_trade(account.position("SOL-PERP"), -B("10"), P("150"))
    price = liquidation_price(account, catalog, PRICES, "SOL-PERP")
    # 1000 + 1500 - 10 p = 0.5 p  ->  p = 2500 / 10.5 = 238.095238..., rounded down
    assert price == 238_095_238


def test_no_liquidation_price_when_fully_collateralised(catalog: MarketCatalog) -> None:
    account = _long_sol(usdc=2_000)
    assert liquidation_price(account, catalog, PRICES, "SOL-PERP") is None
    assert liquidation_price(account, catalog, PRICES, "BTC-PERP") is None


def test_pre_trade_check_refuses_an_order_beyond_initial_margin(catalog) -> None:
    account = Account("dave", {"USDC": 100 * USDC})
    # 10 SOL needs 150 initial margin; 100 USDC is not enough
    result = check_order(
        account, catalog, PRICES, "SOL-PERP", Side.BUY, B("10"), P("150"), fee=750_000
    )
    assert not result.allowed and result.code is RejectCode.INSUFFICIENT_MARGIN
    assert "USDC more initial margin" in result.reason
    ok = check_order(account, catalog, PRICES, "SOL-PERP", Side.BUY, B("5"), P("150"), 0)
    assert ok.allowed and ok.after.initial_requirement == 75 * USDC
    assert ok.liquidation_price_after is not None


def test_reducing_is_allowed_below_initial_margin(catalog: MarketCatalog) -> None:
    account = _long_sol(usdc=100)
    prices = {"SOL-PERP": MarketPrices(P("145"), P("145"))}
    assert risk_view(account, catalog, prices).free_collateral < 0
    result = check_order(account, catalog, prices, "SOL-PERP", Side.SELL, B("5"), P("145"), 0)
    assert result.allowed
    flip = check_order(account, catalog, prices, "SOL-PERP", Side.SELL, B("30"), P("145"), 0)
    assert not flip.allowed


def test_max_withdrawal_keeps_free_collateral(catalog: MarketCatalog) -> None:
    account = _long_sol()
    assert max_withdrawal(account, catalog, PRICES, "USDC") == 850 * USDC
    collateral = Account("erin", {"SOL": 10 * 10**9, "USDC": -600 * USDC})
    amount = max_withdrawal(collateral, catalog, PRICES, "SOL")
    # free = 1,200 - 600 = 600 -> 600 / (150 * 0.8) = 5 SOL
    assert amount == 5 * 10**9
    collateral.credit("SOL", -amount)
    assert risk_view(collateral, catalog, PRICES).free_collateral >= 0


@pytest.mark.parametrize(
    ("collateral", "requirement", "expected"),
    [(1_000, 0, 1_000_000), (1_000, 250, 750_000), (100, 100, 0), (0, 5, 0), (-5, 0, 0)],
)
def test_health(collateral: int, requirement: int, expected: int) -> None:
    assert health(collateral, requirement) == expected


def test_open_orders_hold_margin_for_their_worst_side() -> None:
    from backend.domain.margin import open_order_requirement

    # long 2; resting buys of 3 and sells of 6: worst |2+3|=5 vs |2-6|=4 -> 3 more at 10%
    assert open_order_requirement(B("2"), B("3"), B("6"), P("150"), 100_000) == 45 * USDC
    # sells that only close the long hold nothing
    assert open_order_requirement(B("2"), 0, B("2"), P("150"), 100_000) == 0


def test_negative_usdc_counts_in_full_as_a_liability(catalog: MarketCatalog) -> None:
    account = Account("fay", {"SOL": 10 * 10**9, "USDC": -300 * USDC})
    view = risk_view(account, catalog, PRICES)
    # 1,500 of SOL at 0.8 = 1,200 less the full 300 owed; at 0.9: 1,350 - 300
    assert view.collateral_initial == 900 * USDC
    assert view.collateral_maintenance == 1_050 * USDC
    assert view.equity == 1_200 * USDC and view.notional == 0 and view.leverage == 0


def test_leverage_is_notional_over_equity(catalog: MarketCatalog) -> None:
    account = _long_sol(usdc=300)
    # 1,500 notional / 300 equity = 5x
    assert risk_view(account, catalog, PRICES).leverage == 5_000_000
    broke = _long_sol(usdc=0)
    prices = {"SOL-PERP": MarketPrices(P("140"), P("140"))}
    assert risk_view(broke, catalog, prices).leverage is None  # equity -100
    assert risk_view(broke, catalog, prices).health == 0


def test_liquidation_price_moves_collateral_priced_by_the_same_market(catalog) -> None:
    # 10 SOL collateral (maintenance weight 0.9), long 10 SOL-PERP bought at 150, no USDC:
    # collateral 10 * p * 0.9 + 10 p - 1,500, requirement 0.5 p -> 18.5 p = 1,500
    account = Account("gus", {"SOL": 10 * 10**9})
    apply_trade(account.position("SOL-PERP"), B("10"), P("150"))
    price = liquidation_price(account, catalog, PRICES, "SOL-PERP")
    assert price == 81_081_082  # 81.0810810..., rounded up for a long
    at = risk_view(account, catalog, {"SOL-PERP": MarketPrices(price, price)})
    # one price unit (1e-6) moves collateral less requirement by 18.5 quote units
    assert 0 <= at.collateral_maintenance - at.maintenance_requirement <= 19
    below = risk_view(account, catalog, {"SOL-PERP": MarketPrices(price - 1, price - 1)})
    assert below.liquidatable


def test_a_hedged_short_is_liquidated_far_higher(catalog: MarketCatalog) -> None:
    # 10 SOL collateral and short 10 SOL-PERP at 150: 9 p + 1,500 - 10 p = 0.5 p -> p = 1,000
    # (holding the collateral's price at 150 would say 2,850 / 10.5 = 271.43: far too early)
    account = Account("hal", {"SOL": 10 * 10**9})
    apply_trade(account.position("SOL-PERP"), -B("10"), P("150"))
    assert liquidation_price(account, catalog, PRICES, "SOL-PERP") == P("1000")


def test_pre_trade_view_after_a_fill(catalog: MarketCatalog) -> None:
    account = Account("ivy", {"USDC": 1_000 * USDC})
    result = check_order(
        account, catalog, PRICES, "SOL-PERP", Side.SELL, B("20"), P("150"), fee=1_500_000
    )
    # short 20 at 150: IM 300, MM 150; collateral 1,000 - 1.5 fee = 998.5
    assert result.allowed and result.code is None
    assert result.after.initial_requirement == 300 * USDC
    assert result.after.free_collateral == 698_500_000
    assert result.after.health == 1_000_000 - -((-150 * USDC * 1_000_000) // 998_500_000)
    # 998.5 + 3,000 - 20 p = 1 p  ->  p = 3,998.5 / 21 = 190.404761..., rounded down
    assert result.liquidation_price_after == 190_404_761


@pytest.mark.parametrize(
    ("market", "size", "price", "code"),
    [
        ("DOGE-PERP", B("1"), P("1"), RejectCode.UNKNOWN_MARKET),
        ("SOL-PERP", 0, P("150"), RejectCode.INVALID_SIZE),
        ("SOL-PERP", -B("1"), P("150"), RejectCode.INVALID_SIZE),
        ("SOL-PERP", B("1"), 0, RejectCode.INVALID_PRICE),
    ],
)
def test_pre_trade_check_refuses_bad_input(catalog, market, size, price, code) -> None:
    account = _long_sol()
    with pytest.raises(OrderRejected) as raised:
        check_order(account, catalog, PRICES, market, Side.BUY, size, price, 0)
    assert raised.value.code is code
    assert account.positions["SOL-PERP"].base == B("10")


def test_missing_price_is_reported(catalog: MarketCatalog) -> None:
    with pytest.raises(MissingPrice, match="SOL-PERP"):
        risk_view(_long_sol(), catalog, {})


def test_max_withdrawal_of_nothing_held_is_zero(catalog: MarketCatalog) -> None:
    assert max_withdrawal(_long_sol(), catalog, PRICES, "BTC") == 0
    broke = _long_sol(usdc=100)
    below = {"SOL-PERP": MarketPrices(P("145"), P("145"))}
    assert max_withdrawal(broke, catalog, below, "USDC") == 0


@settings(max_examples=300, deadline=None)
@given(
    usdc=st.integers(0, 3_000),
    held=st.integers(-40, 40),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    size=st.integers(1, 60),
    price=st.integers(100, 200),
    mark=st.integers(100, 200),
    reserved=st.integers(0, 500),
)
def test_the_engines_check_answers_as_the_ticket_preview_does(
    catalog: MarketCatalog,
    usdc: int,
    held: int,
    side: Side,
    size: int,
    price: int,
    mark: int,
    reserved: int,
) -> None:
    account = Account("erin", {"USDC": usdc * USDC})
    if held:
        apply_trade(account.position("SOL-PERP"), B(str(held)), P("150"))
    prices = dict(PRICES, **{"SOL-PERP": MarketPrices(P(str(mark)), P(str(mark)))})
    args = (account, catalog, prices, "SOL-PERP", side, B(str(size)), P(str(price)), 0)
    full = check_order(*args, reserved * USDC)
    assert margin_refusal(*args, reserved * USDC) == (None if full.allowed else full.reason)
