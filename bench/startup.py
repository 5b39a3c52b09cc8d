"""`python -m bench startup`: from launching `quantdesk` to its first window painted with
live market data from the embedded backend it starts.

Runs `python -m quantdesk_desktop --screenshot` in fresh config and data folders (a first
start: the embedded backend creates and migrates its database, the makers quote, the
flow traders trade) and a second time in the same folders (a warm start), on the display
the benchmark runs on (Xvfb in the test command; offscreen without one). The time is from
spawning the process to the moment the workstation reports its first painted frame
with live data. Goal: under 2 s. There is no peer figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.report import figure

GOAL_MS = 2_000.0
MARKER = "live data painted at "
SOURCE = [sys.executable, "-m", "quantdesk_desktop"]


def app_environment(config: Path, data: Path) -> dict[str, str]:
    """The environment of one launch: its own config and data folders, on this display
    (offscreen without one)."""
    env = os.environ | {"QUANTDESK_CONFIG_DIR": str(config), "QUANTDESK_DATA_DIR": str(data)}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def paint_ms(command: list[str], env: dict[str, str], shot: Path) -> float:
    """One ``command --screenshot`` launch's time to its first live paint (ms)."""
    started = time.time()
    done = subprocess.run(
        [*command, "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    line = next(line for line in done.stdout.splitlines() if line.startswith(MARKER))
    return (float(line.removeprefix(MARKER)) - started) * 1000


def launch_ms(config: Path, data: Path, shot: Path) -> float:
    """One launch from source's time to its first live paint (ms)."""
    return paint_ms(SOURCE, app_environment(config, data), shot)


def run(argv: list[str]) -> Iterator[dict]:
    """The `startup` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--warm-runs", type=int, default=3, help="launches after the first")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quantdesk-startup-") as scratch:
        folder = Path(scratch)
        config, data, shot = folder / "config", folder / "data", folder / "shot.png"
        first = launch_ms(config, data, shot)
        warm = sorted(launch_ms(config, data, shot) for _ in range(max(1, args.warm_runs)))
    yield figure(
        "startup", "first_paint_ms", warm[len(warm) // 2], "ms", higher_is_better=False,
        start="warm (median)", runs=len(warm), goal_ms=GOAL_MS,
    )  # fmt: skip
    yield figure(
        "startup", "first_paint_ms", first, "ms", higher_is_better=False,
        start="first (fresh folders)", goal_ms=GOAL_MS,
    )  # fmt: skip
