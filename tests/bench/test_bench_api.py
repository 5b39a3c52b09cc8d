"""The api benchmark: its orders, its open-loop schedule, and a tiny run against a real
server process."""

from __future__ import annotations

from decimal import Decimal

from bench.api import open_loop, order_bodies, run


def test_orders_rest_away_from_the_mark_on_both_sides() -> None:
    mark = Decimal("150")
    bodies = order_bodies(mark, 400, "t")
    assert len({b["client_order_id"] for b in bodies}) == 400
    assert [b["side"] for b in bodies[:4]] == ["buy", "sell", "buy", "sell"]
    for body in bodies:
        price = Decimal(body["price"])
        away = abs(price - mark) / mark
        assert Decimal("0.0299") <= away <= Decimal("0.0801")
        assert (price < mark) == (body["side"] == "buy")
        assert price == price.quantize(Decimal("0.001"))


async def test_open_loop_counts_refusals_and_times_the_rest() -> None:
    sent: list[int] = []

    async def send(i: int) -> bool:
        sent.append(i)
        if i == 3:
            raise OSError("connection reset")
        return i % 2 == 0

    latencies, failures, elapsed = await open_loop(10, 1000.0, send)
    assert sorted(sent) == list(range(10))
    assert failures == 5  # 1, 3 (raised), 5, 7, 9
    assert len(latencies) == 5 and all(ms >= 0 for ms in latencies)
    assert elapsed >= 0.009  # ten orders at 1,000/s span at least 9 ms


def test_a_short_run_against_the_server_reports_every_figure() -> None:
    records = list(run(["--rate", "40", "--seconds", "1"]))
    assert [r["metric"] for r in records] == [
        "ws_p99_ms",
        "ws_p50_ms",
        "rest_p99_ms",
        "rest_p50_ms",
        "orders_per_s",
    ]
    latencies = records[:4]
    assert all(r["failures"] == 0 and r["orders"] == 40 for r in latencies)
    assert all(0 <= r["cpu_steal_pct"] <= 100 for r in latencies)  # the host's share
    assert all(0 < r["value"] < 5_000 and r["peer_value"] == 50.0 for r in latencies)
    assert records[0]["value"] >= records[1]["value"]  # p99 >= p50
    assert 20 < records[4]["value"] <= 45 and records[4]["rest_orders_per_s"] > 20
