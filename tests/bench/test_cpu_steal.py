"""The host's stolen CPU time, read from /proc/stat."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import cpu_steal
from bench.cpu_steal import StealMeter


def _stat(tmp_path: Path, user: int, idle: int, steal: int) -> Path:
    path = tmp_path / "stat"
    path.write_text(f"cpu  {user} 0 0 {idle} 0 0 0 {steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
    return path


def test_the_share_is_steal_over_all_time_between_two_readings(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cpu_steal, "PROC_STAT", _stat(tmp_path, 100, 800, 100))
    meter = StealMeter()
    meter.start()
    monkeypatch.setattr(cpu_steal, "PROC_STAT", _stat(tmp_path, 400, 1400, 200))
    assert meter.percent() == 10.0  # 100 stolen of 1,000 spent


def test_no_figure_without_a_start_or_without_proc_stat(tmp_path, monkeypatch) -> None:
    meter = StealMeter()
    assert meter.percent() is None
    monkeypatch.setattr(cpu_steal, "PROC_STAT", tmp_path / "absent")
    meter.start()
    assert meter.percent() is None


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="Linux only")
def test_this_machine_reports_a_percentage() -> None:
    meter = StealMeter()
    meter.start()
    share = meter.percent()
    assert share is not None and 0 <= share <= 100
