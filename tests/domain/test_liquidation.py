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
