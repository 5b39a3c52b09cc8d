"""`python -m bench package`: the frozen app as a desk installs it.

- ``installed_mb``: the .deb's installed size (dpkg's ``Installed-Size``, in MiB, as dpkg
  and ``du`` count). Goal: under 250.
- ``cold_start_ms``: spawning the one-folder build's ``quantdesk --screenshot`` in fresh
  config and data folders, with the build's files evicted from the page cache first, to
  its first window painted with live data from its embedded backend. Goal: under 3 s.
  The same start from source (``python -m quantdesk_desktop``) is measured in the same
  run as the baseline (``warm_start_ms``, both warm).
- ``rss_mb``: resident memory of the workstation and its embedded backend together, 60 s
  after a normal start with the default workspace. Goal: under 400.

Needs the build (`make package`); runs on the display the benchmark runs on (offscreen
without one).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench import startup
from bench.report import figure

REPO = Path(__file__).resolve().parents[1]
GOAL_COLD_START_MS = 3_000.0
GOAL_RSS_MB = 400.0
GOAL_INSTALLED_MB = 250.0
MIB = 1024 * 1024


def app_environment(folder: Path) -> dict[str, str]:
    """The environment of one launch: config and data folders under ``folder``."""
    return startup.app_environment(folder / "config", folder / "data")


def evict(folder: Path) -> int:
    """Drop ``folder``'s files from the page cache (``POSIX_FADV_DONTNEED``: no privilege
    needed, clean pages only); how many files."""
    count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)
            count += 1
    return count


def first_paint_ms(command: list[str], folder: Path) -> float:
    """One ``--screenshot`` launch's time to its first live paint (ms)."""
    return startup.paint_ms(command, app_environment(folder), folder / "shot.png")


def resident_mib(pid: int) -> float:
    """A process's resident memory (VmRSS) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in listed]


def resident_after(command: list[str], folder: Path, seconds: float) -> tuple[float, float]:
    """Resident MiB of the workstation and of its embedded backend ``seconds`` after a
    normal start."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=app_environment(folder),
    )
    try:
        time.sleep(seconds)  # the measurement is of the app left running this long
        if process.poll() is not None:
            raise RuntimeError(f"the workstation exited early ({process.returncode})")
        backends = children(process.pid)
        workstation = resident_mib(process.pid)
        backend = sum(resident_mib(child) for child in backends)
        return workstation, backend
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def installed_mib(deb: Path) -> float:
    """The .deb's Installed-Size (KiB in its control file) in MiB."""
    field = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Installed-Size"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(field) / 1024


def run(argv: list[str]) -> Iterator[dict]:
    """The `package` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench package")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="the build's folder")
    parser.add_argument("--rss-after", type=float, default=60.0, help="seconds before RSS")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm launches of each")
    args = parser.parse_args(argv)
    frozen = args.dist / "quantdesk" / "quantdesk"
    debs = sorted(args.dist.glob("quantdesk_*.deb"))
    if not frozen.is_file() or not debs:
        raise SystemExit(f"no installer build in {args.dist}: run `make package` first")
    installed = installed_mib(debs[-1])
    yield figure(
        "package", "installed_mb", installed, "MiB", "goal", GOAL_INSTALLED_MB,
        higher_is_better=False, package=debs[-1].name,
        bytes_decimal_mb=round(installed * MIB / 1e6, 1),
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="quantdesk-package-") as scratch:
        folder = Path(scratch)
        evicted = evict(frozen.parent)
        cold = first_paint_ms([str(frozen)], folder / "cold")
        yield figure(
            "package", "cold_start_ms", cold, "ms", "goal", GOAL_COLD_START_MS,
            higher_is_better=False, start="first, fresh folders, build evicted from cache",
            evicted_files=evicted,
        )  # fmt: skip
        runs = max(1, args.warm_runs)
        ours = sorted(first_paint_ms([str(frozen)], folder / "cold") for _ in range(runs))
        # the first launch from source is a first start in its folders: left out
        source_runs = [first_paint_ms(startup.SOURCE, folder / "source") for _ in range(runs + 1)]
        theirs = sorted(source_runs[1:])
        yield figure(
            "package", "warm_start_ms", ours[len(ours) // 2], "ms",
            "from source (python -m quantdesk_desktop)", theirs[len(theirs) // 2],
            higher_is_better=False, runs=runs,
        )  # fmt: skip
        workstation, backend = resident_after([str(frozen)], folder / "rss", args.rss_after)
        yield figure(
            "package", "rss_mb", workstation + backend, "MiB", "goal", GOAL_RSS_MB,
            higher_is_better=False, after_s=args.rss_after,
            workstation_mb=round(workstation, 1), backend_mb=round(backend, 1),
        )  # fmt: skip
