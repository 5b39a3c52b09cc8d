"""Runs the `engine` workload on fastlob 0.0.24; prints one JSON object with its figures.

Executed by the peer's own virtual env: ``python fastlob_runner.py REPO SEED RESTING OPS``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from decimal import Decimal


def main() -> None:
    repo, seed, resting, ops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sys.path.insert(0, repo)
    import fastlob
    from fastlob import OrderParams, OrderSide, OrderType

    from bench.engine_workload import ADD, CANCEL, MID_TICKS, make_workload, percentile

    logging.disable(logging.CRITICAL)  # measure matching, not log formatting
    setup, run = make_workload(seed, resting, ops)
    cent = Decimal("0.01")
    far_buy = Decimal(MID_TICKS * 2) * cent
    far_sell = cent
    ids: dict[int, str] = {}

    book = fastlob.Orderbook("bench", start=True)

    def do(op: tuple) -> None:
        if op[0] == ADD:
            _, oid, is_buy, price, lots = op
            side = OrderSide.BID if is_buy else OrderSide.ASK
            result = book.process(OrderParams(side, Decimal(price) * cent, Decimal(lots) * cent))
            ids[oid] = result.orderid()
        elif op[0] == CANCEL:
            # an order filled meanwhile makes fastlob refuse (or raise): it still counts as an op
            with contextlib.suppress(KeyError):
                book.cancel(ids.pop(op[1]))
        else:
            _, oid, is_buy, lots = op
            side = OrderSide.BID if is_buy else OrderSide.ASK
            price = far_buy if is_buy else far_sell
            params = OrderParams(side, price, Decimal(lots) * cent, OrderType.GTC)
            result = book.process(params)
            # fastlob has no IOC: cancel whatever rested, as part of the same operation
            order = book._orders.get(result.orderid())
            if order is not None and order.valid():
                book.cancel(result.orderid())

    for op in setup:
        do(op)
    timings = []
    start = time.perf_counter()
    for op in run:
        t0 = time.perf_counter_ns()
        do(op)
        timings.append(time.perf_counter_ns() - t0)
    elapsed = time.perf_counter() - start
    book.stop()
    timings.sort()
    print(
        json.dumps(
            {
                "ops": len(timings),
                "ops_per_s": len(timings) / elapsed,
                "op_p99_us": percentile(timings, 0.99) / 1000,
                "resting_after": sum(1 for order in book._orders.values() if order.valid()),
            }
        )
    )


if __name__ == "__main__":
    main()
