"""An order as the ticket holds it (fixed-point units) and its `POST /api/orders` body."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.domain.orders import OrderType, Side, TriggerReference
from quantdesk_desktop.panels.ticket.order_types import TRIGGERED

_PRICES = ("price", "trigger_price", "trailing_amount", "take_profit_price", "stop_loss_price")


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """The ticket's inputs in our units (price 1e-6, base 1e-9, ratio ppm); fields the
    order type does not use are None."""

    market: str
    side: Side
    type: OrderType
    size: int
    """Base units (0: not given)."""
    price: int | None = None
    trigger_price: int | None = None
    trigger_reference: TriggerReference = TriggerReference.MARK
    trailing_amount: int | None = None
    trailing_percent: int | None = None
    """Ratio units: 10_000 is 1%."""
    visible_size: int | None = None
    twap_duration_s: int | None = None
    twap_slices: int | None = None
    take_profit_price: int | None = None
    stop_loss_price: int | None = None
    time_in_force: str = "gtc"
    expire_at_ms: int | None = None
    post_only: bool = False
    reduce_only: bool = False


def order_body(draft: TicketDraft, client_order_id: str) -> dict:
    """The body of `POST /api/orders` for ``draft``: decimal texts, only the fields its
    type uses, the trigger reference for triggered types, the expiry for GTD."""
    body: dict = {
        "market": draft.market,
        "side": draft.side.value,
        "type": draft.type.value,
        "size": format_fixed(draft.size, BASE_PRECISION),
        "client_order_id": client_order_id,
    }
    for name in _PRICES:
        value = getattr(draft, name)
        if value is not None:
            body[name] = format_fixed(value, PRICE_PRECISION)
    if draft.trailing_percent is not None:
        body["trailing_percent"] = format_fixed(draft.trailing_percent, RATIO_PRECISION)
    if draft.visible_size is not None:
        body["visible_size"] = format_fixed(draft.visible_size, BASE_PRECISION)
    if draft.twap_duration_s is not None:
        body["twap_duration_s"] = draft.twap_duration_s
    if draft.twap_slices is not None:
        body["twap_slices"] = draft.twap_slices
    if draft.type in TRIGGERED:
        body["trigger_reference"] = draft.trigger_reference.value
    body["time_in_force"] = draft.time_in_force
    if draft.time_in_force == "gtd" and draft.expire_at_ms is not None:
        body["expire_at_ms"] = draft.expire_at_ms
    body["post_only"] = draft.post_only
    body["reduce_only"] = draft.reduce_only
    return body
