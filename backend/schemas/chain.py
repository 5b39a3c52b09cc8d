"""On-chain settlement on the wire: how this server settles, and the deposits and
withdrawals a user's wallet signs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.schemas.orders import DecimalText
from backend.schemas.positions import BalanceOut


class ChainAssetOut(BaseModel):
    """A collateral asset as the program lists it."""

    symbol: str
    asset_index: int
    """Its position in the program's config."""
    mint: str
    vault: str
    """The program's token account holding everyone's deposits of it."""
    decimals: int


class ChainOut(BaseModel):
    """How this server settles, and in ``solana`` mode what a client needs to know."""

    settlement: Literal["local", "solana"]
    """``local``: the server's own ledger (paper deposits at /api/account/deposit);
    ``solana``: the QuantDesk program, with transfers signed by the user's wallet at
    /api/chain/transfers."""
    program_id: str | None = None
    rpc_url: str | None = Field(
        default=None, description="the server's Solana RPC endpoint, without credentials"
    )
    commitment: str | None = None
    """How settled a transaction must be before the server counts it."""
    assets: list[ChainAssetOut] = Field(default_factory=list)


class ChainTransferBody(BaseModel):
    """A deposit or withdrawal for the wallet to sign (amount as decimal text)."""

    kind: Literal["deposit", "withdraw"]
    asset: str = Field(max_length=16)
    amount: DecimalText = Field(max_length=40, examples=["100"])


class UnsignedTransferOut(BaseModel):
    """The transaction to sign, and what it does."""

    transaction: str
    """Base64 of the serialized unsigned transaction (legacy; the wallet is its only
    signer and fee payer)."""
    summary: str = Field(examples=["Deposit 100 USDC"])
    last_valid_block_height: int
    """Sign and submit it before the chain passes this height."""


class SignedTransferBody(BaseModel):
    """The transaction from `/api/chain/transfers`, signed by the wallet (base64)."""

    transaction: str = Field(min_length=1, max_length=2048)


class ChainTransferOut(BaseModel):
    """A transfer confirmed on chain and applied to the account."""

    signature: str
    kind: Literal["deposit", "withdraw"]
    asset: str
    amount: DecimalText
    slot: int | None
    repeated: bool
    """It had been applied before: this submission changed nothing."""
    balances: list[BalanceOut]
    """The account's balances after it."""
