"""Wire-shaped trading history for the cache's tests: fills, orders and funding payments as
the backend sends them (decimal text), written through `CacheWriter`."""

from __future__ import annotations

import random

from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.cache.queries import DAY_MS
from quantdesk_desktop.cache.rows import fill_row, funding_row, order_row
from quantdesk_desktop.cache.writer import CacheWriter

T0 = 1_790_000_000_000 // DAY_MS * DAY_MS  # a UTC midnight
PUBKEY = "7nYabc"
MARKETS = ("SOL-PERP", "BTC-PERP", "ETH-PERP")
TYPES = ("limit", "market", "stop_market")


def cents(value: int) -> str:
    """Hundredths as decimal text (-1234 -> "-12.34")."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    return f"{sign}{whole}.{frac:02d}"


def fill(
    trade_id: int,
    time_ms: int,
    realised: str = "0",
    fee: str = "0.5",
    market: str = "SOL-PERP",
    side: str = "buy",
    order_id: int | None = 1,
) -> dict:
    """A fill as `GET /api/trades` gives it."""
    return {"trade_id": trade_id, "order_id": order_id, "market": market, "side": side,
            "role": "taker", "price": "150", "size": "1", "fee": fee,
            "realised_pnl": realised, "time_ms": time_ms}  # fmt: skip


def order(order_id: int, time_ms: int, market: str = "SOL-PERP", side: str = "buy",
          type_: str = "limit", **more) -> dict:  # fmt: skip
    """An order as `GET /api/orders` gives it (filled, unless ``more`` says otherwise)."""
    return {"order_id": order_id, "client_order_id": f"c{order_id}", "market": market,
            "side": side, "type": type_, "status": "filled", "size": "1", "filled": "1",
            "average_price": "150", "fees_paid": "0.5",
            "price": "150" if "limit" in type_ else None,
            "trigger_price": "140" if "stop" in type_ else None, "time_in_force": "gtc",
            "post_only": False, "reduce_only": False, "parent_id": None,
            "reject_reason": None, "created_at_ms": time_ms, "updated_at_ms": time_ms + 5,
            } | more  # fmt: skip


def payment(payment_id: int, time_ms: int, amount: str, market: str = "SOL-PERP") -> dict:
    """A funding payment as `GET /api/account/funding` gives it."""
    return {"id": payment_id, "market": market, "position": "1", "amount": amount,
            "settled_at_ms": time_ms}  # fmt: skip


def write(database: CacheDatabase, fills=(), orders=(), funding=()) -> None:
    """Write wire-shaped rows into the cache, as the sync does."""
    writer = CacheWriter(database)
    writer.orders([order_row(o) for o in orders])
    writer.fills([fill_row(f) for f in fills])
    writer.funding([funding_row(p) for p in funding])


def by_hand(database: CacheDatabase) -> None:
    """Five fills over four days in two markets (each of its own order) and one funding
    payment, whose figures are worked in the tests:

    1 SOL buy, day 1: opens, a fee of 0.5 only       (limit)
    2 SOL sell, day 1: a win of 10 - 0.5 = 9.5       (limit)
    3 SOL sell, day 2: a loss of -4 - 0.5 = -4.5     (market)
    4 BTC buy, day 2: a win of 3 - 0.5 = 2.5         (stop_market)
    5 BTC sell, day 4: a loss of -6 - 1 = -7         (market)
    funding: -0.25 on SOL, day 2
    """
    rows = [
        (fill(1, T0 + 1_000, "0", "0.5", order_id=1), "limit"),
        (fill(2, T0 + 2_000, "10", "0.5", side="sell", order_id=2), "limit"),
        (fill(3, T0 + DAY_MS + 5, "-4", "0.5", side="sell", order_id=3), "market"),
        (fill(4, T0 + DAY_MS + 9, "3", "0.5", market="BTC-PERP", order_id=4), "stop_market"),
        (fill(5, T0 + 3 * DAY_MS, "-6", "1", "BTC-PERP", "sell", order_id=5), "market"),
    ]
    orders = [
        order(f["order_id"], f["time_ms"] - 1, f["market"], f["side"], type_) for f, type_ in rows
    ]
    write(database, [f for f, _ in rows], orders, [payment(1, T0 + DAY_MS + 100, "-0.25")])


def generated(database: CacheDatabase, orders: int, days: int = 90, seed: int = 7) -> None:
    """``orders`` orders over ``days`` days from `T0` in three markets, each with one to
    three fills (a few cancelled with none), and funding every eight hours."""
    rng = random.Random(seed)
    fills, placed = [], []
    trade_id = 0
    for order_id in range(1, orders + 1):
        created = T0 + rng.randrange(days * DAY_MS)
        market, side, type_ = rng.choice(MARKETS), rng.choice(("buy", "sell")), rng.choice(TYPES)
        count = 0 if rng.random() < 0.1 else rng.randint(1, 3)
        for k in range(count):
            trade_id += 1
            realised = 0 if rng.random() < 0.35 else rng.randint(-4_000, 4_500)
            fills.append(
                fill(
                    trade_id,
                    created + 1_000 * (k + 1),
                    cents(realised),
                    cents(rng.randint(1, 90)),
                    market,
                    side,
                    order_id,
                )
            )
        status = "filled" if count else "cancelled"
        placed.append(
            order(
                order_id,
                created,
                market,
                side,
                type_,
                status=status,
                size=str(max(count, 1)),
                filled=str(count),
                average_price="150" if count else None,
                reduce_only=rng.random() < 0.2,
                post_only=type_ == "limit",
            )
        )
    funding = [
        payment(i + 1, T0 + (i // 3) * 8 * 3_600_000, cents(rng.randint(-30, 25)), MARKETS[i % 3])
        for i in range(days * 3 * 3)
    ]
    write(database, fills, placed, funding)
