"""Orders with every field of an order request, their fills and status."""

from __future__ import annotations

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.store.columns import amount, engine_id, epoch_ms, optional_amount, reference


class Order(SQLModel, table=True):
    """One order and where it is in its life; a client order id is unique per user."""

    __tablename__ = "orders"
    # Every query reads one order by id or one user's orders (these two keys serve them);
    # each further index would be one more B-tree written for every order placed or
    # changed, inside the group commit that holds the order's acknowledgement.
    __table_args__ = (
        UniqueConstraint("user_id", "client_order_id", name="uq_orders_client_id"),
        # a user's order history, newest first
        Index("ix_orders_user_id_created_at_ms", "user_id", "created_at_ms"),
    )

    id: int = engine_id(primary_key=True)
    """The engine's order id."""
    user_id: int = reference("users.id")
    market: str = Field(foreign_key="markets.symbol", max_length=32)
    client_order_id: str = Field(max_length=64)
    side: str = Field(max_length=4)
    type: str = Field(max_length=24)
    status: str = Field(max_length=20)
    size: int = amount()
    filled: int = amount()
    filled_quote: int = amount()
    fees_paid: int = amount()
    price: int | None = optional_amount()
    trigger_price: int | None = optional_amount()
    trigger_reference: str = Field(default="mark", max_length=8)
    trailing_amount: int | None = optional_amount()
    trailing_percent: int | None = optional_amount()
    visible_size: int | None = optional_amount()
    twap_duration_s: int | None = None
    twap_slices: int | None = None
    take_profit_price: int | None = optional_amount()
    stop_loss_price: int | None = optional_amount()
    time_in_force: str = Field(default="gtc", max_length=4)
    expire_at_ms: int | None = optional_amount()
    post_only: bool = False
    reduce_only: bool = False
    parent_id: int | None = engine_id(nullable=True)
    linked_ids: str = Field(default="", max_length=256)
    """OCO partners as comma-separated order ids."""
    reject_reason: str | None = Field(default=None, max_length=64)
    created_at_ms: int = epoch_ms()
    updated_at_ms: int = epoch_ms()
