"""Every instruction of the program, built with its accounts in the IDL's order and its
arguments encoded by the IDL's coder (the bytes `tests/vectors/encoding.json` records)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.system_program import ID as SYSTEM_PROGRAM_ID
from spl.token.constants import TOKEN_PROGRAM_ID

from backend.domain.markets import MarketSpec
from backend.services.solana.accounts import MarketParams
from backend.services.solana.idl import PROGRAM_ID, coder, idl_types, program_idl
from backend.services.solana.pdas import config_address, market_address, user_address, vault_address

Side = Literal["buy", "sell"]
MarketStatusName = Literal["Active", "Halted"]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def build(
    name: str,
    args: Mapping[str, Any],
    accounts: Mapping[str, Pubkey],
    remaining: Iterable[AccountMeta] = (),
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Instruction ``name`` (snake case) with its named accounts, in the IDL's order and
    flags, then ``remaining``. A missing or unknown account name is a ``ValueError``."""
    found = [i for i in program_idl().instructions if _snake(i.name) == name]
    if not found:
        raise ValueError(f"the program has no instruction {name!r}")
    wanted = [(_snake(a.name), a) for a in found[0].accounts]
    missing = [n for n, _ in wanted if n not in accounts]
    unknown = sorted(set(accounts) - {n for n, _ in wanted})
    if missing or unknown:
        raise ValueError(f"{name}: missing accounts {missing}, unknown accounts {unknown}")
    metas = [
        AccountMeta(accounts[n], is_signer=a.is_signer, is_writable=a.is_mut) for n, a in wanted
    ]
    data = coder().instruction.encode(name, dict(args))
    return Instruction(program_id, data, [*metas, *remaining])


def symbol_bytes(text: str, size: int) -> list[int]:
    """A symbol as the zero-padded byte array the program stores."""
    raw = text.encode("ascii")
    if not raw or len(raw) > size:
        raise ValueError(f"a symbol is 1 to {size} ASCII characters, got {text!r}")
    return list(raw.ljust(size, b"\0"))


def _params(params: MarketParams) -> dict[str, Any]:
    fields = {name: getattr(params, name) for name in params.__dataclass_fields__}
    fields["symbol"] = symbol_bytes(params.symbol, 16)
    return fields


def market_params(spec: MarketSpec, oracle: Pubkey) -> MarketParams:
    """A catalog market as the program lists it (``oracle``: its Pyth price account)."""
    return MarketParams(
        symbol=spec.symbol,
        tick_size=spec.tick_size,
        lot_size=spec.lot_size,
        min_size=spec.min_size,
        max_leverage=spec.max_leverage,
        initial_margin_ratio=spec.initial_margin_ratio,
        maintenance_margin_ratio=spec.maintenance_margin_ratio,
        maker_fee=spec.maker_fee,
        taker_fee=spec.taker_fee,
        liquidation_fee=spec.liquidation_fee,
        liquidator_fee_share=spec.liquidator_fee_share,
        funding_period_s=spec.funding_period_s,
        max_funding_rate=spec.max_funding_rate,
        max_oracle_age_s=spec.max_oracle_age_s,
        oracle=oracle,
    )


def _markets(indexes: Iterable[int], writable: bool, program_id: Pubkey) -> list[AccountMeta]:
    return [
        AccountMeta(market_address(i, program_id), is_signer=False, is_writable=writable)
        for i in indexes
    ]


