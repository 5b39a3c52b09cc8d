"""Runs the `chart` workload on vn.py 4.5's chart; prints one JSON object with its figures.

Executed by the peer's own virtual env (PySide6 6.8.2.1, which vn.py pins): ``python
chart_vnpy_runner.py REPO DATA STEPS SHOT`` (SHOT: a PNG path, or ``-``). The chart is
built as vn.py's own candle chart example builds it: `ChartWidget` with a candle plot and
a volume plot, `CandleItem`, `VolumeItem` and its cursor, fed a list of `BarData`. x is
the bar index (bar ``i`` centred on ``i``). Views are set the way its arrow keys do
(`_on_key_left/right/up/down`): its ``_right_ix`` and ``_bar_count``, then its
`_update_x_range`, which fits y to the view through its range-change handler.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime


def main() -> None:
    repo, data, steps, shot = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"
    sys.path.insert(0, repo)
    from importlib.metadata import version

    from vnpy.chart import CandleItem, ChartWidget, VolumeItem
    from vnpy.chart.base import DOWN_COLOR, UP_COLOR
    from vnpy.trader.constant import Exchange, Interval
    from vnpy.trader.object import BarData
    from vnpy.trader.ui import QtCore, QtGui, QtWidgets

    from bench.chart_data import (
        HEIGHT,
        WIDTH,
        candle_pixels,
        initial_view,
        load_candles,
        paint_counter,
        view_steps,
        walk,
    )

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    times, ohlcv = load_candles(data)
    count = len(times)
    counter = paint_counter(QtCore)
    clock = time.perf_counter

    start = clock()
    bars = [
        BarData(
            gateway_name="BENCH",
            symbol="BENCH",
            exchange=Exchange.LOCAL,
            datetime=datetime.fromtimestamp(ms / 1000.0, UTC),
            interval=Interval.MINUTE,
            volume=volume,
            open_price=opens,
            high_price=high,
            low_price=low,
            close_price=close,
        )
        for ms, (opens, high, low, close, volume) in zip(
            times.tolist(), ohlcv.tolist(), strict=True
        )
    ]
    prepared = clock()
    widget = ChartWidget()
    widget.add_plot("candle", hide_x_axis=True)
    widget.add_plot("volume", maximum_height=200)
    widget.add_item(CandleItem, "candle", "candle")
    widget.add_item(VolumeItem, "volume", "volume")
    widget.add_cursor()
    widget.update_history(bars)
    widget.resize(WIDTH, HEIGHT)
    plot = widget.get_plot("candle")

    def set_view(left: int, right: int) -> None:
        widget._right_ix = right - 0.5
        widget._bar_count = right - left
        widget._update_x_range()

    def read_view() -> tuple[float, float]:
        left, right = plot.getViewBox().viewRange()[0]
        return left + 0.5, right + 0.5

    widget.viewport().installEventFilter(counter)
    widget.show()
    set_view(*initial_view(count))
    app.processEvents()
    first_paint = clock() - start
    first_paints = counter.count
    colours = tuple("#{:02x}{:02x}{:02x}".format(*rgb) for rgb in (UP_COLOR, DOWN_COLOR))

    def drawn() -> int:
        image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
        height = int(plot.getViewBox().sceneBoundingRect().bottom())  # the candle plot only
        return candle_pixels(image.copy(0, 0, image.width(), height), colours)

    first_drawn = drawn()
    if shot != "-":
        widget.grab().save(shot)
    app.processEvents()
    views = view_steps(count, steps)
    result = walk(views, set_view, app.processEvents, read_view, lambda: counter.count, drawn)
    if shot != "-":
        widget.grab().save(shot.removesuffix(".png") + "-last.png")
    result.update(
        first_paint_ms=first_paint * 1000.0,
        prepare_ms=(prepared - start) * 1000.0,
        first_paints=first_paints,
        first_drawn=first_drawn,
        version=f"vn.py {version('vnpy')} (Qt {QtCore.qVersion()}, PySide6)",
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
