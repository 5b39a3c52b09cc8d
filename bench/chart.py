"""`python -m bench chart`: a million one-minute candles, first paint and pan/zoom frames,
beside finplot and vn.py's chart.

Every chart runs in its own process, offscreen (``QT_QPA_PLATFORM=offscreen``), in a
1280x800 window, on the same candles (`chart_data.candle_file`: a seeded random walk,
loaded into memory before any clock starts) and the same views (`chart_data.view_steps`).

- `first_paint_ms`: from the arrays in memory to the window shown with the newest 500
  candles painted: the chart's own input built from the arrays (our `CandleSeries`,
  finplot's DataFrame, vn.py's `BarData` list; also reported alone as ``prepare_ms``),
  the chart built, shown, set to the initial view, and the event loop run until idle,
  which paints it.
- `pan_frame_p99_ms`: 200 steps (a jump to another part of the history every 20 steps,
  between them alternating pans of a tenth of the view and zooms of 1.25x; widths from
  300 to 12,000 candles). A step is the view change through the chart's own API, then
  the event loop run until idle, which repaints the chart. Outside the timing, paints
  are counted, each view is read back, and after each jump the candle colours on screen
  are counted, so that a chart that skipped drawing cannot look fast. p50, max and the
  p99 of each kind of step come as extras.

QuantDesk's chart is `ChartPanel` over a `MarketStore`; finplot 1.9.7 (PyQt6) and vn.py
4.5's `ChartWidget` (PySide6 6.8.2.1, candle and volume items, its cursor) run in virtual
envs of their own (`peer_env`), through `bench/peers/chart_*_runner.py`. A peer that
cannot be installed or run gives a line with ``peer_value: null`` and the ``error``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.chart_data import (
    HEIGHT,
    INITIAL_VIEW,
    WIDTH,
    candle_file,
    candle_pixels,
    frame_summary,
    initial_view,
    load_candles,
    paint_counter,
    view_steps,
    walk,
)
from bench.peer_env import peer_python
from bench.report import figure

BENCH = "chart"
OURS = "QuantDesk"
MARKET = "BENCH-PERP"
GOAL_FRAME_MS = 16.0
REPO = Path(__file__).resolve().parents[1]
RUN_TIMEOUT_S = 600


@dataclass(frozen=True)
class Peer:
    """A peer chart: its name in the figures, its env and how it runs."""

    name: str
    env: str
    requirements: tuple[str, ...]
    runner: str
    qt_lib: str


PEERS = {
    "finplot": Peer(
        "finplot 1.9.7",
        "chart-finplot",
        # the same Qt (6.10.1) and pyqtgraph as ours, through PyQt6
        (
            "finplot==1.9.7",
            "PyQt6==6.10.1",
            "PyQt6-Qt6==6.10.1",
            "pyqtgraph==0.14.0",
            "pandas==2.3.3",
        ),
        "chart_finplot_runner.py",
        "PyQt6",
    ),
    "vnpy": Peer(
        "vn.py 4.5.0",
        "chart-vnpy",
        # vn.py pins pyside6==6.8.2.1 itself; ta-lib 0.6 ships manylinux wheels
        ("vnpy==4.5.0", "ta-lib==0.6.8", "pyqtgraph==0.14.0"),
        "chart_vnpy_runner.py",
        "PySide6",
    ),
}


EXTRAS = {
    "first_paint_ms": ("prepare_ms", "first_paints"),
    "pan_frame_p99_ms": (
        "pan_frame_p50_ms",
        "pan_frame_max_ms",
        "jump_p99_ms",
        "pan_p99_ms",
        "zoom_p99_ms",
        "paints_per_step",
        "unpainted_steps",
        "view_error_max",
        "candle_pixels_min",
        "steps",
    ),
}
"""The figures reported beside each metric (for a peer, prefixed ``peer_``)."""


class ChartRunFailed(RuntimeError):
    """A chart's process failed or printed no figures; the message says why."""


