"""Liquidation: partial close with a buffer, fee split, bankruptcy and socialised loss."""

from __future__ import annotations

import pytest

from backend.domain.fills import Fill
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.ledger import Ledger
from backend.domain.liquidation import liquidate
from backend.domain.margin import MarketPrices, risk_view
from backend.domain.markets import MarketCatalog
from backend.domain.orders import Side

P, B = parse_price, parse_base
USDC = 1_000_000


def _prices(price: str) -> dict[str, MarketPrices]:
    return {"SOL-PERP": MarketPrices(P(price), P(price))}


@pytest.fixture
def ledger(catalog: MarketCatalog) -> Ledger:
    """alice: 100 USDC, long 10 SOL at 150 (9x); bob: the short side; liq: liquidator."""
    book = Ledger(catalog)
    book.deposit("alice", "USDC", 100 * USDC)
    book.deposit("bob", "USDC", 10_000 * USDC)
    book.deposit("liq", "USDC", 10_000 * USDC)
    book.apply_fill(Fill("SOL-PERP", P("150"), B("10"), Side.BUY, 1, 2, "bob", "alice"))
    return book


def test_healthy_account_is_left_alone(ledger: Ledger) -> None:
    result = liquidate(ledger, "alice", "liq", _prices("150"))
    assert result.healthy_after and not result.closed


