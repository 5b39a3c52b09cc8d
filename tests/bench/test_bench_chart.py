"""The chart benchmark: its shared candles and views, a tiny run of our chart, and how
peers' figures (or their absence) are reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import chart
from bench.chart_data import (
    INITIAL_VIEW,
    MINUTE_MS,
    SEGMENT,
    candle_file,
    frame_summary,
    initial_view,
    load_candles,
    make_candles,
    percentile,
    view_steps,
)


def test_candles_are_a_deterministic_consistent_one_minute_walk() -> None:
    times, rows = make_candles(5_000, seed=3)
    again_times, again_rows = make_candles(5_000, seed=3)
    assert np.array_equal(times, again_times) and np.array_equal(rows, again_rows)
    assert not np.array_equal(rows, make_candles(5_000, seed=4)[1])
    assert times.dtype == np.int64 and rows.dtype == np.float64 and rows.shape == (5_000, 5)
    assert (np.diff(times) == MINUTE_MS).all()
    opens, high, low, close, volume = rows.T
    assert (high >= np.maximum(opens, close)).all() and (low <= np.minimum(opens, close)).all()
    assert (opens[1:] == close[:-1]).all() and (low > 0).all() and (volume > 0).all()


def test_the_candle_file_is_written_once_and_loads_back(tmp_path: Path) -> None:
    path = candle_file(2_000, seed=5, directory=tmp_path)
    written = path.stat().st_mtime_ns
    assert candle_file(2_000, seed=5, directory=tmp_path) == path
    assert path.stat().st_mtime_ns == written
    times, rows = load_candles(path)
    expected_times, expected_rows = make_candles(2_000, seed=5)
    assert np.array_equal(times, expected_times) and np.array_equal(rows, expected_rows)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_views_jump_pan_and_zoom_within_the_history() -> None:
    count = 1_000_000
    views = view_steps(count, 200)
    assert views == view_steps(count, 200) and len(views) == 200
    assert initial_view(count) == (count - INITIAL_VIEW, count)
    assert [kind for kind, _, _ in views[::SEGMENT]] == ["jump"] * 10
    kinds = [kind for kind, _, _ in views]
    assert kinds.count("pan") == 100 and kinds.count("zoom") == 90
    assert all(0 <= left < right <= count for _, left, right in views)
    assert all(100 <= right - left <= 20_000 for _, left, right in views)
    starts = {left // 100_000 for kind, left, _ in views if kind == "jump"}
    assert len(starts) >= 8  # the jumps visit most of the history
    previous = initial_view(count)
    for kind, left, right in views:
        if kind == "pan":
            assert right - left == previous[1] - previous[0]
            assert abs(left - previous[0]) == pytest.approx((right - left) / 10, abs=1)
        elif kind == "zoom":
            ratio = (right - left) / (previous[1] - previous[0])
            assert ratio == pytest.approx(1.25, abs=0.01) or ratio == pytest.approx(0.8, abs=0.01)
        previous = (left, right)


def test_frame_summary_takes_nearest_rank_percentiles() -> None:
    frames = [float(value) for value in range(1, 101)]
    summary = frame_summary(frames, ["pan"] * 50 + ["zoom"] * 50)
    assert summary["pan_frame_p50_ms"] == 50 and summary["pan_frame_p99_ms"] == 99
    assert summary["pan_p99_ms"] == 50 and summary["zoom_p99_ms"] == 100
    assert summary["jump_p99_ms"] == 0 and percentile([], 0.99) == 0


def test_a_tiny_run_of_our_chart_paints_every_step(tmp_path: Path) -> None:
    records = list(
        chart.run(
            ["--candles", "20000", "--steps", "20", "--no-peers", "--data-dir", str(tmp_path)]
        )
    )
    assert [r["metric"] for r in records] == ["first_paint_ms", "pan_frame_p99_ms"]
    first, frames = records
    assert all(r["bench"] == "chart" and r["unit"] == "ms" and r["peer"] is None for r in records)
    assert 0 < first["value"] < 30_000 and first["first_paints"] >= 1
    assert 0 <= first["prepare_ms"] < first["value"]
    assert 0 < frames["pan_frame_p50_ms"] <= frames["value"] <= frames["pan_frame_max_ms"] < 2_000
    assert frames["steps"] == 20 and frames["unpainted_steps"] == 0
    assert frames["paints_per_step"] >= 1 and frames["view_error_max"] < 1
    assert frames["candle_pixels_min"] > 1_000  # every view checked shows candles
    assert frames["goal_ms"] == 16.0


def _raw(first_paint_ms: float, frame_ms: float, steps: int = 20) -> dict:
    return {
        "first_paint_ms": first_paint_ms,
        "prepare_ms": 1.0,
        "first_paints": 1,
        "frames_ms": [frame_ms] * steps,
        "paints": [1] * steps,
        "view_errors": [0.0] * steps,
        "first_drawn": 900,
        "drawn": [1_000],
        "version": "test",
    }


def test_the_faster_peer_is_the_headline_and_a_missing_peer_says_why(monkeypatch) -> None:
    def fake_peer(peer: chart.Peer, *_args) -> dict:
        if peer.name.startswith("vn.py"):
            raise chart.ChartRunFailed("could not install vnpy==4.5.0: no wheel")
        return _raw(400.0, 40.0)

    monkeypatch.setattr(chart, "run_ours", lambda *_args: _raw(100.0, 10.0))
    monkeypatch.setattr(chart, "run_peer", fake_peer)
    monkeypatch.setattr(chart, "candle_file", lambda *_args: Path("unused.npz"))
    records = list(chart.run(["--candles", "20000", "--steps", "20"]))
    headline = [r for r in records if r["scope"] == "faster peer"]
    assert [r["metric"] for r in headline] == ["first_paint_ms", "pan_frame_p99_ms"]
    assert all(r["peer"] == "finplot 1.9.7" for r in headline)
    assert headline[0]["peer_value"] == 400.0 and headline[0]["ratio"] == 4.0
    assert headline[1]["peer_value"] == 40.0 and headline[1]["ratio"] == 4.0
    assert "no wheel" in headline[0]["peers_missing"]["vn.py 4.5.0"]
    missing = [r for r in records if r["peer"] == "vn.py 4.5.0"]
    assert len(missing) == 2
    assert all(r["peer_value"] is None and "no wheel" in r["error"] for r in missing)
    assert all(r["value"] > 0 for r in records)