def _child_env(qt_lib: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONPATH", None)
    if qt_lib:
        env["PYQTGRAPH_QT_LIB"] = qt_lib
    return env


def _run_child(command: list[str], qt_lib: str | None) -> dict:
    """Run one chart's process; its last stdout line is a JSON object of raw figures."""
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=_child_env(qt_lib),
            cwd=REPO,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ChartRunFailed(f"no figures within {RUN_TIMEOUT_S} s") from exc
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise ChartRunFailed(f"exit code {done.returncode}: {tail or 'no output'}")
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError as exc:
        raise ChartRunFailed(f"unreadable figures: {lines[-1][:200]}") from exc


def run_ours(data: Path, steps: int, shot: Path | None) -> dict:
    """Our chart on the workload, in a process of its own."""
    command = [sys.executable, "-m", "bench.chart", str(REPO), str(data), str(steps)]
    return _run_child([*command, str(shot or "-")], None)


def run_peer(peer: Peer, data: Path, steps: int, shot: Path | None) -> dict:
    """A peer's chart on the workload, in its own env (made on first use)."""
    try:
        python = peer_python(peer.env, list(peer.requirements))
    except (subprocess.CalledProcessError, OSError) as exc:
        raise ChartRunFailed(f"could not install {' '.join(peer.requirements)}: {exc}") from exc
    runner = REPO / "bench" / "peers" / peer.runner
    command = [str(python), str(runner), str(REPO), str(data), str(steps), str(shot or "-")]
    return _run_child(command, peer.qt_lib)


def summarise(raw: dict, steps: int, count: int) -> dict:
    """A chart's raw figures as the bench reports them."""
    kinds = [kind for kind, _left, _right in view_steps(count, steps)]
    summary = frame_summary(raw["frames_ms"], kinds)
    paints = raw["paints"]
    summary.update(
        first_paint_ms=raw["first_paint_ms"],
        prepare_ms=raw["prepare_ms"],
        first_paints=raw["first_paints"],
        paints_per_step=round(sum(paints) / len(paints), 2) if paints else 0.0,
        unpainted_steps=sum(1 for painted in paints if painted == 0),
        view_error_max=round(max(raw["view_errors"], default=0.0), 3),
        candle_pixels_min=min([raw["first_drawn"], *raw["drawn"]]),
        version=raw["version"],
    )
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in summary.items()}


