"""The settlement ledger: fills, fees, funding, transfers."""

from __future__ import annotations

import pytest

from backend.domain.account import Account
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


def test_account_transfers_check_asset_amount_and_balance(catalog: MarketCatalog) -> None:
    account = Account("zed")
    account.deposit(catalog, "SOL", 2 * 10**9)
    account.withdraw(catalog, "SOL", 10**9)
    assert account.balances == {"SOL": 10**9}
    for asset, amount, code in [
        ("DOGE", 1, RejectCode.UNKNOWN_ASSET),
        ("SOL", 0, RejectCode.INVALID_AMOUNT),
        ("SOL", True, RejectCode.INVALID_AMOUNT),
    ]:
        with pytest.raises(AccountRejected) as raised:
            account.deposit(catalog, asset, amount)
        assert raised.value.code is code
    with pytest.raises(AccountRejected) as raised:
        account.withdraw(catalog, "SOL", 10**9 + 1)
    assert raised.value.code is RejectCode.INSUFFICIENT_COLLATERAL
    assert account.balances == {"SOL": 10**9}


def test_refused_deposit_opens_no_account(ledger: Ledger) -> None:
    with pytest.raises(AccountRejected):
        ledger.deposit("nobody", "USDC", -1)
    assert "nobody" not in ledger.accounts


def test_trade_flow_dust_goes_to_the_fund(ledger: Ledger) -> None:
    # 0.000000001 SOL at 150.000001: exact 0.000000150000001 USDC; buyer pays 1 unit,
    # seller receives 0; the unit is dust for the fund
    ledger.apply_fill(Fill("SOL-PERP", 150_000_001, 1, Side.BUY, 1, 2, "bob", "alice"))
    assert ledger.insurance_fund == 1


def test_total_value_counts_collateral_pnl_fund_and_fees(ledger: Ledger) -> None:
    ledger.deposit("carol", "SOL", 10**9)  # 1 SOL at oracle 150
    ledger.apply_fill(_fill("150", "2", fees=(60_000, 150_000)))
    # 2,000 USDC + 150 of SOL; fees 0.21 moved from balances to fees collected
    assert ledger.total_value(PRICES) == 2_150 * USDC
    moved = {"SOL-PERP": MarketPrices(P("170"), P("160"))}
    # PnL cancels between the long and the short; SOL collateral now worth 160
    assert ledger.total_value(moved) == 2_160 * USDC


@pytest.mark.parametrize(
    ("market", "price", "size"),
    [("DOGE-PERP", P("1"), B("1")), ("SOL-PERP", 0, B("1")), ("SOL-PERP", P("1"), 0)],
)
def test_malformed_fills_change_nothing(ledger: Ledger, market, price, size) -> None:
    before = ledger.total_quote()
    with pytest.raises(ValueError, match="fill"):
        ledger.apply_fill(Fill(market, price, size, Side.BUY, 1, 2, "bob", "alice"))
    assert ledger.total_quote() == before and not ledger.account("alice").positions


def test_funding_for_an_unknown_market_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="unknown market"):
        ledger.settle_funding("DOGE-PERP", 1)
    assert ledger.funding_index == {}


def test_funding_index_is_kept_by_a_new_position(ledger: Ledger) -> None:
    ledger.apply_fill(_fill("150", "1"))
    ledger.settle_funding("SOL-PERP", 10**15)  # 1 USDC a coin: alice pays 1, bob gets 1
    assert ledger.account("alice").balance("USDC") == 999 * USDC
    ledger.deposit("carol", "USDC", 1_000 * USDC)
    ledger.apply_fill(_fill("150", "1", taker="carol", maker="bob"))
    assert ledger.account("carol").positions["SOL-PERP"].last_funding_index == 10**15
    payments = ledger.settle_funding("SOL-PERP", 10**15)
    # carol pays for the second period only
    assert payments == {"alice": -USDC, "bob": 2 * USDC, "carol": -USDC}