def initialize(
    admin: Pubkey,
    quote_mint: Pubkey,
    keeper: Pubkey,
    liquidation_buffer: int,
    quote_symbol: str,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Create the config with its quote asset and vault."""
    return build(
        "initialize",
        {
            "keeper": keeper,
            "liquidation_buffer": liquidation_buffer,
            "quote_symbol": symbol_bytes(quote_symbol, 8),
        },
        {
            "admin": admin,
            "config": config_address(program_id),
            "quote_mint": quote_mint,
            "quote_vault": vault_address(quote_mint, program_id),
            "token_program": TOKEN_PROGRAM_ID,
            "system_program": SYSTEM_PROGRAM_ID,
        },
        program_id=program_id,
    )


def add_collateral_asset(
    admin: Pubkey,
    mint: Pubkey,
    symbol: str,
    initial_weight: int,
    maintenance_weight: int,
    price_market: int,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """List a collateral asset priced by market ``price_market``."""
    return build(
        "add_collateral_asset",
        {
            "symbol": symbol_bytes(symbol, 8),
            "initial_weight": initial_weight,
            "maintenance_weight": maintenance_weight,
            "price_market": price_market,
        },
        {
            "admin": admin,
            "config": config_address(program_id),
            "mint": mint,
            "vault": vault_address(mint, program_id),
            "token_program": TOKEN_PROGRAM_ID,
            "system_program": SYSTEM_PROGRAM_ID,
        },
        program_id=program_id,
    )


def add_market(
    admin: Pubkey, index: int, params: MarketParams, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """List a market; ``index`` must be the config's ``market_count``."""
    return build(
        "add_market",
        {"params": _params(params)},
        {
            "admin": admin,
            "config": config_address(program_id),
            "market": market_address(index, program_id),
            "system_program": SYSTEM_PROGRAM_ID,
        },
        program_id=program_id,
    )


UPDATABLE = (
    "min_size",
    "max_leverage",
    "initial_margin_ratio",
    "maintenance_margin_ratio",
    "maker_fee",
    "taker_fee",
    "liquidation_fee",
    "liquidator_fee_share",
    "max_funding_rate",
    "max_oracle_age_s",
)


def update_market(
    admin: Pubkey,
    index: int,
    changes: Mapping[str, int],
    status: MarketStatusName | None = None,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Change a market's adjustable parameters, and halt or resume it."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ValueError(f"cannot change {', '.join(unknown)} on a running market")
    update = {name: changes.get(name) for name in UPDATABLE}
    update["status"] = None if status is None else getattr(idl_types()["MarketStatus"], status)()
    return build(
        "update_market",
        {"update": update},
        {
            "admin": admin,
            "config": config_address(program_id),
            "market": market_address(index, program_id),
        },
        program_id=program_id,
    )


def update_insurance_fund(
    admin: Pubkey,
    admin_token: Pubkey,
    quote_mint: Pubkey,
    amount: int,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Move quote tokens into (``amount`` > 0) or out of the insurance fund."""
    return build(
        "update_insurance_fund",
        {"amount": amount},
        {
            "admin": admin,
            "config": config_address(program_id),
            "admin_token": admin_token,
            "quote_vault": vault_address(quote_mint, program_id),
            "token_program": TOKEN_PROGRAM_ID,
        },
        program_id=program_id,
    )


def update_prices(
    keeper: Pubkey, index: int, mark: int, oracle: int, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """The keeper's mark and oracle prices of market ``index``."""
    return build(
        "update_prices",
        {"mark": mark, "oracle": oracle},
        {
            "keeper": keeper,
            "config": config_address(program_id),
            "market": market_address(index, program_id),
        },
        program_id=program_id,
    )


def initialize_user(authority: Pubkey, program_id: Pubkey = PROGRAM_ID) -> Instruction:
    """Open the wallet's trading account."""
    return build(
        "initialize_user",
        {},
        {
            "authority": authority,
            "user": user_address(authority, program_id),
            "system_program": SYSTEM_PROGRAM_ID,
        },
        program_id=program_id,
    )


def _move(
    name: str,
    authority: Pubkey,
    user_token: Pubkey,
    mint: Pubkey,
    asset_index: int,
    amount: int,
    remaining: Iterable[AccountMeta],
    program_id: Pubkey,
) -> Instruction:
    return build(
        name,
        {"asset_index": asset_index, "amount": amount},
        {
            "authority": authority,
            "config": config_address(program_id),
            "user": user_address(authority, program_id),
            "user_token": user_token,
            "vault": vault_address(mint, program_id),
            "token_program": TOKEN_PROGRAM_ID,
        },
        remaining,
        program_id,
    )


def deposit(
    authority: Pubkey,
    user_token: Pubkey,
    mint: Pubkey,
    asset_index: int,
    amount: int,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Deposit ``amount`` token units of the asset from the wallet's token account."""
    return _move("deposit", authority, user_token, mint, asset_index, amount, (), program_id)


def withdraw(
    authority: Pubkey,
    user_token: Pubkey,
    mint: Pubkey,
    asset_index: int,
    amount: int,
    market_indexes: Iterable[int],
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Withdraw to the wallet's token account; ``market_indexes``: every market the
    account's margin reads (its positions and priced collateral)."""
    markets = _markets(market_indexes, False, program_id)
    return _move("withdraw", authority, user_token, mint, asset_index, amount, markets, program_id)


def settle_fill(
    keeper: Pubkey,
    market_index: int,
    taker: Pubkey,
    maker: Pubkey,
    fill_id: int,
    taker_side: Side,
    price: int,
    size: int,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Settle fill ``fill_id`` between the wallets ``taker`` and ``maker``."""
    if taker_side not in ("buy", "sell"):
        raise ValueError(f"a side is 'buy' or 'sell', got {taker_side!r}")
    side = idl_types()["Side"].Buy() if taker_side == "buy" else idl_types()["Side"].Sell()
    return build(
        "settle_fill",
        {"fill_id": fill_id, "taker_side": side, "price": price, "size": size},
        {
            "keeper": keeper,
            "config": config_address(program_id),
            "market": market_address(market_index, program_id),
            "taker": user_address(taker, program_id),
            "maker": user_address(maker, program_id),
        },
        program_id=program_id,
    )


def settle_funding(
    keeper: Pubkey,
    market_index: int,
    mark_twap: int,
    oracle_twap: int,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Close market ``market_index``'s funding period with its TWAPs."""
    return build(
        "settle_funding",
        {"mark_twap": mark_twap, "oracle_twap": oracle_twap},
        {
            "keeper": keeper,
            "config": config_address(program_id),
            "market": market_address(market_index, program_id),
        },
        program_id=program_id,
    )


def settle_user_funding(
    market_index: int, authority: Pubkey, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """Settle the wallet's funding in one market."""
    return build(
        "settle_user_funding",
        {},
        {
            "config": config_address(program_id),
            "market": market_address(market_index, program_id),
            "user": user_address(authority, program_id),
        },
        program_id=program_id,
    )


def liquidate(
    liquidator: Pubkey,
    user: Pubkey,
    market_indexes: Iterable[int],
    holders: Sequence[Pubkey] = (),
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Liquidate the wallet ``user``'s account into ``liquidator``'s; ``holders``: the
    wallets holding the opposite side, needed when the loss may be shared."""
    remaining = _markets(market_indexes, True, program_id)
    remaining += [
        AccountMeta(user_address(h, program_id), is_signer=False, is_writable=True) for h in holders
    ]
    return build(
        "liquidate",
        {},
        {
            "liquidator_authority": liquidator,
            "config": config_address(program_id),
            "liquidator": user_address(liquidator, program_id),
            "authority": liquidator,
            "user": user_address(user, program_id),
        },
        remaining,
        program_id,
    )