def run(args: list[str]) -> Iterator[dict]:
    """Yield our figures beside the faster peer's, then a line per peer and metric."""
    parser = argparse.ArgumentParser(prog="python -m bench chart")
    parser.add_argument("--candles", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated: finplot,vnpy")
    parser.add_argument("--no-peers", action="store_true", help="measure our chart only")
    parser.add_argument(
        "--shots", type=Path, help="save each chart's first and last view (PNG) here"
    )
    parser.add_argument("--data-dir", type=Path, help="where the candle file is kept")
    options = parser.parse_args(args)
    names = [] if options.no_peers else [n for n in options.peers.split(",") if n]
    unknown = [name for name in names if name not in PEERS]
    if unknown:
        parser.error(f"unknown peer {unknown[0]!r}; choose from {', '.join(PEERS)}")
    data = candle_file(options.candles, options.seed, options.data_dir)
    if options.shots:
        options.shots.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> Path | None:
        return options.shots / f"chart-{name}.png" if options.shots else None

    ours = summarise(
        run_ours(data, options.steps, shot("quantdesk")), options.steps, options.candles
    )
    peers: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for name in names:
        peer = PEERS[name]
        try:
            raw = run_peer(peer, data, options.steps, shot(name))
            peers[peer.name] = summarise(raw, options.steps, options.candles)
        except ChartRunFailed as exc:
            errors[peer.name] = str(exc)
        except (KeyError, TypeError, ValueError) as exc:
            errors[peer.name] = f"its runner's figures are incomplete: {exc!r}"
    common = {
        "candles": options.candles,
        "initial_view": f"newest {INITIAL_VIEW} candles",
        "window": f"{WIDTH}x{HEIGHT} offscreen",
    }
    for metric, extras in EXTRAS.items():
        yield from _lines(metric, extras, ours, peers, errors, common)


def _lines(
    metric: str,
    extras: tuple[str, ...],
    ours: dict,
    peers: dict[str, dict],
    errors: dict[str, str],
    common: dict,
) -> Iterator[dict]:
    """One metric: ours beside the faster peer's, then ours beside each peer's (or why
    that peer has no figure)."""
    best = min(peers, key=lambda name: peers[name][metric], default=None)
    headline = figure(
        BENCH,
        metric,
        ours[metric],
        "ms",
        best,
        peers[best][metric] if best else None,
        higher_is_better=False,
        scope="faster peer",
        **{key: ours[key] for key in extras},
        **common,
    )
    if metric == "pan_frame_p99_ms":
        headline["goal_ms"] = GOAL_FRAME_MS
    if errors:
        headline["peers_missing"] = errors
    yield headline
    for name, theirs in peers.items():
        yield figure(
            BENCH,
            metric,
            ours[metric],
            "ms",
            name,
            theirs[metric],
            higher_is_better=False,
            scope="peer",
            peer_version=theirs["version"],
            **{f"peer_{key}": theirs[key] for key in extras},
        )
    for name, error in errors.items():
        yield figure(
            BENCH,
            metric,
            ours[metric],
            "ms",
            name,
            None,
            higher_is_better=False,
            scope="peer",
            error=error,
        )


def measure_ours(data: Path, steps: int, shot: Path | None) -> dict:
    """Our side, run in its own process: `ChartPanel` over a `MarketStore`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from quantdesk_desktop.panels.chart.panel import ChartPanel
    from quantdesk_desktop.qt import QApplication, QtCore, QtGui, QtWidgets
    from quantdesk_desktop.state.store import MarketStore

    app = QApplication.instance() or QApplication([])
    times, ohlcv = load_candles(data)
    count = len(times)
    counter = paint_counter(QtCore)
    origin = times[0] / 1000.0
    minute = 60.0
    clock = time.perf_counter

    start = clock()
    store = MarketStore()
    store.candle_series(MARKET, "1m").load_arrays(times, ohlcv)
    prepared = clock()
    panel = ChartPanel(store, MARKET)
    price = panel.panes["price"]

    def set_view(left: int, right: int) -> None:
        price.setXRange(origin + left * minute, origin + right * minute, padding=0)

    def read_view() -> tuple[float, float]:
        left, right = price.getViewBox().viewRange()[0]
        return (left - origin) / minute, (right - origin) / minute

    panel.resize(WIDTH, HEIGHT)
    for view in panel.findChildren(QtWidgets.QGraphicsView):
        view.viewport().installEventFilter(counter)
    panel.show()
    set_view(*initial_view(count))
    app.processEvents()
    first_paint = clock() - start
    first_paints = counter.count
    colours = (panel.palette.bid, panel.palette.ask)

    def drawn() -> int:
        image = price.viewport().grab().toImage()
        image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
        return candle_pixels(image, colours)

    first_drawn = drawn()
    if shot is not None:
        panel.grab().save(str(shot))
    app.processEvents()
    views = view_steps(count, steps)
    result = walk(views, set_view, app.processEvents, read_view, lambda: counter.count, drawn)
    if shot is not None:
        panel.grab().save(str(shot.with_name(f"{shot.stem}-last.png")))
    result.update(
        first_paint_ms=first_paint * 1000.0,
        prepare_ms=(prepared - start) * 1000.0,
        first_paints=first_paints,
        first_drawn=first_drawn,
        version=f"{OURS} (Qt {QtCore.qVersion()}, PySide6)",
    )
    panel.close_panel()
    return result


def main(argv: list[str]) -> None:
    """Child entry: ``python -m bench.chart REPO DATA STEPS SHOT``; prints one JSON object."""
    _repo, data, steps, shot = argv
    result = measure_ours(Path(data), int(steps), None if shot == "-" else Path(shot))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
