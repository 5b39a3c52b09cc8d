"""SPL Token mints and token accounts (the collateral vaults and users' wallets), decoded
from account data with spl.token's layouts."""

from __future__ import annotations

from dataclasses import dataclass

from solders.pubkey import Pubkey
from spl.token._layouts import ACCOUNT_LAYOUT, MINT_LAYOUT
from spl.token.constants import ACCOUNT_LEN, MINT_LEN, TOKEN_PROGRAM_ID

from backend.services.solana.errors import AccountDecodeError
from backend.services.solana.rpc import AccountInfo

ACCOUNT_STATES = {1: "initialized", 2: "frozen"}


@dataclass(frozen=True, slots=True)
class TokenMint:
    """A mint: how many units exist and how they are written."""

    address: Pubkey
    supply: int
    decimals: int
    mint_authority: Pubkey | None
    freeze_authority: Pubkey | None


@dataclass(frozen=True, slots=True)
class TokenAccount:
    """A token account: whose tokens of which mint, and how many (in base units)."""

    address: Pubkey
    mint: Pubkey
    owner: Pubkey
    """The authority that may move the tokens (for a vault, the program's PDA)."""
    amount: int
    delegate: Pubkey | None
    state: str
    """``initialized`` or ``frozen``."""


def decode_mint(account: AccountInfo | None) -> TokenMint:
    """The mint held in ``account``; ``AccountDecodeError`` if it is not one."""
    account = _token_account(account, MINT_LEN, "mint")
    parsed = MINT_LAYOUT.parse(account.data)
    if not parsed.is_initialized:
        raise AccountDecodeError(f"the mint {account.address} is not initialised")
    return TokenMint(
        account.address,
        parsed.supply,
        parsed.decimals,
        Pubkey(parsed.mint_authority) if parsed.mint_authority_option else None,
        Pubkey(parsed.freeze_authority) if parsed.freeze_authority_option else None,
    )


def decode_token_account(account: AccountInfo | None) -> TokenAccount:
    """The token account held in ``account``; ``AccountDecodeError`` if it is not one."""
    account = _token_account(account, ACCOUNT_LEN, "token account")
    parsed = ACCOUNT_LAYOUT.parse(account.data)
    state = ACCOUNT_STATES.get(parsed.state)
    if state is None:
        raise AccountDecodeError(f"the token account {account.address} is not initialised")
    return TokenAccount(
        account.address,
        Pubkey(parsed.mint),
        Pubkey(parsed.owner),
        parsed.amount,
        Pubkey(parsed.delegate) if parsed.delegate_option else None,
        state,
    )


def _token_account(account: AccountInfo | None, size: int, kind: str) -> AccountInfo:
    if account is None:
        raise AccountDecodeError(f"there is no {kind} at that address")
    if account.owner != TOKEN_PROGRAM_ID:
        raise AccountDecodeError(
            f"{account.address} is not a {kind}: it belongs to {account.owner}, "
            f"not the SPL Token program"
        )
    if len(account.data) != size:
        raise AccountDecodeError(
            f"{account.address} is not a {kind}: {len(account.data)} bytes, not {size}"
        )
    return account
