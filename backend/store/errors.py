"""Refusals of the store that a service can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's refusals."""


class DuplicateClientOrderId(StoreError):
    """The user already has an order with this client order id (a retried submit)."""

    def __init__(self, user_id: int, client_order_id: str, existing_order_id: int) -> None:
        super().__init__(
            f"user {user_id} already has order {existing_order_id} "
            f"with client order id {client_order_id!r}"
        )
        self.user_id = user_id
        self.client_order_id = client_order_id
        self.existing_order_id = existing_order_id


class OrderNotFound(StoreError):
    """No order has this id."""

    def __init__(self, order_id: int) -> None:
        super().__init__(f"no order {order_id}")
        self.order_id = order_id


class FillRefused(StoreError):
    """A fill that would overfill the order, or an order that can no longer fill."""
