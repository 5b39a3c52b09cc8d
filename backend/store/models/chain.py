"""How far on-chain settlement has got, per stream of settled things."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import amount, epoch_ms


class ChainProgress(SQLModel, table=True):
    """One settlement stream (fills, funding): the last item settled on chain, and the
    transaction in flight, kept before it is first sent so that a restart tracks it
    instead of sending again."""

    __tablename__ = "chain_progress"

    stream: str = Field(primary_key=True, max_length=32)
    cursor: int = amount()
    """The id of the last item (trade, funding period) the chain has settled."""
    pending_through: int | None = Field(default=None)
    """The cursor once the transaction in flight lands; None when nothing is in flight."""
    pending_signature: str | None = Field(default=None, max_length=100)
    pending_block_height: int | None = Field(default=None)
    """The last block height at which the transaction in flight can land."""
    pending_wire: str | None = Field(default=None)
    """The signed transaction (base64), to re-broadcast after a restart."""
    updated_at_ms: int = epoch_ms()
