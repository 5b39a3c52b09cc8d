"""The engine benchmark's workload and our side of it, at a tiny size."""

from __future__ import annotations

from collections import Counter

from bench.engine import run, run_matching_engine, run_ours
from bench.engine_workload import ADD, CANCEL, TAKE, make_workload, percentile
from bench.report import figure


def test_workload_is_deterministic_and_has_the_stated_mix() -> None:
    setup, ops = make_workload(seed=1, resting=2_000, ops=20_000)
    assert (setup, ops) == make_workload(seed=1, resting=2_000, ops=20_000)
    assert len(setup) == 2_000 and all(op[0] == ADD for op in setup)
    mix = Counter(op[0] for op in ops)
    assert abs(mix[ADD] / len(ops) - 0.60) < 0.02
    assert abs(mix[CANCEL] / len(ops) - 0.25) < 0.02
    assert abs(mix[TAKE] / len(ops) - 0.15) < 0.02


def test_our_side_counts_every_operation() -> None:
    setup, ops = make_workload(seed=2, resting=2_000, ops=5_000)
    figures = run_ours(setup, ops)
    assert figures["ops"] == len(ops) == 5_000
    assert figures["ops_per_s"] > 0 and figures["op_p99_us"] > 0
    adds = sum(1 for op in setup + ops if op[0] == ADD)
    assert 0 < figures["resting_after"] <= adds


def test_book_and_full_engine_end_with_the_same_resting_orders() -> None:
    setup, ops = make_workload(seed=3, resting=1_000, ops=3_000)
    book, engine = run_ours(setup, ops), run_matching_engine(setup, ops)
    assert book["resting_after"] == engine["resting_after"]
    assert book["ops"] == engine["ops"] == len(ops)
    assert engine["ops_per_s"] > 0


def test_figure_ratio_says_above_one_when_we_win() -> None:
    faster = figure("engine", "ops_per_s", 200.0, "ops/s", "peer", 100.0)
    lower_latency = figure("engine", "op_p99_us", 5.0, "us", "peer", 10.0, higher_is_better=False)
    assert faster["ratio"] == 2.0 and lower_latency["ratio"] == 2.0
    assert set(faster) >= {"bench", "metric", "value", "unit", "peer", "peer_value"}


def test_percentile_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.99) == 99 and percentile(values, 0.5) == 50
    assert percentile([], 0.99) == 0


def test_the_bench_yields_its_records_without_a_peer() -> None:
    records = list(run(["--resting", "1000", "--ops", "2000", "--no-peer"]))
    assert [(r["metric"], r["unit"]) for r in records] == [
        ("ops_per_s", "ops/s"),
        ("engine_ops_per_s", "ops/s"),
        ("op_p99_us", "us"),
    ]
    assert records[0]["ops"] == 2000 and records[0]["peer"] is None
    assert all(r["bench"] == "engine" and r["value"] > 0 for r in records)
