"""Runs the `chart` workload on finplot 1.9.7; prints one JSON object with its raw figures.

Executed by the peer's own virtual env (PyQt6): ``python chart_finplot_runner.py REPO DATA
STEPS SHOT`` (SHOT: a PNG path, or ``-``). finplot's x is the candle index (candle ``i``
centred on ``i``); views are set with its own `FinViewBox.update_y_zoom`, which its
keyboard pans and wheel zooms call, and which fits y to the view.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    repo, data, steps, shot = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["PYQTGRAPH_QT_LIB"] = "PyQt6"
    sys.path.insert(0, repo)
    import finplot as fplt
    import pandas as pd
    import pyqtgraph as pg
    from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

    from bench.chart_data import (
        HEIGHT,
        INITIAL_VIEW,
        WIDTH,
        candle_pixels,
        initial_view,
        load_candles,
        paint_counter,
        view_steps,
        walk,
    )

    app = pg.mkQApp()
    times, ohlcv = load_candles(data)
    count = len(times)
    counter = paint_counter(QtCore)
    fplt.winw, fplt.winh = WIDTH, HEIGHT  # the window's geometry, read when it is created
    clock = time.perf_counter

    start = clock()
    frame = pd.DataFrame(
        {
            "time": times,  # epoch ms: finplot converts it to its ns epochs itself
            "open": ohlcv[:, 0],
            "close": ohlcv[:, 3],
            "high": ohlcv[:, 1],
            "low": ohlcv[:, 2],
            "volume": ohlcv[:, 4],
        }
    )
    prepared = clock()
    ax, ax_volume = fplt.create_plot(
        "bench", rows=2, init_zoom_periods=INITIAL_VIEW, maximize=False
    )
    fplt.candlestick_ochl(frame[["time", "open", "close", "high", "low"]], ax=ax)
    fplt.volume_ocv(frame[["time", "open", "close", "volume"]], ax=ax_volume)
    window = ax.vb.win

    def set_view(left: int, right: int) -> None:
        old_left, old_right = read_view()
        ax.vb.update_y_zoom(left - 0.5, right - 0.5)
        if right <= old_left or left >= old_right:
            # a jump: finplot draws candles into a picture around the old view, and Qt
            # skips an item whose bounds miss the view, so they would not be drawn again;
            # finplot's own set_x_pos reminds them after its zoom
            fplt._repaint_candles()

    def read_view() -> tuple[float, float]:
        left, right = ax.vb.viewRange()[0]
        return left + 0.5, right + 0.5

    for view in [window, *window.findChildren(QtWidgets.QGraphicsView)]:
        view.viewport().installEventFilter(counter)
    fplt.show(qt_exec=False)
    set_view(*initial_view(count))
    app.processEvents()
    first_paint = clock() - start
    first_paints = counter.count
    colours = (fplt.candle_bull_color, fplt.candle_bear_color)

    def drawn() -> int:
        image = window.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
        height = int(ax.vb.sceneBoundingRect().bottom())  # the price row only
        return candle_pixels(image.copy(0, 0, image.width(), height), colours)

    first_drawn = drawn()
    if shot != "-":
        window.grab().save(shot)
    app.processEvents()
    views = view_steps(count, steps)
    result = walk(views, set_view, app.processEvents, read_view, lambda: counter.count, drawn)
    if shot != "-":
        window.grab().save(shot.removesuffix(".png") + "-last.png")
    result.update(
        first_paint_ms=first_paint * 1000.0,
        prepare_ms=(prepared - start) * 1000.0,
        first_paints=first_paints,
        first_drawn=first_drawn,
        version=f"finplot {fplt.__version__} (Qt {QtCore.qVersion()}, PyQt6, pandas "
        f"{pd.__version__})",
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
