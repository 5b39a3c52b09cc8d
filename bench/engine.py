"""`python -m bench engine`: order book throughput and per-operation latency, beside fastlob.

Two figures of ours: `ops_per_s` is the order book (matching, fills, L2 deltas), the
like-for-like counterpart of fastlob's limit order book; `engine_ops_per_s` is the whole
`MatchingEngine` (validation, order lifecycle, client ids, fees, positions) on the same
operations.

Workload (`engine_workload`): one market, 100,000 resting orders, then 1,000,000
operations (60% limit adds, 25% cancels, 15% marketable orders) from a fixed seed. Our
book also drains its L2 deltas after every operation, as the engine does after each
command. fastlob 0.0.24 runs the same operations in its own virtual env, in a subprocess.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from backend.domain.markets import load_default_catalog
from backend.domain.matching_engine import MatchingEngine
from backend.domain.order_book import OrderBook
from backend.domain.orders import OrderRequest, OrderType, Side, TimeInForce
from bench.engine_workload import ADD, CANCEL, make_workload, percentile
from bench.peer_env import peer_python
from bench.report import figure

TICK = 10_000  # 0.01 in price units
LOT = 10_000_000  # 0.01 in base units
PEER = "fastlob 0.0.24"


def run_ours(setup: list[tuple], run: list[tuple]) -> dict[str, float]:
    """Our book on the workload: throughput, p99 latency, and what is left resting."""
    book = OrderBook("BENCH-PERP")
    buy, sell = Side.BUY, Side.SELL

    def do(op: tuple) -> None:
        if op[0] == ADD:
            _, oid, is_buy, price, lots = op
            book.add(oid, f"maker{oid % 997}", buy if is_buy else sell, price * TICK, lots * LOT)
        elif op[0] == CANCEL:
            if op[1] in book:
                book.cancel(op[1])
        else:
            _, oid, is_buy, lots = op
            book.match(oid, "taker", buy if is_buy else sell, lots * LOT, None)
        book.drain_deltas()

    return _timed(setup, run, do, lambda: len(book))


def run_matching_engine(setup: list[tuple], run: list[tuple]) -> dict[str, float]:
    """The full `MatchingEngine` on the workload: validation, order lifecycle, client ids,
    fees, positions and L2 deltas per command, as the order service will drive it."""
    spec = load_default_catalog().market("SOL-PERP")
    engine = MatchingEngine(spec)
    tick, lot = spec.tick_size * 10, spec.lot_size  # the workload's 0.01 tick and lot
    buy, sell = Side.BUY, Side.SELL
    ours: dict[int, tuple[str, int]] = {}

    def do(op: tuple) -> None:
        if op[0] == ADD:
            _, oid, is_buy, price, lots = op
            account = f"maker{oid % 997}"
            request = OrderRequest(
                account,
                spec.symbol,
                buy if is_buy else sell,
                OrderType.LIMIT,
                lots * lot,
                f"c{oid}",
                price=price * tick,
            )
            ours[oid] = (account, engine.submit(request, 0).order.order_id)
        elif op[0] == CANCEL:
            account, order_id = ours.pop(op[1])
            if engine.order(order_id) is not None:
                engine.cancel(account, order_id, 0)
        else:
            _, oid, is_buy, lots = op
            request = OrderRequest(
                "taker",
                spec.symbol,
                buy if is_buy else sell,
                OrderType.MARKET,
                lots * lot,
                f"t{oid}",
                time_in_force=TimeInForce.IOC,
            )
            engine.submit(request, 0)

    return _timed(setup, run, do, lambda: len(engine.book))


def _timed(setup: list[tuple], run: list[tuple], do, resting) -> dict[str, float]:
    """Build the book, then time every operation of ``run`` (one timing per operation)."""
    for op in setup:
        do(op)
    timings = []
    clock = time.perf_counter_ns
    start = time.perf_counter()
    for op in run:
        t0 = clock()
        do(op)
        timings.append(clock() - t0)
    elapsed = time.perf_counter() - start
    timings.sort()
    return {
        "ops": len(timings),
        "ops_per_s": len(timings) / elapsed,
        "op_p99_us": percentile(timings, 0.99) / 1000,
        "resting_after": resting(),
    }


def run_peer(seed: int, resting: int, ops: int) -> dict[str, float]:
    """fastlob on the same workload, in its own virtual env."""
    repo = Path(__file__).resolve().parents[1]
    python = peer_python("fastlob", ["fastlob==0.0.24"])
    runner = repo / "bench" / "peers" / "fastlob_runner.py"
    done = subprocess.run(
        [str(python), str(runner), str(repo), str(seed), str(resting), str(ops)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args: list[str]) -> Iterator[dict]:
    """Yield the figures of both engines."""
    parser = argparse.ArgumentParser(prog="python -m bench engine")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--resting", type=int, default=100_000)
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--no-peer", action="store_true", help="measure our book only")
    options = parser.parse_args(args)
    setup, ops = make_workload(options.seed, options.resting, options.ops)
    ours = run_ours(setup, ops)
    peer = None if options.no_peer else run_peer(options.seed, options.resting, options.ops)
    yield figure(
        "engine",
        "ops_per_s",
        ours["ops_per_s"],
        "ops/s",
        PEER if peer else None,
        peer["ops_per_s"] if peer else None,
        ops=ours["ops"],
        peer_ops=peer["ops"] if peer else None,
        resting_after=ours["resting_after"],
        peer_resting_after=peer["resting_after"] if peer else None,
    )
    full = run_matching_engine(setup, ops)
    yield figure(
        "engine",
        "engine_ops_per_s",
        full["ops_per_s"],
        "ops/s",
        PEER if peer else None,
        peer["ops_per_s"] if peer else None,
        resting_after=full["resting_after"],
    )
    yield figure(
        "engine",
        "op_p99_us",
        ours["op_p99_us"],
        "us",
        PEER if peer else None,
        peer["op_p99_us"] if peer else None,
        higher_is_better=False,
    )
