"""The fan-out benchmark: the subscriber's sequence checks, the driver's change tagging,
and a tiny run with client processes against a real server."""

from __future__ import annotations

from collections import Counter

from bench.fanout import _quantile, _shares, run
from bench.fanout_clients import BookClient


async def test_a_subscriber_counts_gaps_and_late_deltas() -> None:
    client = BookClient()
    client.on_text(b'{"channel":"book","type":"snapshot","seq":10,"bids":[],"asks":[]}')
    client.on_text(b'{"channel":"book","type":"delta","prev_seq":10,"bids":[],"seq":12}')
    client.on_text(b'{"channel":"book","type":"delta","prev_seq":15,"bids":[],"seq":16}')
    client.on_text(b'{"channel":"book","type":"delta","prev_seq":11,"bids":[],"seq":12}')
    assert client.last == 16 and list(client.seqs) == [12, 16]
    assert client.dropped == 3  # 13, 14 and 15 never came
    assert client.out_of_order == 1
    client.finish_at(16)
    assert client.finished.is_set()


def test_clients_are_shared_evenly_and_quantiles_read_buckets() -> None:
    assert _shares(1000, 4) == [250, 250, 250, 250]
    assert _shares(10, 4) == [3, 3, 2, 2]
    buckets = Counter({10: 98, 500: 2})  # 1.0 ms x 98, 50.0 ms x 2
    assert _quantile(buckets, 0.5) == 1.0
    assert _quantile(buckets, 0.99) == 50.0


def test_a_short_run_delivers_every_change_to_every_client() -> None:
    records = {
        r["metric"]: r
        for r in run(["--clients", "6", "--processes", "2", "--rate", "40", "--seconds", "1"])
    }
    p99 = records["fanout_p99_ms"]
    assert p99["changes"] == p99["tagged"] == 40
    assert p99["samples"] == 6 * 40  # each change reached each client once
    assert 0 < records["fanout_p50_ms"]["value"] <= p99["value"] < 5_000
    assert records["dropped"]["value"] == 0 and records["dropped"]["disconnected"] == 0
    assert records["out_of_order"]["value"] == 0
