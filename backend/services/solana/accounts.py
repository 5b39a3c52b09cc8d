"""The program's accounts and events, decoded into plain dataclasses.

Fields keep the program's integer units (prices 1e6, sizes 1e9, ratios 1e6, token units);
unused slots (assets beyond ``asset_count``, empty position slots) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from solders.pubkey import Pubkey

from backend.services.solana.errors import AccountDecodeError
from backend.services.solana.idl import coder

NO_MARKET = 2**16 - 1
"""The ``price_market`` of an asset counted at face value, and the market of an empty slot."""


def symbol_text(raw: Any) -> str:
    """A zero-padded byte array as text."""
    return bytes(raw).split(b"\0", 1)[0].decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class CollateralAssetInfo:
    """One collateral asset listed in the config."""

    mint: Pubkey
    vault: Pubkey
    symbol: str
    decimals: int
    initial_weight: int
    maintenance_weight: int
    price_market: int | None


@dataclass(frozen=True, slots=True)
class ConfigAccount:
    """The exchange's configuration."""

    admin: Pubkey
    keeper: Pubkey
    assets: tuple[CollateralAssetInfo, ...]
    market_count: int
    insurance_fund: int
    fees_collected: int
    liquidation_buffer: int
    bump: int


@dataclass(frozen=True, slots=True)
class MarketParams:
    """A market's specification as the program stores it."""

    symbol: str
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
    max_oracle_age_s: int
    oracle: Pubkey


@dataclass(frozen=True, slots=True)
class MarketAccount:
    """A perpetual market's on-chain state."""

    index: int
    status: str
    params: MarketParams
    mark_price: int
    oracle_price: int
    price_updated_at: int
    funding_index: int
    last_funding_rate: int
    last_funding_at: int
    open_interest: int
    last_fill_id: int
    bump: int


@dataclass(frozen=True, slots=True)
class PerpPosition:
    """One position of a user account."""

    market_index: int
    base: int
    quote_entry: int
    last_funding_index: int


@dataclass(frozen=True, slots=True)
class UserAccount:
    """A trader's account: collateral by asset index, positions in use."""

    authority: Pubkey
    collateral: tuple[int, ...]
    positions: tuple[PerpPosition, ...]
    bump: int


Decoded = ConfigAccount | MarketAccount | UserAccount
_A = TypeVar("_A", ConfigAccount, MarketAccount, UserAccount)


def decode_account(data: bytes) -> Decoded:
    """Any of the program's accounts, told apart by its discriminator."""
    try:
        raw = coder().accounts.decode(bytes(data))
    except Exception as error:  # construct raises many kinds for foreign bytes
        raise AccountDecodeError(f"not an account of the QuantDesk program: {error}") from None
    kind = type(raw).__name__
    if kind == "Config":
        return _config(raw)
    if kind == "Market":
        return _market(raw)
    if kind == "User":
        return _user(raw)
    raise AccountDecodeError(f"unexpected account type {kind}")


def decode_config(data: bytes) -> ConfigAccount:
    """The config account."""
    return _expect(decode_account(data), ConfigAccount)


def decode_market(data: bytes) -> MarketAccount:
    """A market account."""
    return _expect(decode_account(data), MarketAccount)


def decode_user(data: bytes) -> UserAccount:
    """A user account."""
    return _expect(decode_account(data), UserAccount)


def decode_event(data: bytes) -> tuple[str, dict[str, Any]]:
    """An event the program emitted (the bytes of a ``Program data:`` log line): its name
    and fields (public keys as `Pubkey`, enums by variant name)."""
    try:
        event = coder().events.parse(bytes(data))
    except Exception as error:
        raise AccountDecodeError(f"not an event of the QuantDesk program: {error}") from None
    if event is None:
        raise AccountDecodeError("not an event of the QuantDesk program")
    fields = {name: _plain(getattr(event.data, name)) for name in event.data.__dataclass_fields__}
    return event.name, fields


def _expect(account: Decoded, kind: type[_A]) -> _A:
    if not isinstance(account, kind):
        raise AccountDecodeError(f"expected a {kind.__name__}, got a {type(account).__name__}")
    return account


def _variant(value: Any) -> str:
    return type(value).__name__


def _plain(value: Any) -> Any:
    if type(value).__module__ == "sumtypes":
        return _variant(value)
    return value


def _config(raw: Any) -> ConfigAccount:
    assets = tuple(
        CollateralAssetInfo(
            mint=a.mint,
            vault=a.vault,
            symbol=symbol_text(a.symbol),
            decimals=a.decimals,
            initial_weight=a.initial_weight,
            maintenance_weight=a.maintenance_weight,
            price_market=None if a.price_market == NO_MARKET else a.price_market,
        )
        for a in list(raw.assets)[: raw.asset_count]
    )
    return ConfigAccount(
        admin=raw.admin,
        keeper=raw.keeper,
        assets=assets,
        market_count=raw.market_count,
        insurance_fund=raw.insurance_fund,
        fees_collected=raw.fees_collected,
        liquidation_buffer=raw.liquidation_buffer,
        bump=raw.bump,
    )


def _params(raw: Any) -> MarketParams:
    return MarketParams(
        symbol=symbol_text(raw.symbol),
        tick_size=raw.tick_size,
        lot_size=raw.lot_size,
        min_size=raw.min_size,
        max_leverage=raw.max_leverage,
        initial_margin_ratio=raw.initial_margin_ratio,
        maintenance_margin_ratio=raw.maintenance_margin_ratio,
        maker_fee=raw.maker_fee,
        taker_fee=raw.taker_fee,
        liquidation_fee=raw.liquidation_fee,
        liquidator_fee_share=raw.liquidator_fee_share,
        funding_period_s=raw.funding_period_s,
        max_funding_rate=raw.max_funding_rate,
        max_oracle_age_s=raw.max_oracle_age_s,
        oracle=raw.oracle,
    )


def _market(raw: Any) -> MarketAccount:
    return MarketAccount(
        index=raw.index,
        status=_variant(raw.status),
        params=_params(raw.params),
        mark_price=raw.mark_price,
        oracle_price=raw.oracle_price,
        price_updated_at=raw.price_updated_at,
        funding_index=raw.funding_index,
        last_funding_rate=raw.last_funding_rate,
        last_funding_at=raw.last_funding_at,
        open_interest=raw.open_interest,
        last_fill_id=raw.last_fill_id,
        bump=raw.bump,
    )


def _user(raw: Any) -> UserAccount:
    positions = tuple(
        PerpPosition(p.market_index, p.base, p.quote_entry, p.last_funding_index)
        for p in raw.positions
        if p.market_index != NO_MARKET
    )
    return UserAccount(
        authority=raw.authority,
        collateral=tuple(raw.collateral),
        positions=positions,
        bump=raw.bump,
    )
