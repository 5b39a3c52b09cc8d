"""The `engine` benchmark's workload, generated identically for us and for the peer.

Standard library only: the peer's runner imports it inside the peer's own virtual env.
Prices are in ticks around a fixed mid and sizes in lots, so each engine maps them to its
own units.
"""

from __future__ import annotations

import random

ADD, CANCEL, TAKE = 0, 1, 2
MID_TICKS = 15_000
"""The mid price in ticks (150.00 at a 0.01 tick)."""


def make_workload(seed: int, resting: int, ops: int) -> tuple[list[tuple], list[tuple]]:
    """``resting`` passive adds to build the book, then ``ops`` operations:
    60% passive limit adds, 25% cancels of earlier orders (possibly filled meanwhile),
    15% marketable orders that take liquidity (immediate or cancel).

    Each op is ``(ADD, order_id, is_buy, price_ticks, lots)``, ``(CANCEL, order_id)`` or
    ``(TAKE, order_id, is_buy, lots)``.
    """
    rng = random.Random(seed)
    next_id = 0
    live: list[int] = []

    def add() -> tuple:
        nonlocal next_id
        next_id += 1
        is_buy = rng.random() < 0.5
        offset = rng.randint(1, 200)
        price = MID_TICKS - offset if is_buy else MID_TICKS + offset
        live.append(next_id)
        return (ADD, next_id, is_buy, price, rng.randint(1, 100))

    setup = [add() for _ in range(resting)]
    run: list[tuple] = []
    for _ in range(ops):
        roll = rng.random()
        if roll < 0.60 or not live:
            run.append(add())
        elif roll < 0.85:
            index = rng.randrange(len(live))
            live[index], live[-1] = live[-1], live[index]
            run.append((CANCEL, live.pop()))
        else:
            next_id += 1
            run.append((TAKE, next_id, rng.random() < 0.5, rng.randint(1, 250)))
    return setup, run


def percentile(sorted_values: list[int], fraction: float) -> int:
    """The value at ``fraction`` (0..1) of an ascending list (nearest rank)."""
    if not sorted_values:
        return 0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]
