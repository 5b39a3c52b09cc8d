"""`python -m bench package`, briefly: every figure, from the build under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.package import run


def test_the_bench_measures_size_start_and_memory_of_the_build(package_dist: Path) -> None:
    records = {
        record["metric"]: record
        for record in run(["--dist", str(package_dist), "--rss-after", "3", "--warm-runs", "1"])
    }
    assert set(records) == {"installed_mb", "cold_start_ms", "warm_start_ms", "rss_mb"}
    assert 50 < records["installed_mb"]["value"] < 1000
    assert records["cold_start_ms"]["evicted_files"] > 100
    assert 0 < records["cold_start_ms"]["value"] < 60_000
    assert records["warm_start_ms"]["peer_value"] > 0  # the start from source, same run
    memory = records["rss_mb"]
    assert memory["backend_mb"] > 10  # the embedded backend is counted too
    assert memory["value"] == pytest.approx(memory["workstation_mb"] + memory["backend_mb"], 0.01)


def test_without_a_build_the_bench_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"no installer build in .*: run `make package` first"):
        list(run(["--dist", str(tmp_path)]))