def test_partial_liquidation_restores_health_with_a_buffer(ledger: Ledger, catalog) -> None:
    # at 146: collateral 100 - 40 = 60; requirement 10 * 146 * 5% = 73 -> liquidatable;
    # closing c coins improves the gap by c * 146 * (5% * 1.05 - 1.5%): c = 3.05 (lots)
    prices = _prices("146")
    before = ledger.total_quote()
    result = liquidate(ledger, "alice", "liq", prices)
    alice = ledger.account("alice")
    closed = result.closed[0]
    assert closed.base == B("3.05") and closed.price == P("146")
    assert result.healthy_after and not result.flat_after
    view = risk_view(alice, catalog, prices)
    assert view.collateral_maintenance * 1_000_000 >= view.maintenance_requirement * 1_050_000
    # fee 1.5% of the notional closed, half to the liquidator
    assert closed.fee == -((-closed.base * P("146") * 15_000) // 10**15)
    assert closed.liquidator_fee == closed.fee // 2
    assert ledger.account("liq").positions["SOL-PERP"].base == closed.base
    assert ledger.total_quote() == before
    assert ledger.total_base("SOL-PERP") == 0


def test_bankrupt_account_is_covered_by_the_insurance_fund(ledger: Ledger) -> None:
    ledger.insure(1_000 * USDC)
    before = ledger.total_quote()
    result = liquidate(ledger, "alice", "liq", _prices("130"))  # loss 200 > 100 collateral
    assert result.flat_after
    assert result.insurance_draw > 100 * USDC and result.socialised_loss == 0
    assert ledger.account("alice").balance("USDC") == 0
    assert ledger.total_quote() == before


def test_loss_is_socialised_across_the_opposite_side_when_the_fund_is_empty(ledger) -> None:
    before = ledger.total_quote()
    bob_entry = ledger.account("bob").positions["SOL-PERP"].quote_entry
    result = liquidate(ledger, "alice", "liq", _prices("130"))
    assert result.socialised_loss > 0 and result.socialised_market == "SOL-PERP"
    assert ledger.account("bob").positions["SOL-PERP"].quote_entry < bob_entry
    assert ledger.account("alice").balance("USDC") == 0
    assert ledger.total_quote() == before


def _target_met(ledger: Ledger, catalog, prices, buffer: int = 50_000) -> bool:
    view = risk_view(ledger.account("alice"), catalog, prices)
    return view.collateral_maintenance * 1_000_000 >= view.maintenance_requirement * (
        1_000_000 + buffer
    )


def test_liquidator_takes_over_at_the_oracle_when_mark_differs(ledger: Ledger, catalog) -> None:
    # mark 146, oracle 145: closing at 145 realises 1 USDC a coin more loss than the mark
    # shows. k = 146*5%*1.05 + (145 - 146) - 145*1.5% = 7.665 - 1 - 2.175 = 4.49 a coin;
    # gap = 73 * 1.05 - 60 = 16.65 -> c = 16.65 / 4.49 = 3.708... -> 3.71 SOL in lots
    prices = {"SOL-PERP": MarketPrices(P("146"), P("145"))}
    before = ledger.total_value(prices)
    result = ledger.liquidate("alice", "liq", prices)
    assert [c.base for c in result.closed] == [B("3.71")]
    assert result.closed[0].price == P("145")
    assert result.healthy_after and _target_met(ledger, catalog, prices)
    assert ledger.total_value(prices) == before


def test_riskiest_position_goes_first(catalog: MarketCatalog) -> None:
    book = Ledger(catalog)
    book.deposit("alice", "USDC", 200 * USDC)
    book.deposit("bob", "USDC", 100_000 * USDC)
    book.apply_fill(Fill("SOL-PERP", P("150"), B("10"), Side.BUY, 1, 2, "bob", "alice"))
    book.apply_fill(Fill("BTC-PERP", P("60000"), B("0.1"), Side.BUY, 3, 4, "bob", "alice"))
    # BTC at 59,000: collateral 200 - 100 = 100; requirement 177 (BTC, 3%) + 75 (SOL, 5%)
    prices = {
        "SOL-PERP": MarketPrices(P("150"), P("150")),
        "BTC-PERP": MarketPrices(P("59000"), P("59000")),
    }
    result = liquidate(book, "alice", "liq", prices)
    assert result.closed[0].market == "BTC-PERP"
    assert result.healthy_after


def test_bad_debt_stays_when_no_one_holds_the_other_side(catalog: MarketCatalog) -> None:
    book = Ledger(catalog)
    book.deposit("alice", "USDC", 100 * USDC)
    book.deposit("liq", "USDC", 10_000 * USDC)
    book.apply_fill(Fill("SOL-PERP", P("150"), B("10"), Side.BUY, 1, 2, "liq", "alice"))
    before = book.total_quote()
    result = liquidate(book, "alice", "liq", _prices("130"))
    # the liquidator, the only short, takes the long back and is flat: nobody to share with
    assert result.flat_after and result.socialised_loss == 0
    # loss 200 + fee 1,300 * 1.5% = 19.5 -> deficit 219.5 - 100 = 119.5; the fund holds
    # only its half of the fee, 9.75, and pays it back: 109.75 is left unresolved
    assert result.insurance_draw == 9_750_000
    assert result.bad_debt == 109_750_000 and not result.healthy_after
    assert book.account("alice").balance("USDC") == -109_750_000
    assert book.total_quote() == before


def test_socialised_loss_is_pro_rata_and_rounded_up(catalog: MarketCatalog) -> None:
    book = Ledger(catalog)
    book.deposit("alice", "USDC", 100 * USDC)
    for name in ("bob", "carl", "liq"):
        book.deposit(name, "USDC", 10_000 * USDC)
    book.apply_fill(Fill("SOL-PERP", P("150"), B("7"), Side.BUY, 1, 2, "bob", "alice"))
    book.apply_fill(Fill("SOL-PERP", P("150"), B("3"), Side.BUY, 1, 2, "carl", "alice"))
    result = liquidate(book, "alice", "liq", _prices("130"))
    # 109.75 USDC left after the fund (as above); bob holds 7 of the 10 short, carl 3
    assert result.socialised_loss == 109_750_000
    bob = book.account("bob").positions["SOL-PERP"].quote_entry
    carl = book.account("carl").positions["SOL-PERP"].quote_entry
    assert bob == 1_050 * USDC - 76_825_000  # ceil(109.75 * 7 / 10) = 76.825
    assert carl == 450 * USDC - 32_925_000  # ceil(109.75 * 3 / 10) = 32.925
    assert book.account("alice").balance("USDC") == 0


def test_liquidation_refuses_bad_arguments(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="itself"):
        liquidate(ledger, "alice", "alice", _prices("100"))
    with pytest.raises(ValueError, match="buffer"):
        liquidate(ledger, "alice", "liq", _prices("100"), buffer=-1)
    assert ledger.account("alice").positions["SOL-PERP"].base == B("10")
