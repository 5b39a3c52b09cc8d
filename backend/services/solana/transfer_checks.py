"""The local checks of a transfer signed on chain, refused in the same words as the
paper transfers: the amount typed, and a withdrawal against the local ledger's margin."""

from __future__ import annotations

from backend.domain.account import Account, check_transfer
from backend.domain.errors import AccountRejected, RejectCode
from backend.domain.fixed_point import FixedPointError, parse_fixed
from backend.domain.ledger import Ledger
from backend.domain.margin import MissingPrice
from backend.domain.markets import MarketCatalog
from backend.services.trading.service import TradingUnavailable
from backend.services.trading.state import TradingState

MAX_AMOUNT = 2**63
"""Every amount the store and the program keep fits a signed 64-bit integer."""


def parse_amount(catalog: MarketCatalog, symbol: str, text: str) -> int:
    """``text`` in token units of ``symbol``: positive, on the asset's precision, and
    small enough for an account; refused as the paper transfers refuse it."""
    if symbol not in catalog.collateral:
        known = ", ".join(catalog.collateral)
        raise AccountRejected(
            RejectCode.UNKNOWN_ASSET,
            f"{symbol} is not a collateral asset; use one of {known}",
            "asset",
        )
    try:
        amount = parse_fixed(text, catalog.asset(symbol).precision, "amount")
    except FixedPointError as error:
        raise AccountRejected(RejectCode.INVALID_AMOUNT, str(error), "amount") from None
    except ArithmeticError:  # an exponent too large for decimal arithmetic
        amount = MAX_AMOUNT
    if abs(amount) >= MAX_AMOUNT:
        raise AccountRejected(RejectCode.INVALID_AMOUNT, f"amount {text} is too large", "amount")
    check_transfer(catalog, symbol, amount)
    return amount


def check_withdrawal(state: TradingState, wallet: str, symbol: str, amount: int) -> None:
    """Refuse a withdrawal beyond the balance or initial margin exactly as the ledger
    would (its own check, run on a scratch copy of the account: nothing changes)."""
    account = state.ledger.accounts.get(wallet) or Account(wallet)
    scratch = Ledger(state.catalog, {wallet: account.copy()})
    try:
        scratch.withdraw(wallet, symbol, amount, state.prices, state.reserved_margin(wallet))
    except MissingPrice as missing:
        raise TradingUnavailable(f"prices are not all known yet ({missing})") from None
