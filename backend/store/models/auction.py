"""JIT liquidity auctions, the quotes makers sent, and how they settled."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKeyConstraint
from sqlmodel import Field, SQLModel

from backend.store.columns import amount, engine_id, epoch_ms, reference, serial_id


class Auction(SQLModel, table=True):
    """The price curve of one auction of a large market order."""

    __tablename__ = "auctions"

    id: int = engine_id(primary_key=True)
    market: str = Field(foreign_key="markets.symbol", max_length=32, index=True)
    taker_order_id: int = engine_id(index=True)
    side: str = Field(max_length=4)
    size: int = amount()
    start_price: int = amount()
    end_price: int = amount()
    start_ms: int = epoch_ms()
    duration_ms: int
    status: str = Field(default="open", max_length=12)


class AuctionQuote(SQLModel, table=True):
    """A maker's quote during an auction."""

    __tablename__ = "auction_quotes"

    id: int | None = serial_id()
    auction_id: int = reference("auctions.id", index=True)
    maker_user_id: int = reference("users.id")
    price: int = amount()
    size: int = amount()
    quoted_at_ms: int = epoch_ms()


class AuctionSettlement(SQLModel, table=True):
    """One quote's share of a settled auction."""

    __tablename__ = "auction_settlements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["trade_id", "settled_at_ms"],
            ["trades.id", "trades.timestamp_ms"],
            name="fk_auction_settlements_trade",
        ),
    )

    id: int | None = serial_id()
    auction_id: int = reference("auctions.id", index=True)
    maker_user_id: int = reference("users.id")
    trade_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    """The fill (with ``settled_at_ms``, which is the fill's time too)."""
    price: int = amount()
    size: int = amount()
    settled_at_ms: int = epoch_ms()
