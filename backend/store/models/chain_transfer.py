"""Deposits and withdrawals a user signed on chain, kept by transaction signature."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import amount as fixed_point
from backend.store.columns import epoch_ms, optional_amount


class ChainTransfer(SQLModel, table=True):
    """One signed deposit or withdrawal transaction, recorded before its first broadcast
    so that it is credited to the local ledger once however often it is submitted, and
    tracked again after a restart.

    ``status`` moves ``sent`` → ``landed`` → ``credited``, or ends ``failed`` (landed with
    an error) or ``expired`` (never landed)."""

    __tablename__ = "chain_transfers"

    signature: str = Field(primary_key=True, max_length=100)
    """Base58; the transaction's first (the wallet's) signature."""
    wallet: str = Field(max_length=44)
    """The signing wallet (base58), which is also the ledger's account id."""
    kind: str = Field(max_length=8)
    """``deposit`` or ``withdraw``."""
    asset: str = Field(max_length=16)
    amount: int = fixed_point()
    """Token units of the asset, positive."""
    status: str = Field(max_length=16, index=True)
    last_valid_block_height: int = fixed_point()
    """After this block height the transaction can no longer land."""
    wire: str = Field(max_length=2048)
    """The signed transaction (base64), re-broadcast while it may still land."""
    slot: int | None = optional_amount()
    """Where it landed."""
    command_from: int | None = optional_amount()
    """The newest command id before the local credit was applied: the credit's command is
    the first unclaimed matching one after it (found again after a crash)."""
    command_id: int | None = optional_amount()
    """The command that applied it to the local ledger."""
    created_at_ms: int = epoch_ms()
    updated_at_ms: int = epoch_ms()
