"""The workstation benchmarks, briefly: startup to a live first paint, and the workstation
under a busy book from the load generator (its messages in sequence, the ladder painted)."""

from __future__ import annotations

from bench.feed_server import BookChurn, Load
from bench.startup import run as startup
from bench.ui_load import run as ui_load


def test_the_load_generator_keeps_the_protocol_sequence() -> None:
    churn = BookChurn(Load())
    snapshot = churn.snapshot()
    first, second = churn.delta(), churn.delta()
    assert first["prev_seq"] == snapshot["seq"] and second["prev_seq"] == first["seq"]
    assert len(snapshot["bids"]) == len(snapshot["asks"]) == 200
    trades = [churn.trade()["seq"] for _ in range(3)]
    assert trades == [1, 2, 3]


def test_a_short_ui_load_run_paints_the_ladder_without_gaps() -> None:
    records = {r["metric"]: r for r in ui_load(["--seconds", "2", "--book-rate", "1000",
                                                "--trade-rate", "100"])}  # fmt: skip
    ticks = records["tick_to_screen_p99_ms"]
    assert ticks["paints"] > 10 and ticks["gaps"] == 0
    assert 0 < records["tick_to_screen_p50_ms"]["value"] <= ticks["value"] < 1_000
    assert 10 < records["frame_p50_ms"]["value"] < 100  # frames near 60 Hz
    assert records["stall_max_ms"]["goal_ms"] == 100.0


def test_startup_reports_a_live_first_paint() -> None:
    records = list(startup(["--warm-runs", "1"]))
    assert [r["start"] for r in records] == ["warm (median)", "first (fresh folders)"]
    assert all(0 < r["value"] < 60_000 for r in records)
