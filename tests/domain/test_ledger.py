"""The settlement ledger: fills, fees, funding, transfers."""

from __future__ import annotations

import pytest

from backend.domain.errors import AccountRejected, RejectCode
from backend.domain.fills import Fill
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.funding import index_delta
from backend.domain.ledger import Ledger
from backend.domain.margin import MarketPrices
from backend.domain.markets import MarketCatalog
from backend.domain.orders import Side

P, B = parse_price, parse_base
USDC = 1_000_000
PRICES = {"SOL-PERP": MarketPrices(P("150"), P("150"))}


def _fill(
    price: str,
    size: str,
    taker: str = "alice",
    maker: str = "bob",
    side: Side = Side.BUY,
    fees: tuple[int, int] = (0, 0),
) -> Fill:
    return Fill("SOL-PERP", P(price), B(size), side, 1, 2, maker, taker, fees[0], fees[1])


@pytest.fixture
def ledger(catalog: MarketCatalog) -> Ledger:
    book = Ledger(catalog)
    book.deposit("alice", "USDC", 1_000 * USDC)
    book.deposit("bob", "USDC", 1_000 * USDC)
    return book


def test_fill_moves_positions_pnl_and_fees(ledger: Ledger) -> None:
    ledger.apply_fill(_fill("150", "2", fees=(60_000, 150_000)))
    alice, bob = ledger.account("alice"), ledger.account("bob")
    assert alice.positions["SOL-PERP"].base == B("2")
    assert bob.positions["SOL-PERP"].base == -B("2")
    assert alice.balance("USDC") == 1_000 * USDC - 150_000
    assert ledger.fees_collected == 210_000
    settled = ledger.apply_fill(_fill("160", "2", side=Side.SELL))
    assert settled.taker_realised == 20 * USDC and settled.maker_realised == -20 * USDC
    assert alice.balance("USDC") == 1_020 * USDC - 150_000


def test_funding_is_zero_sum_with_dust_to_the_fund(ledger: Ledger) -> None:
    ledger.apply_fill(_fill("150", "3"))
    before = ledger.total_quote()
    payments = ledger.settle_funding("SOL-PERP", index_delta(416_666, P("150")))
    assert payments["alice"] < 0 < payments["bob"]
    assert sum(payments.values()) <= 0
    assert ledger.total_quote() == before
    assert ledger.funding_index["SOL-PERP"] == 416_666 * P("150")


def test_withdrawal_is_refused_beyond_free_collateral(ledger: Ledger) -> None:
    ledger.apply_fill(_fill("150", "10"))  # alice needs 150 initial margin
    with pytest.raises(AccountRejected) as raised:
        ledger.withdraw("alice", "USDC", 900 * USDC, PRICES)
    assert raised.value.code is RejectCode.INSUFFICIENT_MARGIN
    assert ledger.account("alice").balance("USDC") == 1_000 * USDC
    ledger.withdraw("alice", "USDC", 850 * USDC, PRICES)
    assert ledger.account("alice").balance("USDC") == 150 * USDC


@pytest.mark.parametrize(
    ("asset", "amount", "code"),
    [
        ("DOGE", 1, RejectCode.UNKNOWN_ASSET),
        ("USDC", 0, RejectCode.INVALID_AMOUNT),
        ("USDC", -5, RejectCode.INVALID_AMOUNT),
        ("SOL", 1, RejectCode.INSUFFICIENT_COLLATERAL),
    ],
)
def test_bad_transfers_change_nothing(ledger: Ledger, asset: str, amount: int, code) -> None:
    before = dict(ledger.account("alice").balances)
    with pytest.raises(AccountRejected) as raised:
        ledger.withdraw("alice", asset, amount, PRICES)
    assert raised.value.code is code
    assert ledger.account("alice").balances == before


def test_insurance_fund_cannot_go_negative(ledger: Ledger) -> None:
    ledger.insure(5)
    with pytest.raises(AccountRejected):
        ledger.insure(-6)
    assert ledger.insurance_fund == 5
