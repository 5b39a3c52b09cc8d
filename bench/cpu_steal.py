"""How much of the machine's CPU time the hypervisor took away during a measurement.

On a virtual machine the host can deschedule its virtual CPUs (Linux counts that time as
``steal`` in ``/proc/stat``). A latency tail measured while the host was busy says more
about the host than about the code, so benchmarks report it beside their figures.
"""

from __future__ import annotations

from pathlib import Path

PROC_STAT = Path("/proc/stat")
STEAL_FIELD = 7
"""The position of ``steal`` among the ``cpu`` line's counters."""


def cpu_times() -> list[int] | None:
    """The machine's cumulative CPU counters (user, nice, system, idle, iowait, irq,
    softirq, steal), or None where ``/proc/stat`` is not there."""
    try:
        first = PROC_STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    return [int(value) for value in first[1 : STEAL_FIELD + 2]]


class StealMeter:
    """The share of CPU time stolen by the host between `start` and `percent`."""

    def __init__(self) -> None:
        self._start: list[int] | None = None

    def start(self) -> None:
        """Begin a measurement."""
        self._start = cpu_times()

    def percent(self) -> float | None:
        """Stolen time since `start` as a percentage of all CPU time (None: unknown)."""
        end = cpu_times()
        if self._start is None or end is None:
            return None
        spent = [after - before for before, after in zip(self._start, end, strict=True)]
        total = sum(spent)
        return round(100 * spent[STEAL_FIELD] / total, 2) if total else 0.0
