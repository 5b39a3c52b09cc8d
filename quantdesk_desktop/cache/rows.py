"""Wire shapes (decimal text) to cache rows (fixed-point integers)."""

from __future__ import annotations

from backend.domain.fixed_point import parse_base, parse_fixed, parse_price, parse_quote


def _optional(value: str | None, parse) -> int | None:
    return None if value is None else parse(value)


def fill_row(fill: dict, market: str | None = None) -> dict:
    """A fill from `GET /api/trades` or a `fills` channel message's ``fill``."""
    return {
        "trade_id": fill["trade_id"],
        "order_id": fill.get("order_id"),
        "market": fill.get("market") or market,
        "side": fill["side"],
        "role": fill["role"],
        "price": parse_price(fill["price"]),
        "size": parse_base(fill["size"]),
        "fee": parse_quote(fill.get("fee") or "0"),
        "realised_pnl": parse_quote(fill.get("realised_pnl") or "0"),
        "time_ms": fill["time_ms"],
    }


def order_row(order: dict) -> dict:
    """An order (`OrderOut`)."""
    return {
        "order_id": order["order_id"],
        "client_order_id": order.get("client_order_id") or "",
        "market": order["market"],
        "side": order["side"],
        "type": order["type"],
        "status": order["status"],
        "size": parse_base(order["size"]),
        "filled": parse_base(order.get("filled") or "0"),
        "average_price": _optional(order.get("average_price"), parse_price),
        "fees_paid": parse_quote(order.get("fees_paid") or "0"),
        "price": _optional(order.get("price"), parse_price),
        "trigger_price": _optional(order.get("trigger_price"), parse_price),
        "time_in_force": order.get("time_in_force") or "gtc",
        "post_only": bool(order.get("post_only")),
        "reduce_only": bool(order.get("reduce_only")),
        "parent_id": order.get("parent_id"),
        "reject_reason": order.get("reject_reason"),
        "created_at_ms": order.get("created_at_ms") or 0,
        "updated_at_ms": order.get("updated_at_ms") or order.get("created_at_ms") or 0,
    }


def funding_row(payment: dict) -> dict:
    """A funding payment (`FundingPaymentOut`)."""
    return {
        "id": payment["id"],
        "market": payment["market"],
        "position": parse_base(payment["position"]),
        "amount": parse_quote(payment["amount"]),
        "settled_at_ms": payment["settled_at_ms"],
    }


def liquidation_row(liquidation: dict) -> dict:
    """A liquidated slice (`LiquidationOut`)."""
    return {
        "id": liquidation["id"],
        "market": liquidation["market"],
        "size": parse_base(liquidation["size"]),
        "price": parse_price(liquidation["price"]),
        "fee": parse_quote(liquidation["fee"]),
        "realised_pnl": parse_quote(liquidation["realised_pnl"]),
        "time_ms": liquidation["time_ms"],
    }


def transfer_row(transfer: dict) -> dict:
    """A deposit or withdrawal (`TransferOut`), in the asset's token units."""
    return {
        "id": transfer["id"],
        "asset": transfer["asset"],
        "amount": parse_fixed(transfer["amount"], 10 ** transfer["decimals"], "amount"),
        "kind": transfer["kind"],
        "time_ms": transfer["time_ms"],
    }


def position_row(position: dict, time_ms: int) -> dict:
    """A position of a `positions` channel snapshot, at ``time_ms``."""
    return {
        "time_ms": time_ms,
        "market": position["market"],
        "size": parse_base(position["size"]),
        "entry_price": _optional(position.get("entry_price"), parse_price),
        "mark_price": _optional(position.get("mark_price"), parse_price),
        "unrealised_pnl": parse_quote(position.get("unrealised_pnl") or "0"),
    }


def candle_row(market: str, interval: str, candle: dict) -> dict:
    """A candle (`CandleOut`)."""
    return {
        "market": market,
        "interval": interval,
        "start_ms": candle["start_ms"],
        "open": parse_price(candle["open"]),
        "high": parse_price(candle["high"]),
        "low": parse_price(candle["low"]),
        "close": parse_price(candle["close"]),
        "volume": parse_base(candle.get("volume") or "0"),
        "notional": parse_quote(candle.get("notional") or "0"),
        "trades": int(candle.get("trades") or 0),
    }
