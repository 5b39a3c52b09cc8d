"""What a panel is told about an order it asked for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OrderRefusal:
    """The order was not accepted: the server's code and message, and the field it
    concerns (None when it concerns the whole order, or the order was never sent)."""

    code: str
    message: str
    field: str | None = None
