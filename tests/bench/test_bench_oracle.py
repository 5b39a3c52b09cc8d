"""The oracle benchmark: a short run from a local Hermes through a real server to a
socket client, every measured price named by its update."""

from __future__ import annotations

from bench.local_oracles import HermesFeed
from bench.oracle import SCALE, SentPrices, run


def test_each_update_is_a_new_price_that_names_it() -> None:
    sent = SentPrices({"feed": "BTC-PERP"})
    feed = HermesFeed(price=67_000 * 10**8, conf=10**8)
    sent.step("feed", feed)
    sent.on_event(1, ["feed"], 100.0)
    sent.step("feed", feed)
    sent.on_event(2, ["feed"], 100.02)
    assert sent.sent_at == {
        ("BTC-PERP", 67_000 * 10**6 + 1): 100.0,
        ("BTC-PERP", 67_000 * 10**6 + 2): 100.02,
    }
    assert feed.price == 67_000 * 10**8 + 2 * SCALE


def test_a_short_run_measures_prices_end_to_end() -> None:
    records = {r["metric"]: r for r in run(["--samples", "300", "--rate", "20"])}
    p99, p50 = records["p99_ms"], records["p50_ms"]
    assert p99["samples"] == 300 and p99["unknown"] == 0
    assert 0 < p50["value"] <= p99["value"] <= p99["max_ms"] < 5_000
    assert p99["peer_value"] == 200.0
