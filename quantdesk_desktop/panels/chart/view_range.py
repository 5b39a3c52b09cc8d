"""Where the chart's view may go: the newest candles when a series is first drawn, how far
it pans and zooms, and y ranges with room around what they show. x is in epoch seconds."""

from __future__ import annotations

from quantdesk_desktop.state.candles import CandleSeries

INITIAL_CANDLES = 120
"""Candles shown when a series is first drawn."""
RIGHT_MARGIN = 5
"""Empty candles' room right of the newest one, when first drawn."""
MIN_VISIBLE = 10
"""The fewest candles one view holds (zooming in stops there)."""
MAX_VISIBLE = 20_000
"""The most candles one view holds (zooming out stops there)."""
PAN_ROOM = 200
"""Candles' room the view may be panned past either end of the series."""
Y_ROOM = 0.08
"""Room above and below a fitted y range, as a share of its height."""


def latest_x_range(series: CandleSeries) -> tuple[float, float]:
    """The x range of the newest `INITIAL_CANDLES` candles of ``series`` (not empty), with
    `RIGHT_MARGIN` on the right."""
    step = series.interval_ms / 1000.0
    right = series.times[-1] / 1000.0 + (1 + RIGHT_MARGIN) * step
    return right - (INITIAL_CANDLES + RIGHT_MARGIN) * step, right


def view_limits(series: CandleSeries) -> dict[str, float]:
    """``ViewBox.setLimits`` keywords for ``series`` (not empty): pan `PAN_ROOM` candles
    past its ends, zoom between `MIN_VISIBLE` and `MAX_VISIBLE` candles."""
    step = series.interval_ms / 1000.0
    return {
        "xMin": series.times[0] / 1000.0 - PAN_ROOM * step,
        "xMax": series.times[-1] / 1000.0 + PAN_ROOM * step,
        "minXRange": MIN_VISIBLE * step,
        "maxXRange": MAX_VISIBLE * step,
    }


def fitted_y_range(values: list[float]) -> tuple[float, float]:
    """From the lowest of ``values`` to the highest, with `Y_ROOM` either side (and some
    room still when they are all equal)."""
    bottom, top = min(values), max(values)
    room = (top - bottom) * Y_ROOM or abs(top) * 0.01 or 1.0
    return bottom - room, top + room
