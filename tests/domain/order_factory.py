"""Builders of order requests in human units for the domain tests."""

from __future__ import annotations

from itertools import count

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.orders import OrderRequest, OrderType, Side

_ids = count(1)


def request(
    side: str = "buy",
    type: str = "limit",
    size: str = "1",
    price: str | None = "150",
    account: str = "alice",
    market: str = "SOL-PERP",
    **fields: object,
) -> OrderRequest:
    """An order request with sizes and prices given as decimal text."""
    for name in ("trigger_price", "trailing_amount", "take_profit_price", "stop_loss_price"):
        if isinstance(fields.get(name), str):
            fields[name] = parse_price(fields[name])
    if isinstance(fields.get("visible_size"), str):
        fields["visible_size"] = parse_base(fields["visible_size"])
    fields.setdefault("client_order_id", f"c{next(_ids)}")
    return OrderRequest(
        account=account,
        market=market,
        side=Side(side),
        type=OrderType(type),
        size=parse_base(size),
        price=None if price is None else parse_price(price),
        **fields,
    )
